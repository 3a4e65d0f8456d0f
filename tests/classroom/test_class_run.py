"""A class graded end to end: broken and hostile submissions, resume, --force, shards and their merge."""
import csv
import json
import os
import subprocess
import sys

import pytest
from batch_class import KNOWN_MISTAKES, make_class, write_submission

from grader.classroom.run import BatchError, merge, run_batch
from grader.run.session import Limits

FAST = Limits(call_seconds=0.5)
ONE = 1  # grading processes for the small classes: each costs an interpreter with numpy on a 2-core machine
MIX = {"correct": 3, "db_wrong_axis": 2, "relu_of_gradient": 2, "cost_over_m_plus_1": 2, "endless_loop": 1,
       "exits_process": 1, "syntax_error": 1, "stub": 1}


def grade_cli(*args):
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:  # grades.csv starts with a BOM, for Excel
        return {row["student"]: row for row in csv.DictReader(handle)}


def record(out, student):
    with open(os.path.join(out, "records", student + ".json"), encoding="utf-8") as handle:
        return json.load(handle)


def statuses(out, student):
    return {e["name"]: e["status"] for e in record(out, student)["report"]["exercises"]}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    roster = make_class(folder, MIX, kinds=("py", "ipynb"))
    (folder / "zz_corrupt.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "zz_binary.py").write_bytes(b"\x7fELF\0\0\0")
    (folder / "zz_empty.py").write_text("")
    (folder / "readme.txt").write_text("not a submission")
    out = tmp_path_factory.mktemp("out")
    code, stdout, stderr = grade_cli(str(folder), "--out", str(out), "--seed", "7", "--timeout", "0.5",
                                     "--jobs", "2", "--format", "junit")
    return {"folder": folder, "out": str(out), "roster": roster, "code": code, "stdout": stdout, "stderr": stderr}


def test_a_class_with_broken_and_hostile_submissions_finishes(graded_class):
    out, roster = graded_class["out"], graded_class["roster"]
    assert graded_class["code"] == 0, graded_class["stderr"]  # every submission has its result
    rows = read_csv(os.path.join(out, "grades.csv"))
    assert set(rows) == set(roster) | {"zz_corrupt", "zz_binary", "zz_empty"}
    for broken in ("zz_corrupt", "zz_binary"):
        assert rows[broken]["status"].startswith("not graded:") and rows[broken]["total"] == "0"
    assert "not graded: zz_corrupt" in graded_class["stdout"]


def test_every_good_submission_is_graded_correctly(graded_class):
    out, roster = graded_class["out"], graded_class["roster"]
    rows = read_csv(os.path.join(out, "grades.csv"))
    for student, variant in roster.items():
        if variant == "correct":
            assert rows[student]["total"] == "100", student
            assert set(statuses(out, student).values()) == {"passed"}
        if variant in KNOWN_MISTAKES:
            exercise, mistake = KNOWN_MISTAKES[variant]
            result = next(e for e in record(out, student)["report"]["exercises"] if e["name"] == exercise)
            assert [m["id"] for m in result["mistakes"]] == [mistake], student
            others = {name: status for name, status in statuses(out, student).items() if name != exercise}
            assert set(others.values()) == {"passed"}, student


def test_hostile_submissions_lose_only_the_hostile_exercise(graded_class):
    out, roster = graded_class["out"], graded_class["roster"]
    for student, variant in roster.items():
        if variant in ("endless_loop", "exits_process"):
            result = statuses(out, student)
            assert result.pop("relu_backward") == ("timeout" if variant == "endless_loop" else "error")
            assert set(result.values()) == {"passed"}, student


def test_csv_points_add_up_to_the_total(graded_class):
    rows = read_csv(os.path.join(graded_class["out"], "grades.csv"))
    exercises = [name for name in next(iter(rows.values())) if name not in ("student", "status", "total",
                                                                           "max_score", "source")]
    assert len(exercises) == 10
    for row in rows.values():
        assert sum(float(row[name]) for name in exercises) == float(row["total"])


def test_each_student_gets_files_to_hand_back(graded_class):
    out = graded_class["out"]
    student = next(s for s, v in graded_class["roster"].items() if v == "db_wrong_axis")
    folder = os.path.join(out, "students", student)
    with open(os.path.join(folder, "result.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    assert document["score"] == 85 and document["seed"] == 7
    assert set(document) >= {"submission", "score", "max_score", "seed", "notes", "exercises"}
    with open(os.path.join(folder, "feedback.txt"), encoding="utf-8") as handle:
        assert "error[LB02]" in handle.read()
    with open(os.path.join(folder, "feedback.html"), encoding="utf-8") as handle:
        page = handle.read()
    assert "LB02" in page and "<script" not in page and "http" not in page.replace("http://www.w3.org", "")


def test_progress_is_a_plain_count_when_not_on_a_terminal(graded_class):
    total = len(graded_class["roster"]) + 3
    assert f"graded {total}/{total}" in graded_class["stderr"]


def test_the_seed_is_recorded(graded_class):
    with open(os.path.join(graded_class["out"], "run.json"), encoding="utf-8") as handle:
        run = json.load(handle)
    assert run["seed"] == 7
    assert ["readme.txt", "not a .py file or a .ipynb notebook"] in [[os.path.basename(f), r] for f, r in run["skipped"]]


@pytest.fixture
def small_class(tmp_path):
    folder = tmp_path / "class"
    roster = make_class(folder, {"correct": 2, "db_wrong_axis": 1, "stub": 1})
    return folder, roster


def modified_times(out):
    folder = os.path.join(out, "records")
    return {name: os.stat(os.path.join(folder, name)).st_mtime_ns for name in os.listdir(folder)}


def test_a_rerun_regrades_only_what_changed(small_class, tmp_path):
    folder, roster = small_class
    out = str(tmp_path / "out")
    first = run_batch([str(folder)], out, limits=FAST, jobs=ONE)
    before = modified_times(out)
    again = run_batch([str(folder)], out, limits=FAST)  # no --seed: the recorded one
    assert (again.seed, again.graded, again.reused) == (first.seed, 0, len(roster))
    assert modified_times(out) == before
    changed = next(s for s, v in roster.items() if v == "stub")
    write_submission(folder, changed, "correct", "py")
    third = run_batch([str(folder)], out, limits=FAST, jobs=ONE)
    assert (third.graded, third.reused) == (1, len(roster) - 1)
    assert read_csv(os.path.join(out, "grades.csv"))[changed]["total"] == "100"


def test_force_regrades_everything(small_class, tmp_path):
    folder, roster = small_class
    out = str(tmp_path / "out")
    run_batch([str(folder)], out, seed=3, limits=FAST, jobs=ONE)
    forced = run_batch([str(folder)], out, limits=FAST, force=True, jobs=ONE)
    assert (forced.graded, forced.reused, forced.seed) == (len(roster), 0, 3)


def test_an_interrupted_run_resumes_where_it_stopped(small_class, tmp_path):
    folder, roster = small_class
    out = str(tmp_path / "out")

    def interrupt_after_the_first(done, total):
        if done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([str(folder)], out, seed=5, limits=FAST, jobs=1, progress=interrupt_after_the_first)
    assert len(os.listdir(os.path.join(out, "records"))) == 1
    resumed = run_batch([str(folder)], out, limits=FAST, jobs=ONE)
    assert (resumed.seed, resumed.reused, resumed.graded) == (5, 1, len(roster) - 1)
    assert set(read_csv(os.path.join(out, "grades.csv"))) == set(roster)


def test_shards_merge_into_what_one_run_gives(small_class, tmp_path):
    folder, roster = small_class
    whole = str(tmp_path / "whole")
    run_batch([str(folder)], whole, seed=11, limits=FAST, jobs=ONE)
    shards = [str(tmp_path / f"shard{k}") for k in (1, 2, 3)]
    for number, shard_out in enumerate(shards, start=1):
        code, _, err = grade_cli(str(folder), "--out", shard_out, "--seed", "11", "--timeout", "0.5",
                                 "--shard", f"{number}/3", "--jobs", "1")
        assert code == 0, err
    graded = [json.load(open(os.path.join(s, "run.json")))["students"] for s in shards]
    assert sorted(sum(graded, [])) == sorted(roster)  # each student in exactly one shard
    merged = str(tmp_path / "merged")
    summary = merge(merged, shards)
    assert summary.students == len(roster)
    assert read_csv(os.path.join(merged, "grades.csv")) == read_csv(os.path.join(whole, "grades.csv"))
    for student in roster:
        assert os.path.exists(os.path.join(merged, "students", student, "feedback.html"))


def test_merge_refuses_a_missing_shard_and_mixed_seeds(small_class, tmp_path):
    folder, _ = small_class
    first, second = str(tmp_path / "a"), str(tmp_path / "b")
    run_batch([str(folder)], first, seed=1, shard=(1, 2), limits=FAST, jobs=ONE)
    with pytest.raises(BatchError, match="2/2 missing"):
        merge(str(tmp_path / "m"), [first])
    run_batch([str(folder)], second, seed=2, shard=(2, 2), limits=FAST, jobs=ONE)
    with pytest.raises(BatchError, match="different seeds"):
        merge(str(tmp_path / "m"), [first, second])


def test_a_shard_needs_the_class_seed(small_class, tmp_path):
    folder, _ = small_class
    with pytest.raises(BatchError, match="--seed"):
        run_batch([str(folder)], str(tmp_path / "out"), shard=(1, 2), jobs=ONE)
    code, _, err = grade_cli(str(folder), "--out", str(tmp_path / "out"), "--shard", "3/2")
    assert code == 2 and "K/N" in err


def test_merge_command_line(small_class, tmp_path):
    folder, roster = small_class
    shards = [str(tmp_path / "s1"), str(tmp_path / "s2")]
    for number, shard_out in enumerate(shards, start=1):
        run_batch([str(folder)], shard_out, seed=4, shard=(number, 2), limits=FAST, jobs=ONE)
    from click.testing import CliRunner

    from grader.cli import merge_main

    result = CliRunner().invoke(merge_main, [str(tmp_path / "all"), *shards, "--format", "junit"])
    assert result.exit_code == 0, result.output
    assert f"{len(roster)} students" in result.output
    assert os.path.exists(tmp_path / "all" / "junit.xml")


def nbgrader_layout(root):
    write_submission(root / "submitted" / "ana" / "hw1", "x", "correct", "ipynb", name="Deep.ipynb")
    write_submission(root / "submitted" / "ben" / "hw1", "y", "db_wrong_axis", "py", name="deep_network.py")
    return [str(root)], []


def canvas_layout(root):
    write_submission(root, "x", "correct", "ipynb", name="ana_1001_2001_Deep.ipynb")
    write_submission(root, "y", "db_wrong_axis", "py", name="ben_late_1002_2002_deep_network.py")
    return [str(root)], []


def pattern_layout(root):
    write_submission(root, "x", "correct", "py", name="hw1-ana.py")
    write_submission(root, "y", "db_wrong_axis", "ipynb", name="hw1-ben.ipynb")
    return [str(root)], ["--student-pattern", r"hw1-(?P<student>\w+)"]


def folder_per_student_layout(root):
    write_submission(root / "ana" / "work", "x", "correct", "ipynb", name="Deep.ipynb")
    write_submission(root / "ben_77_assignsubmission_file_", "y", "db_wrong_axis", "py", name="mine.py")
    return [str(root)], []


def zip_layout(root):
    import zipfile

    write_submission(root / "src", "ana", "correct", "py")
    write_submission(root / "src", "ben", "db_wrong_axis", "ipynb")
    with zipfile.ZipFile(root / "class.zip", "w") as zipped:
        zipped.write(root / "src" / "ana.py", "hw1/ana.py")
        zipped.write(root / "src" / "ben.ipynb", "hw1/ben.ipynb")
    return [str(root / "class.zip")], []


def files_layout(root):
    paths = [write_submission(root, "ana", "correct", "py"), write_submission(root, "ben", "db_wrong_axis", "ipynb")]
    return [str(p) for p in paths], []


@pytest.mark.parametrize("layout", [nbgrader_layout, canvas_layout, pattern_layout, folder_per_student_layout,
                                    zip_layout, files_layout])
def test_each_layout_grades_each_student_end_to_end(layout, tmp_path):
    paths, options = layout(tmp_path / "in")
    out = tmp_path / "out"
    code, stdout, stderr = grade_cli(*paths, "--out", str(out), "--seed", "6", "--jobs", "1", *options)
    assert code == 0, stderr
    rows = read_csv(out / "grades.csv")
    assert {student: row["total"] for student, row in rows.items()} == {"ana": "100", "ben": "85"}
    assert "2 students" in stdout


def test_a_folder_without_submissions_exits_2(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "syllabus.pdf").write_bytes(b"%PDF")
    code, stdout, stderr = grade_cli(str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == "" and not (tmp_path / "out").exists()
    assert f"no submissions found in {tmp_path / 'in'} (looked for .py, .ipynb, .zip" in stderr
    assert "syllabus.pdf" in stderr
