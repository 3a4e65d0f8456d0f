"""L_model_backward(AL, Y, caches) -> grads: the backward pass of the whole network."""
import numpy as np

from .base import Arr, Case, Exercise, Keys, Mistake
from .cases import NETWORK_SHAPES, ROUND_CASES, central_differences, network, network_dims


def make_cases(rng):
    cases = []
    for index, (sizes, m) in enumerate(NETWORK_SHAPES):
        while True:
            X, _, Y, caches, AL = network(rng, sizes, m, index < ROUND_CASES)
            if straddles_one_half(AL):
                break
        cases.append(Case((AL, Y, caches), network_dims(sizes, m), f"case {index + 1}"))
    return cases


def straddles_one_half(AL):
    """AL on both sides of 0.5 (above it when m = 1): the output layer's Z is then positive somewhere, so relu
    in place of sigmoid there gives no all-zero gradients, which would match unrelated mistakes by chance."""
    return bool(np.any(AL > 0.5) and (AL.size == 1 or np.any(AL < 0.5)))


def outputs(case):
    L = case.dims["L"]
    items = [(f"dA{l - 1}", Arr(f"dA{l - 1}", (f"n{l - 1}", "m"))) for l in range(1, L + 1)]
    items += [(f"dW{l}", Arr(f"dW{l}", (f"n{l}", f"n{l - 1}"))) for l in range(1, L + 1)]
    items += [(f"db{l}", Arr(f"db{l}", (f"n{l}", 1))) for l in range(1, L + 1)]
    return Keys("grads", tuple(items))


def adapt(grads, case):
    """Older notebooks store the gradient with respect to A[l-1] under dA{l}; both are right."""
    L = case.dims["L"]
    if not isinstance(grads, dict) or "dA0" in grads or f"dA{L}" not in grads:
        return grads, None
    renamed = {key: value for key, value in grads.items() if not key.startswith("dA")}
    renamed.update({f"dA{l - 1}": grads[f"dA{l}"] for l in range(1, L + 1) if f"dA{l}" in grads})
    return renamed, "found the older key convention (dA{l} holds the gradient with respect to A[l-1])"


def numeric_gradients(ref, case):
    AL, Y, caches = case.args
    L, m = len(caches), Y.shape[1]

    def cost_from(layer, A):
        for l in range(layer, L + 1):
            (_, W, b), _ = caches[l - 1]
            A, _ = ref.linear_activation_forward(A, W, b, "sigmoid" if l == L else "relu")
        return ref.compute_cost(A, Y)

    def cost_with(layer, W=None, b=None):
        (A_prev, W0, b0), _ = caches[layer - 1]
        A, _ = ref.linear_activation_forward(A_prev, W0 if W is None else W, b0 if b is None else b,
                                             "sigmoid" if layer == L else "relu")
        return cost_from(layer + 1, A) if layer < L else ref.compute_cost(A, Y)

    gradients = {}
    for l in range(1, L + 1):
        (A_prev, W, b), _ = caches[l - 1]
        # keyed by output path, as check.flatten names the leaves: the dict output is called grads
        gradients[f"grads.dA{l - 1}"] = m * central_differences(lambda a: cost_from(l, a), A_prev)
        gradients[f"grads.dW{l}"] = central_differences(lambda w: cost_with(l, W=w), W)
        gradients[f"grads.db{l}"] = central_differences(lambda c: cost_with(l, b=c), b)
    return gradients


def _backward(ref, AL, Y, caches, dAL=None, hidden="relu", output="sigmoid", every_layer_gets_dAL=False,
              layer_offset=0, hidden_offset=0):
    L = len(caches)
    dA = -(Y / AL - (1 - Y) / (1 - AL)) if dAL is None else dAL
    first, grads = dA, {}
    for l in reversed(range(1, L + 1)):
        dA_prev, dW, db = ref.linear_activation_backward(first if every_layer_gets_dAL else dA, caches[l - 1],
                                                         output if l == L else hidden)
        grads[f"dA{l - 1}"] = dA_prev
        key = l - layer_offset - (hidden_offset if l < L else 0)
        grads[f"dW{key}"] = dW
        grads[f"db{key}"] = db
        dA = dA_prev
    return grads


