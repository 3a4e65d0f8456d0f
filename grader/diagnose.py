"""Stage 4, diagnose: turn what check observed into a verdict and feedback that names the mistake.

A known mistake is recognised by what it computes: the student's outputs equal the mistake's outputs on
every case. When none matches, the feedback still says what is wrong: which output, which shape and
why, which factor, which entries; and always shows the smallest failing case.
"""
import hashlib
from dataclasses import replace

import numpy as np

from .checks import compare, flatten
from .exercises.base import Keys, Seq
from .model import Diagnostic, ExerciseResult
from .present import array_text, describe_shape, inputs_text, wrong_entries_grid
from .values import close, deep_close, differing, is_number_array

FACTORS = (  # (label, factor from the case's sizes)
    ("m", lambda d: d.get("m")), ("1/m", lambda d: 1 / d["m"] if d.get("m") else None),
    ("-1", lambda d: -1), ("2", lambda d: 2), ("1/2", lambda d: 0.5),
    ("-m", lambda d: -d["m"] if d.get("m") else None), ("-1/m", lambda d: -1 / d["m"] if d.get("m") else None),
    ("n (units of this layer)", lambda d: d.get("n")), ("1/n (units of this layer)", lambda d: 1 / d["n"] if d.get("n") else None),
)


def diagnose(findings, ref):
    exercise, function = findings.exercise, findings.function
    weight = exercise.weight
    early = _presence(exercise, function) or _outcomes(findings)
    if early:
        status, diagnostics = early
        explained = _raising_mistakes(findings, ref) if status == "error" and function.get("callable") else None
        if explained:
            return ExerciseResult(exercise.name, "failed", 0, weight, tuple(explained))
        return ExerciseResult(exercise.name, status, 0, weight, tuple(diagnostics))
    failing = [check for check in findings.checks if check.problems]
    notes = tuple(Diagnostic(note) for note in findings.notes)
    if not failing:
        return ExerciseResult(exercise.name, "passed", weight, weight, notes)
    named = named_mistakes(findings, ref)
    diagnostics = named or unknown_mistake(findings, failing)
    diagnostics = [d if d.where or not d.code else _at_function(d, function) for d in diagnostics]
    return ExerciseResult(exercise.name, "failed", 0, weight,
                          tuple(diagnostics) + (smallest_case(findings, failing[0]),) + notes,
                          fingerprint="" if named else output_fingerprint(findings.checks))


def output_fingerprint(checks):
    """A short digest of what the student returned on every case, rounded so float noise does not split it."""
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
                                    where=_where(function))]
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
    for kind, status in (("timeout", "timeout"), ("crashed", "error")):
        index = next((i for i, o in enumerate(outcomes) if o.kind == kind), None)
        if index is not None:
            case = findings.cases[index]
            headline = (f"`{name}` did not finish in time" if kind == "timeout"
                        else f"`{name}` stopped the process running it")
            evidence = (f"on {case.label} ({_sizes(case.dims)})",)
            hint = ("look for a loop that never ends or a very slow computation" if kind == "timeout"
                    else "look for sys.exit, os._exit, os.kill or runaway memory use")
            return status, [Diagnostic(headline, evidence, hint)]
    if errors:
        index = next(i for i, o in enumerate(outcomes) if o.kind == "raised")
        error, case = outcomes[index].error or {}, findings.cases[index]
        where = f"{error['where']}, line {error['line']}: {error.get('code', '').strip()}" if error.get("where") else ""
        return "error", [Diagnostic(f"`{name}` raised {error.get('type', 'an error')}: {error.get('message', '')}",
                                    (f"on {case.label} ({_sizes(case.dims)})",),
                                    _exception_hint(error), where=where)]
    return None


def _exception_hint(error):
    message = error.get("message", "")
    if "shapes" in message and "not aligned" in message or "matmul" in message:
        return "a matrix product got incompatible shapes: check which side each factor goes and what to transpose"
    if error.get("type") in ("NameError", "AttributeError"):
        return "a name is not defined where this line runs: define or import it in your submission"
    return "fix the line above; the smallest failing case below lets you reproduce it"


