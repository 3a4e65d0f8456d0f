"""The line at fault shown as a compiler shows an error: the line as the student wrote it, numbered, and a
caret line under the spot saying what the value is there and what it should be."""
import ast

import numpy as np

from .fault_line import RETURN
from .present import array_text
from ..run.traced_lines import Partial, Unknown


def _spot(statement, written=False):
    """The part of the line to underline: what an assignment assigns (what it writes into, for an argument
    changed in place), what a return returns, what a loop runs over."""
    node = {ast.Assign: "value", ast.AugAssign: "value", ast.AnnAssign: "value", ast.Return: "value",
            ast.For: "iter"}.get(type(statement))
    if written and isinstance(statement, (ast.Assign, ast.AugAssign)):
        node = "targets" if isinstance(statement, ast.Assign) else "target"
    part = getattr(statement, node, None) if node else None
    part = part[0] if isinstance(part, list) else part
    part = part or statement
    if part.lineno != part.end_lineno or part.lineno != statement.lineno:
        return statement.col_offset, None
    return part.col_offset, part.end_col_offset


def pointer_lines(fault, statements, case_label=""):
    """The line as the student wrote it, numbered, and a caret line under the spot saying what is wrong (on
    case_label: the values are that case's). statements: fault_line.Statements of the student's files."""
    lines = statements.sources.get(fault.file, "").splitlines()
    if not 0 < fault.line <= len(lines):
        return ()
    text = lines[fault.line - 1]
    statement = statements.at(fault.file, fault.line)
    start, end = _spot(statement, fault.status == "mutated") if statement is not None else (len(text) - len(text.lstrip()), None)
    end = len(text.rstrip()) if end is None else end
    number = str(fault.line)
    gutter = " " * len(number)
    caret = " " * start + "^" * max(1, end - start)
    on = f"on {case_label}, " if case_label else ""
    return (f"{number} | {text}", f"{gutter} | {caret} {on}{what_is_wrong(fault)}")


def what_is_wrong(fault):
    if fault.status == "order" and not fault.got:
        return f"this loop never runs here; {fault.name} should go {_visits(fault.expected)}"
    if fault.status == "order":
        return (f"{fault.name} goes {_visits(fault.got)}; it should go {_visits(fault.expected)}"
                + (" (the last layer first)" if fault.expected[0] > fault.expected[-1] else ""))
    if fault.status == "mutated":
        return f"this writes into {fault.name}, which belongs to the caller: work on a copy"
    name = "this returns" if fault.name == RETURN else f"{fault.name} is"
    got = value_text(fault.got)
    if fault.expected is not None and fault.status == "wrong":
        return f"{name} {got}; it should be {value_text(fault.expected)}"
    return f"{name} {got}: its inputs are right, but no step of a correct solution gives this value"


def _visits(values):
    return ", ".join(value_text(value) for value in values[:6]) + (", ..." if len(values) > 6 else "")


def value_text(value):
    if isinstance(value, Partial):
        return f"an array of shape {value.shape}"
    if isinstance(value, Unknown):
        return f"a {value.text}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(value_text(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {value_text(item)}" for key, item in value.items()) + "}"
    text = array_text(value)
    return text if len(text) <= 120 else f"an array of shape {np.shape(value)}"