def _forward_loop(ref, AL, Y, caches):
    """The loop from layer 1 up: dAL goes into layer 1, whose shapes it fits only in a one-layer network."""
    L = len(caches)
    dA, grads = -(Y / AL - (1 - Y) / (1 - AL)), {}
    for l in range(1, L + 1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = ref.linear_activation_backward(
            dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


MISTAKES = (
    Mistake("LMB01", "dAL has the wrong denominator: (1 - Y) / AL instead of (1 - Y) / (1 - AL)",
            "dAL is the derivative of the loss -(Y log AL + (1 - Y) log(1 - AL)) with respect to AL: "
            "dAL = -(Y / AL - (1 - Y) / (1 - AL)). The second term comes from log(1 - AL).",
            "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, dAL=-(Y / AL - (1 - Y) / AL))),
    Mistake("LMB02", "AL - Y is used as dAL, but it is dZ of the output layer",
            "AL - Y is the gradient with respect to Z[L] (the sigmoid's derivative already folded in). "
            "Passing it to linear_activation_backward(..., \"sigmoid\") applies the sigmoid's derivative a "
            "second time.",
            "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, dAL=AL - Y)),
    Mistake("LMB03", "dAL is passed to every layer",
            "Each layer receives the gradient of the layer above: dA_prev returned by layer l is the dA of "
            "layer l - 1.",
            "dA_prev, dW, db = linear_activation_backward(grads[\"dA\" + str(l)], caches[l - 1], \"relu\")",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, every_layer_gets_dAL=True)),
    Mistake("LMB04", "the output layer is back-propagated with relu instead of sigmoid",
            "The output layer used a sigmoid in the forward pass, so its backward pass uses sigmoid_backward.",
            "linear_activation_backward(dAL, caches[L - 1], \"sigmoid\")",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, output="relu")),
    Mistake("LMB05", "the activations are swapped: sigmoid on the hidden layers, relu on the output",
            "Hidden layers used relu in the forward pass and the output layer sigmoid: the backward pass "
            "mirrors them.",
            "output layer: \"sigmoid\"; layers L-1..1: \"relu\"",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, hidden="sigmoid", output="relu")),
    Mistake("LMB06", "the hidden layers are back-propagated with sigmoid instead of relu",
            "Hidden layers used relu in the forward pass, so their backward pass uses relu_backward.",
            "layers L-1..1: linear_activation_backward(dA, caches[l - 1], \"relu\")",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, hidden="sigmoid")),
    Mistake("LMB07", "dAL has an extra 1/m",
            "The 1/m of the cost is applied once, in dW and db (inside linear_backward); dAL itself has none.",
            "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches,
                                                 dAL=-(Y / AL - (1 - Y) / (1 - AL)) / Y.shape[1])),
    Mistake("LMB08", "dAL has the wrong sign",
            "The loss is -(Y log AL + (1 - Y) log(1 - AL)), so dAL = -(Y / AL - (1 - Y) / (1 - AL)).",
            "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, dAL=Y / AL - (1 - Y) / (1 - AL))),
    Mistake("LMB09", "the grads keys are off by one: dW and db of layer l are stored under l - 1",
            "Layers are numbered 1..L: the gradients of W{l} and b{l} are dW{l} and db{l}.",
            "grads[\"dW\" + str(l)] = dW   where l is the layer whose cache was used (caches[l - 1])",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, layer_offset=1)),
    Mistake("LMB10", "the loop runs forward, from layer 1 up, instead of from layer L down",
            "Back-propagation starts where the cost is: layer L gets dAL, and each layer hands dA_prev to the "
            "one below it, so l runs L, L-1, ..., 1 (reversed(range(1, L + 1))).",
            "for l in reversed(range(1, L + 1)):",
            lambda ref, AL, Y, caches: _forward_loop(ref, AL, Y, caches), raises=("HelperRefused", "cannot take")),
    Mistake("LMB11", "dAL has the wrong sign on its second term: -(Y / AL + (1 - Y) / (1 - AL))",
            "d/dAL of -(Y log AL + (1 - Y) log(1 - AL)) is -(Y / AL - (1 - Y) / (1 - AL)): the derivative of "
            "log(1 - AL) is -1 / (1 - AL).",
            "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, dAL=-(Y / AL + (1 - Y) / (1 - AL)))),
    Mistake("LMB12", "caches is indexed one layer too far: layer l's cache is caches[l - 1]",
            "caches is a list, numbered from 0: caches[0] holds layer 1 and caches[L - 1] the output layer, so "
            "caches[l] (or caches[L]) runs past its end.",
            "dA_prev, dW, db = linear_activation_backward(dA, caches[l - 1], activation)",
            lambda ref, AL, Y, caches: caches[len(caches)], raises=("IndexError", "list index out of range")),
    Mistake("LMB13", "the grads keys of the hidden layers are off by one (the output layer's are right)",
            "Layers are numbered 1..L in every key: the gradients of W{l} and b{l} are dW{l} and db{l}, also in "
            "the loop over the hidden layers (where a 0-based l is layer l + 1).",
            "grads[\"dW\" + str(l + 1)] = dW_temp   with l running over reversed(range(L - 1))",
            lambda ref, AL, Y, caches: _backward(ref, AL, Y, caches, hidden_offset=1)),
)

EXERCISE = Exercise(
    name="L_model_backward", weight=10, params=("AL", "Y", "caches"),
    summary="the whole backward pass: grads dA{l-1}, dW{l}, db{l}",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, numeric_gradients=numeric_gradients,
    adapt=adapt, helpers=("linear_activation_backward", "relu_backward", "sigmoid_backward", "linear_backward"),
    axis_meanings={"m": "example", **{f"n{l}": f"unit of layer {l}" for l in range(8)}},
)
