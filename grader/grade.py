"""The pipeline for one submission: load -> run in isolation -> check -> diagnose, as a GradeReport."""
import os

from .isolate import GRADED_NAMES, Limits, Session, run_submission, start_interpreter
from .load import load_submission
from .model import GradeReport


def grade(path, seed=None, only=None, limits=Limits(), spawn=start_interpreter):
    """Grade the submission at path. Raises load.LoadError when it cannot be graded at all.

    spawn starts the worker processes (isolate.start_interpreter; a batch passes a zygote's, which is faster).
    """
    return grade_submission(load_submission(path), seed, only, limits, spawn)


def grade_submission(submission, seed=None, only=None, limits=Limits(), spawn=start_interpreter):
    """Grade loaded cells: a file's (load.load_submission) or a notebook namespace's (selfcheck.check)."""
    session = Session(submission, GRADED_NAMES, limits, spawn)  # starts loading the student's code right away
    try:
        from .check import check_exercise, helper_answerer, plan
        from .diagnose import blame_syntax_errors, diagnose, helper_notes
        from .exercises import BY_NAME, EXERCISES
        from .sealed import course_reference

        reference, course_notes = course_reference()  # the student kit has sealed answers, not the reference
    except BaseException:
        session.close()
        raise
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    selected = [exercise for exercise in EXERCISES if not only or exercise.name in only]
    cases, requests = plan(selected, seed)
    run = run_submission(session, requests, helper_answerer(reference, BY_NAME))
    results = []
    for exercise in selected:
        outcomes = [run.outcomes[(exercise.name, index)] for index in range(len(cases[exercise.name]))]
        findings = check_exercise(exercise, cases[exercise.name], outcomes, run.load.functions.get(exercise.name),
                                  reference)
        results.append(diagnose(findings, reference))
    results = helper_notes(results, BY_NAME)
    results = blame_syntax_errors(results, run.load)
    return GradeReport(submission.path, seed, tuple(results), course_notes + submission.notes + load_notes(run.load))


def load_notes(load):
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
            notes.append(f"{where}: {note.get('type')}: {note.get('message')}  (`{code.strip()}`; the rest still ran)")
        else:
            notes.append(note.get("message", "the submission could not be loaded"))
    if load.skipped_statements:
        notes.append(f"{load.skipped_statements} top-level statement(s) that call functions were not run "
                     "(only imports, definitions and assignments without calls run when grading)")
    return tuple(notes)
