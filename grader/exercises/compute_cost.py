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


def _with_errors_ignored(compute):
    with np.errstate(all="ignore"):  # log(0) is what the mistake computes
        return compute()


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
    Mistake("CC06", "AL is clipped away from 0 and 1 before the log",
            "J = -1/m * sum(Y log AL + (1 - Y) log(1 - AL)) of the AL given: clipping it (np.clip(AL, 1e-3, "
            "1 - 1e-3)) changes the cost of every confident prediction.",
            "take the log of AL as given: remove np.clip(AL, ...)",
            lambda ref, AL, Y: ref.compute_cost(np.clip(AL, 1e-3, 1 - 1e-3), Y)),
    Mistake("CC07", "the second term takes log(1 - Y) instead of log(1 - AL)",
            "The loss of an example with label 0 is -log(1 - AL), the log of the predicted probability of 0; "
            "log(1 - Y) is log 0 when Y = 1.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: _with_errors_ignored(lambda: np.squeeze(
                -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - Y)) / AL.shape[1]))),
    Mistake("CC08", "m is read from Y.shape[0], which is 1: the cost is summed, not averaged",
            "Y has shape (1, m): the examples are its columns, m = Y.shape[1].",
            "m = Y.shape[1]",
            lambda ref, AL, Y: np.squeeze(-np.sum(_loss(AL, Y))), at=("m",)),
    Mistake("CC09", "the cost is averaged twice (np.mean, then / m)",
            "np.mean already divides by m: J = -np.mean(loss), or -np.sum(loss) / m, not both.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.mean(_loss(AL, Y)) / AL.shape[1])),
    Mistake("CC10", "the second term takes log(AL) instead of log(1 - AL)",
            "An example with label 0 costs -log(1 - AL): the log of the probability given to 0.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(AL)) / AL.shape[1])),
    Mistake("CC11", "the log is in base 10 (np.log10): the cost is off by a factor ln(10)",
            "Cross-entropy uses the natural log: np.log.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: ref.compute_cost(AL, Y) / np.log(10)),
    Mistake("CC12", "the second term is subtracted: Y log AL - (1 - Y) log(1 - AL)",
            "Both terms are log-probabilities added up: J = -1/m * sum(Y log AL + (1 - Y) log(1 - AL)).",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.sum(Y * np.log(AL) - (1 - Y) * np.log(1 - AL)) / AL.shape[1])),
    Mistake("CC13", "np.mean runs over axis 0, the single row of Y: one loss per example, not their mean",
            "Y and AL have shape (1, m): axis 0 has one entry, so np.mean(..., axis=0) changes nothing and the "
            "cost stays a vector of m losses. J = -1/m * sum over all m examples: np.mean without an axis.",
            "cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))",
            lambda ref, AL, Y: np.squeeze(-np.mean(_loss(AL, Y), axis=0))),
    Mistake("CC14", "the logs are missing: Y * AL + (1 - Y) * (1 - AL) is not the cross-entropy",
            "The cross-entropy takes the log of each predicted probability: "
            "J = -1/m * sum(Y log AL + (1 - Y) log(1 - AL)).",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-np.sum(Y * AL + (1 - Y) * (1 - AL)) / AL.shape[1])),
    Mistake("CC15", "1 // m is an integer division: it is 0 for every m > 1",
            "`//` rounds down to a whole number, so 1 // m is 0 as soon as m > 1 and the cost vanishes. "
            "J = -1/m * sum(...) needs a true division.",
            "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
            lambda ref, AL, Y: np.squeeze(-(1 // AL.shape[1]) * np.sum(_loss(AL, Y)))),
)

EXERCISE = Exercise(
    name="compute_cost", weight=10, params=("AL", "Y"),
    summary="the cross-entropy cost J",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, axis_meanings={"m": "example"},
)
