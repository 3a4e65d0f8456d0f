"""compute_cost(AL, Y) -> cost: the cross-entropy cost averaged over the m examples."""
import numpy as np

from .base import Case, Exercise, Mistake, Scalar
from .cases import NETWORK_SHAPES, ROUND_CASES


def make_cases(rng):
    cases = []
    for index, (_, m) in enumerate(NETWORK_SHAPES):
        if index < ROUND_CASES:
            AL = rng.choice([0.2, 0.5, 0.8], size=(1, m))
        else:
            AL = rng.uniform(0.05, 0.95, size=(1, m))
        Y = rng.integers(0, 2, size=(1, m)).astype(float)
        if index == 1:
            Y = np.array([[1.0, 0.0]])[:, :m]
        if index == ROUND_CASES and m >= 2:  # predictions near 0 and 1, so that clipping AL shows
            AL[0, 0], Y[0, 0] = 1e-4, 1.0
            AL[0, -1], Y[0, -1] = 1 - 1e-4, 0.0
        cases.append(Case((AL, Y), {"m": m}, f"case {index + 1}"))
    return cases


def outputs(case):
    return Scalar("cost")


def _loss(AL, Y):
    return Y * np.log(AL) + (1 - Y) * np.log(1 - AL)


MISTAKES = (
    Mistake("CC01", "the cost is summed, not averaged over the m examples",
            "J = -1/m * sum(...): the cost is the mean loss.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.sum(_loss(AL, Y)))),
    Mistake("CC02", "the minus sign is missing",
            "log of a probability is negative: J = -1/m * sum(...) is positive and decreases as the "
            "predictions improve.",
            "cost = -np.sum(...) / m",
            lambda ref, AL, Y: np.squeeze(np.sum(_loss(AL, Y)) / AL.shape[1])),
    Mistake("CC03", "the (1 - Y) * log(1 - AL) term is missing",
            "Examples with label 0 contribute log(1 - AL): without that term they cost nothing.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.sum(Y * np.log(AL)) / AL.shape[1])),
    Mistake("CC04", "the cost is not a scalar (an array of shape (1, 1))",
            "A matrix product such as np.dot(Y, np.log(AL).T) gives a (1, 1) array: squeeze it.",
            "cost = np.squeeze(cost)",
            lambda ref, AL, Y: np.reshape(ref.compute_cost(AL, Y), (1, 1))),
    Mistake("CC05", "the cost is a vector: one loss per example, not their mean",
            "J averages the m losses into one number.",
            "cost = -np.sum(...) / m   (np.sum adds the m losses up)",
            lambda ref, AL, Y: -_loss(AL, Y) / AL.shape[1]),
)

EXERCISE = Exercise(
    name="compute_cost", weight=10, params=("AL", "Y"),
    summary="the cross-entropy cost J",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, axis_meanings={"m": "example"},
)
