"""Known mistakes, recognised by what they compute: the student's outputs equal a mistake's on every case
(alone, or together with other mistakes on other outputs), or a mistake raises where the student's code did."""
from ..checks.compare import compare, flatten
from ..checks.values import deep_close
from ..model import Diagnostic
from ..checks.plain_errors import REFUSED, error_type, plain_message
from .present import function_location, inputs_text, sizes, smallest_case


class MistakeOutputs:
    """What each known mistake returns on each case of a plan, and which outputs that changes from the
    reference's. It is the same for every student, so a class computes each once (grade.Prepared.mistakes);
    what it holds is shared, and only ever read."""

    def __init__(self, ref):
        self.ref = ref
        self._produced, self._changed = {}, {}

    def produce(self, mistake, case):
        """(None, what the mistake returns on case), or (the name of the exception it raises there, None)."""
        key = (mistake.id, case.label)
        if key not in self._produced:
            try:
                self._produced[key] = (None, mistake.produce(self.ref, *case.args))
            except Exception as error:  # the mistake cannot run on this case
                self._produced[key] = (type(error).__name__, None)
        return self._produced[key]

    def changed(self, mistake, case, node, expected):
        """The outputs the mistake gets wrong on case; None when it returns another structure altogether."""
        key = (mistake.id, case.label)
        if key not in self._changed:
            problems = compare(node, expected, self.produce(mistake, case)[1])
            structure = any(p.kind == "structure" for p in problems)
            self._changed[key] = None if structure else frozenset(p.path for p in problems)
        return self._changed[key]


def named_mistakes(findings, mistakes):
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
        outputs = _mistake_outputs(mistake, findings, mistakes)
        if outputs is None:
            continue
        if all(deep_close(out, check.got, nan_equal=True) for out, check in zip(outputs, checks)):
            whole.append(mistake)
        else:
            changed = _changed_leaves(mistake, findings, mistakes)
            if changed and all(_leaves_match(findings, check, out, changed) for out, check in zip(outputs, checks)):
                partial.append((mistake, changed))
    if whole:  # the outputs are explained; an input changed in place as well is a second mistake
        return [_named(m) for m in whole + [m for m, _ in partial if m.mutates_input is not None]]
    wrong = {p.path for c in checks for p in c.problems}
    explained = [m for m, changed in partial if changed <= wrong]
    covered = set().union(*(changed for m, changed in partial if m in explained)) if explained else set()
    return [_named(m) for m in explained] if explained and covered >= wrong else []


def raising_mistakes(findings, mistakes):
    """A known mistake that raises where the student's code raised (`W * A` cannot broadcast most shapes)
    and returns what the student's returned everywhere else: the error is that mistake's symptom."""
    outcomes = findings.outcomes
    if not all(o.kind in ("returned", "raised") for o in outcomes):
        return None
    failing = {c.index: c for c in findings.checks if c.problems}
    for mistake in findings.exercise.mistakes:
        # a wrong returned value must match too: an error of the same type alone proves nothing
        if (failing or _raises_as_declared(mistake, outcomes)) and mistake.produce is not None and all(
                _same_outcome(mistake, case, outcome, mistakes) for case, outcome in zip(findings.cases, outcomes)):
            raised = next(i for i, o in enumerate(outcomes) if o.kind == "raised")
            error, case = outcomes[raised].error or {}, findings.cases[raised]
            symptom = f"on {case.label} it raises {error_type(error)}: {plain_message(error.get('message', ''))}"
            where = f"{error['where']}, line {error['line']}: {error.get('code', '').strip()}" if error.get(
                "where") else function_location(findings.function)
            named = Diagnostic(mistake.headline, (mistake.explanation, symptom), mistake.hint, mistake.id, where)
            first = min([raised, *failing])
            return [named, smallest_case(findings, failing[first]) if first in failing else
                    smallest_raising_case(findings, first)]
    return None


def _raises_as_declared(mistake, outcomes):
    """Whether the student's code raised the very error the mistake declares (Mistake.raises)."""
    if not mistake.raises:
        return False
    kind, part = mistake.raises
    return any(o.kind == "raised" and (o.error or {}).get("type") == kind and part in (o.error or {}).get("message", "")
               for o in outcomes)


def _same_outcome(mistake, case, outcome, mistakes):
    raised, produced = mistakes.produce(mistake, case)
    if raised:  # the mistake breaks on this case: so must the student's code
        # a helper the grader answers refuses what the reference's helper raises on
        return outcome.kind == "raised" and (outcome.error or {}).get("type") in (raised, REFUSED)
    return outcome.kind == "returned" and deep_close(produced, outcome.value)


def smallest_raising_case(findings, index):
    case, error = findings.cases[index], findings.outcomes[index].error or {}
    return Diagnostic(f"smallest failing case: {case.label} ({sizes(case.dims)})",
                      (inputs_text(findings.exercise.params, case.args),
                       "yours stops at that call" if error.get("type") == REFUSED else
                       f"yours raises {error_type(error)}: {plain_message(error.get('message', ''))}"))


def _mistake_outputs(mistake, findings, mistakes):
    outputs = []
    for check in findings.checks:
        raised, output = mistakes.produce(mistake, findings.cases[check.index])
        if raised:  # the mistake cannot run on this case, so the student cannot be making it
            return None
        outputs.append(output)
    differs = any(not deep_close(out, check.expected) for out, check in zip(outputs, findings.checks))
    return outputs if differs else None


def _changed_leaves(mistake, findings, mistakes):
    changed = set()
    for check in findings.checks:
        case = findings.cases[check.index]
        paths = mistakes.changed(mistake, case, findings.exercise.outputs(case), check.expected)
        if paths is None:
            return set()
        changed |= paths
    return changed


def _leaves_match(findings, check, mistake_output, changed):
    node = findings.exercise.outputs(findings.cases[check.index])
    try:
        student = dict(flatten(node, check.got))
    except (TypeError, KeyError, IndexError, ValueError):
        return False
    mistake = dict(flatten(node, mistake_output))
    return all(path in student and deep_close(mistake[path], student[path], nan_equal=True) for path in changed)


def _named(mistake):
    return Diagnostic(mistake.headline, (mistake.explanation,), mistake.hint, code=mistake.id)
