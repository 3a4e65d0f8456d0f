"""The records of a traced call (grader/tracer.py) as the grader believes them: checked, bounded, rebuilt.

A worker's records are untrusted: each field is checked for type, size and range, and anything else is
dropped. The reference is traced in this process by the same recorder, and its records pass through the
same checks, so the two sides are compared in one representation.
"""
from dataclasses import dataclass

import numpy as np

from ..untrusted_text import visible
from . import tracer

MAX_LINE = 1_000_000
SPECIAL = {"inf": np.inf, "-inf": -np.inf, None: np.nan}


@dataclass(frozen=True)
class Record:
    order: int
    frame: int  # 0: the traced function itself; higher: a function of the student's it called
    file: str  # the cell or file label the function's lines are in
    function: str
    line: int
    name: str  # "<return>" for the returned value
    value: object  # an array (or its first entries, partial), a float, a str, a tuple, a dict, or Unknown


@dataclass(frozen=True)
class Unknown:
    """A value the summary does not hold (an object, or an array too large to hold whole)."""

    text: str


@dataclass(frozen=True)
class Partial:
    """An array of which only the first entries came back."""

    shape: tuple
    first: np.ndarray


def checked_records(raw):
    """The records of a worker's trace message; malformed ones are left out, never fatal."""
    if not isinstance(raw, list):
        return ()
    records = []
    for item in raw[:tracer.MAX_RECORDS]:
        record = _record(item)
        if record is not None:
            records.append(record)
    return tuple(records)


def _is_int(value, low, high):
    return type(value) is int and low <= value <= high


def _record(item):
    if not (isinstance(item, list) and len(item) == 7):
        return None
    order, frame, file, function, line, name, summary = item
    if not (_is_int(order, 0, tracer.MAX_RECORDS) and _is_int(frame, 0, tracer.MAX_RECORDS)
            and _is_int(line, 0, MAX_LINE) and all(isinstance(text, str) for text in (file, function, name))):
        return None
    return Record(order, frame, _text(file), _text(function), line, _text(name), value_of(summary))


def value_of(summary, depth=0):
    """The value a summary describes, or Unknown."""
    if not isinstance(summary, dict) or depth > tracer.MAX_DEPTH:
        return Unknown("value")
    kind = summary.get("kind")
    if kind == "number":
        numbers = _numbers(summary.get("values"), 1)
        return float(numbers[0]) if numbers is not None and numbers.size == 1 else Unknown("value")
    if kind == "str":
        text = summary.get("text")
        return _text(text) if isinstance(text, str) else Unknown("value")
    if kind == "none":
        return None
    if kind == "array":
        return _array(summary)
    items = summary.get("items")
    if kind in ("tuple", "list") and isinstance(items, list):
        return tuple(value_of(item, depth + 1) for item in items[:tracer.MAX_ITEMS])
    if kind == "dict" and isinstance(items, list):
        return {_text(key): value_of(item, depth + 1) for key, item in
                (entry for entry in items[:tracer.MAX_ITEMS] if isinstance(entry, list) and len(entry) == 2)
                if isinstance(key, str)}
    type_name = summary.get("type")
    return Unknown(_text(type_name) if isinstance(type_name, str) else "value")


def _text(text):
    """The worker's text as a person may read it: student code chose it, so it must not pass for ours."""
    return visible(text, tracer.MAX_TEXT)


def _numbers(values, limit):
    if not isinstance(values, list) or len(values) > limit:
        return None
    numbers = []
    for value in values:
        if type(value) in (int, float):
            numbers.append(float(value))
        elif value is None or value in ("inf", "-inf"):
            numbers.append(SPECIAL[value])
        else:
            return None
    return np.array(numbers, dtype=float)


def _array(summary):
    shape, dtype = summary.get("shape"), summary.get("dtype")
    if not (isinstance(shape, list) and len(shape) <= 4 and all(_is_int(s, 0, 1 << 20) for s in shape)):
        return Unknown("array")
    if not isinstance(dtype, str):
        return Unknown("array")
    size = int(np.prod(shape)) if shape else 1
    numbers = _numbers(summary.get("values"), tracer.MAX_VALUES)
    if numbers is None:
        return Unknown(f"array of {dtype[:16]}")
    if numbers.size == size:
        kind = dtype[1:2] if dtype[:1] in "<>|=" else dtype[:1]
        return numbers.reshape(shape).astype(kind_dtype(kind, dtype))
    if numbers.size == min(size, tracer.MAX_VALUES):
        return Partial(tuple(shape), numbers)
    return Unknown("array")


def kind_dtype(kind, text):
    """The dtype the values are shown in: the student's own when it is a plain numeric one (an int array
    stays an int array in the feedback)."""
    try:
        dtype = np.dtype(text)
    except TypeError:
        return float
    return dtype if dtype.kind in "biuf" and dtype.itemsize <= 8 else float


def reference_records(function, args, filename):
    """The records of the reference's own function on a case, traced in this process."""
    import copy

    _, _, raw = tracer.traced(function, copy.deepcopy(args), {filename})
    return checked_records(raw)


def summarized(value):
    """A value as a trace would hold it (so that it compares like one)."""
    return value_of(tracer.summarize(value))
