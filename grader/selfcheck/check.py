"""check(): grade one exercise while learning, from a notebook or a script, and show the feedback there.

    from grader import check
    check(linear_backward)          # or check("linear_backward"): looked up where check is called

The function, and what it uses from the caller's namespace, are written back as source (capture.py) and
graded by the same pipeline as `grade` (grade.grade_submission), in a worker process: a check can neither
hang nor break the notebook's kernel, and it sees exactly what `grade` would see. A backward function is
also compared with the student's own forward function, numerically (gradcheck.py); that runs in a second
worker, started at once so that it loads while the grading runs. In Jupyter the feedback is HTML
(report/html.py); elsewhere it is the text of `grade`.
"""
import sys
from dataclasses import dataclass

from ..run.session import Limits


@dataclass(frozen=True)
class CheckResult:
    result: object  # model.ExerciseResult
    gradient_checks: tuple  # gradcheck.GradientCheck, for a backward function
    notes: tuple  # str: what capture left out, load notes, the kit's self-check note

    @property
    def passed(self):
        return self.result.status == "passed" and all(g.matches or g.skipped for g in self.gradient_checks)


class UnknownExercise(ValueError):
    """check() was given something that is none of the exercises; the message says which is meant."""


def check(function, *, seed=None, timeout=5.0):
    """Grade one exercise (a function, or its name) and show what is right and wrong with it."""
    namespace = sys._getframe(1).f_globals
    try:
        result = run_check(function, namespace, seed=seed, limits=Limits(call_seconds=timeout))
    except UnknownExercise as error:  # a message under the cell, not a traceback of the grader
        print(f"check(): {error}")
        return
    show(result)


def run_check(function, namespace, seed=None, limits=Limits()):
    """The grade of one exercise and its gradient checks; namespace is where a name passed as a string,
    and the functions the exercise uses, are looked up."""
    from ..checks.compare import plan
    from ..checks.gradcheck import check_against_forward, forwards_of
    from ..exercises import BY_NAME, SIGNATURES
    from ..grade import grade_submission
    from ..course import default_course
    from ..run.session import Session
    from .capture import capture

    name = exercise_name(function, BY_NAME)
    course = default_course()  # the kit's course, in a kit built with one
    if name not in course.graded:
        raise UnknownExercise(f"{name} is not graded in this course ({course.name})"
                              + (": the course provides it" if name in course.provided else ""))
    if callable(function):  # what it uses is where it was defined: the notebook, or a module it came from
        namespace = {**getattr(function, "__globals__", namespace), name: function}
    forwards = forwards_of(name)
    missing = [f for f in forwards if not callable(namespace.get(f))]
    # the student's own helpers are graded too, as `grade` does, so that a composite whose helper is wrong
    # is told to fix that helper first instead of failing a comparison the helper spoilt
    helpers = [h for h in BY_NAME[name].helpers if callable(namespace.get(h))]
    captured = capture(namespace, [name, *forwards, *helpers])
    second = Session(captured.submission, SIGNATURES, limits, names=()) if forwards and not missing else None
    try:
        report = grade_submission(captured.submission, seed, {name, *helpers}, limits)
        result = next(r for r in report.exercises if r.name == name)
        broken = [r.name for r in report.exercises if r.name != name and r.status != "passed"]
        checks = ()
        if second is not None and result.status in ("passed", "failed") and not broken:  # else the grade says it
            cases = plan([BY_NAME[name]], report.seed).cases
            checks = tuple(check_against_forward(second, BY_NAME[name], cases[name]))
    finally:
        if second is not None:
            second.close()
    notes = captured.left_out + report.notes
    if missing and result.status in ("passed", "failed"):
        notes += (f"define `{missing[0]}` to also compare {name} with your own forward pass",)
    return CheckResult(result, checks, notes)


def exercise_name(function, exercises):
    from ..course import did_you_mean

    name = function if isinstance(function, str) else getattr(function, "__name__", None)
    if name not in exercises:
        close = did_you_mean(name, list(exercises)) if isinstance(name, str) else ""
        raise UnknownExercise(f"{function!r} is none of the exercises{close}" if close else
                              f"{function!r} is none of the exercises; pass the function itself or its name, one of: "
                              + ", ".join(exercises))
    return name


def show(check_result):
    """HTML in a Jupyter kernel (with the text for other front ends), text anywhere else."""
    text = render_text(check_result)
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        from ..report.html import render_html

        display({"text/plain": text, "text/html": render_html(check_result)}, raw=True)
    else:
        print(text)


def render_text(check_result):
    from ..diagnose.gradient import gradient_diagnostic
    from ..report.text import STATUS_STYLE, diagnostic_lines

    result = check_result.result
    lines = [f"{STATUS_STYLE[result.status][1]} {result.name}  {result.score:g}/{result.max_score:g}"]
    for diagnostic in result.diagnostics + tuple(gradient_diagnostic(g) for g in check_result.gradient_checks):
        lines += ["    " + line for line in diagnostic_lines(diagnostic)]
    lines += [f"note: {note}" for note in check_result.notes]
    return "\n".join(lines)
