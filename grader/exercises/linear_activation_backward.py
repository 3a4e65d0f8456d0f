"""linear_activation_backward(dA, cache, activation) -> dA_prev, dW, db: one layer's backward pass."""
import numpy as np

from .base import Arr, Case, Exercise, Mistake, Seq
from .cases import (ACTIVATIONS, COMPOSITE_CASES, LAYER_AXES, central_differences, layer_dims, layer_inputs,
                    layer_sizes, values)


def make_cases(rng):
    cases = []
    for index, n_prev, n, m, round_numbers in layer_sizes()[:COMPOSITE_CASES]:
        A_prev, W, b, Z = layer_inputs(rng, n_prev, n, m, round_numbers)
        dA = values(rng, (n, m), round_numbers)
        activation = ACTIVATIONS[index % 2]
        cases.append(Case((dA, ((A_prev, W, b), Z), activation), layer_dims(n_prev, n, m),
                          f"case {index + 1}, {activation}"))
    return cases


def outputs(case):
    return Seq("", (Arr("dA_prev", ("n_prev", "m")), Arr("dW", ("n", "n_prev")), Arr("db", ("n", 1))))


def numeric_gradients(ref, case):
    dA, ((A_prev, W, b), _), activation = case.args
    m = A_prev.shape[1]

    def pulled_back(a, w, c):
        return np.sum(dA * ref.linear_activation_forward(a, w, c, activation)[0])

    return {
        "dA_prev": central_differences(lambda a: pulled_back(a, W, b), A_prev),
        "dW": central_differences(lambda w: pulled_back(A_prev, w, b), W) / m,
        "db": central_differences(lambda c: pulled_back(A_prev, W, c), b) / m,
    }


SWAPPED = {"relu": "sigmoid", "sigmoid": "relu"}


def _through(ref, dZ, cache):
    return ref.linear_backward(dZ, cache[0])


MISTAKES = (
    Mistake("LAB01", "the activations are swapped: sigmoid_backward for relu and relu_backward for sigmoid",
            "Use the backward function of the activation this layer used in the forward pass.",
            "if activation == \"relu\": dZ = relu_backward(dA, activation_cache)",
            lambda ref, dA, cache, activation: ref.linear_activation_backward(dA, cache, SWAPPED[activation])),
    Mistake("LAB02", "the activation's derivative is skipped: dA is passed to linear_backward as if it were dZ",
            "dZ = dA * g'(Z) first (relu_backward or sigmoid_backward), then linear_backward(dZ, linear_cache).",
            "dZ = relu_backward(dA, activation_cache); dA_prev, dW, db = linear_backward(dZ, linear_cache)",
            lambda ref, dA, cache, activation: _through(ref, dA, cache)),
    Mistake("LAB03", "the activation is applied to the gradient (dZ = g(dA)) instead of multiplying by g'(Z)",
            "Back-propagation multiplies the incoming gradient by the activation's derivative at Z: "
            "dZ = dA * g'(Z). Applying the activation itself to dA is a different function altogether.",
            "dZ = relu_backward(dA, activation_cache)   (or sigmoid_backward)",
            lambda ref, dA, cache, activation: _through(
                ref, (ref.relu if activation == "relu" else ref.sigmoid)(dA)[0], cache)),
    Mistake("LAB04", "dW is computed from the upstream gradient dA instead of A_prev",
            "dW = 1/m * dZ.A_prev^T: the weights multiply the previous layer's activations A_prev (in the "
            "linear cache), not the gradient of this layer.",
            "dW = np.dot(dZ, A_prev.T) / m   (A_prev from the linear cache)",
            lambda ref, dA, cache, activation: (lambda dA_prev, dW, db, dZ: (dA_prev, dZ @ dA.T / dA.shape[1], db))(
                *ref.linear_activation_backward(dA, cache, activation),
                dA * ((cache[1] > 0) if activation == "relu" else
                      ref.sigmoid(cache[1])[0] * (1 - ref.sigmoid(cache[1])[0])))),
    Mistake("LAB05", "every layer goes back through sigmoid_backward, whatever its activation",
            "Use the backward function of the activation this layer used in the forward pass: relu_backward "
            "for \"relu\", sigmoid_backward for \"sigmoid\" (the strings are compared exactly).",
            "if activation == \"relu\": dZ = relu_backward(dA, activation_cache)",
            lambda ref, dA, cache, activation: ref.linear_activation_backward(dA, cache, "sigmoid")),
    Mistake("LAB06", "every layer goes back through relu_backward, whatever its activation",
            "Use the backward function of the activation this layer used in the forward pass: sigmoid_backward "
            "for \"sigmoid\".",
            "elif activation == \"sigmoid\": dZ = sigmoid_backward(dA, activation_cache)",
            lambda ref, dA, cache, activation: ref.linear_activation_backward(dA, cache, "relu")),
    Mistake("LAB07", "the outputs are returned in the wrong order",
            "linear_activation_backward returns dA_prev, dW, db in that order: L_model_backward unpacks it "
            "that way.",
            "return dA_prev, dW, db",
            lambda ref, dA, cache, activation: (lambda dA_prev, dW, db: (dW, db, dA_prev))(
                *ref.linear_activation_backward(dA, cache, activation))),
    Mistake("LAB08", "linear_backward's results are unpacked in the wrong order: dW and dA_prev are swapped",
            "linear_backward returns dA_prev, dW, db in that order; unpacking them as dW, dA_prev, db sends "
            "the weights' gradient back as dA_prev.",
            "dA_prev, dW, db = linear_backward(dZ, linear_cache)",
            lambda ref, dA, cache, activation: (lambda dA_prev, dW, db: (dW, dA_prev, db))(
                *ref.linear_activation_backward(dA, cache, activation))),
)

EXERCISE = Exercise(
    name="linear_activation_backward", weight=10, params=("dA", "cache", "activation"),
    summary="one layer's backward pass: through the activation, then the linear step",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, numeric_gradients=numeric_gradients,
    helpers=("relu_backward", "sigmoid_backward", "linear_backward"), axis_meanings=LAYER_AXES,
)
