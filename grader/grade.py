"""The pipeline for one submission: load -> run in isolation -> check -> diagnose, as a GradeReport."""
import functools
import os
from dataclasses import dataclass

from .load import load_submission
from .model import GradeReport
from .run.session import Calls, Limits, Session, run_submission, start_interpreter


@dataclass(frozen=True)
class Prepared:
    """What grading needs besides the submission: a class prepares it once and grades everyone with it."""

    exercises: tuple
    plan: object  # checks.Plan: the cases and the reference's side of them
    calls: Calls  # the plan's calls, encoded for the workers
    reference: object  # what answers the cases: the reference solutions, or the kit's sealed answers
    notes: tuple  # for every report
    mistakes: object  # named.MistakeOutputs: what each known mistake computes, filled as students need it
    course: object  # course.Course: what is graded, for how many points, on which cases
    traces: object = None  # at_fault.ReferenceTraces: the reference's trace of each case, filled as needed


def prepare(seed=None, only=None, course=None):
    """The cases of the exercises in only (all the course grades when empty), drawn from seed (the course's,
    else a random one, when None). course: a course.Course; None is the profile `ours`."""
    from .checks.answers import course_reference
    from .checks.compare import plan
    from .course import default_course
    from .diagnose.at_fault import ReferenceTraces
    from .diagnose.named import MistakeOutputs
    from .exercises import EXERCISES

    course = course or default_course()
    reference, notes = course_reference()  # the student kit has sealed answers, not the reference
    seed = seed if seed is not None else course.seed
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    exercises = tuple(exercise for exercise in EXERCISES
                      if exercise.name in course.graded and (not only or exercise.name in only))
    planned = plan(exercises, seed, reference)
    return Prepared(exercises, planned, Calls(planned.requests), reference, notes, MistakeOutputs(reference), course,
                    ReferenceTraces(reference))


def grade(path, seed=None, only=None, limits=Limits(), spawn=start_interpreter, prepared=None, early=None,
          course=None):
    """Grade the submission at path. Raises load.LoadError when it cannot be graded at all.

    spawn starts the worker processes (spawn.start_interpreter; a batch passes a zygote's, which is faster).
    prepared (from prepare) replaces seed, only and course: a batch prepares once for every submission.
    early: a worker interpreter started ahead (spawn.EarlyWorker), used first.
    """
    return grade_submission(load_submission(path), seed, only, limits, spawn, prepared, early, course)


def grade_submission(submission, seed=None, only=None, limits=Limits(), spawn=start_interpreter, prepared=None,
                     early=None, course=None):
    """Grade loaded cells: a file's (load.load_submission) or a notebook namespace's (selfcheck.check)."""
    from .exercises import BY_NAME, SIGNATURES

    session = Session(submission, SIGNATURES, limits, spawn, early)  # starts loading the student's code right away
    try:
        from .checks.compare import helper_answerer
        from .course import imported_helpers
        from .diagnose.at_fault import trace_request, with_fault_line
        from .diagnose.calls import definitions, reached_names
        from .diagnose.course_rules import counted_findings, grade_exercise, suggestion
        from .diagnose.spelling import suggest_names
        from .diagnose.verdict import blame_syntax_errors, helper_notes

        prepared = prepared or prepare(seed, only, course)
    except BaseException:
        session.close()
        raise
    planned, reference = prepared.plan, prepared.reference
    found = {}  # exercise -> (the findings on the cases that count, those cases' indices in the plan)

    def findings_of(outcomes, load):
        for exercise in prepared.exercises:
            name = exercise.name
            found[name] = counted_findings(exercise, planned.cases[name], planned.expected[name],
                                           [outcomes[(name, i)] for i in range(len(planned.cases[name]))],
                                           load.functions.get(name), prepared.course)
        if not prepared.traces.available:
            return []
        return [r for r in (trace_request(findings, lambda name, i, kept=kept: planned_request(name, kept[i]))
                            for findings, kept in found.values()) if r is not None]

    def planned_request(name, index):
        return next(r for r in planned.requests if r.exercise == name and r.case_index == index)

    run = run_submission(session, prepared.calls, helper_answerer(reference, BY_NAME), findings_of)
    results, older_keys = [], False
    for exercise in prepared.exercises:
        name = exercise.name
        if name not in found:  # loading failed before any call: no follow-up ran
            findings_of(run.outcomes, run.load)
        outcomes = [run.outcomes[(name, index)] for index in range(len(planned.cases[name]))]
        result, older = grade_exercise(
            exercise, planned.cases[name], planned.expected[name], outcomes, run.load.functions.get(name),
            prepared.mistakes, prepared.course, found[name][0],
            lambda result, findings, name=name: with_fault_line(result, findings, run.traced.get(name),
                                                                 prepared.traces, submission, prepared.mistakes))
        results.append(result)
        older_keys = older_keys or older
    defined = functools.cache(lambda: definitions(submission))  # read once, and only if a helper is blamed
    results = helper_notes(results, BY_NAME, provided=imported_helpers(run.load.functions),
                           reached=lambda name: reached_names(defined(), name))
    results = blame_syntax_errors(results, run.load)
    results = suggest_names(results, submission, BY_NAME)
    suggested, advice = suggestion(prepared.course, run.load.functions, older_keys)
    return GradeReport(submission.path, planned.seed, tuple(results),
                       prepared.notes + submission.notes + load_notes(run.load, submission.kind) + advice,
                       course=prepared.course.name, suggested_course=suggested, empty=has_no_code(submission))


def has_no_code(submission):
    """Whether a submission holds nothing but blank lines and comments (an empty file, an empty notebook)."""
    return all(not line.strip() or line.lstrip().startswith("#")
               for cell in submission.cells for line in cell.source.splitlines())


def load_notes(load, kind="ipynb"):
    from .checks.plain_errors import plain_message

    notes = []
    for note in load.notes:
        where = f"{note.get('where', '?')}, line {note.get('line', '?')}"
        code = note.get("code", "")
        if note.get("kind") == "syntax":
            caret = " " * min(max(0, note.get("column", 1) - 1), len(code)) + "^"  # the worker's column: bounded
            notes.append(f"{where}: SyntaxError: {note.get('message')}\n    {code}\n    {caret}\n"
                         f"  (nothing in this {'file' if kind == 'py' else 'cell'} was run: "
                         "fix the syntax error first)")
        elif note.get("kind") == "timeout":
            notes.append(f"{where}: stopped after its time budget: `{code.strip()}`")
        elif note.get("kind") == "exception":
            notes.append(f"{where}: {note.get('type')}: {plain_message(note.get('message', ''))}  "
                         f"(`{code.strip()}`; the rest still ran)")
        else:
            notes.append(note.get("message", "the submission could not be loaded"))
    if load.skipped_statements:
        notes.append(f"{load.skipped_statements} top-level statement(s) that call functions were not run "
                     "(only imports, definitions and assignments without calls run when grading)")
    return tuple(notes)
