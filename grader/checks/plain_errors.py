"""Errors said in the student's terms: no numpy gufunc signature, no name of the grader's own machinery.

A composite function that calls a helper with arguments the helper cannot take is told which call it was
(its line), with which shapes, and what the helper expects.
"""
import re

MATMUL = re.compile(r"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                    r"\S+ \(size (\d+) is different from (\d+)\)")
REFUSED = "HelperRefused"  # the worker's exception for a helper call the grader would not answer


def plain_message(message):
    """numpy's message with its gufunc signature put in words."""
    return MATMUL.sub(lambda found: f"matrix product: the left factor has {found.group(2)} columns but the right "
                                    f"one has {found.group(1)} rows (they must be equal)", message)


def error_type(error):
    return "an error" if error.get("type") == REFUSED else error.get("type", "an error")


def shapes_of(value, depth=0):
    """The shapes of an argument, as feedback shows them: (3, 2), or (…) for a tuple of arrays."""
    if hasattr(value, "shape"):
        return str(tuple(value.shape))
    if isinstance(value, (tuple, list)) and depth < 3:
        return "(" + ", ".join(shapes_of(item, depth + 1) for item in value) + ")"
    if isinstance(value, dict) and depth < 3:
        return "{" + ", ".join(f"{key}: {shapes_of(item, depth + 1)}" for key, item in list(value.items())[:8]) + "}"
    return repr(value)[:40]


def expected_inputs(function):
    """What a reference function's docstring says each input is (`dZ: ..., shape (n, m)`), shortened to shapes."""
    lines = (getattr(function, "__doc__", "") or "").splitlines()
    wanted = []
    for line in lines:
        if line.strip().startswith("Returns"):
            break
        found = re.match(r"\s*- (\w+): (.*)$", line)
        if found:
            text = found.group(2)
            at = text.find("shape")
            wanted.append(f"{found.group(1)} with {text[at:]}" if at >= 0 else f"{found.group(1)}: {text[:60]}")
    return "; ".join(wanted)


def refused_call(helper, params, args, error, reference):
    """Why a helper call cannot be answered, as the student's exception message carries it."""
    expects = expected_inputs(getattr(reference, helper, None))
    given = ", ".join(f"{name} {shapes_of(arg)}" for name, arg in zip(params, args))
    return (f"{helper} was called with {given} and cannot take them "
            f"({plain_message(str(error))[:160]}); it expects {expects}")[:480]


def helper_call_headline(name, error):
    """For an error raised by a helper call the grader refused: which helper, called from where."""
    found = re.match(r"(\w+) (was called|is provided)", error.get("message", ""))
    helper = found.group(1) if found else "a helper"
    if found and found.group(2) == "is provided":
        return f"`{name}` calls `{helper}`, which it has to do without here"
    return f"`{name}` calls `{helper}` with arguments it cannot take"
