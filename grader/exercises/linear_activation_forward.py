"""linear_activation_forward(A_prev, W, b, activation) -> A, cache: one layer's forward pass."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake, Seq
from .cases import ACTIVATIONS, COMPOSITE_CASES, LAYER_AXES, layer_dims, layer_inputs, layer_sizes


def make_cases(rng):
    cases = []
    for index, n_prev, n, m, round_numbers in layer_sizes()[:COMPOSITE_CASES]:
        A_prev, W, b, _ = layer_inputs(rng, n_prev, n, m, round_numbers)
        activation = ACTIVATIONS[index % 2]
        cases.append(Case((A_prev, W, b, activation), layer_dims(n_prev, n, m), f"case {index + 1}, {activation}"))
    return cases


def outputs(case):
    linear_cache = Seq("linear_cache", (Arr("A_prev", ("n_prev", "m")), Arr("W", ("n", "n_prev")),
                                        Arr("b", ("n", 1))))
    return Seq("", (Arr("A", ("n", "m")), Seq("cache", (linear_cache, Arr("Z", ("n", "m"))))))


def _layer(ref, A_prev, W, b, activation):
    Z = W @ A_prev + b
    return ref.sigmoid(Z)[0] if activation == "sigmoid" else ref.relu(Z)[0], ((A_prev, W, b), Z)


def _with_activation(ref, A_prev, W, b, activation, sigmoid=None, relu=None):
    """One layer with the student's own (broken) activation helper in place of the reference's."""
    Z = W @ A_prev + b
    A, _ = (sigmoid or ref.sigmoid)(Z) if activation == "sigmoid" else (relu or ref.relu)(Z)
    return A, ((A_prev, W, b), Z)


SWAPPED = {"relu": "sigmoid", "sigmoid": "relu"}

MISTAKES = (
    Mistake("LAF01", "the activations are swapped: relu where sigmoid is asked for and sigmoid for relu",
            "activation == \"sigmoid\" must apply the sigmoid, \"relu\" the ReLU.",
            "if activation == \"sigmoid\": A, activation_cache = sigmoid(Z)",
            lambda ref, A_prev, W, b, activation: _layer(ref, A_prev, W, b, SWAPPED[activation])),
    Mistake("LAF02", "the activation argument is ignored: relu is always applied",
            "The output layer uses a sigmoid: look at the activation argument.",
            "branch on activation: \"sigmoid\" -> sigmoid(Z), \"relu\" -> relu(Z)",
            lambda ref, A_prev, W, b, activation: _layer(ref, A_prev, W, b, "relu")),
    Mistake("LAF03", "the activation argument is ignored: sigmoid is always applied",
            "Hidden layers use a ReLU: look at the activation argument.",
            "branch on activation: \"sigmoid\" -> sigmoid(Z), \"relu\" -> relu(Z)",
            lambda ref, A_prev, W, b, activation: _layer(ref, A_prev, W, b, "sigmoid")),
    Mistake("LAF04", "the cache is in the wrong order (Z first)",
            "linear_activation_backward unpacks linear_cache, activation_cache = cache.",
            "cache = (linear_cache, activation_cache)",
            lambda ref, A_prev, W, b, activation: (lambda A, c: (A, (c[1], c[0])))(
                *_layer(ref, A_prev, W, b, activation))),
    Mistake("LAF05", "the cache keeps A instead of Z",
            "The backward pass needs the pre-activation Z to compute the activation's derivative.",
            "cache = (linear_cache, Z)",
            lambda ref, A_prev, W, b, activation: (lambda A, c: (A, (c[0], A)))(
                *_layer(ref, A_prev, W, b, activation))),
    Mistake("LAF06", "your sigmoid helper computes 1 / (1 + e^Z): the sign of the exponent is flipped",
            "sigmoid(Z) = 1 / (1 + e^-Z): it is above 1/2 for Z > 0.",
            "in your sigmoid: A = 1 / (1 + np.exp(-Z))",
            lambda ref, A_prev, W, b, activation: _with_activation(ref, A_prev, W, b, activation,
                                                                   sigmoid=lambda Z: (1 / (1 + np.exp(Z)), Z))),
    Mistake("LAF07", "np.max(0, Z) in your relu is not the element-wise maximum: it is np.maximum(0, Z)",
            "np.max(a, axis) is the largest entry of a along an axis: np.max(0, Z) reads Z as the axis and "
            "fails. relu(Z) = max(0, Z) entry by entry is np.maximum(0, Z).",
            "in your relu: A = np.maximum(0, Z)",
            lambda ref, A_prev, W, b, activation: _with_activation(ref, A_prev, W, b, activation,
                                                                   relu=lambda Z: (np.max(0, Z), Z)),
            raises=("TypeError", "only integer scalar arrays can be converted")),
    Mistake("LAF08", "Z is returned instead of the activation A",
            "A layer's output is A = g(Z); Z itself goes into the cache.",
            "return A, cache",
            lambda ref, A_prev, W, b, activation: (lambda A, cache: (cache[1], cache))(
                *ref.linear_activation_forward(A_prev, W, b, activation))),
    Mistake("LAF09", "your sigmoid helper computes 1 / (1 - e^-Z)",
            "sigmoid(Z) = 1 / (1 + e^-Z), between 0 and 1.",
            "in your sigmoid: A = 1 / (1 + np.exp(-Z))",
            lambda ref, A_prev, W, b, activation: _with_activation(ref, A_prev, W, b, activation,
                                                                   sigmoid=lambda Z: (1 / (1 - np.exp(-Z)), Z))),
)

EXERCISE = Exercise(
    name="linear_activation_forward", weight=10, params=("A_prev", "W", "b", "activation"),
    summary="one layer's forward pass: linear step, then relu or sigmoid",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, helpers=("linear_forward",),
    axis_meanings=LAYER_AXES,
)
