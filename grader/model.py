"""The plain data that passes between the stages: load -> run -> check -> diagnose -> report."""
import enum
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Cell:
    """A piece of student code with the label its lines are reported under ("my.py", or for a notebook's cell
    what Jupyter shows: `In [14] (code cell 7, "def linear_backward(dZ, cache):")`)."""

    label: str
    source: str
    position: Optional[int] = None  # a notebook's code cell: its place among the code cells, from 1
    execution_count: Optional[int] = None  # a notebook's code cell that ran: the 14 of `In [14]`


@dataclass(frozen=True)
class Submission:
    path: str
    kind: str  # "py" or "ipynb"
    cells: tuple
    notes: tuple = ()  # what loading left out (magics, shell escapes), for the report


@dataclass(frozen=True)
class CallRequest:
    exercise: str
    case_index: int
    args: tuple
    substitute: tuple = ()  # helpers the call may ask the grader for (answered with the reference, on demand)
    # (helper, args, value): the reference's own helper calls on this case, sent sealed with their arguments'
    # bytes (wire.seal_answer): the worker can open one only by making that call with exactly those arguments
    answers: tuple = ()
    expected: Any = None  # the reference's output, never sent: a reply that encodes exactly it is not decoded
    trace: bool = False  # run line by line, recording what each line assigns (tracer.py)


@dataclass(frozen=True)
class CallOutcome:
    kind: str  # "returned", "raised", "timeout", "crashed"
    value: Any = None
    mutated: tuple = ()  # positions of the arguments the call changed in place
    error: Optional[dict] = None  # type, message, where, line, code
    trace: tuple = ()  # traced_lines.Record of a traced call, checked


@dataclass(frozen=True)
class LoadReport:
    notes: tuple  # dicts: kind (syntax, exception, timeout), where, line, code, message
    functions: dict  # name -> what the worker saw of it: student, callable, required, positional, ...
    skipped_statements: int = 0


@dataclass(frozen=True)
class RunResult:
    load: LoadReport
    outcomes: dict  # (exercise, case_index) -> CallOutcome
    refused_helpers: dict = field(default_factory=dict)  # exercise -> names it asked for and was refused
    traced: dict = field(default_factory=dict)  # exercise -> CallOutcome of its smallest failing case, traced


@dataclass(frozen=True)
class Diagnostic:
    """One piece of feedback: a headline naming the problem, its evidence, and how to fix it."""

    headline: str
    evidence: tuple = ()
    hint: str = ""
    code: str = ""  # a known mistake's stable id, empty otherwise
    where: str = ""  # the student's own line, when it helps
    pointer: tuple = ()  # that line as the student wrote it, a caret line under the spot, then what is wrong there


@dataclass(frozen=True)
class ExerciseResult:
    name: str
    status: str  # passed, failed, error, timeout, missing, not_attempted
    score: float
    max_score: float
    diagnostics: tuple = ()
    # Failed without a known mistake: a digest of the wrong outputs, equal for students who compute the same
    # wrong thing on the same cases (a shared seed), so a batch can group them into an unnamed misconception.
    fingerprint: str = ""

    @property
    def mistakes(self):
        return tuple(d for d in self.diagnostics if d.code)


@dataclass(frozen=True)
class GradeReport:
    submission: str
    seed: int
    exercises: tuple
    notes: tuple = ()  # submission-level remarks: syntax errors, skipped statements, ...
    course: str = "ours"  # the course profile graded with (course.Course.name)
    suggested_course: str = ""  # the built-in profile that fits a notebook importing the course's helpers
    empty: bool = False  # the submission holds nothing but blank lines and comments

    @property
    def status(self):
        """graded; empty; or no_graded_function: code, but not one of the exercises' functions defined."""
        if self.empty:
            return "empty"
        if self.exercises and all(e.status == "missing" for e in self.exercises):
            return "no_graded_function"
        return "graded"

    @property
    def score(self):
        return round(sum(e.score for e in self.exercises), 2)

    @property
    def max_score(self):
        return sum(e.max_score for e in self.exercises)

    @property
    def all_passed(self):
        return all(e.status == "passed" for e in self.exercises)


class Exit(enum.IntEnum):
    """The exit status of every command: `grade FILE`, a class, --watch."""

    ALL_PASSED = 0
    NOT_ALL_PASSED = 1
    CANNOT_GRADE = 2
