"""Stage 4, diagnose: turn what check observed into a verdict and feedback that names the mistake.

A known mistake is recognised by what it computes (named.py). When none matches, the feedback still says
what is wrong (unexplained.py); it always shows the smallest failing case.
"""
import difflib
import re
from dataclasses import replace

import numpy as np

from ..checks.values import is_number_array
from ..model import Diagnostic, ExerciseResult
from .named import named_mistakes, raising_mistakes, smallest_raising_case
from ..checks.plain_errors import REFUSED, error_type, helper_call_headline, plain_message
from .present import function_location, sizes, smallest_case
from .unexplained import unknown_mistake

NUMPY_ATTRIBUTE = re.compile(r"module 'numpy' has no attribute '(\w{1,60})'")


def diagnose(findings, mistakes):
    """The exercise's result; mistakes (named.MistakeOutputs) knows what each known mistake computes."""
    exercise, function = findings.exercise, findings.function
    weight = exercise.weight
    early = _presence(exercise, function) or _outcomes(findings)
    if early:
        status, diagnostics = early
        explained = raising_mistakes(findings, mistakes) if status == "error" and function.get("callable") else None
        if explained:
            return ExerciseResult(exercise.name, "failed", 0, weight, tuple(explained))
        return ExerciseResult(exercise.name, status, 0, weight, tuple(diagnostics))
    failing = [check for check in findings.checks if check.problems]
    notes = tuple(Diagnostic(note) for note in findings.notes)
    if not failing:
        return ExerciseResult(exercise.name, "passed", weight, weight, notes)
    named = named_mistakes(findings, mistakes)
    diagnostics = named or unknown_mistake(findings, failing)
    diagnostics = [d if d.where or not d.code else _at_function(d, function) for d in diagnostics]
    return ExerciseResult(exercise.name, "failed", 0, weight,
                          tuple(diagnostics) + (smallest_case(findings, failing[0]),) + notes,
                          fingerprint="" if named else output_fingerprint(findings.checks))


def output_fingerprint(checks):
    """A short digest of what the student returned on every case, rounded so float noise does not split it."""
    import hashlib  # here: a submission that passes everything never needs it

    digest = hashlib.sha256()
    for check in checks:
        _digest_value(digest, check.got)
    return digest.hexdigest()[:16]


def _digest_value(digest, value):
    if isinstance(value, dict):
        digest.update(b"{")
        for key in sorted(value, key=repr):
            digest.update(repr(key).encode())
            _digest_value(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, (tuple, list)):
        digest.update(b"(%d" % len(value))
        for item in value:
            _digest_value(digest, item)
        digest.update(b")")
    elif is_number_array(value):
        array = np.asarray(value, dtype=complex if np.asarray(value).dtype.kind == "c" else float)
        finite = np.abs(array[np.isfinite(array)])
        scale = max(1.0, float(finite.max())) if finite.size else 1.0
        digest.update(repr(array.shape).encode())
        digest.update((np.round(array / scale, 6) + 0.0).tobytes())  # + 0.0 turns -0.0 into 0.0
    else:
        digest.update(type(value).__name__.encode())


def _presence(exercise, function):
    name = exercise.name
    signature = f"def {name}({', '.join(exercise.params)}):"
    if function is None:
        return "missing", [Diagnostic(f"`{name}` is not defined", (f"expected `{signature}`",),
                                      "define it with exactly that name (names are case-sensitive)")]
    if not function.get("student"):
        origin = function.get("origin") or "somewhere else"
        return "missing", [Diagnostic(f"`{name}` comes from `{origin}`, not from your code",
                                      ("only functions you write earn points",),
                                      f"write your own `{signature}` instead of importing it")]
    if not function.get("callable"):
        return "error", [Diagnostic(f"`{name}` is not a function", hint=f"define `{signature}`")]
    wanted = len(exercise.params)
    required, positional = function.get("required", wanted), function.get("positional", wanted)
    if not (required <= wanted and (positional >= wanted or function.get("varargs"))):
        params = ", ".join(function.get("params") or [])
        return "error", [Diagnostic(f"`{name}` takes ({params}), but it is called with {wanted} arguments",
                                    (f"expected `{signature}`",), "use the signature given in the exercise",
                                    where=function_location(function))]
    return None


