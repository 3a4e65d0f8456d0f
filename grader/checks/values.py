"""Comparing numbers the way a grader should: float noise passes, anything larger does not."""
import numpy as np

# float32 work loses up to ~2e-5 of this measure in L_model_backward, where dAL = (1 - Y) / (1 - AL) amplifies
# rounding for AL near 1; a real mistake is off by far more than 1e-4.
TOLERANCE = 1e-4


def is_number_array(value):
    """An array or number we can compare: not None, a string, a container or an opaque object."""
    if isinstance(value, (bool, int, float, np.generic)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "biufc"


def close(got, expected, tolerance=TOLERANCE):
    """Equal up to float noise, relative to the size of the expected values (float32 work passes)."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape or (got.dtype == np.float16) != (expected.dtype == np.float16):
        return False  # float16 keeps 3 digits: too few for a gradient, even where they happen to agree
    if got.dtype == expected.dtype and got.tobytes() == expected.tobytes():  # the usual case, at a tenth of the cost
        return got.dtype.kind not in "fc" or bool(np.isfinite(got).all())  # NaN and infinity are never close
    return not differing(got, expected, tolerance).any()


def differing(got, expected, tolerance=TOLERANCE):
    """Which entries of two same-shaped arrays are further apart than float noise (NaN counts as apart)."""
    got, expected = np.asarray(got), np.asarray(expected)
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        return ~(np.abs(got - expected) <= tolerance * (scale + np.abs(expected)))


def deep_close(a, b, nan_equal=False):
    """Same structure (a tuple and a list alike) and, leaf by leaf, close values. With nan_equal, NaN in the
    same places counts as equal (a known mistake that takes log(0) computes NaN where the student's does)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_close(a[k], b[k], nan_equal) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(deep_close(x, y, nan_equal) for x, y in zip(a, b))
    if is_number_array(a) and is_number_array(b):
        if np.shape(a) != np.shape(b):
            return False
        if nan_equal and np.asarray(a).dtype.kind == "f" and np.asarray(b).dtype.kind == "f":
            nan = np.isnan(a)
            return bool(np.array_equal(nan, np.isnan(b))) and close(np.where(nan, 0, b), np.where(nan, 0, a))
        return close(b, a)
    return type(a) is type(b) and a == b
