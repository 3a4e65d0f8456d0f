"""Does a student's backward function agree with their own forward function? Checked numerically.

This is how back-propagation is debugged by hand: nudge each input of your forward function, see how its
output moves, and compare with what your backward function says. Both functions are the student's and run
in a worker, like all student code; this process only picks the inputs, asks the worker for forward values,
and takes central differences of them. Each backward output gets a relative error,
|yours - numerical| / (|yours| + |numerical|) in the Euclidean norm (CS231n's check, with a small floor).
"""
from dataclasses import dataclass

import numpy as np

from ..model import CallRequest
from .plain_errors import error_type, plain_message

STEP = 1e-5
TOLERANCE = 1e-5  # smooth cases give 1e-9 or less; a wrong formula gives 1e-2 or more
FLOOR = 1e-8
MAX_ENTRIES = 60  # the inputs nudged per case: each entry costs two forward calls


@dataclass(frozen=True)
class Comparison:
    output: str
    relative_error: float  # inf when the shapes differ or the output is missing
    problem: str = ""  # what kept the two from being compared


@dataclass(frozen=True)
class GradientCheck:
    backward: str
    forward: str  # the student's functions the backward pass is compared with, e.g. "linear_forward"
    case: str
    comparisons: tuple = ()
    skipped: str = ""  # why the check could not run

    @property
    def matches(self):
        return not self.skipped and all(c.relative_error < TOLERANCE for c in self.comparisons)


class CannotCheck(Exception):
    """The student's functions did not give what the check needs; the message says which and why."""


@dataclass(frozen=True)
class Pairing:
    forward: tuple  # the student's functions it uses, the forward function first
    size: object  # case -> how many input entries the check nudges
    compare: object  # (call, case) -> [(output, yours, numerical)]


def forwards_of(backward):
    """The names of the student's functions a backward function is checked against (empty: not checked)."""
    return PAIRINGS[backward].forward if backward in PAIRINGS else ()


def check_against_forward(session, exercise, cases):
    """One GradientCheck per case chosen among cases; session runs the student's functions (all defined)."""
    pairing = PAIRINGS[exercise.name]
    described = " and ".join(pairing.forward)
    checks = []
    for case in chosen_cases(cases, pairing.size):
        try:
            compared = pairing.compare(Caller(session), case)
        except CannotCheck as reason:
            checks.append(GradientCheck(exercise.name, described, case.label, skipped=str(reason)))
            continue
        checks.append(GradientCheck(exercise.name, described, case.label,
                                    tuple(_comparison(name, yours, numerical) for name, yours, numerical in compared)))
    return checks


def chosen_cases(cases, size):
    """The largest case small enough to nudge entry by entry, one for each value of its string arguments
    (an activation name), so that both activations of a layer are checked."""
    largest = {}
    for case in cases:
        kind = tuple(arg for arg in case.args if isinstance(arg, str))
        if size(case) <= MAX_ENTRIES and (kind not in largest or size(case) >= size(largest[kind])):
            largest[kind] = case
    return list(largest.values())


class Caller:
    """Calls a student's function in the worker and returns what it returned, or raises CannotCheck."""

    def __init__(self, session):
        self.session = session
        self.count = 0

    def __call__(self, name, *args):
        self.count += 1
        key = (name, self.count)
        outcome = self.session.run([CallRequest(name, self.count, args)], _refuse_helpers)[key]
        if outcome.kind == "returned":
            return outcome.value
        if outcome.kind == "raised":
            error = outcome.error or {}
            raise CannotCheck(f"your `{name}` raised {error_type(error)}: {plain_message(error.get('message', ''))}")
        raise CannotCheck(f"your `{name}` {'did not finish in time' if outcome.kind == 'timeout' else 'crashed'}")


def _refuse_helpers(exercise, helper, args):
    return False, "the gradient check runs only your own functions"


def _comparison(name, yours, numerical):
    if yours is None:
        return Comparison(name, float("inf"), "missing")
    try:
        yours = np.asarray(yours, dtype=float)
    except (TypeError, ValueError):
        return Comparison(name, float("inf"), "not a number array")
    if yours.shape != numerical.shape:
        return Comparison(name, float("inf"), f"shape {yours.shape}, the derivative has shape {numerical.shape}")
    if not np.all(np.isfinite(yours)):
        return Comparison(name, float("inf"), "contains NaN or infinity")
    error = np.linalg.norm(yours - numerical) / max(np.linalg.norm(yours) + np.linalg.norm(numerical), FLOOR)
    return Comparison(name, float(error))


