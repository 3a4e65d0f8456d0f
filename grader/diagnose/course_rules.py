"""One exercise graded under a course's rules (grader/course.py): its case domain, key conventions, points.

Cases outside the assignment's stated domain (a single-layer network, when the assignment only asks for
L >= 2) are advisory unless the course makes them count: a function that is right on every other case
passes, and is told where it breaks.
"""
from dataclasses import replace

from ..checks.compare import check_exercise
from ..course import imported_helpers, suggested_profile, suggestion_text, uses_older_keys
from .verdict import diagnose
from ..model import Diagnostic

OLDER, CURRENT = "dA{l}", "dA{l-1}"


def counted_findings(exercise, cases, expected, outcomes, function, course):
    """(what check found on the cases that count, their indices among cases): the cases outside the course's
    domain are left out, unless no case is inside it."""
    inside = _inside([course.outside(case) for case in cases])
    return _findings(exercise, cases, expected, outcomes, function, inside), inside


def _inside(outside):
    return [index for index, why in enumerate(outside) if not why] or list(range(len(outside)))


def grade_exercise(exercise, cases, expected, outcomes, function, mistakes, course, counted=None,
                   refine=lambda result, findings: result):
    """(ExerciseResult, whether the grads used the older key convention) of one exercise. counted: the
    findings on the cases that count, if already made (counted_findings); refine(result, findings) adds to the
    verdict on them what only they can tell (the line at fault), before the course's rules apply."""
    outside = [course.outside(case) for case in cases]
    inside = _inside(outside)
    counted = counted or _findings(exercise, cases, expected, outcomes, function, inside)
    result = refine(diagnose(counted, mistakes), counted)
    advisory = [index for index in range(len(cases)) if index not in inside]
    if advisory and result.status == "passed":
        beyond = diagnose(_findings(exercise, cases, expected, outcomes, function, advisory), mistakes)
        if beyond.status != "passed":
            result = replace(result, diagnostics=result.diagnostics + (
                _advisory(course, outside[advisory[0]], beyond),))
    older = uses_older_keys(exercise, cases, outcomes)
    if result.status == "passed" and exercise.adapt is not None:
        result = _key_convention(result, older, course)
    weight = course.weight(exercise.name)
    score = weight * result.score / result.max_score if result.max_score else 0
    return replace(result, score=round(score, 2), max_score=weight), older


def _findings(exercise, cases, expected, outcomes, function, indices):
    return check_exercise(exercise, [cases[i] for i in indices], [expected[i] for i in indices],
                          [outcomes[i] for i in indices], function)


def _advisory(course, where, beyond):
    first = beyond.diagnostics[0] if beyond.diagnostics else Diagnostic("it fails there")
    evidence = tuple(line for d in beyond.diagnostics[1:2] for line in (d.headline, *d.evidence))
    return Diagnostic(f"works for {course.domain_text()}; breaks for {where}: {first.headline}",
                      first.evidence + evidence,
                      "the assignment never asks for this case, so it costs no points; a variable of the loop "
                      "used after it is a common cause (the loop may not run at all)", where=first.where)


def _key_convention(result, older, course):
    used = OLDER if older else CURRENT
    if used in course.key_conventions:
        return result
    wanted = course.key_conventions[0]
    return replace(result, status="failed", score=0, diagnostics=(Diagnostic(
        f"the grads use the key convention {used}, and this course ({course.name}) expects {wanted}",
        (f"{wanted}: " + ("dA{l} holds the gradient with respect to A[l-1]" if wanted == OLDER
                          else "dA{l-1} holds the gradient with respect to A[l-1]"),),
        f"store the gradient with respect to A[l-1] under grads[\"{wanted}\"]"),))


def suggestion(course, functions, older_keys):
    """(the profile to suggest, its note) when a submission imports the course's backward helpers and the
    course graded with does not provide them; ("", ()) otherwise."""
    imports = {name: module for name, module in imported_helpers(functions).items() if name not in course.provided}
    profile = suggested_profile(imports, older_keys)
    return (profile, (suggestion_text(imports, profile),)) if profile else ("", ())
