"""The entry point starts the worker ahead only for a command that grades one file, and leaves nothing behind."""
import os
import subprocess
import sys

import pytest

from grader.grade import grade
from grader.launch import _early_worker
from grader.report.text import to_dict
from grader.run.spawn import EarlyWorker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "solutions", "reference.py")


@pytest.mark.parametrize("args", [[REFERENCE], ["--format", "json", REFERENCE, "--seed", "3"], ["--demo"]])
def test_a_command_grading_one_file_starts_its_worker_ahead(args):
    early = _early_worker(args)
    try:
        assert isinstance(early, EarlyWorker) and early.process.poll() is None
    finally:
        early.close()
    assert early.process.poll() is not None and not os.path.exists(early.home)


@pytest.mark.parametrize("args", [
    [REFERENCE, REFERENCE], [ROOT], ["class.zip"], [REFERENCE, "--list"], [REFERENCE, "--watch"],
    [REFERENCE, "--out", "results"], [REFERENCE, "--out=results"], [REFERENCE, "--help"], ["missing.py"], [],
    ["--demo", REFERENCE],
])
def test_any_other_command_starts_none(args):
    assert _early_worker(args) is None


def test_the_worker_started_ahead_grades_as_a_fresh_one():
    early = EarlyWorker()
    try:
        assert to_dict(grade(REFERENCE, seed=4, early=early)) == to_dict(grade(REFERENCE, seed=4))
        assert early.take() is None  # the grading took it over
    finally:
        early.close()


@pytest.mark.parametrize("content", [b"\x00\x01 not python", b"def broken(:\n"])
def test_a_submission_that_cannot_be_graded_leaves_no_worker_nor_folder(tmp_path, content):
    submission = tmp_path / "class" / "alice.py"
    submission.parent.mkdir()
    submission.write_bytes(content)
    temp = tmp_path / "temp"
    temp.mkdir()
    finished = subprocess.run([sys.executable, "-m", "grader", str(submission)], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "TMPDIR": str(temp)})
    assert finished.returncode in (1, 2) and "Traceback" not in finished.stderr
    assert list(temp.iterdir()) == []
