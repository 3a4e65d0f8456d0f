"""Feedback that points at the line at fault: which case to trace, and what the trace changes in a result.

A failing exercise is traced once, on its smallest failing case (grade.py asks the worker after the first
run). The reference is traced here, on the same case. A named mistake then points at the line at fault;
one that line contradicts (a wrong m behind "the 1/m is missing", or a hint the student already follows)
is not named, and the feedback says what is wrong on that line instead.
"""
import ast
import inspect
import re
import types
from dataclasses import replace

import numpy as np

from .fault_line import COUNTS, RETURN, Statements, find_fault, leaves
from .deviation import deviations
from .fault_pointer import pointer_lines, value_text
from ..model import CallRequest, Diagnostic
from .named import named_mistakes
from .present import smallest_case
from ..run.traced_lines import Partial, Unknown, reference_records, summarized
from .unexplained import unknown_mistake



def trace_request(findings, planned_request):
    """The traced call of the exercise's smallest failing case, or None when it passed or never returned."""
    index = traced_case(findings)
    if index is None or not (findings.function or {}).get("student"):
        return None
    request = planned_request(findings.exercise.name, index)
    return CallRequest(request.exercise, request.case_index, request.args, request.substitute, request.answers,
                       None, trace=True)


class ReferenceTraces:
    """The reference's trace of each case: the same for every student, so a class traces each case once
    (grade.Prepared.traces). What it holds is shared, and only ever read."""

    def __init__(self, reference):
        self.reference = reference
        self._traced = {}

    @property
    def available(self):
        """Whether there is a reference to trace: the student kit has sealed answers instead."""
        return isinstance(self.reference, types.ModuleType)

    def of(self, exercise, case):
        key = (exercise.name, case.label)
        if key not in self._traced:
            function = getattr(self.reference, exercise.name)
            filename = inspect.getsourcefile(function) or function.__code__.co_filename
            self._traced[key] = reference_records(function, case.args, filename)
        return self._traced[key]


def with_fault_line(result, findings, traced, traces, submission, outputs=None):
    """The result with the line at fault shown, when the trace of its smallest failing case singles one out;
    traces (ReferenceTraces) knows the reference's side, outputs (named.MistakeOutputs) the known mistakes'."""
    try:
        return _with_fault_line(result, findings, traced, traces, submission, outputs)
    except (ValueError, TypeError, ArithmeticError, RecursionError):  # the trace is the student's data: at worst
        return result  # it singles nothing out, and the feedback is what it was without it


def _with_fault_line(result, findings, traced, traces, submission, outputs):
    reference = traces.reference
    if traced is None or not traced.trace or not traces.available:
        return result
    index = traced_case(findings)
    if index is None:
        return result
    case = findings.cases[index]
    statements = Statements({cell.label: cell.source for cell in submission.cells})
    ours = traces.of(findings.exercise, case)
    if traced.kind == "raised":
        return _before_the_error(result, findings, traced, ours, case, statements, reference)
    failing = [check for check in findings.checks if check.problems]
    if not failing or failing[0].index != index:  # it raised the first time and returned when traced
        return result
    mutated = {p.path for p in failing[0].problems if p.kind == "mutated"}
    fault = find_fault(traced.trace, ours, case.args, statements, _recomputing(reference), mutated=mutated)
    if fault is None:
        note = Diagnostic("no single line can be singled out as the one at fault",
                          ("every value your function computes on the smallest failing case matches a step of a "
                           "correct solution, but they are put together differently",))
        return replace(result, diagnostics=result.diagnostics + (note,))
    where = f"{fault.file}, line {fault.line}"
    pointer = pointer_lines(fault, statements, case.label)
    source = _function_source(findings.function, statements)
    named, original = _not_ruled_out(result, findings, fault, outputs)
    if named:  # the mistakes the line at fault does not rule out are shown at that line
        return replace(result, diagnostics=tuple(_at_line(d, where, pointer, source, fault) for d in named)
                       + tuple(d for d in result.diagnostics if not d.code))
    named = original
    kept = tuple(d for d in result.diagnostics if not d.code and not d.headline.startswith("smallest failing"))
    if named:
        kept = tuple(unknown_mistake(findings, failing)) + kept
    first = _described(fault, findings, index, traces, where, pointer) or Diagnostic(_headline(fault), (), _hint(fault),
                                                                        where=where, pointer=pointer)
    return replace(result, diagnostics=(first,) + kept + (smallest_case(findings, failing[0]),))


