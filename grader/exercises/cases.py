"""Input makers shared by the exercises, and the numerical derivatives that check the backward ones.

Sizes are chosen so that no two of them are equal (a transposed result cannot pass on shape alone),
with m = 1 and single-unit layers among them. The first cases use small round numbers, so that the
smallest failing one can be redone by hand.
"""
import numpy as np

ROUND_VALUES = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
LAYER_SIZES = [  # (n_prev, n, m)
    (1, 1, 1), (2, 1, 2), (2, 3, 1), (3, 2, 4), (4, 3, 5), (1, 4, 3), (5, 2, 7),
]
ROUND_CASES = 3
# A layer built on helpers graded on their own (linear_activation_*) is checked on the first sizes only: they
# still have m = 1, single units, non-square weights and each activation at least twice, in fewer calls.
COMPOSITE_CASES = 5
ACTIVATIONS = ("relu", "sigmoid")  # alternated over the cases of the functions that take one
NETWORK_SHAPES = [  # (layer sizes from input to output, m)
    ([2, 1], 1), ([2, 3, 1], 2), ([3, 4, 2, 1], 5), ([4, 2, 3, 1], 3), ([5, 3, 1], 1),
]


def values(rng, shape, round_numbers):
    if round_numbers:
        return rng.choice(ROUND_VALUES, size=shape)
    return rng.standard_normal(shape)


def layer_sizes():
    """(index, n_prev, n, m, round_numbers) for each single-layer case."""
    return [(i, n_prev, n, m, i < ROUND_CASES) for i, (n_prev, n, m) in enumerate(LAYER_SIZES)]


def away_from_zero(rng, make):
    """Redraw until no entry is exactly 0: relu's derivative there is a matter of convention."""
    while True:
        array = make()
        if np.all(array != 0):
            return array


def layer_inputs(rng, n_prev, n, m, round_numbers):
    """A_prev, W, b and Z = W.A_prev + b with no Z exactly 0."""
    while True:
        A_prev = values(rng, (n_prev, m), round_numbers)
        W = values(rng, (n, n_prev), round_numbers)
        b = values(rng, (n, 1), round_numbers)
        Z = W @ A_prev + b
        if np.all(np.abs(Z) > 1e-3):
            return A_prev, W, b, Z


def layer_dims(n_prev, n, m):
    return {"n_prev": n_prev, "n": n, "m": m}


LAYER_AXES = {"n_prev": "unit of the previous layer", "n": "unit of this layer", "m": "example"}


def network(rng, sizes, m, round_numbers):
    """X, parameters, Y, and the caches and AL of a forward pass (relu hidden layers, sigmoid output)."""
    while True:
        X = values(rng, (sizes[0], m), round_numbers)
        parameters = {}
        for l in range(1, len(sizes)):
            parameters[f"W{l}"] = values(rng, (sizes[l], sizes[l - 1]), round_numbers) * 0.7
            parameters[f"b{l}"] = values(rng, (sizes[l], 1), round_numbers) * 0.3
        caches, A = [], X
        for l in range(1, len(sizes)):
            W, b = parameters[f"W{l}"], parameters[f"b{l}"]
            Z = W @ A + b
            caches.append(((A, W, b), Z))
            A = 1 / (1 + np.exp(-Z)) if l == len(sizes) - 1 else np.maximum(0, Z)
        Y = rng.integers(0, 2, size=(1, m)).astype(float)
        if all(np.all(np.abs(Z) > 1e-3) for _, Z in caches) and np.all((A > 1e-3) & (A < 1 - 1e-3)):
            return X, parameters, Y, caches, A


def network_dims(sizes, m):
    return {"L": len(sizes) - 1, "m": m, **{f"n{l}": size for l, size in enumerate(sizes)}}


def central_differences(function, point, step=1e-6):
    """The gradient of a scalar function of one array, by central differences."""
    point = np.array(point, dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + step
        above = function(point)
        point[index] = saved - step
        below = function(point)
        point[index] = saved
        gradient[index] = (above - below) / (2 * step)
    return gradient