def _outcomes(findings):
    outcomes, name = findings.outcomes, findings.exercise.name
    errors = [o.error or {} for o in outcomes if o.kind == "raised"]
    if outcomes and len(errors) == len(outcomes) and all(e.get("type") == "NotImplementedError" for e in errors):
        return "not_attempted", [Diagnostic(f"`{name}` is not attempted yet",
                                            hint="replace the `raise NotImplementedError` line with your code")]
    if outcomes and all(o.kind == "returned" and o.value is None for o in outcomes):
        return "not_attempted", [Diagnostic(f"`{name}` returns None",
                                            hint="the body computes nothing yet, or the `return` line is missing")]
    for kind, status, headline, hint in STOPPED:
        index = next((i for i, o in enumerate(outcomes) if o.kind == kind), None)
        if index is not None:
            case = findings.cases[index]
            evidence = (f"on {case.label} ({sizes(case.dims)})",)
            return status, [Diagnostic(headline.format(name=name), evidence, hint)]
    if errors:
        index = next(i for i, o in enumerate(outcomes) if o.kind == "raised")
        error, case = outcomes[index].error or {}, findings.cases[index]
        where = f"{error['where']}, line {error['line']}: {error.get('code', '').strip()}" if error.get("where") else ""
        message = plain_message(error.get("message", ""))
        if error.get("type") == REFUSED:
            headline, evidence = helper_call_headline(name, error), (message, f"on {case.label} ({sizes(case.dims)})")
        else:
            headline, evidence = f"`{name}` raised {error_type(error)}: {message}", (f"on {case.label} ({sizes(case.dims)})",)
        return "error", [Diagnostic(headline, evidence, _exception_hint(error), where=where),
                         smallest_raising_case(findings, index)]
    return None


# How a call can end without a result (model.CallOutcome.kind), and what the feedback says of it.
STOPPED = (
    ("timeout", "timeout", "`{name}` did not finish in time", "look for a loop that never ends or a very slow computation"),
    ("crashed", "error", "`{name}` stopped the process running it",
     "look for sys.exit, os._exit, os.kill or runaway memory use"),
    ("too_large", "error", "`{name}` sent back far more data than its outputs hold",
     "check the shapes of what it returns: an (n, m) array where (n, 1) is expected, or arrays built up in a loop"),
)


def _exception_hint(error):
    message = error.get("message", "")
    if error.get("type") == REFUSED:
        return "pass the helper its arguments in the order and with the shapes it expects (above)"
    if "shapes" in message and "not aligned" in message or "matmul" in message:
        return "a matrix product got incompatible shapes: check which side each factor goes and what to transpose"
    missing = NUMPY_ATTRIBUTE.search(message) if error.get("type") == "AttributeError" else None
    if missing:
        close = difflib.get_close_matches(missing.group(1), [n for n in dir(np) if not n.startswith("_")], 1)
        return (f"numpy has no `{missing.group(1)}`" + (f": did you mean np.{close[0]}?" if close else
                                                        ": check the function's name in numpy's documentation"))
    if error.get("type") == "UnboundLocalError":
        return ("the variable is assigned only on some paths through the function, and this case took another: "
                "check each if/elif branch (does the activation string match exactly, \"relu\" or \"sigmoid\"?)")
    if error.get("type") in ("NameError", "AttributeError"):
        return "a name is not defined where this line runs: define or import it in your submission"
    return "fix the line above; the smallest failing case below lets you reproduce it"


def _at_function(diagnostic, function):
    return Diagnostic(diagnostic.headline, diagnostic.evidence, diagnostic.hint, diagnostic.code,
                      function_location(function))


def helper_notes(results, exercises_by_name, provided=(), reached=lambda name: None):
    """Tell an exercise graded with correct helpers which of the student's own helpers to fix first
    (provided: helpers imported from the course's helper module, which the student never had to write;
    reached(name): the names the student's function uses, through their other functions too, or None when
    unknown: a helper it never calls is not what it relies on)."""
    status = {result.name: result.status for result in results if result.name not in provided}
    updated = []
    for result in results:
        broken = [h for h in exercises_by_name[result.name].helpers if status.get(h, "passed") != "passed"]
        uses = reached(result.name) if broken else None
        broken = [h for h in broken if uses is None or h in uses]
        if broken and result.status not in ("missing", "not_attempted"):
            note = Diagnostic(f"graded with correct versions of {', '.join(broken)}",
                              hint=f"fix {broken[0]} first: your {result.name} relies on it")
            result = replace(result, diagnostics=result.diagnostics + (note,))
        updated.append(result)
    return updated


def blame_syntax_errors(results, load):
    """A function that is missing may be missing because its cell or file did not parse: say so."""
    broken = [f"{note.get('where', 'a cell')}, line {note.get('line', '?')}" for note in load.notes
              if note.get("kind") == "syntax"]
    if not broken:
        return results
    note = Diagnostic(f"{broken[0]} has a syntax error, so nothing in it was defined",
                      hint="fix the syntax error shown at the top of the report first")
    return [ExerciseResult(r.name, r.status, r.score, r.max_score, (note,)) if r.status == "missing" else r
            for r in results]
