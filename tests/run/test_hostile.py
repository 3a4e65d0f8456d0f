"""Hostile submissions: the grader survives each one, grades the rest of it right, and nothing leaks.

Each file of tests/hostile/ is one hostile part; the submission graded is the reference solutions followed
by that part (a later definition replaces the reference's). Placeholders in the files: __WATCHED__, a
folder outside the worker's private directory (the submission's own folder, with a classmate's file in
it), __TCP_PORT__ / __UDP_PORT__ (sockets this test listens on, on 127.0.0.1 only) and __TOKEN__.
"""
import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.grade import grade
from grader.exercises import SIGNATURES
from grader.run.session import Limits, Session, run_submission
from grader.load import load_submission
from grader.model import CallRequest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "hostile"
REFERENCE = (REPO / "solutions" / "reference.py").read_text(encoding="utf-8")
LIMITS = Limits(call_seconds=1, statement_seconds=0.5, load_seconds=3, memory_bytes=320 * 2**20, cpu_seconds=30)

# hostile part -> the exercises it may cost and their status; every other exercise must pass
EXPECTED = {
    "loop_at_import.py": {},
    "c_loop_at_import.py": {},
    "loop_in_function.py": {"linear_forward": "timeout"},
    "sleep.py": {"linear_backward": "timeout"},
    "memory_bomb.py": {"compute_cost": "error"},
    "fork_many.py": {},
    "sys_exit_at_import.py": {},
    "os_exit_at_import.py": {},
    "exit_in_function.py": {"linear_backward": "error", "sigmoid_backward": "error"},
    "deep_recursion.py": {"linear_forward": "error", "relu_backward": "error"},
    "background_thread.py": {},
    "nan_results.py": {"compute_cost": "failed"},
    "hardcoded.py": {"linear_forward": "failed"},
    "read_solutions.py": {"linear_backward": "failed"},
    "patch_grader.py": {"linear_forward": "failed", "relu_backward": "failed"},
    "pickle_payload.py": {"linear_forward": "failed"},
    "network.py": {},
    "forged_messages.py": {"linear_forward": "error", "linear_backward": "error"},
    "shell_escapes.cells": {},
}
THROUGH_THE_CLI = {  # graded by the `grade` command in its own session, as an instructor would
    "kill_parent.py": {},
    "big_print.py": {},
    "fake_output.py": {"linear_forward": "failed"},
}


def snapshot(*folders):
    """Every file under the folders: its size, mode, modification time and content digest."""
    state = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            state[str(path)] = (info.st_size, info.st_mode, info.st_mtime_ns, digest)
    return state


class Listeners:
    """A TCP and a UDP socket on 127.0.0.1 that record whether anything reached them."""

    def __init__(self):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)

    def reached(self):
        for receive in (self.tcp.accept, lambda: self.udp.recv(1)):
            try:
                receive()
                return True
            except BlockingIOError:
                pass
        return False

    def close(self):
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def place(tmp_path, monkeypatch):
    """Builds a hostile submission in a class folder with a classmate; workers' private dirs go to homes/."""
    homes = tmp_path / "homes"
    homes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(homes))
    watched = tmp_path / "class"
    watched.mkdir()
    (watched / "classmate.py").write_text(REFERENCE, encoding="utf-8")
    listeners = Listeners()
    token = "hostile-" + uuid.uuid4().hex[:6]

    def build(name):
        text = (HOSTILE / name).read_text(encoding="utf-8")
        for placeholder, value in (("__WATCHED__", str(watched)), ("__TOKEN__", token),
                                   ("__TCP_PORT__", str(listeners.tcp.getsockname()[1])),
                                   ("__UDP_PORT__", str(listeners.udp.getsockname()[1]))):
            text = text.replace(placeholder, value)
        if name.endswith(".cells"):
            cells = [nbformat.v4.new_code_cell(REFERENCE)]
            cells += [nbformat.v4.new_code_cell(cell.strip("\n")) for cell in text.split("# %%")[1:]]
            path = watched / "hostile.ipynb"
            nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
        else:
            path = watched / "hostile.py"
            path.write_text(REFERENCE + "\n\n" + text, encoding="utf-8")
        return path

    build.watched, build.homes, build.listeners, build.token = watched, homes, listeners, token
    yield build
    listeners.close()


def statuses(report):
    return {exercise.name: exercise.status for exercise in report.exercises}


