"""The line at fault: the student's trace and the reference's, on the same case, walked side by side.

A value the student's line assigns is *right* when it equals a value of the reference's path: the reference's
value of the same name where the name follows the assignment's conventions (m, dZ, dW, ...), otherwise any
value the reference computes or was given. A conventional name whose value matches none of the reference's is
*wrong*, as is a wrong returned value; any other value is *unknown* (an intermediate of the student's own).
From the first wrong value, the walk follows the names its line reads back to a line whose inputs are all
right: that line is at fault. A line that calls a function of the student's own that returned something
unknown leads into that function. Where no wrong value shows, no line is singled out.
"""
import ast
from dataclasses import dataclass

import numpy as np

from ..run import tracer
from ..run.traced_lines import Partial, Record, Unknown
from ..checks.values import close

CONVENTIONAL = frozenset((
    "m", "dZ", "s", "dW", "db", "dA_prev", "A_prev", "W", "b", "cache", "linear_cache", "activation_cache",
    "AL", "dAL", "current_cache", "grads", "L", "Z", "dA", "cost", "parameters", "activation", "<return>",
))
RETURN = "<return>"
RAISED = "<raised>"  # where the walk starts from the line that raised
COUNTS = ("m", "L")  # sizes: equal to some other number on the path by chance, never right by it


@dataclass(frozen=True)
class Fault:
    file: str
    line: int
    function: str  # the function the line is in
    name: str  # what the line assigns (RETURN for a return)
    got: object
    expected: object  # the reference's value of that name there; None when it has no counterpart
    status: str  # "wrong" (contradicts the reference's value of the name), "unknown", "order" (a loop visits
    # the wrong values or in the wrong order: got and expected are the visits), or "mutated" (an argument)
    called_from: int = 0  # in a helper of the student's: the line of the graded function that called it


def find_fault(student, reference, args, sources, recompute=lambda name, args: None, raised_at=None, mutated=()):
    """The Fault of a student's trace against the reference's on the same case (args), or None.

    sources (Statements) holds the student's files, the statements are read from it; recompute(name, args) is
    what the reference's function of that name returns on those arguments (None: it has none). raised_at,
    (file, line) of the line that raised, is where the walk starts when the call raised: the fault is then a
    line before it, or None. mutated names the arguments the call changed in place."""
    facts = _Facts(reference, args, student)
    top = [r for r in student if r.frame == 0]
    if mutated:  # the first line that writes into an argument
        written = next((r for r in top if r.name in mutated), None)
        if written is not None:
            return Fault(written.file, written.line, written.function, written.name, written.value, None, "mutated")
    if raised_at is not None:
        file, line = raised_at
        start = Record(tracer.MAX_RECORDS + 1, 0, file, "", line, RAISED, None)
        top.append(start)
    else:
        start = next((r for r in top if facts.status(r) == "wrong"), None)
    if start is None:
        return None
    fault = _walk(start, top, facts, sources)
    if fault is None or fault[0] is start and raised_at is not None:
        return None
    record, status = fault
    if record.name == RETURN:  # what it returns is made of right values: a loop may have stopped early
        record, status = _loop_cut_short(top, facts, sources, record) or (record, status)
    helper = _helper_fault(record, student, facts, sources, recompute)
    if helper is not None:
        inner, inner_status = helper
        return Fault(inner.file, inner.line, inner.function, inner.name, inner.value, None, inner_status,
                     called_from=record.line)
    masked = _mask_that_changed_nothing(record, facts, sources, args) if status == "wrong" else None
    if masked is not None:
        return Fault(record.file, masked, record.function, record.name, record.value,
                     facts.counterpart(record, top), status)
    if status == "order":  # the loop's visits, against the reference's
        visits = tuple(r.value for r in top if r.name == record.name)
        return Fault(record.file, record.line, record.function, record.name, visits,
                     tuple(facts.by_name[record.name]), status)
    return Fault(record.file, record.line, record.function, record.name, record.value,
                 facts.counterpart(record, top), status)


