"""check(): grade one exercise while learning, from a notebook or a script, and show the feedback there.

    from grader import check
    check(linear_backward)          # or check("linear_backward"): looked up where check is called

The function, and what it uses from the caller's namespace, are written back as source (capture.py) and
graded by the same pipeline as `grade` (grade.grade_submission), in a worker process: a check can neither
hang nor break the notebook's kernel, and it sees exactly what `grade` would see. A backward function is
also compared with the student's own forward function, numerically (gradcheck.py); that runs in a second
worker, started at once so that it loads while the grading runs. In Jupyter the feedback is HTML
(html_view.py); elsewhere it is the text of `grade`.
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


def check(function, *, seed=None, timeout=5.0):
    """Grade one exercise (a function, or its name) and show what is right and wrong with it."""
    namespace = sys._getframe(1).f_globals
    show(run_check(function, namespace, seed=seed, limits=Limits(call_seconds=timeout)))


def run_check(function, namespace, seed=None, limits=Limits()):
    """The grade of one exercise and its gradient checks; namespace is where a name passed as a string,
    and the functions the exercise uses, are looked up."""
    from ..checks.compare import plan
    from ..checks.gradcheck import check_against_forward, forwards_of
    from ..exercises import BY_NAME, SIGNATURES
    from ..grade import grade_submission
    from ..run.session import Session
    from .capture import capture

    name = exercise_name(function, BY_NAME)
    if callable(function):  # what it uses is where it was defined: the notebook, or a module it came from
        namespace = {**getattr(function, "__globals__", namespace), name: function}
    forwards = forwards_of(name)
    missing = [f for f in forwards if not callable(namespace.get(f))]
    captured = capture(namespace, [name, *forwards])
    second = Session(captured.submission, SIGNATURES, limits, names=()) if forwards and not missing else None
    try:
        report = grade_submission(captured.submission, seed, {name}, limits)
        result = report.exercises[0]
        checks = ()
        if second is not None and result.status in ("passed", "failed"):  # otherwise the grade says it all
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
    name = function if isinstance(function, str) else getattr(function, "__name__", None)
    if name not in exercises:
        raise ValueError(f"check() checks the exercises {', '.join(exercises)}; "
                         f"{function!r} is none of them (pass the function itself or its name)")
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