def assert_contained(place, before):
    assert snapshot(place.watched, REPO / "solutions") == before, "a file outside the private dir changed"
    assert list(place.homes.iterdir()) == [], "a worker's private dir was left behind"
    assert not place.listeners.reached(), "the submission reached the network"
    assert not lingering(place.token), "a process the submission started outlived grading"


def lingering(token):
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == token:
                found.append(comm.parent.name)
        except OSError:
            pass
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_part_costs_only_itself(place, name):
    path = place(name)
    before = snapshot(place.watched, REPO / "solutions")
    report = grade(str(path), seed=7, limits=LIMITS)
    wanted = {exercise: EXPECTED[name].get(exercise, "passed") for exercise in SIGNATURES}
    assert statuses(report) == wanted
    assert not any("sandbox" in note for note in report.notes), report.notes
    assert_contained(place, before)


@pytest.mark.parametrize("name", sorted(THROUGH_THE_CLI))
def test_hostile_part_through_the_cli(place, name):
    path = place(name)
    before = snapshot(place.watched, REPO / "solutions")
    environment = dict(os.environ, TMPDIR=str(place.homes))
    finished = subprocess.run([sys.executable, "-m", "grader", str(path), "--format", "json", "--seed", "7",
                               "--timeout", "1"], capture_output=True, text=True, timeout=120, env=environment,
                              start_new_session=True)  # if the grader were killed, only its own session goes
    assert "Traceback" not in finished.stdout + finished.stderr
    report = json.loads(finished.stdout)  # the whole of stdout is our JSON: nothing the student printed
    wanted = {exercise: THROUGH_THE_CLI[name].get(exercise, "passed") for exercise in SIGNATURES}
    assert {exercise["name"]: exercise["status"] for exercise in report["exercises"]} == wanted
    assert finished.returncode == (0 if all(status == "passed" for status in wanted.values()) else 1)
    assert len(finished.stdout) < 100_000 and len(finished.stderr) < 10_000
    assert_contained(place, before)


def test_load_time_notes_name_what_was_stopped(place):
    report = grade(str(place("loop_at_import.py")), seed=7, limits=LIMITS)
    assert any("stopped after its time budget" in note and "class Spin" in note for note in report.notes)
    report = grade(str(place("sys_exit_at_import.py")), seed=7, limits=LIMITS)
    assert any("SystemExit" in note for note in report.notes)


def call_once(path, limits, exercise, args):
    session = Session(load_submission(str(path)), SIGNATURES, limits)
    run = run_submission(session, [CallRequest(exercise, 0, args)], lambda *request: (False, "no helpers here"))
    return run.outcomes[(exercise, 0)]


def linear_backward_args():
    rng = np.random.default_rng(0)
    A_prev, W, b, dZ = rng.standard_normal((3, 2)), rng.standard_normal((1, 3)), np.ones((1, 1)), np.ones((1, 2))
    return dZ, (A_prev, W, b)


def test_the_grader_refuses_helper_calls_that_would_exhaust_its_memory(place):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    report = grade(str(place("helper_bomb.py")), seed=7, limits=LIMITS)
    assert set(statuses(report).values()) == {"passed"}
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before < 2**30


def test_the_reference_is_nowhere_the_student_can_look(place):
    path = place("read_solutions.py")
    unconfined = call_once(path, Limits(sandbox=False), "linear_backward", linear_backward_args())
    # the probes work: without the sandbox they read the solutions from disk
    assert any(str(REPO / "solutions") in found for found in unconfined.value)
    confined = call_once(path, LIMITS, "linear_backward", linear_backward_args())
    assert confined.kind == "returned"
    assert confined.value == []


def test_one_hostile_submission_does_not_touch_twenty_correct_ones(place):
    hostile = place("tamper_with_class.py")
    (place.watched / "classmate.py").unlink()
    classmates = [place.watched / f"student{n:02}.py" for n in range(1, 21)]
    for path in classmates:
        path.write_text(REFERENCE, encoding="utf-8")
    before = snapshot(place.watched, REPO / "solutions")
    reports = [grade(str(path), seed=index, limits=LIMITS) for index, path in enumerate([hostile] + classmates)]
    assert statuses(reports[0])["linear_forward"] == "failed"
    assert [report.score for report in reports[1:]] == [report.max_score for report in reports[1:]]
    assert_contained(place, before)
