"""What a wrong value at the line at fault is, next to the right one: a factor, a sign, a transpose, a sum
over the wrong axis, another value of the path in its place, a term too many or too few, a step of the wrong
size. Each kind is a mistake in its own right, with an id, said of the student's own variable on the
student's own line, so that a mistake no catalog foresaw is still named.

A small case can make several relations hold at once (with m = 2, "m times too large" and "2 times too
large" agree), so every relation that holds is a candidate, and the caller keeps the first that holds on the
other cases too (at_fault.py).
"""
from dataclasses import dataclass

import numpy as np

from ..checks.values import close
from ..run.traced_lines import Partial, Unknown
from .fault_line import same

SIZE_FACTORS = (("m", 1), ("m", -1), ("n", 1), ("n", -1))  # a size of the case, and its power
PLAIN_FACTORS = ((2.0, "2"), (0.5, "1/2"), (-2.0, "-2"), (-0.5, "-1/2"), (1 / 3, "1/3"), (0.25, "1/4"))
AXES_HINT = "sum over the examples, the columns: np.sum(..., axis=1, keepdims=True)"


@dataclass(frozen=True)
class Deviation:
    code: str
    key: str  # what the relation is, equal for the same relation on every case ("factor m", "sign")
    says: str  # completes "`subject` ...": "is m times the right value"
    hint: str
    subject: str = ""  # the entry that is wrong (parameters['W1']); empty: the whole value


def deviations(name, got, expected, dims, path_values, inputs=(), strict=True):
    """Every simple relation between got and expected (the reference's value of name there), most telling
    first. path_values: name -> the reference's values of that name on this case; inputs: the arrays the call
    was given (an update is judged by the step it takes from them). strict: the relation is to be believed on
    this case alone, so single numbers, which many relations fit, say nothing."""
    if isinstance(got, dict) and isinstance(expected, dict):
        return _in_dict(name, got, expected, dims, path_values, inputs, strict)
    if isinstance(got, (tuple, list)) and isinstance(expected, (tuple, list)) and len(got) == len(expected):
        wrong = [k for k, (g, e) in enumerate(zip(got, expected)) if not same(g, e)]
        if len(wrong) != 1:
            return []
        subject = f"{name}[{wrong[0]}]"
        return [_about(d, subject) for d in deviations(subject, got[wrong[0]], expected[wrong[0]], dims,
                                                          path_values, inputs, strict)]
    got, expected = _array(got), _array(expected)
    if got is None or expected is None:
        return []
    if got.shape != expected.shape:
        return _wrong_shape(got, expected, dims)
    if strict and got.size < 3:
        return _wrong_type(got, expected)
    steps = _step(got, expected, inputs) if name.endswith("]") else []  # an update is an entry of parameters
    return (_wrong_type(got, expected) + _in_place_of(name, got, path_values) + _factor(got, expected, dims)
            + steps + _term(got, expected, path_values, name, strict) + _rounded(got, expected))


def _about(found, subject):
    return found if found.subject else Deviation(found.code, found.key, found.says, found.hint, subject)


def _in_dict(name, got, expected, dims, path_values, inputs, strict):
    if got.keys() != expected.keys():  # a dict still being filled in, or keys built wrongly: not one relation
        return []
    wrong = [key for key in expected if not same(got[key], expected[key])]
    if not wrong:
        return []
    subject = f"{name}[{wrong[0]!r}]"
    others = wrong[1:]
    also = f" (so {'are' if len(others) > 1 else 'is'} {', '.join(map(repr, others[:4]))}" \
           f"{', ...' if len(others) > 4 else ''})" if others else ""
    return [Deviation(d.code, d.key, d.says + also, d.hint, d.subject or subject)
            for d in deviations(subject, got[wrong[0]], expected[wrong[0]], dims, path_values, inputs, strict)]


