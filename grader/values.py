"""Comparing numbers the way a grader should: float noise passes, anything larger does not."""
import numpy as np

TOLERANCE = 1e-5


def is_number_array(value):
    """An array or number we can compare: not None, a string, a container or an opaque object."""
    if isinstance(value, (bool, int, float, np.generic)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "biufc"


def close(got, expected, tolerance=TOLERANCE):
    """Equal up to float noise, relative to the size of the expected values (float32 work passes)."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(got - expected) <= tolerance * (scale + np.abs(expected))))


def deep_close(a, b):
    """Same structure (a tuple and a list alike) and, leaf by leaf, close values."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_close(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(deep_close(x, y) for x, y in zip(a, b))
    if is_number_array(a) and is_number_array(b):
        return np.shape(a) == np.shape(b) and close(b, a)
    return type(a) is type(b) and a == b
