"""L_model_forward(X, parameters) -> AL, caches: [LINEAR -> RELU] x (L-1), then LINEAR -> SIGMOID."""
from .base import Arr, Case, Exercise, Mistake, Seq
from .cases import NETWORK_SHAPES, ROUND_CASES, network, network_dims


def make_cases(rng):
    cases = []
    for index, (sizes, m) in enumerate(NETWORK_SHAPES):
        X, parameters, _, _, _ = network(rng, sizes, m, index < ROUND_CASES)
        cases.append(Case((X, parameters), network_dims(sizes, m), f"case {index + 1}"))
    return cases


def outputs(case):
    L = case.dims["L"]
    return Seq("", (Arr("AL", ("n" + str(L), "m")), Seq("caches", tuple(
        Seq(f"[{l - 1}]", (Seq("linear_cache", (Arr("A_prev", (f"n{l - 1}", "m")),
                                                 Arr("W", (f"n{l}", f"n{l - 1}")), Arr("b", (f"n{l}", 1)))),
                           Arr("Z", (f"n{l}", "m"))))
        for l in range(1, L + 1)), kind="list")))


def _forward(ref, X, parameters, hidden, output, layers=None):
    L = len(parameters) // 2
    caches, A = [], X
    for l in range(1, (L if layers is None else layers) + 1):  # layers=0 is a real case: L = 1
        A, cache = ref.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                 output if l == L else hidden)
        caches.append(cache)
    return A, caches


MISTAKES = (
    Mistake("LMF01", "the output layer uses relu instead of sigmoid",
            "The last layer outputs a probability: LINEAR -> SIGMOID. Only the L-1 hidden layers use relu.",
            "after the loop: AL, cache = linear_activation_forward(A, W{L}, b{L}, \"sigmoid\")",
            lambda ref, X, parameters: _forward(ref, X, parameters, "relu", "relu")),
    Mistake("LMF02", "the hidden layers use sigmoid instead of relu",
            "The network is [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.",
            "inside the loop over l = 1..L-1: activation \"relu\"",
            lambda ref, X, parameters: _forward(ref, X, parameters, "sigmoid", "sigmoid")),
    Mistake("LMF03", "the activations are swapped: sigmoid on the hidden layers, relu on the output",
            "Hidden layers use relu, the output layer sigmoid.",
            "loop: \"relu\"; last layer: \"sigmoid\"",
            lambda ref, X, parameters: _forward(ref, X, parameters, "sigmoid", "relu")),
    Mistake("LMF04", "the last layer is missing (the loop stops one layer early)",
            "parameters holds L layers (L = len(parameters) // 2): run L-1 relu layers, then the sigmoid "
            "layer L, and keep all L caches.",
            "for l in range(1, L): ...relu...; then layer L with \"sigmoid\"",
            lambda ref, X, parameters: _forward(ref, X, parameters, "relu", "relu",
                                                layers=len(parameters) // 2 - 1)),
    Mistake("LMF05", "the output layer's cache is not kept",
            "L_model_backward needs one cache per layer, the output layer's included: append it too.",
            "caches.append(cache) after the output layer as well",
            lambda ref, X, parameters: (lambda AL, caches: (AL, caches[:-1]))(
                *_forward(ref, X, parameters, "relu", "sigmoid"))),
)

EXERCISE = Exercise(
    name="L_model_forward", weight=10, params=("X", "parameters"),
    summary="the whole forward pass: AL and one cache per layer",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, helpers=("linear_activation_forward",),
    axis_meanings={"m": "example", **{f"n{l}": f"unit of layer {l}" for l in range(8)}},
)
