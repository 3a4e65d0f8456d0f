"""linear_forward(A, W, b) -> Z, cache: the linear step of one layer, Z = W.A + b."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake, Seq
from .cases import LAYER_AXES, layer_dims, layer_inputs, layer_sizes


def make_cases(rng):
    cases = []
    for index, n_prev, n, m, round_numbers in layer_sizes():
        A, W, b, _ = layer_inputs(rng, n_prev, n, m, round_numbers)
        cases.append(Case((A, W, b), layer_dims(n_prev, n, m), f"case {index + 1}"))
    return cases


def outputs(case):
    return Seq("", (Arr("Z", ("n", "m")),
                    Seq("cache", (Arr("A", ("n_prev", "m")), Arr("W", ("n", "n_prev")), Arr("b", ("n", 1))))))


MISTAKES = (
    Mistake("LF01", "the bias b is not added",
            "The linear step is Z = W.A + b: every unit adds its own bias to each example.",
            "Z = np.dot(W, A) + b",
            lambda ref, A, W, b: (W @ A, (A, W, b))),
    Mistake("LF02", "the bias b is subtracted instead of added",
            "The linear step is Z = W.A + b, with a plus sign.",
            "Z = np.dot(W, A) + b",
            lambda ref, A, W, b: (W @ A - b, (A, W, b))),
    Mistake("LF03", "`*` (element by element) is used where a matrix product is needed",
            "W.A is a matrix product: entry (i, j) sums W[i, k] * A[k, j] over the units k of the previous "
            "layer. `W * A` multiplies matching entries and only works by accident of broadcasting.",
            "Z = np.dot(W, A) + b   (or W @ A + b)",
            lambda ref, A, W, b: (W * A + b, (A, W, b))),
    Mistake("LF04", "Z is laid out one row per example (Z = A.W + b), not one column per example",
            "In this course every array has one column per example: A is (n_prev, m), W is (n, n_prev), so "
            "Z = W.A + b is (n, m). Writing A.W (the row-per-example convention of some tutorials) gives Z "
            "transposed, (m, n).",
            "keep examples in columns: Z = np.dot(W, A) + b",
            lambda ref, A, W, b: (A.T @ W.T + b.T, (A, W, b))),
    Mistake("LF05", "the cache is in the wrong order",
            "The backward pass unpacks the cache as A_prev, W, b = cache, so it must be stored in that order.",
            "cache = (A, W, b)",
            lambda ref, A, W, b: (W @ A + b, (W, A, b))),
    Mistake("LF06", "the cache is incomplete",
            "linear_backward needs A_prev, W and b from the forward pass: all three go in the cache.",
            "cache = (A, W, b)",
            lambda ref, A, W, b: (W @ A + b, (A, W))),
    Mistake("LF07", "the outputs are returned in the wrong order",
            "linear_forward returns Z, cache in that order: linear_activation_forward unpacks it that way.",
            "return Z, cache",
            lambda ref, A, W, b: tuple(reversed(ref.linear_forward(A, W, b)))),
    Mistake("LF08", "b is transposed: Z = W.A + b^T",
            "b has one entry per unit, shape (n, 1): added as it is, numpy repeats it over the m columns. b^T "
            "(1, n) is repeated over the rows instead.",
            "Z = np.dot(W, A) + b",
            lambda ref, A, W, b: (W @ A + b.T, (A, W, b))),
    Mistake("LF09", "the cache holds Z too",
            "The linear cache is (A, W, b): linear_backward unpacks exactly three values. Z goes into the "
            "activation cache, in linear_activation_forward.",
            "cache = (A, W, b)",
            lambda ref, A, W, b: (W @ A + b, (A, W, b, W @ A + b))),
)

EXERCISE = Exercise(
    name="linear_forward", weight=10, params=("A", "W", "b"),
    summary="the linear step Z = W.A + b",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, axis_meanings=LAYER_AXES,
)