def named_mistakes(findings, ref):
    """Known mistakes whose outputs the student's outputs equal on every case, alone or combined."""
    exercise, checks = findings.exercise, findings.checks
    whole, partial = [], []
    for mistake in exercise.mistakes:
        if mistake.mutates_input is not None:
            # dA[Z <= 0] = 0 changes nothing when no Z is negative: one changed case is proof enough
            name = exercise.params[mistake.mutates_input]
            if any(p.kind == "mutated" and p.path == name for c in checks for p in c.problems):
                if all(p.kind == "mutated" and p.path == name for c in checks for p in c.problems):
                    whole.append(mistake)
                else:
                    partial.append((mistake, {name}))
            continue
        outputs = _mistake_outputs(mistake, findings, ref)
        if outputs is None:
            continue
        if all(deep_close(out, check.got) for out, check in zip(outputs, checks)):
            whole.append(mistake)
        else:
            changed = _changed_leaves(findings, outputs)
            if changed and all(_leaves_match(findings, check, out, changed) for out, check in zip(outputs, checks)):
                partial.append((mistake, changed))
    if whole:  # the outputs are explained; an input changed in place as well is a second mistake
        return [_named(m) for m in whole + [m for m, _ in partial if m.mutates_input is not None]]
    wrong = {p.path for c in checks for p in c.problems}
    explained = [m for m, changed in partial if changed <= wrong]
    covered = set().union(*(changed for m, changed in partial if m in explained)) if explained else set()
    return [_named(m) for m in explained] if explained and covered >= wrong else []


def _raising_mistakes(findings, ref):
    """A known mistake that raises where the student's code raised (`W * A` cannot broadcast most shapes)
    and returns what the student's returned everywhere else: the error is that mistake's symptom."""
    outcomes = findings.outcomes
    if not all(o.kind in ("returned", "raised") for o in outcomes):
        return None
    failing = {c.index: c for c in findings.checks if c.problems}
    for mistake in findings.exercise.mistakes:
        # a wrong returned value must match too: an error of the same type alone proves nothing
        if failing and mistake.produce is not None and all(
                _same_outcome(mistake, case, outcome, ref) for case, outcome in zip(findings.cases, outcomes)):
            raised = next(i for i, o in enumerate(outcomes) if o.kind == "raised")
            error, case = outcomes[raised].error or {}, findings.cases[raised]
            symptom = f"on {case.label} it raises {error.get('type')}: {error.get('message', '')}"
            where = f"{error['where']}, line {error['line']}: {error.get('code', '').strip()}" if error.get(
                "where") else _where(findings.function)
            named = Diagnostic(mistake.headline, (mistake.explanation, symptom), mistake.hint, mistake.id, where)
            first = min([raised, *failing])
            return [named, smallest_case(findings, failing[first]) if first in failing else
                    _smallest_raising_case(findings, first)]
    return None


def _same_outcome(mistake, case, outcome, ref):
    try:
        produced = mistake.produce(ref, *case.args)
    except Exception as error:  # the mistake breaks on this case: so must the student's code
        return outcome.kind == "raised" and (outcome.error or {}).get("type") == type(error).__name__
    return outcome.kind == "returned" and deep_close(produced, outcome.value)


def _smallest_raising_case(findings, index):
    case, error = findings.cases[index], findings.outcomes[index].error or {}
    return Diagnostic(f"smallest failing case: {case.label} ({_sizes(case.dims)})",
                      (inputs_text(findings.exercise.params, case.args),
                       f"yours raises {error.get('type')}: {error.get('message', '')}"))


def _mistake_outputs(mistake, findings, ref):
    outputs = []
    for check in findings.checks:
        try:
            outputs.append(mistake.produce(ref, *findings.cases[check.index].args))
        except Exception:  # the mistake cannot run on this case, so the student cannot be making it
            return None
    differs = any(not deep_close(out, check.expected) for out, check in zip(outputs, findings.checks))
    return outputs if differs else None


def _changed_leaves(findings, outputs):
    changed = set()
    for out, check in zip(outputs, findings.checks):
        node = findings.exercise.outputs(findings.cases[check.index])
        problems = compare(node, check.expected, out)
        if any(p.kind == "structure" for p in problems):
            return set()
        changed |= {p.path for p in problems}
    return changed


def _leaves_match(findings, check, mistake_output, changed):
    node = findings.exercise.outputs(findings.cases[check.index])
    try:
        student = dict(flatten(node, check.got))
    except (TypeError, KeyError, IndexError, ValueError):
        return False
    mistake = dict(flatten(node, mistake_output))
    return all(path in student and deep_close(mistake[path], student[path]) for path in changed)


def _named(mistake):
    return Diagnostic(mistake.headline, (mistake.explanation,), mistake.hint, code=mistake.id)


def _at_function(diagnostic, function):
    return Diagnostic(diagnostic.headline, diagnostic.evidence, diagnostic.hint, diagnostic.code,
                      _where(function))


def _where(function):
    return f"{function['where']}, line {function['line']}" if function and function.get("where") else ""


def unknown_mistake(findings, failing):
    """What is wrong, said as specifically as the evidence allows, when no known mistake matches."""
    diagnostics, seen = [], set()
    for check in failing:
        for problem in check.problems:
            if problem.path in seen:
                continue
            seen.add(problem.path)
            case = findings.cases[check.index]
            same_path = [p for c in failing for p in c.problems if p.path == problem.path]
            cases = [findings.cases[c.index] for c in failing if any(p.path == problem.path for p in c.problems)]
            diagnostics.append(_describe_problem(findings.exercise, problem, case, same_path, cases))
    right = _right_outputs(findings, seen)
    if right:
        diagnostics.append(Diagnostic(f"these outputs are right: {', '.join(right)}"))
    return diagnostics


