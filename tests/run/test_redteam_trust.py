"""Red team, secrets and trust (issue 11: items 1, 2, 3, 8, 9): one test per attack class, with variations.

Each hostile part of tests/hostile/ is appended to the reference solutions (a later definition replaces the
reference's), so that every exercise it does not attack must still pass. Every test here also checks that the
grader gave a report without a traceback and left no worker process or private folder behind (the autouse
fixture); the memory tests measure the grader's own peak RSS in a process of its own.
"""
import copy
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.run import wire

from grader.classroom.run import run_batch, slug
from grader.checks.compare import helper_answerer
from grader.exercises import BY_NAME, EXERCISES
from grader.grade import prepare
from grader.exercises import SIGNATURES
from grader.run.session import MAX_HELPER_CALLS, MAX_NOTES, Limits, Session, run_submission
from grader.load import load_submission
from grader.report.text import render_json, render_text
from grader.checks.answers import recording_reference
from solutions import reference
from test_redteam_reach import private_tmp, run_as, start  # noqa: F401 - run_as is a fixture

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "hostile"
REFERENCE = (REPO / "solutions" / "reference.py").read_text(encoding="utf-8")
LIMITS = Limits(call_seconds=1, statement_seconds=0.5, load_seconds=3, submission_seconds=30,
                memory_bytes=320 * 2**20, cpu_seconds=30)
COMPOSITES = tuple(exercise.name for exercise in EXERCISES if exercise.helpers)
STUB = "def linear_forward(A, W, b):\n    raise NotImplementedError\n"


def _worker_processes(homes):
    """Processes whose working directory is under homes (a worker's is its private folder)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(str(homes)):
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture(autouse=True)
def homes(tmp_path, monkeypatch):
    """Workers' private folders go to homes/; afterwards neither a folder nor a process of theirs is left."""
    folder = tmp_path / "homes"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    for _ in range(50):  # a killed worker is reaped by the zygote, asynchronously
        if not _worker_processes(folder) and not os.listdir(folder):
            break
        time.sleep(0.1)
    assert _worker_processes(folder) == [] and os.listdir(folder) == []


def hostile(tmp_path, name, variant=None, secrets=None, filename="hostile.py", after=REFERENCE):
    text = (HOSTILE / name).read_text(encoding="utf-8")
    text = text.replace("__VARIANT__", repr(variant)).replace("__SECRETS__", repr(secrets))
    path = tmp_path / "class" / filename
    path.parent.mkdir(exist_ok=True)
    path.write_text(after + "\n\n" + text, encoding="utf-8")
    return path


def graded(path, spawn_worker, limits=LIMITS, seed=1):
    from grader.grade import grade

    return grade(str(path), seed=seed, limits=limits, spawn=spawn_worker)


def statuses(report):
    return {result.name: result.status for result in report.exercises}


def passes_all_but(report, attacked):
    """Every exercise the part does not attack passes; each attacked one earns nothing."""
    scores = {result.name: result.score for result in report.exercises}
    others = {name: status for name, status in statuses(report).items() if name not in attacked}
    return set(others.values()) == {"passed"} and all(scores[name] == 0 for name in attacked)


# 1. No secret in the worker -----------------------------------------------------------------------------------

def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)


def reference_outputs(prepared):
    """The bytes of every output the reference computed for the cases and of every answer its helpers gave on
    them, leaving out any that a case's own arguments hold (the worker is sent those)."""
    secrets = set()
    for sides in prepared.plan.expected.values():
        secrets.update(a.tobytes() for side in sides for a in _arrays(side.output))
    for exercise in prepared.exercises:
        if exercise.helpers:
            recording, calls = recording_reference(reference, exercise.helpers)
            for case in prepared.plan.cases[exercise.name]:
                exercise.reference(recording, case.args)
            secrets.update(a.tobytes() for made in calls.values() for _, value in made for a in _arrays(value))
    given = [a.tobytes() for cases in prepared.plan.cases.values() for case in cases for a in _arrays(case.args)]
    return sorted(s.hex() for s in secrets if len(s) >= 16 and not any(s in blob for blob in given))


