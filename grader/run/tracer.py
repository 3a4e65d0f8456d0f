"""What each line of a function assigns, recorded while it runs: the raw material of the line at fault.

The worker imports this file as a top-level module (it runs as `python -I -S` and imports nothing of the
grader package); the grader imports it too, to trace the reference solution in its own process on the same
case. Only stdlib here, and numpy once a traced value is an array (the traced code has imported it).

A record is plain data: (order, frame, file, function, line, name, value), where line is the line that made the
change, frame numbers each call of a traced function (0 is the outermost), and value is a bounded summary
(summarize). Everything is bounded: records, values per array, items per container, text lengths.
"""
import sys

MAX_RECORDS = 400
MAX_VALUES = 64  # entries of an array kept in a summary
MAX_ITEMS = 16  # items of a tuple, list or dict kept in a summary
MAX_TEXT = 80
MAX_DEPTH = 3


def summarize(value, depth=0):
    """A JSON-able description of a value: kind, shape, dtype and a bounded part of its entries."""
    kind = type(value)
    if kind in (bool, int, float):
        number = float(value)
        return {"kind": "number", "type": kind.__name__, "values": [number if number == number else None]}
    if kind is str:
        return {"kind": "str", "text": value[:MAX_TEXT]}
    if value is None:
        return {"kind": "none"}
    module = getattr(kind, "__module__", "") or ""
    if module == "numpy" and hasattr(value, "shape") and hasattr(value, "dtype"):
        return _array_summary(value)
    if depth < MAX_DEPTH and kind in (tuple, list):
        return {"kind": kind.__name__, "length": len(value),
                "items": [summarize(item, depth + 1) for item in value[:MAX_ITEMS]]}
    if depth < MAX_DEPTH and kind is dict:
        items = [[key[:MAX_TEXT], summarize(item, depth + 1)] for key, item in list(value.items())[:MAX_ITEMS]
                 if type(key) is str]
        return {"kind": "dict", "length": len(value), "items": items}
    return {"kind": "other", "type": kind.__name__[:MAX_TEXT]}


def _array_summary(array):
    import numpy as np

    array = np.asarray(array)
    summary = {"kind": "array", "shape": list(array.shape), "dtype": array.dtype.str[:16]}
    if array.dtype.kind in "biuf":
        flat = array.reshape(-1)[:MAX_VALUES].astype(float)
        summary["values"] = [float(x) if x == x and abs(x) != float("inf") else _special(x) for x in flat]
        summary["size"] = int(array.size)
    return summary


def _special(x):
    return None if x != x else ("inf" if x > 0 else "-inf")


def _state(value, depth=0):
    """What a later change to a value would alter: its identity, and the contents of small arrays and
    containers (an in-place `dA[Z <= 0] = 0` or `grads["dW1"] = dW` changes no identity)."""
    kind = type(value)
    if kind in (dict, list) and depth < 2:
        items = value.items() if kind is dict else enumerate(value)
        return id(value), tuple((key, _state(item, depth + 1)) for key, item in list(items)[:MAX_ITEMS])
    if hasattr(value, "tobytes") and getattr(value, "size", 1 << 20) <= 4096:
        return id(value), value.tobytes()
    return id(value)


class Recorder:
    """A sys.settrace hook that records, line by line, the locals of traced functions that changed."""

    def __init__(self, filenames, only=None):
        self.filenames = frozenset(filenames)
        self.only = only  # a code object: trace it and the student's functions it calls, nothing above
        self.records = []
        self.frames = 0
        self.full = False

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if event != "call" or self.full or code.co_filename not in self.filenames:
            return None
        if self.only is not None and code is not self.only and not self.frames:
            return None
        number, line, seen = self.frames, [frame.f_lineno], {}
        self.frames += 1

        def local(frame, event, arg):
            if event in ("line", "return"):
                self._changes(number, code, line[0], frame.f_locals, seen)
                line[0] = frame.f_lineno
                if event == "return":
                    self._add(number, code, line[0], "<return>", arg)
            return local

        arguments = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        for name, value in frame.f_locals.items():
            seen[name] = _state(value)
            if number and name in arguments:  # what a function of the student's own was given
                self._add(number, code, code.co_firstlineno, name, value)
        return local

    def _changes(self, number, code, line, names, seen):
        for name, value in list(names.items()):
            state = _state(value)
            if seen.get(name, seen) != state:
                seen[name] = state
                self._add(number, code, line, name, value)

    def _add(self, number, code, line, name, value):
        if len(self.records) >= MAX_RECORDS:
            self.full = True
            return
        try:
            summary = summarize(value)
        except Exception:  # a value whose attributes misbehave: it is still some value
            summary = {"kind": "other", "type": "value"}
        self.records.append([len(self.records), number, code.co_filename[:MAX_TEXT], code.co_name[:MAX_TEXT], line,
                             name[:MAX_TEXT], summary])


def traced(function, args, filenames):
    """Calls function(*args) under a Recorder: (value, error or None, records)."""
    recorder = Recorder(filenames, getattr(function, "__code__", None))
    previous = sys.gettrace()
    sys.settrace(recorder)
    try:
        value, error = function(*args), None
    except BaseException as raised:  # noqa: B036 - the student's exception is what the trace explains
        value, error = None, raised
    finally:
        sys.settrace(previous)
    return value, error, recorder.records
