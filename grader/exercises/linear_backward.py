"""linear_backward(dZ, cache) -> dA_prev, dW, db: the gradient through the linear step Z = W.A_prev + b."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake, Seq
from .cases import LAYER_AXES, central_differences, layer_dims, layer_inputs, layer_sizes, values


def make_cases(rng):
    cases = []
    for index, n_prev, n, m, round_numbers in layer_sizes():
        A_prev, W, b, _ = layer_inputs(rng, n_prev, n, m, round_numbers)
        dZ = values(rng, (n, m), round_numbers)
        cases.append(Case((dZ, (A_prev, W, b)), layer_dims(n_prev, n, m), f"case {index + 1}"))
    return cases


def outputs(case):
    return Seq("", (Arr("dA_prev", ("n_prev", "m")), Arr("dW", ("n", "n_prev")), Arr("db", ("n", 1))))


def numeric_gradients(ref, case):
    dZ, (A_prev, W, b) = case.args
    m = A_prev.shape[1]
    return {
        "dA_prev": central_differences(lambda a: np.sum(dZ * ref.linear_forward(a, W, b)[0]), A_prev),
        "dW": central_differences(lambda w: np.sum(dZ * ref.linear_forward(A_prev, w, b)[0]), W) / m,
        "db": central_differences(lambda c: np.sum(dZ * ref.linear_forward(A_prev, W, c)[0]), b) / m,
    }


def _with(ref, dZ, cache, **changes):
    dA_prev, dW, db = ref.linear_backward(dZ, cache)
    outputs = {"dA_prev": dA_prev, "dW": dW, "db": db, **changes}
    return outputs["dA_prev"], outputs["dW"], outputs["db"]


def _m(cache):
    return cache[0].shape[1]


MISTAKES = (
    Mistake("LB01", "dA_prev is divided by m",
            "The 1/m belongs to the cost J, so it appears in dW and db (gradients of J). dA_prev = W^T.dZ is "
            "the gradient the previous layer receives; dividing it by m too scales every earlier layer's "
            "gradients by another 1/m per layer.",
            "dA_prev = np.dot(W.T, dZ)   (no 1/m)",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dA_prev=cache[1].T @ dZ / _m(cache))),
    Mistake("LB02", "db is summed over the wrong axis (over the units instead of the examples)",
            "b has one entry per unit, so db has shape (n, 1): for each unit, add up dZ over the m examples "
            "(the columns, axis=1).",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ, axis=0, keepdims=True) / _m(cache))),
    Mistake("LB03", "dW is missing its 1/m",
            "The cost averages over the m examples, so dW = 1/m * dZ.A_prev^T.",
            "dW = np.dot(dZ, A_prev.T) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ cache[0].T)),
    Mistake("LB04", "db is missing its 1/m",
            "The cost averages over the m examples, so db = 1/m * (sum of dZ over the examples).",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ, axis=1, keepdims=True))),
    Mistake("LB05", "keepdims is missing: db is a flat vector of shape (n,)",
            "b has shape (n, 1); a gradient of shape (n,) broadcasts into an (n, n) matrix when the update "
            "b - learning_rate * db runs.",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ, axis=1) / _m(cache))),
    Mistake("LB06", "db is the mean of every entry of dZ (np.mean without an axis)",
            "Each unit has its own bias: average dZ over the examples only, one value per unit.",
            "db = np.mean(dZ, axis=1, keepdims=True)",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.mean(dZ))),
    Mistake("LB07", "db adds up every entry of dZ (np.sum without an axis)",
            "Each unit has its own bias: sum dZ over the examples only, one value per unit.",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ) / _m(cache))),
    Mistake("LB08", "dW is transposed (A_prev.dZ^T instead of dZ.A_prev^T)",
            "dW must have W's shape (n, n_prev): dW = 1/m * dZ.A_prev^T.",
            "dW = np.dot(dZ, A_prev.T) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=cache[0] @ dZ.T / _m(cache))),
    Mistake("LB09", "dA_prev is transposed (dZ^T.W instead of W^T.dZ)",
            "dA_prev must have A_prev's shape (n_prev, m): dA_prev = W^T.dZ.",
            "dA_prev = np.dot(W.T, dZ)",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dA_prev=dZ.T @ cache[1])),
    Mistake("LB10", "m is read from the wrong axis (A_prev.shape[0] counts units, not examples)",
            "Examples are the columns: m = A_prev.shape[1].",
            "m = A_prev.shape[1]",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ cache[0].T / cache[0].shape[0],
                                         db=np.sum(dZ, axis=1, keepdims=True) / cache[0].shape[0]),
            at=("m",)),
    Mistake("LB11", "the outputs are returned in the wrong order",
            "linear_backward returns dA_prev, dW, db in that order: callers unpack it that way.",
            "return dA_prev, dW, db",
            lambda ref, dZ, cache: (lambda dA_prev, dW, db: (dW, db, dA_prev))(*ref.linear_backward(dZ, cache))),
    Mistake("LB12", "1 // m is an integer division: it is 0 for every m > 1",
            "`//` rounds down to a whole number, so 1 // m is 0 as soon as m > 1 and dW = 1 // m * ... vanishes. "
            "dW = 1/m * dZ.A_prev^T needs a true division.",
            "dW = np.dot(dZ, A_prev.T) / m   (and db ... / m)",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=(1 // _m(cache)) * (dZ @ cache[0].T),
                                         db=(1 // _m(cache)) * np.sum(dZ, axis=1, keepdims=True))),
    Mistake("LB13", "dW is computed from dA_prev instead of A_prev",
            "dW = 1/m * dZ.A_prev^T uses the activations that went into the layer (from the cache), not the "
            "gradient dA_prev = W^T.dZ that goes back.",
            "dW = np.dot(dZ, A_prev.T) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ (cache[1].T @ dZ).T / _m(cache))),
    Mistake("LB14", "np.squeeze(dZ) makes db wrong when m = 1: the sum then runs over the units",
            "With one example dZ has shape (n, 1): np.squeeze turns it into (n,), and summing the last axis "
            "adds up the units. Sum dZ over axis=1 as it is: db = 1/m * sum over the examples.",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ, keepdims=True) / _m(cache))
            if _m(cache) == 1 and dZ.shape[0] > 1 else ref.linear_backward(dZ, cache)),
    Mistake("LB15", "dW is an integer array: its fractional parts are lost",
            "astype(int) (or an integer np.zeros) truncates every entry: gradients are floats, "
            "dW = 1/m * dZ.A_prev^T.",
            "dW = np.dot(dZ, A_prev.T) / m   (no astype(int))",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=(dZ @ cache[0].T / _m(cache)).astype(int))),
    Mistake("LB16", "dW is computed in float16: its digits after the third are lost",
            "Gradients are float64 like their inputs; float16 keeps about 3 significant digits.",
            "dW = np.dot(dZ, A_prev.T) / m   (no astype(np.float16))",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=(dZ @ cache[0].T / _m(cache)).astype(np.float16))),
    Mistake("LB17", "m is read from dZ.shape[0], which counts the units of this layer",
            "Examples are the columns: m = A_prev.shape[1] (or dZ.shape[1]).",
            "m = A_prev.shape[1]",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ cache[0].T / dZ.shape[0],
                                         db=np.sum(dZ, axis=1, keepdims=True) / dZ.shape[0]),
            at=("m",)),
    Mistake("LB18", "m is read from b.shape[1], which is always 1",
            "b has shape (n, 1): its second axis is not the examples. m = A_prev.shape[1], the columns of "
            "A_prev; with m = 1 the 1/m of dW and db does nothing.",
            "m = A_prev.shape[1]",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ cache[0].T, db=np.sum(dZ, axis=1, keepdims=True)),
            at=("m",)),
    Mistake("LB19", "A_prev is not transposed in dW (dZ.A_prev instead of dZ.A_prev^T)",
            "dW = 1/m * dZ.A_prev^T: dZ is (n, m) and A_prev^T is (m, n_prev), so dW has W's shape.",
            "dW = np.dot(dZ, A_prev.T) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=dZ @ cache[0] / _m(cache)),
            raises=("ValueError", "")),  # where m = n_prev it runs, and a symmetric A_prev gives the right dW
    Mistake("LB20", "dW is divided with `//`: a floor division rounds every entry down to a whole number",
            "`//` is floor division: dZ.A_prev^T // m keeps only the integer part below each entry. "
            "dW = 1/m * dZ.A_prev^T needs a true division, `/`.",
            "dW = np.dot(dZ, A_prev.T) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, dW=(dZ @ cache[0].T) // _m(cache))),
    Mistake("LB21", "db is divided with `//`: a floor division rounds every entry down to a whole number",
            "`//` is floor division: it keeps only the integer part below each entry. db = 1/m * sum over the "
            "examples needs a true division, `/`.",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            lambda ref, dZ, cache: _with(ref, dZ, cache, db=np.sum(dZ, axis=1, keepdims=True) // _m(cache))),
)

EXERCISE = Exercise(
    name="linear_backward", weight=15, params=("dZ", "cache"),
    summary="the gradient through the linear step: dA_prev, dW, db",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, numeric_gradients=numeric_gradients,
    axis_meanings=LAYER_AXES,
)