def test_no_reference_output_is_reachable_in_a_worker_at_load_or_during_a_composite_call(tmp_path, spawn_worker):
    prepared = prepare(5)
    secrets = reference_outputs(prepared)
    assert len(secrets) > 50  # the cases' outputs and the helpers' answers: what a spy would look for
    path = hostile(tmp_path, "spy_memory.py", secrets=secrets, after="")  # alone: it computes no output itself
    slow = Limits(call_seconds=60, statement_seconds=60, load_seconds=60, submission_seconds=600)
    session = Session(load_submission(str(path)), SIGNATURES, slow, spawn_worker)
    run = run_submission(session, prepared.calls, helper_answerer(reference, BY_NAME))
    scans = [outcome for (name, _), outcome in run.outcomes.items() if name in COMPOSITES]
    assert scans and all(outcome.kind == "returned" for outcome in scans)
    assert [outcome.value for outcome in scans] == [{"at_load": [], "during_call": []}] * len(scans)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e30, 1e30), min_size=2, max_size=12), st.integers(0, 63))
def test_a_sealed_answer_opens_only_with_the_exact_bytes_of_its_arguments(values, bit):
    args = (np.array(values).reshape(2, -1) if len(values) % 2 == 0 else np.array(values), "relu")
    answer = (np.arange(6.0).reshape(2, 3), np.ones((2, 1)))
    key = wire.answer_key("relu_backward", args)
    sealed = wire.seal_answer(key, answer)
    assert all(a.tobytes() not in sealed for a in answer)
    opened = wire.open_answer(wire.answer_key("relu_backward", copy.deepcopy(args)), sealed)
    assert all(np.array_equal(a, b) for a, b in zip(opened, answer))
    flipped = args[0].copy()
    flipped.view(np.uint64).flat[0] ^= np.uint64(1 << bit)  # one bit of one entry
    for other in ((flipped, "relu"), (args[0].astype(np.float32), "relu"), (args[0], "sigmoid")):
        other_key = wire.answer_key("relu_backward", other)
        assert wire.answer_slot(other_key) != wire.answer_slot(key)
    assert wire.answer_slot(wire.answer_key("sigmoid_backward", args)) != wire.answer_slot(key)


def test_a_submission_that_copies_answers_from_its_memory_gets_no_credit(tmp_path, spawn_worker):
    report = graded(hostile(tmp_path, "read_helper_answers.py"), spawn_worker)
    scores = {result.name: result.score for result in report.exercises}
    assert all(scores[name] == 0 for name in COMPOSITES), scores
    # the memory walk may exhaust its worker (MemoryError, or the worker dies on its next call, more often on a
    # loaded machine): the honest part then loses points of its own, but is never graded wrong for another reason
    honest = {name: status for name, status in statuses(report).items() if name not in COMPOSITES}
    assert set(honest.values()) <= {"passed", "timeout", "error"} and "passed" in honest.values(), honest


def test_the_grader_computes_a_bounded_number_of_helper_answers_per_call(tmp_path, spawn_worker):
    path = hostile(tmp_path, "forged_wire.py", "helper_storm")
    prepared = prepare(1, {"L_model_backward"})
    answer, answered = helper_answerer(reference, BY_NAME), []

    def counting(exercise, helper, args):
        answered.append(exercise)
        return answer(exercise, helper, args)

    session = Session(load_submission(str(path)), SIGNATURES, LIMITS, spawn_worker)
    run = run_submission(session, prepared.calls, counting)
    calls = len(prepared.plan.cases["L_model_backward"])
    assert {outcome.kind for outcome in run.outcomes.values()} <= {"returned", "timeout"}
    assert 0 < len(answered) <= calls * (MAX_HELPER_CALLS + 10)  # the reference's own calls besides


# 2. The worker's word is not taken ------------------------------------------------------------------------------

def test_a_change_in_place_is_named_though_the_worker_is_patched_to_hide_it(tmp_path, spawn_worker):
    report = graded(hostile(tmp_path, "patch_fingerprint.py"), spawn_worker)
    codes = {result.name: {d.code for d in result.mistakes} for result in report.exercises}
    assert "RB07" in codes["relu_backward"] and "SB08" in codes["sigmoid_backward"]
    assert passes_all_but(report, ("relu_backward", "sigmoid_backward"))