def central_differences(function, point):
    """The gradient of a scalar function of one array at point, entry by entry."""
    point = np.array(point, dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + STEP
        above = function(point.copy())
        point[index] = saved - STEP
        below = function(point.copy())
        point[index] = saved
        gradient[index] = (above - below) / (2 * STEP)
    return gradient


def _first(value, name):
    """The first item of a returned (value, cache) pair."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise CannotCheck(f"your `{name}` does not return a pair (value, cache)")
    return value[0], value[1]


def _items(value, name, count):
    if not isinstance(value, (tuple, list)) or len(value) != count:
        raise CannotCheck(f"your `{name}` does not return {count} values")
    return value


def _scalar(value, name):
    try:
        return float(np.squeeze(np.asarray(value, dtype=float)))
    except (TypeError, ValueError):
        raise CannotCheck(f"your `{name}` does not return a number") from None


def _activation(forward, backward):
    def compare(call, case):
        dA, Z = case.args
        _, cache = _first(call(forward, Z), forward)
        dZ = call(backward, dA, cache)
        numerical = central_differences(lambda z: np.sum(dA * _first(call(forward, z), forward)[0]), Z)
        return [("dZ", dZ, numerical)]

    return compare


def _linear(call, case):
    dZ, (A_prev, W, b) = case.args
    _, cache = _first(call("linear_forward", A_prev, W, b), "linear_forward")
    dA_prev, dW, db = _items(call("linear_backward", dZ, cache), "linear_backward", 3)

    def pulled_back(a, w, c):
        return np.sum(dZ * _first(call("linear_forward", a, w, c), "linear_forward")[0])

    examples = A_prev.shape[1]  # dW and db are gradients of the cost, the mean over the examples
    return [("dA_prev", dA_prev, central_differences(lambda a: pulled_back(a, W, b), A_prev)),
            ("dW", dW, central_differences(lambda w: pulled_back(A_prev, w, b), W) / examples),
            ("db", db, central_differences(lambda c: pulled_back(A_prev, W, c), b) / examples)]


def _layer(call, case):
    dA, ((A_prev, W, b), _), activation = case.args
    forward = "linear_activation_forward"
    _, cache = _first(call(forward, A_prev, W, b, activation), forward)
    dA_prev, dW, db = _items(call("linear_activation_backward", dA, cache, activation),
                             "linear_activation_backward", 3)

    def pulled_back(a, w, c):
        return np.sum(dA * _first(call(forward, a, w, c, activation), forward)[0])

    examples = A_prev.shape[1]
    return [("dA_prev", dA_prev, central_differences(lambda a: pulled_back(a, W, b), A_prev)),
            ("dW", dW, central_differences(lambda w: pulled_back(A_prev, w, b), W) / examples),
            ("db", db, central_differences(lambda c: pulled_back(A_prev, W, c), b) / examples)]


def _network(call, case):
    """grads against the cost of the student's forward pass; dA{l} of the hidden layers are not checked here,
    since L_model_forward cannot start from a hidden layer."""
    _, Y, caches = case.args
    X = caches[0][0][0]
    parameters = {f"{kind}{l}": caches[l - 1][0][index] for l in range(1, len(caches) + 1)
                  for kind, index in (("W", 1), ("b", 2))}
    AL, their_caches = _first(call("L_model_forward", X, parameters), "L_model_forward")
    grads = call("L_model_backward", AL, Y, their_caches)
    if not isinstance(grads, dict):
        raise CannotCheck("your `L_model_backward` does not return a dict")
    if "dA0" not in grads and f"dA{len(caches)}" in grads:  # the older convention: dA{l} is for A[l-1]
        grads = {**grads, "dA0": grads["dA1"]}

    def cost(x, changed):
        AL, _ = _first(call("L_model_forward", x, {**parameters, **changed}), "L_model_forward")
        return _scalar(call("compute_cost", AL, Y), "compute_cost")

    examples = Y.shape[1]  # dA0 is the gradient of the summed loss (no 1/m), as the course defines it
    compared = [("dA0", grads.get("dA0"), examples * central_differences(lambda x: cost(x, {}), X))]
    for key, value in parameters.items():
        compared.append((f"d{key}", grads.get(f"d{key}"),
                         central_differences(lambda p, key=key: cost(X, {key: p}), value)))
    return compared


def _linear_size(case):
    _, (A_prev, W, b) = case.args
    return A_prev.size + W.size + b.size


def _layer_size(case):
    _, ((A_prev, W, b), _), _ = case.args
    return A_prev.size + W.size + b.size


def _network_size(case):
    caches = case.args[2]
    return caches[0][0][0].size + sum(cache[0][1].size + cache[0][2].size for cache in caches)


PAIRINGS = {
    "relu_backward": Pairing(("relu",), lambda case: case.args[1].size, _activation("relu", "relu_backward")),
    "sigmoid_backward": Pairing(("sigmoid",), lambda case: case.args[1].size,
                                _activation("sigmoid", "sigmoid_backward")),
    "linear_backward": Pairing(("linear_forward",), _linear_size, _linear),
    "linear_activation_backward": Pairing(("linear_activation_forward",), _layer_size, _layer),
    "L_model_backward": Pairing(("L_model_forward", "compute_cost"), _network_size, _network),
}