def _described(fault, findings, index, traces, where, pointer):
    """The line at fault named by how its value differs from the right one (deviation.py), or None. A
    relation seen on the traced case must hold on every other failing case where the value is an output;
    where it is not, it must be the only relation that holds."""
    if fault.status != "wrong" or fault.expected is None or fault.called_from:
        return None
    case = findings.cases[index]
    if fault.name in COUNTS and isinstance(fault.got, float) and isinstance(fault.expected, float):
        return _wrong_count(fault, case, where, pointer)
    values, inputs = _path_values(traces, findings, case), _inputs(case)
    candidates = deviations(fault.name, fault.got, fault.expected, case.dims, values, inputs, strict=False)
    subject = candidates[0].subject if candidates else ""
    output = _output_path(subject if fault.name == RETURN else subject or fault.name, findings.checks[index])
    if output is None or not any(p.path == output for c in findings.checks if c.index != index
                                 for p in c.problems):
        output = None
        candidates = deviations(fault.name, fault.got, fault.expected, case.dims, values, inputs)
        codes = {d.code for d in candidates}
        candidates = candidates[:1] if len(codes) == 1 and sum(d.code in codes for d in candidates) == 1 else []
    # one case of three numbers, or three cases: a relation that fits fewer numbers may fit by chance
    informative, confirming = output is None or np.size(fault.got) >= 3, 1
    for check in findings.checks:
        problem = next((p for p in check.problems if p.path == output), None) if output else None
        if check.index == index or problem is None or problem.kind not in ("value", "shape", "type"):
            continue
        other = findings.cases[check.index]
        keys = {d.key for d in deviations(subject or fault.name, problem.got, problem.expected, other.dims,
                                          _path_values(traces, findings, other), _inputs(other), strict=False)}
        candidates = [d for d in candidates if d.key in keys]
        informative, confirming = informative or np.size(problem.got) >= 3, confirming + 1
    if not candidates or not (informative or confirming >= 3):
        return None
    found = candidates[0]
    subject = f"`{found.subject}`" if found.subject else "what it returns" if fault.name == RETURN \
        else f"`{fault.name}`"
    return Diagnostic(f"{subject} on line {fault.line} {found.says}", (), found.hint, code=found.code,
                      where=where, pointer=pointer)


def _wrong_count(fault, case, where, pointer):
    """m or L that counts something else, named by what it counts when a size of the case says."""
    what = {"m": "the number of examples", "L": "the number of layers"}[fault.name]
    units = fault.name == "m" and any(name.startswith("n") and size == fault.got and size != fault.expected
                                      for name, size in case.dims.items())
    got = value_text(fault.got)
    instead = f"it counts the units ({got})" if units else f"it is {got}"
    return Diagnostic(f"`{fault.name}` on line {fault.line} is not {what}: {instead}; it should be "
                      f"{value_text(fault.expected)}", (), _hint(fault), code="G08", where=where, pointer=pointer)


def _path_values(traces, findings, case):
    values = {}
    for record in traces.of(findings.exercise, case):
        if record.frame == 0:
            values.setdefault(record.name, []).append(record.value)
    names = findings.exercise.params
    for name, arg in zip(names, case.args):
        values.setdefault(name, []).append(arg)
        if isinstance(arg, tuple):  # a cache: (A_prev, W, b), or ((A_prev, W, b), Z)
            for item in leaves(arg):
                if isinstance(item, np.ndarray):
                    values.setdefault(f"{name} entry", []).append(item)
    return values


def _inputs(case):
    return [leaf for leaf in leaves(case.args) if isinstance(leaf, np.ndarray)
            or isinstance(leaf, float) and not isinstance(leaf, bool)]


def _output_path(subject, check):
    """The output whose wrong value the subject is (`dW`, `params['W1']` for parameters.W1), or None."""
    last = re.sub(r"^.*\[['\"]?([^'\"\]]+)['\"]?\]$", r"\1", subject) if subject else ""
    wrong = [p.path for p in check.problems]
    matches = [path for path in wrong if path == last or path.endswith("." + last)]
    if not matches and not subject and len(wrong) == 1:
        return wrong[0]
    return matches[0] if len(matches) == 1 else None


def _not_ruled_out(result, findings, fault, outputs):
    """The named mistakes the line at fault leaves standing: when it rules some out, the others are looked for
    again without them (a wrong m once ruled out, LB03 and LB04 together may explain the outputs)."""
    original = named = [d for d in result.diagnostics if d.code]
    ruled_out = set()
    while named:
        by_id = {m.id: m for m in findings.exercise.mistakes}
        newly = {d.code for d in named if d.code not in by_id or _contradicted(by_id[d.code], fault)}
        if not newly:
            return named, original
        ruled_out |= newly
        exercise = replace(findings.exercise, mistakes=tuple(m for m in findings.exercise.mistakes
                                                             if m.id not in ruled_out))
        findings = replace(findings, exercise=exercise)
        named = named_mistakes(findings, outputs) if outputs is not None else []
    return [], original


