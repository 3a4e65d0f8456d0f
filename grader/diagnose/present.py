"""Small, exact renderings of arrays, shapes and inputs for feedback a student can redo by hand."""
import numpy as np

from ..model import Diagnostic

MAX_INLINE = 24
MAX_GRID = 10


def array_text(value):
    """An array on one line when small, otherwise its shape and a few statistics."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(array_text(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {array_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, str):
        return repr(value)
    try:
        array = np.asarray(value)
    except Exception:
        return repr(value)[:80]
    if array.dtype.kind not in "biufc":
        return repr(value)[:80]
    if array.size <= MAX_INLINE:
        text = np.array2string(array, precision=4, suppress_small=True, separator=", ", max_line_width=10_000)
        return " ".join(text.split())
    return f"<array {array.shape}, min {array.min():.4g}, max {array.max():.4g}>"


MAX_ARGUMENT_TEXT = 160


def inputs_text(params, args):
    """The inputs of a case; an argument too long to read is shown by its shapes instead."""
    parts = []
    for name, arg in zip(params, args):
        text = array_text(arg)
        parts.append(f"{name} = {text if len(text) <= MAX_ARGUMENT_TEXT else shapes_text(arg)}")
    return "inputs: " + "; ".join(parts)


def shapes_text(value):
    if isinstance(value, (tuple, list)):
        return ("(" if isinstance(value, tuple) else "[") + ", ".join(shapes_text(v) for v in value) + (
            ")" if isinstance(value, tuple) else "]")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {shapes_text(item)}" for key, item in value.items()) + "}"
    return f"<{np.shape(value)}>" if hasattr(value, "shape") else repr(value)[:40]


def describe_shape(shape, dims, meanings):
    """What each axis of a shape counts: '(1, 5): 1 x example' style, from the case's sizes."""
    if shape == ():
        return "a scalar"
    by_size = {}
    for key, size in dims.items():
        if key in meanings:
            by_size.setdefault(size, []).append(meanings[key])
    parts = []
    for size in shape:
        if size == 1:
            parts.append("1")
        elif size in by_size and len(by_size[size]) == 1:
            parts.append(f"one per {by_size[size][0]}")
        else:
            parts.append(str(size))
    return ", ".join(parts)


def wrong_entries_grid(wrong):
    """Lines of a picture of which entries are wrong (x) and right (.), for arrays up to 10 x 10."""
    if wrong.ndim != 2 or max(wrong.shape) > MAX_GRID:
        return ()
    return ("wrong entries (x), right ones (.):",) + tuple(
        "  " + " ".join("x" if cell else "." for cell in row) for row in wrong)


def sizes(dims):
    return ", ".join(f"{key}={value}" for key, value in dims.items())


def function_location(function):
    return f"{function['where']}, line {function['line']}" if function and function.get("where") else ""


def smallest_case(findings, check):
    case = findings.cases[check.index]
    problem = check.problems[0]
    evidence = (inputs_text(findings.exercise.params, case.args),)
    if problem.kind in ("value", "shape", "nonfinite", "gradient"):
        evidence += (f"expected {problem.path or 'result'} = {array_text(problem.expected)}",
                     f"yours    {problem.path or 'result'} = {array_text(problem.got)}")
    return Diagnostic(f"smallest failing case: {case.label} ({sizes(case.dims)})", evidence)
