"""Gradescope's results.json (checked against its documented fields) and autograder zip; JUnit XML."""
import json
import os
import stat
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

import pytest
from batch_class import write_submission

from grader.exercises import EXERCISES
from grader.report.formats import build_gradescope_zip

# https://gradescope-autograders.readthedocs.io/en/latest/specs/ (Output format)
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
             "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
               "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
WEIGHTS = {exercise.name: exercise.weight for exercise in EXERCISES}


def check_gradescope_results(results):
    """The documented contract: known fields only, numbers where numbers go, one test per exercise."""
    assert set(results) <= TOP_LEVEL, set(results) - TOP_LEVEL
    assert isinstance(results["score"], (int, float))
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "visible") in VISIBILITIES
    assert isinstance(results.get("output", ""), str)
    for test in results["tests"]:
        assert set(test) <= TEST_FIELDS, set(test) - TEST_FIELDS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in VISIBILITIES
        assert test.get("status", "passed") in ("passed", "failed")
    assert {t["name"]: t["max_score"] for t in results["tests"]} == WEIGHTS
    assert sum(t["score"] for t in results["tests"]) == results["score"]


def grade_cli(*args):
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


def test_gradescope_results_of_one_submission(tmp_path):
    path = write_submission(tmp_path, "alice", "db_wrong_axis", "ipynb")
    code, out, _ = grade_cli(str(path), "--format", "gradescope", "--seed", "2")
    results = json.loads(out)
    check_gradescope_results(results)
    assert code == 1 and results["score"] == 85
    linear_backward = next(t for t in results["tests"] if t["name"] == "linear_backward")
    assert linear_backward["status"] == "failed" and "error[LB02]" in linear_backward["output"]


def test_gradescope_results_when_the_submission_cannot_be_read(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    code, out, err = grade_cli(str(broken), "--format", "gradescope")
    results = json.loads(out)
    check_gradescope_results(results)
    assert code == 2 and results["score"] == 0
    assert "corrupt notebook" in results["output"] and "corrupt notebook" in err


def test_junit_xml_of_one_submission(tmp_path):
    path = write_submission(tmp_path, "bob", "relu_of_gradient", "py")
    code, out, _ = grade_cli(str(path), "--format", "junit", "--seed", "2")
    suite = ElementTree.fromstring(out).find("testsuite")
    assert code == 1 and suite.get("name") == "bob"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == set(WEIGHTS)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("10", "1", "0")
    failure = cases["relu_backward"].find("failure")
    assert "RB01" in failure.get("message") + failure.text
    assert all(case.find("failure") is None for name, case in cases.items() if name != "relu_backward")
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["score"] == "90"


def test_junit_carries_control_characters_of_a_students_error_safely(tmp_path):
    from grader.report.formats import junit_xml

    report = {"score": 0, "max_score": 10, "seed": 1, "notes": [], "exercises": [
        {"name": "linear_forward", "status": "error", "score": 0, "max_score": 10,
         "feedback": "`linear_forward` raised ValueError: bad \x00\x1b[31m byte", "mistakes": []}]}
    document = junit_xml([{"student": "eve\x07", "report": report}])
    error = ElementTree.fromstring(document).find("testsuite/testcase/error")
    assert error.get("type") == "error" and "bad" in error.get("message")


def test_class_run_writes_gradescope_results_per_student(tmp_path):
    folder = tmp_path / "class"
    write_submission(folder, "carol", "correct", "py")
    write_submission(folder, "dan", "stub", "ipynb")
    code, _, err = grade_cli(str(folder), "--out", str(tmp_path / "out"), "--format", "gradescope", "--seed", "1")
    assert code == 0, err
    for student, score in (("carol", 100), ("dan", 0)):
        with open(tmp_path / "out" / "students" / student / "results.json", encoding="utf-8") as handle:
            results = json.load(handle)
        check_gradescope_results(results)
        assert results["score"] == score


@pytest.fixture
def autograder(tmp_path):
    target = tmp_path / "autograder.zip"
    build_gradescope_zip(str(target), seed=1234, timeout=2.0)
    return target


def test_autograder_zip_has_the_two_scripts_at_its_root(autograder):
    with zipfile.ZipFile(autograder) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "grader/cli.py", "grader/run/worker.py", "solutions/reference.py"} <= set(names)
    assert not any("__pycache__" in name for name in names)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert setup.startswith("#!/usr/bin/env bash") and "numpy" in setup and "nbformat" in setup
    assert "--seed 1234" in run and "/autograder" in run


def test_autograder_grades_a_submission_the_gradescope_way(autograder, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    write_submission(root / "submission", "someone", "db_wrong_axis", "ipynb", name="Building_your_Deep_Network.ipynb")
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), PYTHON=sys.executable)
    environment.pop("PYTHONPATH", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment, check=True, timeout=120,
                   cwd=str(tmp_path))
    with open(root / "results" / "results.json", encoding="utf-8") as handle:
        results = json.load(handle)
    check_gradescope_results(results)
    assert results["score"] == 85 and results["extra_data"]["seed"] == 1234


def test_autograder_without_a_notebook_or_module_still_writes_results(autograder, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "answers.pdf").write_bytes(b"%PDF")
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment, check=True, timeout=120)
    with open(root / "results" / "results.json", encoding="utf-8") as handle:
        results = json.load(handle)
    check_gradescope_results(results)
    assert results["score"] == 0 and "could not be graded" in results["output"]