def traced_case(findings):
    """The case trace_request traces: the smallest that returned a wrong value or raised (None: no such case)."""
    failing = [check.index for check in findings.checks if check.problems]
    failing += [index for index, outcome in enumerate(findings.outcomes) if outcome.kind == "raised"
                and (outcome.error or {}).get("type") != "NotImplementedError"]
    return min(failing, default=None)


def _before_the_error(result, findings, traced, ours, case, statements, reference):
    """A call that raised: the line before the one that raised whose value left the reference's path."""
    error = traced.error or {}
    if not error.get("where") or error.get("line") is None:
        return result
    fault = find_fault(traced.trace, ours, case.args, statements, _recomputing(reference),
                       raised_at=(error["where"], error["line"]))
    if fault is None:
        return result
    where = f"{fault.file}, line {fault.line}"
    pointer = pointer_lines(fault, statements, case.label)
    if result.mistakes:
        source = _function_source(findings.function, statements)
        return replace(result, diagnostics=tuple(_at_line(d, where, pointer, source, fault) if d.code else d
                                                 for d in result.diagnostics))
    cause = Diagnostic(f"what breaks line {error['line']} comes from line {fault.line}", (), _hint(fault),
                       where=where, pointer=pointer)
    return replace(result, diagnostics=result.diagnostics[:1] + (cause,) + result.diagnostics[1:])


def _at_line(diagnostic, where, pointer, source, fault):
    """A named mistake shown at the line at fault; a hint the student's code already follows is replaced."""
    hint = diagnostic.hint
    if already_written(hint, source):
        hint = f"your code already has `{hint}`: the mistake is on line {fault.line}, shown above"
    return replace(diagnostic, where=where, pointer=pointer, hint=hint)


def _recomputing(reference):
    """What the reference's function of a name returns on arguments rebuilt from a trace, or None."""
    import numpy as np

    def recompute(name, args):
        function = getattr(reference, name, None)
        if not callable(function) or any(isinstance(arg, (Partial, Unknown)) for arg in args):
            return None
        try:
            with np.errstate(all="ignore"):
                return summarized(function(*args))
        except Exception:  # arguments the reference's function cannot take: nothing to compare with
            return None

    return recompute


def _contradicted(mistake, fault):
    """Whether the line at fault rules the mistake out: a wrong size (m, L) the mistake is not about, or a
    mistake about a size when the line at fault is another."""
    if fault.status == "wrong" and fault.name in COUNTS:
        return fault.name not in mistake.at
    if fault.status == "unknown" and _a_count(fault.got):
        return False  # a size under a name of the student's own (n_examples) may well be their m or L
    return bool(mistake.at) and fault.name not in mistake.at


def _a_count(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 and float(value).is_integer()


def already_written(hint, source):
    """Whether every statement a hint tells the student to write is a line of their code already."""
    code = [_squeezed(part) for part in re.split(r";", re.split(r"\s{2,}\(|\s\(no |\s{3,}", hint)[0])]
    code = [part for part in code if "=" in part and "==" not in part]
    lines = {_squeezed(line) for line in source.splitlines()}
    return bool(code) and all(part in lines for part in code)


def _squeezed(text):
    return re.sub(r"\s+", "", text).replace("'", '"')


def _function_source(function, statements):
    """The code of the student's function: its lines without the docstring and comments (a docstring that
    states the formula is not code the student wrote)."""
    node = statements.function_at(function.get("where", ""), function.get("line", 0)) if function else None
    if node is None:
        return ""
    body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) \
        else node.body
    lines = statements.sources.get(function["where"], "").splitlines()
    return "\n".join(line.split("#")[0] for line in lines[body[0].lineno - 1:node.end_lineno]) if body else ""


def _headline(fault):
    if fault.status == "mutated":
        return f"line {fault.line} changes the argument `{fault.name}` in place"
    if fault.status == "order":
        return f"the loop on line {fault.line} visits the wrong layers, or in the wrong order"
    if fault.called_from:
        return f"your `{fault.function}` (called on line {fault.called_from}) computes a wrong value"
    if fault.name == RETURN:
        return f"line {fault.line} returns a wrong value"
    if fault.status == "wrong":
        return f"`{fault.name}` gets a wrong value on line {fault.line}"
    return f"line {fault.line} computes `{fault.name}`, a value no correct solution has"


def _hint(fault):
    if fault.name == "m":
        return "m is the number of examples: the columns of the inputs (A_prev.shape[1], Y.shape[1])"
    if fault.name == "L":
        return "L is the number of layers: len(parameters) // 2 (W and b per layer), or len(caches)"
    if fault.called_from:
        return f"fix `{fault.function}` first: every function that calls it inherits the wrong value"
    return "this is the first line whose value leaves a correct solution's path: fix it, the rest follows from it"
