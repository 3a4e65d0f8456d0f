"""update_parameters(params, grads, learning_rate) -> parameters: one step of gradient descent."""
from .base import Arr, Case, Exercise, Keys, Mistake
from .cases import NETWORK_SHAPES, ROUND_CASES, values

LEARNING_RATES = (0.5, 0.1, 0.01, 1.2, 0.075)


def make_cases(rng):
    cases = []
    for index, (sizes, _) in enumerate(NETWORK_SHAPES):
        round_numbers = index < ROUND_CASES
        params, grads = {}, {}
        for l in range(1, len(sizes)):
            for key, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l], 1))):
                params[key] = values(rng, shape, round_numbers)
                grads["d" + key] = values(rng, shape, round_numbers)
            grads[f"dA{l - 1}"] = values(rng, (sizes[l - 1], 3), round_numbers)
        dims = {"L": len(sizes) - 1, **{f"n{l}": size for l, size in enumerate(sizes)}}
        cases.append(Case((params, grads, LEARNING_RATES[index]), dims, f"case {index + 1}"))
    return cases


def outputs(case):
    L = case.dims["L"]
    return Keys("parameters", tuple(
        item for l in range(1, L + 1)
        for item in ((f"W{l}", Arr(f"W{l}", (f"n{l}", f"n{l - 1}"))), (f"b{l}", Arr(f"b{l}", (f"n{l}", 1))))))


def _step(params, grads, rate, layers=None, skip_b=False, rate_W=None, rate_b=None):
    """rate_W, rate_b: a step of its own for the weights or the biases (a mistake made on one of them only)."""
    L = len(params) // 2
    updated = dict(params)
    for l in range(1, (L if layers is None else layers) + 1):
        updated[f"W{l}"] = params[f"W{l}"] - (rate if rate_W is None else rate_W) * grads[f"dW{l}"]
        if not skip_b:
            updated[f"b{l}"] = params[f"b{l}"] - (rate if rate_b is None else rate_b) * grads[f"db{l}"]
    return updated


MISTAKES = (
    Mistake("UP01", "the parameters climb the gradient (+ instead of -)",
            "Gradient descent steps against the gradient: W = W - learning_rate * dW.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, -rate)),
    Mistake("UP02", "the biases are not updated",
            "Every b{l} moves too: b = b - learning_rate * db.",
            "also update b: parameters[\"b\" + str(l)] -= learning_rate * grads[\"db\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, rate, skip_b=True)),
    Mistake("UP03", "the last layer is not updated (the loop stops one layer early)",
            "There are L = len(parameters) // 2 layers, numbered 1..L: range(1, L + 1) or range(L) with l + 1.",
            "for l in range(1, L + 1): ...",
            lambda ref, params, grads, rate: _step(params, grads, rate, layers=len(params) // 2 - 1)),
    Mistake("UP04", "the learning rate is ignored",
            "Each step is scaled by the learning rate: W = W - learning_rate * dW.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, 1.0)),
    # the same mistakes made on the weights only or on the biases only (the other half is right)
    Mistake("UP05", "the biases climb the gradient (+ instead of -); the weights are right",
            "Every parameter steps against its gradient: b = b - learning_rate * db, as for W.",
            "parameters[\"b\" + str(l)] -= learning_rate * grads[\"db\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, rate, rate_b=-rate)),
    Mistake("UP06", "the weights climb the gradient (+ instead of -); the biases are right",
            "Every parameter steps against its gradient: W = W - learning_rate * dW, as for b.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, rate, rate_W=-rate)),
    Mistake("UP07", "the learning rate is ignored for the biases; the weights are right",
            "The biases' step is scaled by the learning rate too: b = b - learning_rate * db.",
            "parameters[\"b\" + str(l)] -= learning_rate * grads[\"db\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, rate, rate_b=1.0)),
    Mistake("UP08", "the learning rate is ignored for the weights; the biases are right",
            "The weights' step is scaled by the learning rate too: W = W - learning_rate * dW.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, rate, rate_W=1.0)),
    Mistake("UP09", "the learning rate is hard-coded instead of using the learning_rate argument",
            "update_parameters is called with the learning rate to use: W = W - learning_rate * dW.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: _step(params, grads, 0.01)),
    Mistake("UP10", "b is updated with dW instead of db",
            "Each parameter moves along its own gradient: b = b - learning_rate * db.",
            "parameters[\"b\" + str(l)] -= learning_rate * grads[\"db\" + str(l)]",
            lambda ref, params, grads, rate: {**_step(params, grads, rate), **{
                f"b{l}": params[f"b{l}"] - rate * grads[f"dW{l}"] for l in range(1, len(params) // 2 + 1)}}),
    Mistake("UP11", "W is updated with db instead of dW",
            "Each parameter moves along its own gradient: W = W - learning_rate * dW.",
            "parameters[\"W\" + str(l)] -= learning_rate * grads[\"dW\" + str(l)]",
            lambda ref, params, grads, rate: {**_step(params, grads, rate), **{
                f"W{l}": params[f"W{l}"] - rate * grads[f"db{l}"] for l in range(1, len(params) // 2 + 1)}}),
)

EXERCISE = Exercise(
    name="update_parameters", weight=5, params=("params", "grads", "learning_rate"),
    summary="one step of gradient descent on every W{l} and b{l}",
    make_cases=make_cases, outputs=outputs, mistakes=MISTAKES, in_place_allowed=True,
    axis_meanings={f"n{l}": f"unit of layer {l}" for l in range(8)},
)
