"""End to end: the `grade` command's exit statuses, its two formats, --list, --demo and --seed."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "solutions", "reference.py")
STUDENT_MODULE = os.path.join(ROOT, "exercises", "deep_network.py")
STUDENT_NOTEBOOK = os.path.join(ROOT, "exercises", "Building_your_Deep_Neural_Network.ipynb")


def grade(*args):
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


def test_reference_gets_full_marks_and_exit_0():
    code, out, err = grade(REFERENCE, "--format", "json")
    report = json.loads(out)
    assert code == 0, err
    assert report["score"] == report["max_score"] == 100
    assert {e["status"] for e in report["exercises"]} == {"passed"}


@pytest.mark.parametrize("path", [STUDENT_MODULE, STUDENT_NOTEBOOK])
def test_untouched_exercises_are_not_attempted(path):
    code, out, _ = grade(path, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["score"] == 0
    assert {e["status"] for e in report["exercises"]} == {"not_attempted"}
    assert all("NotImplementedError" in e["feedback"] for e in report["exercises"])


def test_json_follows_the_output_contract_and_stdout_holds_nothing_else(tmp_path):
    noisy = tmp_path / "noisy.py"
    source = open(REFERENCE).read().replace("    A = 1 / (1 + np.exp(-Z))",
                                           "    print('{\"score\": 100}')\n    A = 1 / (1 + np.exp(-Z))")
    noisy.write_text("print('hello from the student')\n" + source)
    code, out, _ = grade(str(noisy), "--format", "json")
    report = json.loads(out)  # fails if anything but the document reached stdout
    assert code == 0
    assert set(report) >= {"submission", "score", "max_score", "exercises"}
    for exercise in report["exercises"]:
        assert set(exercise) >= {"name", "status", "score", "max_score", "feedback", "mistakes"}
    assert sum(e["max_score"] for e in report["exercises"]) == 100


def test_text_report_names_a_mistake_and_exits_1():
    code, out, _ = grade("--demo", "--seed", "3")
    assert code == 1
    assert "error[LB02]" in out and "db is summed over the wrong axis" in out
    assert "hint:" in out
    assert "Traceback" not in out


def test_seed_reproduces_a_run_exactly():
    first = grade("--demo", "--seed", "42", "--format", "json")[1]
    second = grade("--demo", "--seed", "42", "--format", "json")[1]
    assert json.loads(first) == json.loads(second)
    assert json.loads(first)["seed"] == 42


def test_list_shows_every_exercise_and_points_adding_to_100():
    code, out, _ = grade("--list")
    assert code == 0
    points = [int(line.split()[1]) for line in out.strip().splitlines()]
    assert len(points) == 10 and sum(points) == 100


@pytest.mark.parametrize("make, reason", [
    (lambda d: str(d / "absent.py"), "no such file"),
    (lambda d: (d / "notes.txt").write_text("x") and str(d / "notes.txt"), "not a .py file"),
    (lambda d: (d / "broken.ipynb").write_text('{"cells": [') and str(d / "broken.ipynb"), "corrupt notebook"),
])
def test_cannot_grade_exits_2_with_one_line_reason(tmp_path, make, reason):
    code, out, err = grade(make(tmp_path))
    assert code == 2
    assert out == ""
    assert reason in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_one_exercise_only():
    code, out, _ = grade(REFERENCE, "--exercise", "linear_backward", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [e["name"] for e in report["exercises"]] == ["linear_backward"]


def test_a_python_submission_does_not_import_nbformat():
    probe = ("import sys; from grader.grade import grade; grade(sys.argv[1], seed=1); "
             "print('nbformat' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, REFERENCE], capture_output=True, text=True).stdout
    assert out.strip() == "False"
