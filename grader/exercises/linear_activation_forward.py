"""linear_activation_forward(A_prev, W, b, activation) -> A, cache: one layer's forward pass."""
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
)

EXERCISE = Exercise(
    name="linear_activation_forward", weight=10, params=("A_prev", "W", "b", "activation"),
    summary="one layer's forward pass: linear step, then relu or sigmoid",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, helpers=("linear_forward",),
    axis_meanings=LAYER_AXES,
)