class _Facts:
    """The reference's side: its values by name, and every value on its path."""

    def __init__(self, reference, args, student=()):
        self.last = {(record.frame, record.name): record.order for record in student}
        self.occurrence, seen = {}, {}
        for record in student:
            self.occurrence[record.order] = seen.get((record.frame, record.name), 0)
            seen[(record.frame, record.name)] = self.occurrence[record.order] + 1
        self.by_name = {}
        for record in reference:
            if record.frame == 0:
                self.by_name.setdefault(record.name, []).append(record.value)
        self.anywhere = [record.value for record in reference] + list(leaves(args))

    def status(self, record):
        if record.name in self.by_name and not isinstance(record.value, str) and any(
                same(record.value, v) for v in self.by_name[record.name]):
            return "right"  # what the reference's own line of that name computes (Y = Y.reshape(AL.shape))
        if record.name in CONVENTIONAL and record.name in self.by_name:
            if isinstance(record.value, str):  # a choice ("relu", "sigmoid"): right at its own iteration only
                values = self.by_name[record.name]
                return "right" if record.value == values[min(self.occurrence[record.order], len(values) - 1)] \
                    else "wrong"
            if any(same(record.value, v) for v in self.by_name[record.name]):
                return "right"
            # a step on the way (dZ = np.array(dA, copy=True) before dZ[Z <= 0] = 0) is not yet wrong; a
            # name's last value is judged by the reference's value of that name alone
            later = record.order < self.last.get((record.frame, record.name), record.order)
            on_path = later and any(same(record.value, v) for v in self.anywhere)
            return "right" if record.name not in COUNTS and on_path else "wrong"
        if record.frame == 0 and record.name in (RETURN, RAISED):
            return "wrong"  # a graded function's return has its counterpart, unless it returned nothing
        return "right" if self.on_path(record.value) else "unknown"

    def on_path(self, value):
        if _uninformative(value):  # all zeros or all ones: equal to some label array or mask by chance
            return False
        if isinstance(value, dict):
            return bool(value) and all(self.on_path(item) for item in value.values())
        if isinstance(value, tuple) and not any(same(value, v) for v in self.anywhere):
            return bool(value) and all(self.on_path(item) for item in value)
        return any(same(value, v) for v in self.anywhere)

    def counterpart(self, record, records):
        """The reference's value of the record's name at the same occurrence (the same loop iteration)."""
        values = self.by_name.get(record.name)
        if not values or record.name not in CONVENTIONAL:
            return None
        occurrence = sum(1 for r in records if r.name == record.name and r.order < record.order)
        return values[min(occurrence, len(values) - 1)]


def _uninformative(value):
    if not isinstance(value, np.ndarray) or value.size < 1:
        return False
    return bool(np.all(value == 0) or np.all(value == 1))


def leaves(value, depth=0):
    if depth > 4:
        return
    yield value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (tuple, list)) else ()
    for item in items:
        yield from leaves(item, depth + 1)


def same(a, b):
    """Equal values: arrays up to float noise, containers item by item, partial arrays by what came back."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if isinstance(a, Partial) or isinstance(b, Partial):
        return (isinstance(a, Partial) and isinstance(b, Partial) and a.shape == b.shape
                and close(a.first, b.first))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(
            same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(map(same, a, b)))
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    try:
        return np.shape(a) == np.shape(b) and bool(np.isfinite(np.asarray(a, dtype=float)).all()) and close(a, b)
    except (TypeError, ValueError):
        return False


def _walk(start, records, facts, sources):
    """From a wrong record back along what its line reads, to the line whose inputs are right."""
    current, status = start, facts.status(start)
    for _ in range(len(records)):
        statement = sources.at(current.file, current.line)
        if statement is None:
            return current, status
        loop = _loop_out_of_order(statement, current, records, facts, sources)
        if loop is not None:
            return loop, "order"
        earlier = None
        for name in _reads(statement):
            before = [r for r in records if r.name == name and r.order < current.order]
            # a loop variable counts in its own way (range(L) or range(1, L + 1)): only its order is judged
            if before and _read_status(before[-1], current, records, facts, sources) != "right" and not _is_loop(
                    before[-1], sources):
                if earlier is None or facts.status(before[-1]) == "wrong" and facts.status(earlier) != "wrong":
                    earlier = before[-1]
        if earlier is None:
            return current, status
        current, status = earlier, facts.status(earlier)
    return None


def _read_status(read, current, records, facts, sources):
    """The status of a value where a line reads it. A choice ("relu", "sigmoid") assigned once may be read in
    every iteration of a loop: it is judged against the reference's choice of the iteration reading it."""
    values = facts.by_name.get(read.name)
    if isinstance(read.value, str) and values and read.name in CONVENTIONAL:
        iteration = max(0, sum(1 for r in records if r.order < current.order and _is_loop(r, sources)) - 1)
        return "right" if read.value == values[min(iteration, len(values) - 1)] else "wrong"
    return facts.status(read)


def _is_loop(record, sources):
    return isinstance(sources.at(record.file, record.line), ast.For)


def _loop_out_of_order(statement, current, records, facts, sources):
    """The `for` line whose variable the line reads, when it visits the reference's values in another order
    (L_model_backward's layers run forward): the iterations are right one by one, their order is not."""
    for name in _reads(statement):
        visits = [r for r in records if r.name == name]
        if not visits or not _is_loop(visits[0], sources):
            continue
        seen = [r.value for r in visits]
        wanted = facts.by_name.get(name, [])
        # all of them in another order, or (when a later iteration raised) only some of them, in another order
        if (len(wanted) > 1 and all(isinstance(v, float) for v in seen + wanted) and len(seen) <= len(wanted)
                and set(seen) <= set(wanted) and seen != wanted[:len(seen)]):
            return visits[0]
    return None


def _mask_that_changed_nothing(record, facts, sources, args):
    """A copy of an input, wrong as it stands, that a later `name[...] = ...` of the function was to fix but
    left as it was on this case (dZ = np.array(dA, copy=True); dZ[Z > 0] = 0 where no Z is positive): that
    later line's number, or None."""
    if not any(same(record.value, arg) for arg in leaves(args)):
        return None
    function = sources.function_at(record.file, record.line)
    writes = sorted(node.lineno for node in ast.walk(function) if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == record.name
        for t in node.targets) and node.lineno > record.line) if function is not None else []
    return writes[0] if writes else None


