"""The pipeline for one submission: load -> run in isolation -> check -> diagnose, as a GradeReport."""
import os
from dataclasses import dataclass

from .isolate import GRADED_NAMES, Calls, Limits, Session, run_submission, start_interpreter
from .load import load_submission
from .model import GradeReport


@dataclass(frozen=True)
class Prepared:
    """What grading needs besides the submission: a class prepares it once and grades everyone with it."""

    exercises: tuple
    plan: object  # checks.Plan: the cases and the reference's side of them
    calls: Calls  # the plan's calls, encoded for the workers
    reference: object  # what answers the cases: the reference solutions, or the kit's sealed answers
    notes: tuple  # for every report
    mistakes: object  # named.MistakeOutputs: what each known mistake computes, filled as students need it
    traces: object = None  # at_fault.ReferenceTraces: the reference's trace of each case, filled as needed


def prepare(seed=None, only=None):
    """The cases of the exercises in only (all when empty), drawn from seed (a random one when None)."""
    from .at_fault import ReferenceTraces
    from .checks import plan
    from .exercises import EXERCISES
    from .named import MistakeOutputs
    from .sealed import course_reference

    reference, notes = course_reference()  # the student kit has sealed answers, not the reference
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    exercises = tuple(exercise for exercise in EXERCISES if not only or exercise.name in only)
    planned = plan(exercises, seed, reference)
    return Prepared(exercises, planned, Calls(planned.requests), reference, notes, MistakeOutputs(reference),
                    ReferenceTraces(reference))


def grade(path, seed=None, only=None, limits=Limits(), spawn=start_interpreter, prepared=None, early=None):
    """Grade the submission at path. Raises load.LoadError when it cannot be graded at all.

    spawn starts the worker processes (spawn.start_interpreter; a batch passes a zygote's, which is faster).
    prepared (from prepare) replaces seed and only: a batch prepares once for every submission.
    early: a worker interpreter started ahead (spawn.EarlyWorker), used first.
    """
    return grade_submission(load_submission(path), seed, only, limits, spawn, prepared, early)


def grade_submission(submission, seed=None, only=None, limits=Limits(), spawn=start_interpreter, prepared=None,
                     early=None):
    """Grade loaded cells: a file's (load.load_submission) or a notebook namespace's (selfcheck.check)."""
    session = Session(submission, GRADED_NAMES, limits, spawn, early)  # starts loading the student's code right away
    try:
        from .at_fault import trace_request, with_fault_line
        from .checks import check_exercise, helper_answerer
        from .diagnose import blame_syntax_errors, diagnose, helper_notes
        from .exercises import BY_NAME

        prepared = prepared or prepare(seed, only)
    except BaseException:
        session.close()
        raise
    planned, reference = prepared.plan, prepared.reference
    found = {}

    def findings_of(outcomes, load):
        for exercise in prepared.exercises:
            name = exercise.name
            found[name] = check_exercise(exercise, planned.cases[name], planned.expected[name],
                                         [outcomes[(name, index)] for index in range(len(planned.cases[name]))],
                                         load.functions.get(name))
        if not prepared.traces.available:
            return []
        return [r for r in (trace_request(f, planned_request) for f in found.values()) if r is not None]

    def planned_request(name, index):
        return next(r for r in planned.requests if r.exercise == name and r.case_index == index)

    run = run_submission(session, prepared.calls, helper_answerer(reference, BY_NAME), findings_of)
    results = []
    for exercise in prepared.exercises:
        if exercise.name not in found:  # loading failed before any call: no follow-up ran
            findings_of(run.outcomes, run.load)
        findings = found[exercise.name]
        result = diagnose(findings, prepared.mistakes)
        results.append(with_fault_line(result, findings, run.traced.get(exercise.name), prepared.traces, submission,
                                       prepared.mistakes))
    results = helper_notes(results, BY_NAME)
    results = blame_syntax_errors(results, run.load)
    return GradeReport(submission.path, planned.seed, tuple(results),
                       prepared.notes + submission.notes + load_notes(run.load))


def load_notes(load):
    from .plain_errors import plain_message

    notes = []
    for note in load.notes:
        where = f"{note.get('where', '?')}, line {note.get('line', '?')}"
        code = note.get("code", "")
        if note.get("kind") == "syntax":
            caret = " " * max(0, int(note.get("column", 1)) - 1) + "^"
            notes.append(f"{where}: SyntaxError: {note.get('message')}\n    {code}\n    {caret}\n"
                         "  (nothing in this cell was run: fix the syntax error first)")
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
