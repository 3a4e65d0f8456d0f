"""The reference's backward functions are the derivatives of its forward pass (a gradient check of the
reference itself, on random shapes), and every exercise's numeric_gradients agrees with the reference.

The numerical derivatives here are computed by this file, independently of grader/exercises/cases.py.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.checks.compare import flatten, leaf_nodes
from grader.exercises import EXERCISES
from solutions import reference as ref

STEP = 1e-6
TOLERANCES = {"rtol": 1e-5, "atol": 1e-7}
sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def numerical_gradient(function, point):
    """d function / d point by central differences; function takes an array shaped like point."""
    point = np.array(point, dtype=float)
    gradient = np.empty_like(point)
    for index in np.ndindex(point.shape):
        above, below = point.copy(), point.copy()
        above[index] += STEP
        below[index] -= STEP
        gradient[index] = (function(above) - function(below)) / (2 * STEP)
    return gradient


def away_from_zero(array, margin=0.05):
    """The same signs, no entry within margin of 0: relu has a kink there, where no derivative is checkable."""
    return np.where(array >= 0, array + margin, array - margin)


@settings(max_examples=40, deadline=None)
@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
def test_linear_backward_is_the_derivative_of_linear_forward(n_prev, n, m, seed):
    rng = np.random.default_rng(seed)
    A_prev, W, b, dZ = (rng.standard_normal(shape) for shape in ((n_prev, m), (n, n_prev), (n, 1), (n, m)))
    dA_prev, dW, db = ref.linear_backward(dZ, (A_prev, W, b))

    def pulled_back(A=A_prev, W=W, b=b):  # dZ . Z summed: its gradient is the vector-Jacobian product
        return np.sum(dZ * ref.linear_forward(A, W, b)[0])

    np.testing.assert_allclose(dA_prev, numerical_gradient(lambda a: pulled_back(A=a), A_prev), **TOLERANCES)
    np.testing.assert_allclose(dW, numerical_gradient(lambda w: pulled_back(W=w), W) / m, **TOLERANCES)
    np.testing.assert_allclose(db, numerical_gradient(lambda c: pulled_back(b=c), b) / m, **TOLERANCES)


@pytest.mark.parametrize("activation, backward", [(ref.relu, ref.relu_backward), (ref.sigmoid, ref.sigmoid_backward)])
@settings(max_examples=30, deadline=None)
@given(n=sizes, m=sizes, seed=seeds, scale=st.floats(0.1, 6))
def test_activation_backward_is_the_derivative_of_the_activation(activation, backward, n, m, seed, scale):
    rng = np.random.default_rng(seed)
    dA = rng.standard_normal((n, m))
    Z = away_from_zero(scale * rng.standard_normal((n, m)))
    dZ = backward(dA.copy(), Z.copy())
    np.testing.assert_allclose(dZ, numerical_gradient(lambda z: np.sum(dA * activation(z)[0]), Z), **TOLERANCES)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@settings(max_examples=30, deadline=None)
@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
def test_linear_activation_backward_is_the_derivative_of_the_layer(activation, n_prev, n, m, seed):
    rng = np.random.default_rng(seed)
    A_prev, W, b, dA = (rng.standard_normal(shape) for shape in ((n_prev, m), (n, n_prev), (n, 1), (n, m)))
    _, cache = ref.linear_activation_forward(A_prev, W, b, activation)
    assume(np.all(np.abs(cache[1]) > 1e-3))  # away from relu's kink
    dA_prev, dW, db = ref.linear_activation_backward(dA, cache, activation)

    def pulled_back(A=A_prev, W=W, b=b):
        return np.sum(dA * ref.linear_activation_forward(A, W, b, activation)[0])

    np.testing.assert_allclose(dA_prev, numerical_gradient(lambda a: pulled_back(A=a), A_prev), **TOLERANCES)
    np.testing.assert_allclose(dW, numerical_gradient(lambda w: pulled_back(W=w), W) / m, **TOLERANCES)
    np.testing.assert_allclose(db, numerical_gradient(lambda c: pulled_back(b=c), b) / m, **TOLERANCES)


@st.composite
def networks(draw):
    """X, parameters and Y of a small network: L layers, relu hidden layers, one sigmoid output unit."""
    layer_sizes = draw(st.lists(sizes, min_size=1, max_size=4)) + [1]
    m = draw(sizes)
    rng = np.random.default_rng(draw(seeds))
    X = rng.standard_normal((layer_sizes[0], m))
    parameters = {}
    for l in range(1, len(layer_sizes)):
        parameters[f"W{l}"] = rng.standard_normal((layer_sizes[l], layer_sizes[l - 1])) * 0.8
        parameters[f"b{l}"] = rng.standard_normal((layer_sizes[l], 1)) * 0.3
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    return X, parameters, Y


def cost_from_layer(first, A, parameters, Y):
    """The cost when layer `first` receives A: the forward pass from there on, then compute_cost."""
    L = len(parameters) // 2
    for l in range(first, L + 1):
        A, _ = ref.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             "sigmoid" if l == L else "relu")
    return ref.compute_cost(A, Y)


@settings(max_examples=40, deadline=None)
@given(network=networks())
def test_L_model_backward_is_the_derivative_of_the_cost(network):
    X, parameters, Y = network
    AL, caches = ref.L_model_forward(X, parameters)
    assume(all(np.all(np.abs(Z) > 1e-3) for _, Z in caches))  # away from relu's kinks
    assume(np.all((AL > 1e-3) & (AL < 1 - 1e-3)))  # the cost is well conditioned
    grads = ref.L_model_backward(AL, Y, caches)
    L, m = len(caches), Y.shape[1]
    assert set(grads) == {f"dA{l - 1}" for l in range(1, L + 1)} | {f"d{p}" for p in parameters}

    def cost_with(key, value):
        return cost_from_layer(1, X, {**parameters, key: value}, Y)

    for key, value in parameters.items():
        np.testing.assert_allclose(grads[f"d{key}"], numerical_gradient(lambda v: cost_with(key, v), value),
                                   **TOLERANCES)
    for l in range(1, L + 1):
        A_prev = caches[l - 1][0][0]
        # dA{l-1} is the gradient of the summed loss (no 1/m yet): m times that of the averaged cost
        numeric = m * numerical_gradient(lambda a: cost_from_layer(l, a, parameters, Y), A_prev)
        np.testing.assert_allclose(grads[f"dA{l - 1}"], numeric, **TOLERANCES)


CHECKED = [exercise for exercise in EXERCISES if exercise.numeric_gradients]


def test_backward_exercises_are_gradient_checked():
    assert {exercise.name for exercise in CHECKED} == {
        "relu_backward", "sigmoid_backward", "linear_backward", "linear_activation_backward", "L_model_backward"}


@pytest.mark.parametrize("exercise", CHECKED, ids=[exercise.name for exercise in CHECKED])
@settings(max_examples=4, deadline=None)
@given(seed=seeds)
def test_exercise_numeric_gradients_agree_with_the_reference_on_every_case(exercise, seed):
    for case in exercise.make_cases(np.random.default_rng(seed)):
        numeric = exercise.numeric_gradients(ref, case)
        node = exercise.outputs(case)
        assert set(numeric) == {path for path, _ in leaf_nodes(node)}, "every output is gradient-checked"
        expected = dict(flatten(node, exercise.reference(ref, case.args)))
        for path, gradient in numeric.items():
            np.testing.assert_allclose(expected[path], gradient, rtol=1e-4, atol=1e-6, err_msg=f"{case.label}: {path}")
