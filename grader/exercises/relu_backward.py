"""relu_backward(dA, cache) -> dZ: the gradient through a ReLU, dZ = dA * 1{Z > 0}."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake
from .cases import LAYER_AXES, away_from_zero, central_differences, layer_sizes, values


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
    return {"dZ": central_differences(lambda z: np.sum(dA * ref.relu(z)[0]), Z)}


MISTAKES = (
    Mistake("RB01", "the ReLU is applied to the gradient (dZ = relu(dA)) instead of using its derivative",
            "Back-propagation multiplies the incoming gradient by the derivative of the activation at Z: "
            "dZ = dA * relu'(Z), where relu'(Z) is 1 where Z > 0 and 0 elsewhere. Applying relu to dA (or "
            "taking the mask from dA) zeroes the negative gradients instead of the inactive units.",
            "dZ = dA * (Z > 0)   (the mask comes from Z, the cache)",
            lambda ref, dA, Z: np.maximum(dA, 0)),
    Mistake("RB02", "dA is not multiplied in: dZ is just relu'(Z)",
            "The chain rule gives dZ = dA * relu'(Z): the derivative of the activation scales the gradient "
            "that arrives from the layer above, it does not replace it.",
            "dZ = dA * (Z > 0)",
            lambda ref, dA, Z: (Z > 0).astype(float)),
    Mistake("RB03", "dA is multiplied by relu(Z) instead of relu'(Z)",
            "The factor is the derivative of the activation, 1 where Z > 0 and 0 elsewhere, not the "
            "activation's value max(0, Z).",
            "dZ = dA * (Z > 0)",
            lambda ref, dA, Z: dA * np.maximum(Z, 0)),
    Mistake("RB04", "dZ = dA: the ReLU's derivative is left out",
            "Where Z <= 0 the unit is inactive and passes no gradient back: dZ must be 0 there.",
            "dZ = dA * (Z > 0)",
            lambda ref, dA, Z: dA.copy()),
    Mistake("RB05", "the mask is reversed: the gradient is kept where Z <= 0",
            "relu'(Z) is 1 where Z > 0 (the unit was active) and 0 where Z <= 0.",
            "dZ = dA * (Z > 0)",
            lambda ref, dA, Z: dA * (Z <= 0)),
    Mistake("RB06", "a matrix product is used where an element-by-element product is needed",
            "Each entry of dZ depends only on the same entry of dA and of Z: dZ = dA * relu'(Z) element by "
            "element; np.dot mixes examples together.",
            "dZ = dA * (Z > 0)   (`*`, not np.dot)",
            lambda ref, dA, Z: dA @ (Z > 0).T),
    Mistake("RB07", "dA is modified in place",
            "dA belongs to the caller (L_model_backward keeps it in grads); writing into it corrupts the "
            "gradients already stored there.",
            "work on a copy: dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0",
            mutates_input=0),
    Mistake("RB08", "dA * Z > 0 compares instead of multiplying: dZ is a mask of True and False",
            "`>` binds looser than `*`, so dA * Z > 0 is (dA * Z) > 0. The derivative needs parentheses: "
            "dZ = dA * (Z > 0).",
            "dZ = dA * (Z > 0)",
            lambda ref, dA, Z: dA * Z > 0),
    Mistake("RB09", "dZ is an integer array: the fractional parts of dA are lost",
            "np.zeros(shape, dtype=int) or astype(int) truncates 0.5 to 0: gradients are floats, dZ = dA * (Z > 0).",
            "dZ = dA * (Z > 0)   (a float array, like dA)",
            lambda ref, dA, Z: ref.relu_backward(dA, Z).astype(int)),
    Mistake("RB10", "dZ is computed in float16: its digits after the third are lost",
            "Gradients are float64 like their inputs; float16 keeps about 3 significant digits.",
            "dZ = dA * (Z > 0)   (no astype(np.float16))",
            lambda ref, dA, Z: ref.relu_backward(dA, Z).astype(np.float16)),
    Mistake("RB11", "cache[0] is used as Z, but the cache is Z itself: cache[0] is its first row",
            "relu_backward's cache is the array Z (linear_activation_backward passes activation_cache): "
            "indexing it takes one row, which numpy broadcasts over every unit.",
            "Z = cache",
            lambda ref, dA, Z: dA * (Z[0] > 0)),
)

EXERCISE = Exercise(
    name="relu_backward", weight=10, params=("dA", "cache"),
    summary="the gradient through a ReLU, dZ = dA * relu'(Z)",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, numeric_gradients=numeric_gradients,
    axis_meanings={"n": "unit", "m": "example"},
)