@pytest.mark.parametrize("variant", ["column", "many_notes", "many_small_notes", "wrong_types", "escapes",
                                     "huge_load_header"])
def test_a_forged_load_report_is_bounded_and_costs_only_its_author(tmp_path, spawn_worker, variant):
    started = time.monotonic()
    report = graded(hostile(tmp_path, "forged_wire.py", variant), spawn_worker)
    text = render_text(report, lambda text, **style: text)
    assert time.monotonic() - started < 20
    assert len(report.notes) <= MAX_NOTES + 2 and len(text) < 200_000
    assert all(len(line) < 1200 for line in text.splitlines())
    assert report.score <= 100 and statuses(report)["compute_cost"] in ("passed", "missing")


@pytest.mark.parametrize("variant", ["int_1e30", "float_from_huge_int", "bool_as_int", "long_list", "many_arrays",
                                     "negative_shape", "shape_not_a_list", "object_dtype", "key_not_text", "deep"])
def test_a_forged_reply_is_refused_without_a_traceback(tmp_path, spawn_worker, variant):
    report = graded(hostile(tmp_path, "forged_wire.py", variant), spawn_worker)
    assert passes_all_but(report, ("linear_forward",))
    assert statuses(report)["linear_forward"] in ("error", "failed")


# the score left: a worker that never loads earns nothing; an announcement of no statement is refused, and the
# statement that sent it is skipped like one that stops its worker, the rest being graded
@pytest.mark.parametrize("variant, score", [("exec_then_hang", 0), ("exec_flood_then_exit", 0),
                                            ("exec_out_of_range", 100)])
def test_forged_statement_announcements_cannot_stretch_loading_past_the_budget(tmp_path, spawn_worker, variant,
                                                                                score):
    limits = Limits(call_seconds=1, statement_seconds=0.5, load_seconds=2, submission_seconds=5, restarts=50)
    started = time.monotonic()
    report = graded(hostile(tmp_path, "forged_wire.py", variant), spawn_worker, limits)
    assert time.monotonic() - started < 5 + 4  # the budget, and starting or killing a worker
    assert report.score == score and report.notes


SLOW = """
import time

_references = {name: globals()[name] for name in ("linear_forward", "linear_backward")}


def linear_forward(A, W, b):
    time.sleep(0.8)
    return _references["linear_forward"](A, W, b)


def linear_backward(dZ, cache):
    time.sleep(0.8)
    return _references["linear_backward"](dZ, cache)
"""


def test_slow_calls_cannot_stretch_a_submission_past_its_budget(tmp_path, spawn_worker):
    path = tmp_path / "slow.py"
    path.write_text(REFERENCE + SLOW, encoding="utf-8")
    started = time.monotonic()
    report = graded(path, spawn_worker, Limits(call_seconds=1, submission_seconds=3))
    assert time.monotonic() - started < 3 + 3
    assert statuses(report)["linear_backward"] == "timeout" and report.score < 100


# 3. The grader's memory -------------------------------------------------------------------------------------------

# VmHWM, not getrusage's ru_maxrss: that one survives exec, so it would be the forking test process's size
PEAK = """
import json, re, sys
from grader.grade import grade
from grader.run.session import Limits
report = grade(sys.argv[1], seed=1, limits=Limits(call_seconds=2, load_seconds=10, memory_bytes=600 * 2**20))
status = open("/proc/self/status").read()
print(json.dumps({"peak_kb": int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)),
                  "statuses": {e.name: e.status for e in report.exercises}}))
"""


@pytest.mark.parametrize("variant", ["declared_256mb", "sent_256mb", "late_floods", "huge_header"])
def test_no_reply_pushes_the_graders_memory_past_a_bound(tmp_path, homes, variant):
    path = hostile(tmp_path, "huge_replies.py", variant)
    done = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TMPDIR=str(homes)))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    result = json.loads(done.stdout)
    assert result["peak_kb"] < 300 * 1024  # numpy and the cases take about 60 MB of it
    if variant in ("declared_256mb", "sent_256mb", "huge_header"):
        assert set(result["statuses"].values()) == {"error"}