def _loop_cut_short(records, facts, sources, returned):
    """The `for` line of a loop that visits fewer values than the reference's loop of the same variable (the
    last layer left out), or never runs: (a record of its variable, "order"), or None."""
    for statement in sources.loops(returned.file, returned.line):
        name = statement.target.id
        seen = [r for r in records if r.name == name]
        wanted = facts.by_name.get(name, [])
        values = [r.value for r in seen]
        if (len(values) < len(wanted) and all(isinstance(v, float) for v in values + wanted)
                and set(values) < set(wanted)):
            first = seen[0] if seen else Record(-1, 0, returned.file, returned.function, statement.lineno, name, None)
            return first, "order"
    return None


def _helper_fault(record, student, facts, sources, recompute):
    """When the line at fault calls a function of the student's own (their sigmoid) that returns something else
    than the reference's function of that name on the same arguments, the line at fault inside it."""
    statement = sources.at(record.file, record.line)
    if statement is None:
        return None
    called = {node.func.id for node in ast.walk(statement) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name)}
    earlier = [r for r in student if r.frame == 0 and r.order < record.order]
    since = earlier[-1].order if earlier else -1
    for frame in sorted({r.frame for r in student if r.frame > 0 and since < r.order < record.order}):
        inner = [r for r in student if r.frame == frame]
        returned = next((r for r in inner if r.name == RETURN), None)
        if inner[0].function not in called or returned is None:
            continue
        given = tuple(r.value for r in inner if r.line == inner[0].line and r.order < returned.order
                      and r.name != RETURN)
        correct = recompute(inner[0].function, given)
        if correct is None or same(returned.value, correct):
            continue
        found = _walk(returned, inner, _Inner(facts), sources)
        if found is not None:
            return found
    return None


class _Inner:
    """Inside a helper of the student's own there is no reference counterpart: values are on the path or not."""

    def __init__(self, facts):
        self.facts = facts
        self.by_name = {}

    def status(self, record):
        if record.name == RETURN:
            return "wrong"
        return "right" if self.facts.on_path(record.value) else "unknown"


class Statements:
    """The statements of the student's files. Only the top-level function holding a line is parsed (a
    notebook may be long), once, and indexed by line."""

    def __init__(self, sources):
        self.sources = sources  # file label -> source text
        self._lines = {}
        self._parsed = {}

    def at(self, file, line):
        """The innermost statement that starts on the line (a compound statement's header stands for itself)."""
        return self._index(file, line)[0].get(line)

    def function_at(self, file, line):
        """The innermost function whose lines hold the line, or None."""
        holding = [f for f in self._index(file, line)[1] if f.lineno <= line <= f.end_lineno]
        return max(holding, key=lambda f: f.lineno, default=None)

    def loops(self, file, line):
        """The `for` statements over one name in the function that holds the line."""
        function = self.function_at(file, line)
        return [loop for loop in ast.walk(function) if isinstance(loop, ast.For)
                and isinstance(loop.target, ast.Name)] if function is not None else []

    def _index(self, file, line):
        lines = self._lines.setdefault(file, self.sources.get(file, "").splitlines())
        first, last = _top_level_block(lines, line)
        if (file, first) not in self._parsed:
            tree = _parsed("\n" * (first - 1) + "\n".join(lines[first - 1:last]))
            if tree is None:  # the block was cut wrongly (a docstring's unindented line): read the whole file
                tree = _parsed("\n".join(lines)) or ast.Module(body=[], type_ignores=[])
            by_line, functions = {}, []
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.append(node)
                elif isinstance(node, ast.stmt) and not isinstance(node, ast.ClassDef):
                    known = by_line.get(node.lineno)
                    if known is None or node.col_offset > known.col_offset:
                        by_line[node.lineno] = node
            self._parsed[(file, first)] = by_line, functions
        return self._parsed[(file, first)]


def _parsed(source):
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _top_level_block(lines, line):
    """(first, last) line numbers of the top-level statement around a line: from the unindented line at or
    above it (and the decorators above that) down to the line before the next unindented one."""
    first = min(max(line, 1), len(lines) or 1)
    while first > 1 and (not lines[first - 1].strip() or lines[first - 1][:1].isspace()):
        first -= 1
    while first > 1 and lines[first - 2].startswith("@"):
        first -= 1
    last = max(line, first)
    while last < len(lines) and (not lines[last].strip() or lines[last][:1].isspace() or lines[last].startswith(
            (")", "]", "}"))):
        last += 1
    return first, last


def _reads(statement):
    """The names a statement reads, in order (a compound statement: its header only)."""
    parts = {ast.For: lambda s: [s.iter], ast.While: lambda s: [s.test], ast.If: lambda s: [s.test],
             ast.With: lambda s: [item.context_expr for item in s.items]}
    nodes = parts.get(type(statement), lambda s: [s])(statement)
    names = []
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and inner.id not in names:
                names.append(inner.id)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names
