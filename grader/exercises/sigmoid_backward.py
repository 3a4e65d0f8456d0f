"""sigmoid_backward(dA, cache) -> dZ: the gradient through a sigmoid, dZ = dA * s * (1 - s)."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake
from .cases import away_from_zero, central_differences, layer_sizes, values


def make_cases(rng):
    cases = []
    for index, _, n, m, round_numbers in layer_sizes():
        dA = away_from_zero(rng, lambda: values(rng, (n, m), round_numbers))
        Z = away_from_zero(rng, lambda: values(rng, (n, m), round_numbers))
        cases.append(Case((dA, Z), {"n": n, "m": m}, f"case {index + 1}"))
    return cases


def outputs(case):
    return Arr("dZ", ("n", "m"))


def numeric_gradients(ref, case):
    dA, Z = case.args
    return {"dZ": central_differences(lambda z: np.sum(dA * ref.sigmoid(z)[0]), Z)}


def _s(Z):
    return 1 / (1 + np.exp(-Z))


MISTAKES = (
    Mistake("SB01", "the sigmoid is applied to the gradient (dZ = sigmoid(dA)) instead of using its derivative",
            "Back-propagation multiplies the incoming gradient by the derivative of the activation at Z: "
            "dZ = dA * s * (1 - s) with s = sigmoid(Z).",
            "s = 1 / (1 + np.exp(-Z)); dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: _s(dA)),
    Mistake("SB02", "the factor (1 - s) is missing",
            "The sigmoid's derivative is s * (1 - s), with s = sigmoid(Z).",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * _s(Z)),
    Mistake("SB03", "Z is used as if it were sigmoid(Z)",
            "The cache holds Z, the value before the activation: compute s = sigmoid(Z) first, then "
            "dZ = dA * s * (1 - s).",
            "s = 1 / (1 + np.exp(-Z)); dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * Z * (1 - Z)),
    Mistake("SB04", "dA is not multiplied in: dZ is just the sigmoid's derivative",
            "The chain rule gives dZ = dA * sigmoid'(Z): the derivative scales the gradient from the layer "
            "above, it does not replace it.",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: _s(Z) * (1 - _s(Z))),
    Mistake("SB05", "the sigmoid is written 1 / (1 - e^-z)",
            "The sigmoid is 1 / (1 + e^-z): with a minus sign it is not bounded by 0 and 1 and its "
            "derivative is wrong everywhere.",
            "s = 1 / (1 + np.exp(-Z))",
            lambda ref, dA, Z: dA * (1 / (1 - np.exp(-Z))) * (1 - 1 / (1 - np.exp(-Z)))),
    Mistake("SB06", "the sign of the sigmoid's derivative is flipped (s * (s - 1))",
            "The sigmoid is increasing, so its derivative s * (1 - s) is positive.",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * _s(Z) * (_s(Z) - 1)),
    Mistake("SB07", "a matrix product is used where an element-by-element product is needed",
            "Each entry of dZ depends only on the same entry of dA and of Z; np.dot mixes examples.",
            "dZ = dA * s * (1 - s)   (`*`, not np.dot)",
            lambda ref, dA, Z: dA @ (_s(Z) * (1 - _s(Z))).T),
    Mistake("SB08", "dA is modified in place",
            "dA belongs to the caller (L_model_backward keeps it in grads); writing into it corrupts the "
            "gradients already stored there.",
            "compute a new array: dZ = dA * s * (1 - s)   (not dA *= ...)",
            mutates_input=0),
    Mistake("SB09", "the derivative is written s * (1 + s)",
            "The sigmoid's derivative is s' = s * (1 - s): it is largest (1/4) at Z = 0 and vanishes as s "
            "nears 0 or 1.",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * _s(Z) * (1 + _s(Z))),
    Mistake("SB10", "the parentheses around (1 - s) are missing: dA * s * 1 - s",
            "`*` binds tighter than `-`, so dA * s * 1 - s is (dA * s) - s. The derivative needs "
            "dZ = dA * s * (1 - s).",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * _s(Z) * 1 - _s(Z)),
    Mistake("SB11", "the factor s is missing: dZ = dA * (1 - s)",
            "The sigmoid's derivative is s * (1 - s), with s = sigmoid(Z).",
            "dZ = dA * s * (1 - s)",
            lambda ref, dA, Z: dA * (1 - _s(Z))),
    Mistake("SB12", "dZ is divided by m: the 1/m of the cost belongs in dW and db only",
            "dZ = dA * s * (1 - s) is the gradient of each example's loss; linear_backward divides dW and db by "
            "m once. Dividing here too makes every earlier gradient m times too small.",
            "dZ = dA * s * (1 - s)   (no / m)",
            lambda ref, dA, Z: ref.sigmoid_backward(dA, Z) / dA.shape[1]),
    Mistake("SB13", "dZ is an integer array: every entry is cut to a whole number",
            "astype(int) (or an integer np.zeros) truncates: s * (1 - s) is at most 1/4, so most entries become "
            "0. Gradients are floats: dZ = dA * s * (1 - s).",
            "dZ = dA * s * (1 - s)   (no astype(int))",
            lambda ref, dA, Z: ref.sigmoid_backward(dA, Z).astype(int)),
    Mistake("SB14", "cache[0] is used as Z, but the cache is Z itself: cache[0] is its first row",
            "sigmoid_backward's cache is the array Z (linear_activation_backward passes activation_cache): "
            "indexing it takes one row, which numpy broadcasts over every unit.",
            "Z = cache",
            lambda ref, dA, Z: ref.sigmoid_backward(dA, Z[0])),
)

EXERCISE = Exercise(
    name="sigmoid_backward", weight=10, params=("dA", "cache"),
    summary="the gradient through a sigmoid, dZ = dA * s * (1 - s)",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, numeric_gradients=numeric_gradients,
    axis_meanings={"n": "unit", "m": "example"},
)