def _right_outputs(findings, wrong):
    right = []
    for check in findings.checks:
        node = findings.exercise.outputs(findings.cases[check.index])
        right += [path for path, _ in flatten(node, check.expected)
                  if path and not _within(path, wrong) and path not in right]
    return right


def _within(path, wrong):
    """Whether path is a wrong output or inside one (a wrong `caches` makes `caches[0].Z` unknown, not right)."""
    return any(path == w or path.startswith((w + ".", w + "[")) for w in wrong)


def _describe_problem(exercise, problem, case, same_path, cases):
    path = problem.path or "the result"
    axes = exercise.axis_meanings
    if problem.kind == "structure":
        return Diagnostic(f"`{exercise.name}` returns the wrong structure for {path}: {problem.message}",
                          hint=f"return {_expected_form(exercise.outputs(case))}")
    if problem.kind == "type":
        return Diagnostic(f"{path} is not a number array: {problem.message}",
                          hint="return numpy arrays (np.dot, np.sum, ... give you those)")
    if problem.kind == "mutated":
        return Diagnostic(f"`{exercise.name}` changes its input {path} in place",
                          ("the caller still needs it: the gradients stored in grads are corrupted",),
                          "work on a copy (np.array(x, copy=True)) or build a new array")
    if problem.kind == "gradient":
        return Diagnostic(f"{path} does not match the numerical derivative of the forward pass",
                          hint="compare your formula with the chain rule, entry by entry")
    expected, got = np.asarray(problem.expected), np.asarray(problem.got)
    if problem.kind == "shape":
        if problem.message == "not a scalar":
            return Diagnostic(f"{path} is not a scalar: its shape is {got.shape}",
                              hint="np.squeeze(cost) turns a (1, 1) array into a scalar")
        if got.shape == expected.shape[::-1] and close(got.T, expected):
            return Diagnostic(f"{path} is transposed: shape {got.shape}, expected {expected.shape}",
                              (_shape_line("yours", got.shape, case, axes), _shape_line("expected", expected.shape,
                                                                                       case, axes)),
                              "swap the factors of the product or transpose the other operand")
        return Diagnostic(f"{path} has the wrong shape: {got.shape}, expected {expected.shape}",
                          (_shape_line("yours", got.shape, case, axes),
                           _shape_line("expected", expected.shape, case, axes)),
                          _shape_hint(got.shape, expected.shape, case, axes))
    if problem.kind == "nonfinite":
        return Diagnostic(f"{path} contains NaN or infinity",
                          (f"yours: {array_text(got)}",),
                          "look for a division by zero or the log of 0 (or of a negative number)")
    if got.dtype.kind in "biu" and expected.dtype.kind == "f":
        return Diagnostic(f"{path} is an integer array ({got.dtype}): the fractional parts are lost",
                          (f"yours: {array_text(got)}", f"expected: {array_text(expected)}"),
                          "build it from float arrays: np.zeros(shape), not np.zeros(shape, dtype=int); no astype(int)")
    if all(p.kind == "value" and not np.any(p.got) for p in same_path):
        return Diagnostic(f"{path} is all zeros", (f"expected: {array_text(expected)}",),
                          "check that every entry is computed: nothing is left at np.zeros or multiplied by 0")
    factor = _common_factor(same_path, cases) or _constant_factor(same_path)
    if factor:
        return Diagnostic(f"{path} is off by a factor of {factor}: every entry is {factor} times the right value",
                          hint=_factor_hint(factor))
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and close(got, expected.T):
        return Diagnostic(f"{path} is transposed", hint="swap the factors of the product or transpose an operand")
    if expected.ndim == 0:
        return Diagnostic(f"{path} has the wrong value: {array_text(got)}, expected {array_text(expected)}",
                          hint="redo the smallest failing case below by hand, term by term")
    # the pattern of wrong entries shows best on the largest failing case (a 1 x 1 one shows none)
    shown, shown_case = max(((p, c) for p, c in zip(same_path, cases) if p.kind == "value"),
                            key=lambda pair: np.size(pair[0].expected), default=(problem, case))
    wrong = differing(shown.got, shown.expected)
    on = f" on {shown_case.label}" if shown_case is not case else ""
    pattern = (_where_wrong(wrong, shown_case),) if wrong.size > 1 else ()
    return Diagnostic(f"{path} has wrong values: {int(wrong.sum())} of {wrong.size} entries differ{on}",
                      pattern + wrong_entries_grid(wrong), "")


