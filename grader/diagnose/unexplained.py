"""What is wrong when no known mistake explains it, said as specifically as the evidence allows: which output,
which shape and what its axes count, which factor, which entries."""
import numpy as np

from ..checks.compare import flatten
from ..checks.values import close, differing
from ..exercises.base import Keys, Seq
from ..model import Diagnostic
from .present import array_text, describe_shape, wrong_entries_grid

FACTORS = (  # (label, factor from the case's sizes)
    ("m", lambda d: d.get("m")), ("1/m", lambda d: 1 / d["m"] if d.get("m") else None),
    ("-1", lambda d: -1), ("2", lambda d: 2), ("1/2", lambda d: 0.5),
    ("-m", lambda d: -d["m"] if d.get("m") else None), ("-1/m", lambda d: -1 / d["m"] if d.get("m") else None),
    ("n (units of this layer)", lambda d: d.get("n")), ("1/n (units of this layer)", lambda d: 1 / d["n"] if d.get("n") else None),
)


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
