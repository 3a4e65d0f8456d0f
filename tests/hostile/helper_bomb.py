# Hostile part: linear_activation_backward first calls the grader-answered linear_backward with two
# (20000, 1) arrays, whose dW = dZ . A_prev^T would be a 3.2 GB array in the grader's own process; then it
# answers correctly. The grader must refuse the call, not compute it.
import numpy as np

_reference_linear_activation_backward = linear_activation_backward  # noqa: F821 - from the reference part


def linear_activation_backward(dA, cache, activation):
    column = np.ones((20000, 1))
    try:
        linear_backward(column, (column, np.ones((1, 1)), np.ones((1, 1))))  # noqa: F821
    except Exception:
        pass
    return _reference_linear_activation_backward(dA, cache, activation)