def _common_factor(problems, cases):
    for label, factor_of in FACTORS:
        factors = [factor_of(case.dims) for case in cases]
        if any(f is None or f == 1 for f in factors):
            continue
        if all(np.shape(p.got) == np.shape(p.expected) and close(p.got, f * np.asarray(p.expected))
               for p, f in zip(problems, factors) if p.kind == "value"):
            if any(p.kind == "value" for p in problems):
                return label
    return None


def _constant_factor(problems):
    """The one factor, not tied to a size, that turns every expected entry into the student's (e.g. 1.7)."""
    values = [p for p in problems if p.kind == "value"]
    if not values or any(np.shape(p.got) != np.shape(p.expected) for p in values):
        return None
    expected = np.concatenate([np.ravel(p.expected) for p in values]).astype(float)
    got = np.concatenate([np.ravel(p.got) for p in values]).astype(float)
    nonzero = np.abs(expected) > 1e-8 * max(1.0, float(np.max(np.abs(expected))))
    if np.count_nonzero(nonzero) < 3:  # a ratio of one or two numbers says nothing about a common factor
        return None
    factor = float(np.median(got[nonzero] / expected[nonzero]))
    if abs(factor - 1) < 1e-3:  # float noise just over the tolerance, not a factor
        return None
    return f"{factor:.4g}" if close(got, factor * expected) else None


def _factor_hint(factor):
    if "m" in factor:
        return "the 1/m of the cost belongs in dW and db only: check where you divide (or multiply) by m"
    if factor == "-1":
        return "check the signs: a minus sign is missing or extra"
    return "check the constants in your formula"


def _where_wrong(wrong, case):
    if wrong.ndim != 2:
        return "wrong entries: " + ", ".join(str([int(k) for k in index]) for index in zip(*np.nonzero(wrong)))
    rows = sorted({int(row) for row in np.nonzero(wrong)[0]})
    columns = sorted({int(column) for column in np.nonzero(wrong)[1]})
    if len(rows) < wrong.shape[0] and wrong.shape[0] > 1:
        return f"only rows {rows} are wrong (one row per unit)"
    if len(columns) < wrong.shape[1] and wrong.shape[1] > 1:
        return f"only columns {columns} are wrong (one column per example)"
    return "the wrong entries are spread over every row and column"


def _shape_line(whose, shape, case, axes):
    return f"{whose} {shape}: {describe_shape(shape, case.dims, axes)}"


def _shape_hint(got, expected, case, axes):
    if len(got) == 2 and len(expected) == 2 and got[1] == expected[0] and got[0] == 1 and expected[1] == 1:
        return "sum over the examples' axis (axis=1) and keep it (keepdims=True)"
    if len(got) == 1 and len(expected) == 2 and got[0] == expected[0]:
        return "keep the summed axis: keepdims=True"
    return "check which axis each dimension comes from: one column per example"


def _expected_form(node):
    if isinstance(node, Seq):
        return "the values in the order of the exercise"
    return "a dict with the keys of the exercise" if isinstance(node, Keys) else "an array"


def _sizes(dims):
    return ", ".join(f"{key}={value}" for key, value in dims.items())


def smallest_case(findings, check):
    case = findings.cases[check.index]
    problem = check.problems[0]
    evidence = (inputs_text(findings.exercise.params, case.args),)
    if problem.kind in ("value", "shape", "nonfinite", "gradient"):
        evidence += (f"expected {problem.path or 'result'} = {array_text(problem.expected)}",
                     f"yours    {problem.path or 'result'} = {array_text(problem.got)}")
    return Diagnostic(f"smallest failing case: {case.label} ({_sizes(case.dims)})", evidence)


def helper_notes(results, exercises_by_name):
    """Tell an exercise graded with correct helpers which of the student's own helpers to fix first."""
    status = {result.name: result.status for result in results}
    updated = []
    for result in results:
        broken = [h for h in exercises_by_name[result.name].helpers if status.get(h, "passed") != "passed"]
        if broken and result.status not in ("missing", "not_attempted"):
            note = Diagnostic(f"graded with correct versions of {', '.join(broken)}",
                              hint=f"fix {broken[0]} first: your {result.name} relies on it")
            result = replace(result, diagnostics=result.diagnostics + (note,))
        updated.append(result)
    return updated


def blame_syntax_errors(results, load):
    """A function that is missing may be missing because its cell or file did not parse: say so."""
    broken = [f"{note['where']}, line {note['line']}" for note in load.notes if note.get("kind") == "syntax"]
    if not broken:
        return results
    note = Diagnostic(f"{broken[0]} has a syntax error, so nothing in it was defined",
                      hint="fix the syntax error shown at the top of the report first")
    return [ExerciseResult(r.name, r.status, r.score, r.max_score, (note,) + r.diagnostics)
            if r.status == "missing" else r for r in results]
