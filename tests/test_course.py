"""Course versions (grade --course): what is graded and for how many points, provided helpers, key
conventions, the case domain, time limits and the seed; real notebooks of each version score 100%."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from course_notebooks import LOOP_VARIABLE_AFTER_LOOP, VERSIONS, write_course_notebook
from grader.course import CourseError, default_course, load_course, profile_names
from grader.exercises import EXERCISES
from grader.report.formats import build_gradescope_zip


def grade_cli(*args, cwd=None):
    result = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                            timeout=300, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def graded_json(*args):
    code, stdout, stderr = grade_cli(*args, "--format", "json")
    assert stdout, stderr
    return code, json.loads(stdout)


def test_the_profiles_are_ours_and_the_course_versions_and_ours_is_the_default():
    assert {"ours", "coursera", "coursera-older"} <= set(profile_names())
    ours = load_course("ours")
    assert ours.weights == default_course().weights == tuple((e.name, e.weight) for e in EXERCISES)
    for version in VERSIONS:
        course = load_course(version)
        assert set(course.provided) == {"relu_backward", "sigmoid_backward"}
        assert not set(course.provided) & set(course.graded) and sum(p for _, p in course.weights) == 100
    assert load_course("coursera").key_conventions == ("dA{l-1}",)
    assert load_course("coursera-older").key_conventions == ("dA{l}",)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_a_correct_course_notebook_gets_the_profile_it_fits_suggested_and_scores_100_with_it(version, tmp_path):
    notebook = write_course_notebook(tmp_path, version)
    _, plain = graded_json(notebook, "--seed", "4")
    suggestion = next(note for note in plain["notes"] if "as the course's own assignment does" in note)
    assert plain["suggested_course"] == version
    assert suggestion == ("this notebook imports relu_backward and sigmoid_backward from dnn_utils_v2, as the "
                          f"course's own assignment does: grade with --course {version}")
    code, graded = graded_json(notebook, "--seed", "4", "--course", plain["suggested_course"])
    assert code == 0 and graded["score"] == graded["max_score"] == 100, graded
    assert graded["course"] == version and graded["suggested_course"] == ""
    assert {e["name"] for e in graded["exercises"]} == set(load_course(version).graded)
    assert not any("fix relu_backward first" in e["feedback"] for e in graded["exercises"])


def test_without_a_profile_an_imported_helper_is_never_the_one_to_fix_first(tmp_path):
    _, plain = graded_json(write_course_notebook(tmp_path, "coursera"), "--seed", "4")
    assert not any("fix relu_backward first" in e["feedback"] or "fix sigmoid_backward first" in e["feedback"]
                   for e in plain["exercises"])


def test_a_key_convention_the_course_does_not_count_fails_with_the_reason(tmp_path):
    code, graded = graded_json(write_course_notebook(tmp_path, "coursera"), "--seed", "4",
                               "--course", "coursera-older")
    backward = next(e for e in graded["exercises"] if e["name"] == "L_model_backward")
    assert code == 1 and backward["status"] == "failed" and backward["score"] == 0
    assert "key convention dA{l-1}" in backward["feedback"] and "expects dA{l}" in backward["feedback"]


def test_a_case_outside_the_assignments_domain_is_advice_unless_the_course_makes_it_count(tmp_path):
    notebook = write_course_notebook(tmp_path, "coursera", change=LOOP_VARIABLE_AFTER_LOOP)
    code, graded = graded_json(notebook, "--seed", "4", "--course", "coursera")
    forward = next(e for e in graded["exercises"] if e["name"] == "L_model_forward")
    assert code == 0 and forward["status"] == "passed" and forward["score"] == 15
    assert "works for L >= 2; breaks for a single-layer network (L = 1): " in forward["feedback"]
    assert "costs no points" in forward["feedback"]
    strict = tmp_path / "strict.toml"
    with open(load_course("coursera").path, encoding="utf-8") as handle:
        strict.write_text(handle.read().replace("outside_counts = false", "outside_counts = true"), encoding="utf-8")
    code, graded = graded_json(notebook, "--seed", "4", "--course", strict)
    forward = next(e for e in graded["exercises"] if e["name"] == "L_model_forward")
    assert code == 1 and forward["status"] == "error" and forward["score"] == 0


def test_a_course_file_sets_the_exercises_points_seed_and_time_limit(tmp_path):
    course = tmp_path / "course.toml"
    course.write_text('name = "hw4"\nseed = 777\n[exercises]\ngraded = { linear_forward = 30, relu_backward = 70 }\n'
                      "[limits]\ncall_seconds = 0.5\n", encoding="utf-8")
    submission = tmp_path / "endless.py"
    with open(os.path.join(os.path.dirname(__file__), "..", "solutions", "reference.py"), encoding="utf-8") as handle:
        submission.write_text(handle.read().replace("    dZ = dA * (Z > 0)\n", "    while True:\n        pass\n"),
                              encoding="utf-8")
    code, graded = graded_json(submission, "--course", course)
    assert graded["seed"] == 777 and graded["course"] == "hw4" and graded["max_score"] == 100
    assert [(e["name"], e["max_score"], e["status"]) for e in graded["exercises"]] == [
        ("linear_forward", 30, "passed"), ("relu_backward", 70, "timeout")]
    assert graded["score"] == 30 and code == 1


@pytest.mark.parametrize("text, reason", [
    ("[exercises]\ngraded = { linear_bakward = 10 }\n", "no exercise is called 'linear_bakward' (did you mean "
                                                        "`linear_backward`?)"),
    ("[exercises\n", "not valid TOML"),
    ("[limits]\ncall_seconds = -1\n", "call_seconds is a number of seconds > 0"),
    ("[grads]\nkey_conventions = ['dA']\n", "key_conventions holds"),
])
def test_a_course_file_that_cannot_be_used_is_one_clear_line(tmp_path, text, reason):
    course = tmp_path / "bad.toml"
    course.write_text(text, encoding="utf-8")
    with pytest.raises(CourseError, match="bad.toml"):
        load_course(str(course))
    code, stdout, stderr = grade_cli(tmp_path / "x.py", "--course", course)
    assert code == 2 and reason in stderr and stdout == ""


def test_an_unknown_profile_lists_the_profiles(tmp_path):
    code, _, stderr = grade_cli(tmp_path / "x.py", "--course", "coursra")
    assert code == 2 and "no built-in profile" in stderr and "coursera-older" in stderr


def test_a_class_where_most_import_the_helpers_is_told_once_and_honours_the_course(tmp_path):
    folder = tmp_path / "class"
    for number in range(3):
        write_course_notebook(folder, "coursera-older", name=f"student{number}.ipynb")
    out = tmp_path / "out"
    code, stdout, _ = grade_cli(folder, "--out", out, "--seed", "5")
    advice = "3 of 3 graded students import relu_backward and sigmoid_backward"
    assert code == 0 and stdout.count(advice) == 1 and "grade with --course coursera-older" in stdout
    assert (out / "report.html").read_text(encoding="utf-8").count(advice) == 1
    code, stdout, _ = grade_cli(folder, "--out", out, "--course", "coursera-older")
    assert code == 0 and advice not in stdout
    with open(out / "grades.csv", encoding="utf-8-sig") as handle:
        rows = handle.read().splitlines()
    assert "relu_backward" not in rows[0] and all(",100,100," in row for row in rows[1:])


def test_the_gradescope_autograder_carries_the_course(tmp_path):
    target = tmp_path / "autograder.zip"
    build_gradescope_zip(str(target), seed=11, course=load_course("coursera"))
    root = tmp_path / "autograder"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(root / "source")
    assert (root / "source" / "course.toml").exists()
    assert (root / "source" / "grader" / "courses" / "ours.toml").exists()
    write_course_notebook(root / "submission", "coursera")
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), PYTHON=sys.executable)
    environment.pop("PYTHONPATH", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 100 and sum(t["max_score"] for t in results["tests"]) == 100
    assert "relu_backward" not in {t["name"] for t in results["tests"]}


def test_a_class_run_takes_the_student_id_pattern_and_the_seed_from_the_course(tmp_path):
    folder = tmp_path / "class"
    for student in ("alice", "bob"):
        write_course_notebook(folder, "coursera", name=f"hw4-{student}-final.ipynb")
    course = tmp_path / "course.toml"
    with open(load_course("coursera").path, encoding="utf-8") as handle:
        course.write_text("seed = 4242\n" + handle.read() + "\n[students]\nid_pattern = 'hw4-(?P<student>[a-z]+)-'\n",
                          encoding="utf-8")
    code, stdout, _ = grade_cli(folder, "--out", tmp_path / "out", "--course", course)
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert code == 0 and run["students"] == ["alice", "bob"] and run["seed"] == 4242 and run["course"] == "coursera"
    assert stdout.startswith("2 students: 2 graded (seed 4242;")