def _wrong_type(got, expected):
    if got.dtype.kind in "biu" and expected.dtype.kind == "f" and not close(got, expected):
        return [Deviation("G05", "integer", f"is an integer array ({got.dtype}): the fractional parts are lost",
                          "keep the arithmetic in floats: no astype(int), no //, no dtype=int")]
    if got.dtype == np.float16 and expected.dtype != np.float16:
        return [Deviation("G05", "float16", "is computed in float16, which keeps about 3 significant digits",
                          "leave the arrays in float64: no astype(np.float16)")]
    return []


def _wrong_shape(got, expected, dims):
    if got.shape == expected.shape[::-1] and close(got.T, expected):
        return [Deviation("G03", "transposed", f"is transposed: its shape is {got.shape}, the right one "
                                               f"{expected.shape}",
                          "swap the factors of the product, or transpose the other operand")]
    if got.size == expected.size and close(got.reshape(expected.shape), expected):
        return [Deviation("G04", "reshaped", f"has the right values in the wrong shape: {got.shape}, not "
                                             f"{expected.shape}",
                          "keep the 2-D shape: keepdims=True, or reshape to the shape asked for")]
    if dims.get("m") and dims.get("n") and got.shape == (1, dims["m"]) and expected.shape == (dims["n"], 1):
        return [Deviation("G04", "summed over the units", f"is summed over the wrong axis: shape {got.shape}, "
                                                          f"one value per example, not {expected.shape}, one per unit",
                          AXES_HINT)]
    if expected.ndim != 2 or got.ndim != 2:  # a scalar made an array, or the reverse: too many ways to get there
        return []
    examples = f" (m = {dims['m']}: one column per example)" if dims.get("m") else ""
    return [Deviation("G04", "shape", f"has the shape {got.shape}; it should be {expected.shape}{examples}",
                      "check which arrays you multiply, and in which order: the shapes must chain")]


def _in_place_of(name, got, path_values):
    """got is, exactly, the reference's value of another name on this case: that value is used in its place."""
    if _trivial(got):
        return []
    found = []
    for other, values in path_values.items():
        if other == name or other.startswith("<"):
            continue
        if any(isinstance(v, np.ndarray) and close(got, v) for v in values):
            found.append(Deviation("G06", f"holds {other}", f"holds the value of `{other}`, not of `{name}`",
                                   f"this line gives `{other}` (or uses it as it is): write the formula for "
                                   f"`{name}`"))
    return found


def _factor(got, expected, dims):
    scale = float(np.sum(expected * expected))
    if not scale:
        return []
    ratio = float(np.sum(got * expected)) / scale
    if abs(ratio - 1) < 1e-3 or abs(ratio) < 1e-9 or not close(got, ratio * expected):
        return []
    found = []
    for size, power in SIZE_FACTORS:
        count = dims.get(size)
        if count and count != 1 and close(got, expected * float(count) ** power):
            found.append(_size_factor(size, power, count))
    if close(got, -expected):
        found.append(Deviation("G02", "sign", "has the wrong sign: every entry is the negative of the right one",
                               "a minus sign is missing or extra: check the sign of each term"))
    label = next((label for factor, label in PLAIN_FACTORS if abs(ratio - factor) < 1e-6), f"{ratio:.4g}")
    if abs(ratio + 1) > 1e-6:
        found.append(Deviation("G01", f"factor {label}", f"is {label} times the right value",
                               "check the constants in your formula"))
    divisor = dims.get("m", 0) / ratio
    if dims.get("m") and abs(divisor - round(divisor)) < 1e-6 and round(divisor) not in (0, dims["m"]):
        found.append(Deviation("G01", f"divisor {round(divisor)}", f"is divided by {round(divisor)}, not by m, "
                                                                   f"the number of examples ({dims['m']} here)",
                               "divide by m, the number of examples: m = A_prev.shape[1] (Y.shape[1] for the "
                               "cost)"))
    return found