# 8. Class-run integrity, and honest students among hostile ones ------------------------------------------------

@pytest.mark.parametrize("pair", [("jane doe", "jane_doe-" + hashlib.sha256(b"jane doe").hexdigest()[:8]),
                                  ("jane doe", slug("jane doe")), ("Jane", "jane"), ("a" * 81, "a" * 80)])
def test_an_id_chosen_to_look_like_a_classmates_gets_its_own_folder(pair):
    assert slug(pair[0]) != slug(pair[1]) and slug(pair[0]).lower() != slug(pair[1]).lower()
    assert all(re.fullmatch(r"[\w.@-]+", slug(student), re.ASCII) for student in pair)


def test_a_class_with_hostile_students_grades_the_honest_ones_fully(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for honest in ("alice", "jane doe"):
        (folder / f"{honest}.py").write_text(REFERENCE, encoding="utf-8")
    impostors = ("jane_doe-" + hashlib.sha256(b"jane doe").hexdigest()[:8], slug("jane doe"))
    for impostor in impostors:
        (folder / f"{impostor}.py").write_text(STUB, encoding="utf-8")
    attacks = [  # each with the score its honest part earns: the attacked exercises earn nothing
        ("forged_wire.py", "int_1e30", 90), ("forged_wire.py", "many_notes", 100),  # refused, graded as it is
        ("forged_wire.py", "escapes", 0),  # its forged report says it defines nothing of its own
        ("huge_replies.py", "declared_256mb", 0), ("fake_report_lines.py", None, 50),
        ("read_helper_answers.py", None, 60), ("patch_fingerprint.py", None, 80)]
    # the memory walk of read_helper_answers may exhaust its worker's memory (MemoryError, or the worker dies
    # on its next call): then it loses more of its own points, never gains any
    at_most = {"read_helper_answers.py"}
    for index, (name, variant, _) in enumerate(attacks):
        hostile(tmp_path, name, variant, filename=f"mallory{index}.py")
    out = tmp_path / "out"
    summary = run_batch([str(folder)], str(out), seed=3, limits=LIMITS, jobs=2)
    assert summary.complete and summary.students == 4 + len(attacks)
    with open(out / "grades.csv", encoding="utf-8-sig") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["alice"]["total"] == rows["jane doe"]["total"] == "100"
    assert all(rows[impostor]["total"] == "0" for impostor in impostors)
    for index, (name, _, expected) in enumerate(attacks):
        report = _report(out, f"mallory{index}")
        wrong = "; ".join(f"{e['name']}: {e['status']}: {e['feedback'][:160]}" for e in report["exercises"]
                          if e["status"] != "passed").replace("\n", " | ")
        if name in at_most:
            assert report["score"] <= expected and all(
                e["score"] == 0 for e in report["exercises"] if e["name"] in COMPOSITES), wrong
        else:
            assert report["score"] == expected, f"mallory{index}: {wrong}"
    assert len(os.listdir(out / "students")) == len(os.listdir(out / "records")) == 4 + len(attacks)
    feedback = (out / "students" / slug("jane doe") / "feedback.txt").read_text(encoding="utf-8")
    assert "Score: 100/100" in feedback


def _report(out, student):
    with open(out / "records" / f"{student}.json", encoding="utf-8") as handle:
        return json.load(handle)["report"]


def test_a_rerun_regrades_what_the_grader_failed_on_and_keeps_what_it_finished(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for student in ("amy", "ben"):
        (folder / f"{student}.py").write_text(REFERENCE, encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(folder)], str(out), seed=3, limits=LIMITS, jobs=1)
    record_path = out / "records" / "amy.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record_path.write_text(json.dumps(dict(record, status="grader_failed", report=None)), encoding="utf-8")
    again = run_batch([str(folder)], str(out), seed=3, limits=LIMITS, jobs=1)
    assert (again.graded, again.reused) == (1, 1) and again.complete
    assert json.loads(record_path.read_text(encoding="utf-8"))["status"] == "graded"


# 9. What a person reads --------------------------------------------------------------------------------------------

def _looks_like_ours(lines, report):
    """The lines that look like the grader's status or score lines: exactly one per exercise, and one score."""
    status = [line for line in lines if re.match(r"(PASS|FAIL|ERROR|TIMEOUT|MISSING|TODO)\s", line)]
    return len(status) == len(report.exercises) and sum(line.startswith("Score:") for line in lines) == 1


@pytest.mark.parametrize("part, variant", [("fake_report_lines.py", None), ("forged_wire.py", "escapes")])
def test_student_text_cannot_draw_the_graders_lines(tmp_path, spawn_worker, part, variant):
    report = graded(hostile(tmp_path, part, variant), spawn_worker)
    text = render_text(report, lambda text, **style: text)
    document = render_json(report)
    for shown in (text, json.dumps(json.loads(document), ensure_ascii=False)):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", shown)
    assert _looks_like_ours(text.splitlines(), report)
    assert len(text) < 30_000 and all(len(line) < 1200 for line in text.splitlines())
    if part == "fake_report_lines.py":
        assert "\\x1b[2K" in text and "more characters" in text  # shown, escaped and cut, not dropped
        assert report.score == 100 - sum(BY_NAME[name].weight for name in (
            "linear_backward", "relu_backward", "sigmoid_backward", "compute_cost", "update_parameters"))


def test_a_file_name_that_draws_lines_is_shown_escaped_in_a_class_run(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "eve\n\x1b[32mPASS    everything 100\r.py").write_text(STUB, encoding="utf-8")
    (folder / "bob.py").write_text(REFERENCE, encoding="utf-8")
    from grader.classroom.run import summary_text

    out = tmp_path / "out"
    summary = run_batch([str(folder)], str(out), seed=3, limits=LIMITS, jobs=1)
    shown = summary_text(summary)
    for student in os.listdir(out / "students"):
        shown += (out / "students" / student / "feedback.txt").read_text(encoding="utf-8")
    assert "\x1b" not in shown and "\r" not in shown and summary.complete
    assert not any(line.startswith("PASS    everything") for line in shown.splitlines()) and "everything" in shown


# The same class through the command line, as the invoking user and as an unprivileged one ------------------

def test_a_class_run_through_the_cli_grades_honest_students_fully_as_either_user(run_as):
    """The trust attacks do not depend on the sandbox's mechanisms, so they must hold for a grader without
    root (no own uid per worker, user namespaces instead) exactly as for one with it."""
    user, folder = run_as
    students = folder / "class"
    students.mkdir()
    for honest in ("alice", "jane doe"):
        (students / f"{honest}.py").write_text(REFERENCE, encoding="utf-8")
    attacks = [("forged_wire.py", "int_1e30", 90), ("huge_replies.py", "declared_256mb", 0),
               ("read_helper_answers.py", None, 60), ("patch_fingerprint.py", None, 80),
               ("fake_report_lines.py", None, 50)]
    for index, (name, variant, _) in enumerate(attacks):
        hostile(folder, name, variant, filename=f"mallory{index}.py")
    for path in [students, *students.iterdir()]:
        path.chmod(0o777 if path.is_dir() else 0o644)
    out = folder / "out"
    out.mkdir()
    out.chmod(0o777)
    finished = start(user, private_tmp(folder), str(students), "--out", str(out), "--jobs", "2", "--seed", "3",
                     "--timeout", "1")
    stdout, stderr = finished.communicate(timeout=300)
    assert finished.returncode == 0, stdout + stderr
    assert "Traceback" not in stdout + stderr
    with open(out / "grades.csv", encoding="utf-8-sig") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["alice"]["total"] == rows["jane doe"]["total"] == "100"
    for index, (name, _, expected) in enumerate(attacks):  # the memory walk may cost its author more, see above
        score = float(rows[f"mallory{index}"]["total"])
        assert score <= expected if name == "read_helper_answers.py" else score == expected, (name, score)
    assert "Score: 100/100" in (out / "students" / slug("jane doe") / "feedback.txt").read_text(encoding="utf-8")