def _size_factor(size, power, count):
    what = "the number of examples" if size == "m" else "the number of units of this layer"
    if power > 0:
        says = f"is {size} times the right value ({size} = {count}, {what}): a division by {size} is missing"
    else:
        says = f"is 1/{size} times the right value ({size} = {count}, {what}): it is divided by {size} once too often"
    hint = ("the 1/m of the cost belongs in dW and db only, once: m = A_prev.shape[1], the number of examples"
            if size == "m" else "check what you divide by: m, the number of examples, is the columns of A_prev")
    return Deviation("G01", f"factor {size}^{power}", says, hint)


def _step(got, expected, inputs):
    """An update that moves its input k times as far as it should (a learning rate doubled, or left out)."""
    found = []
    rates = [float(x) for x in inputs if isinstance(x, float) and x > 0]
    for start in inputs:
        start = _array(start) if not isinstance(start, float) else None
        if start is None or start.shape != expected.shape or _trivial(expected - start):
            continue
        wanted, taken = expected - start, got - start
        nonzero = np.abs(wanted) > 1e-8 * max(1.0, float(np.max(np.abs(wanted))))
        ratio = float(np.median(taken[nonzero] / wanted[nonzero]))
        if abs(ratio - 1) < 1e-3 or not close(taken, ratio * wanted):
            continue
        for rate in rates:
            if abs(ratio - rate) < 1e-6 * rate:
                found.append(Deviation("G01", "step rate^2", "takes its step with the learning rate twice: "
                                                             "learning_rate * learning_rate * gradient",
                                       "multiply the gradient by learning_rate once"))
            elif abs(ratio * rate - 1) < 1e-6:
                found.append(Deviation("G01", "step rate^0", "takes its step without the learning rate: the "
                                                             "whole gradient", "W = W - learning_rate * dW"))
        if abs(ratio) < 1e-9:
            found.append(Deviation("G01", "step 0", "is not updated: it keeps its old value",
                                   "update every layer's W and b, each under its own key: W + str(l), b + str(l)"))
        elif abs(ratio + 1) < 1e-3:
            found.append(Deviation("G02", "step sign", "steps the wrong way: it climbs the gradient instead of "
                                                       "descending it", "subtract the step: W = W - learning_rate * dW"))
        else:
            found.append(Deviation("G01", f"step {ratio:.4g}", f"takes a step {ratio:.4g} times the right size from "
                                                                f"its old value",
                                   "the step is learning_rate times the gradient: W = W - learning_rate * dW"))
    return found


def _term(got, expected, path_values, name, strict):
    """got - expected is, exactly, plus or minus a value of the path (b left out of Z, an extra dZ)."""
    difference = got - expected
    if not np.any(difference):
        return []
    found = []
    for other, values in path_values.items():
        if other.startswith("<") or other == name:
            continue
        for value in values:
            value = _array(value)
            if value is None or strict and _trivial(value) or value.ndim > difference.ndim:
                continue
            try:
                term = np.broadcast_to(value, difference.shape)
            except ValueError:  # shapes that do not broadcast: not this value
                continue
            if close(difference, -term):
                found.append(Deviation("G07", f"lacks {other}", f"lacks the term `{other}`: it is the right value "
                                                                f"minus `{other}`",
                                       f"add `{other}` where the formula has it"))
            elif close(difference, term):
                found.append(Deviation("G07", f"extra {other}", f"has a term `{other}` too many: it is the right "
                                                                f"value plus `{other}`",
                                       f"the formula for `{name}` has no `+ {other}`"))
    return found


def _rounded(got, expected):
    if np.array_equal(got, np.round(got)) and not np.array_equal(expected, np.round(expected)) and (
            close(got, np.floor(expected)) or close(got, np.round(expected)) or close(got, np.trunc(expected))):
        return [Deviation("G05", "rounded", "is rounded to whole numbers: the fractional parts are lost",
                          "use / (true division), not //, and keep float arrays")]
    return []


def _array(value):
    if isinstance(value, (Partial, Unknown, str, dict, tuple, list)) or value is None:
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind in "fiub" and np.all(np.isfinite(array)) else None


def _trivial(array):
    """Too plain to be a value of its own: all zeros or all ones."""
    array = _array(array)
    return array is None or bool(np.all(array == 0) or np.all(array == 1))
