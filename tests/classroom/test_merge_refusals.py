"""`grade-merge` refuses slices that no single run of the class would have given, with one clear line.

Each case starts from three good slices of one class (which merge) and breaks one thing the way it happens
on a cluster: a slice missing or unfinished, a slice graded with another seed or by another grader, a
submission added while the slices ran, the same slice given twice, a damaged run.json.
"""
import json
import shutil
import subprocess
import sys

import pytest
from batch_class import make_class, write_submission
from hypothesis import given
from hypothesis import strategies as st

from grader.classroom import run as batch_run
from grader.run.session import Limits
from grader.classroom.merge_check import shards_problem

FAST = Limits(call_seconds=0.5)
SEED = 5
OTHER_GRADER = "0.0.9+000000000000"


def grade_merge(*args):
    command = [sys.executable, "-c", "from grader.cli import merge_main; merge_main(prog_name='grade-merge')", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def grade_slice(submissions, out, number, seed=SEED):
    batch_run.run_batch([str(submissions)], str(out), seed=seed, shard=(number, 3), limits=FAST, jobs=1)
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Slices 1-3 of a class, and the variants of slice 2 the cases swap in."""
    root = tmp_path_factory.mktemp("slices")
    make_class(root / "class", {"correct": 3, "db_wrong_axis": 2, "stub": 1})
    slices = {number: grade_slice(root / "class", root / f"slice-{number}", number) for number in (1, 2, 3)}
    slices["2 seed 6"] = grade_slice(root / "class", root / "slice-2-seed-6", 2, seed=6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch_run, "grader_version", lambda: OTHER_GRADER)
        slices["2 other grader"] = grade_slice(root / "class", root / "slice-2-other-grader", 2)
    shutil.copytree(root / "class", root / "class-later")
    write_submission(root / "class-later", "late_student", "correct")
    slices["2 later"] = grade_slice(root / "class-later", root / "slice-2-later", 2)
    assert all(json.loads((slices[n] / "run.json").read_text())["students"] for n in (1, 2, 3))
    return root, slices


def copy_of(graded, name, tmp_path):
    copy = tmp_path / f"copy-of-{name}"
    shutil.copytree(graded[1][name], copy)
    return copy


def test_the_good_slices_merge(graded, tmp_path):
    _, slices = graded
    code, output = grade_merge(str(tmp_path / "class"), *(str(slices[n]) for n in (1, 2, 3)))
    assert code == 0, output
    assert (tmp_path / "class" / "grades.csv").exists()


def refused(tmp_path, *folders):
    """grade-merge's exit status and message, after checking it wrote nothing and printed no traceback."""
    out = tmp_path / "merged"
    code, output = grade_merge(str(out), *map(str, folders))
    assert code == 2 and "Traceback" not in output, output
    assert output.startswith("grade-merge: ") and output.count("\n") == 1, output
    assert not out.exists(), "a refused merge wrote a class"
    return output


def test_a_missing_slice_is_named(graded, tmp_path):
    _, slices = graded
    assert "slice 2/3 missing" in refused(tmp_path, slices[1], slices[3])
    assert "slices 1/3, 3/3 missing" in refused(tmp_path, slices[2])


def test_slices_graded_with_different_seeds_are_refused(graded, tmp_path):
    _, slices = graded
    message = refused(tmp_path, slices[1], slices["2 seed 6"], slices[3])
    assert "different seeds" in message and f"{SEED} in " in message and "6 in " in message
    assert str(slices["2 seed 6"]) in message and "--seed" in message


def test_a_slice_from_another_grader_version_is_refused(graded, tmp_path):
    _, slices = graded
    message = refused(tmp_path, slices[1], slices["2 other grader"], slices[3])
    assert "different versions of the grader" in message
    assert f"{OTHER_GRADER} in {slices['2 other grader']}" in message
    assert batch_run.grader_version() in message


def test_slices_that_saw_different_classes_are_refused(graded, tmp_path):
    """A submission that arrived after slice 1 ran: slice 1 may be the one that should have graded it."""
    _, slices = graded
    message = refused(tmp_path, slices[1], slices["2 later"], slices[3])
    assert "saw different classes" in message and "6 students" in message and "7 students" in message


def test_the_same_slice_twice_is_refused(graded, tmp_path):
    _, slices = graded
    again = copy_of(graded, 2, tmp_path)
    assert "slice 2/3 is given twice" in refused(tmp_path, slices[1], slices[2], again, slices[3])


def test_an_unfinished_slice_is_refused(graded, tmp_path):
    _, slices = graded
    unfinished = copy_of(graded, 2, tmp_path)
    record = sorted((unfinished / "records").iterdir())[0]
    student = json.loads(record.read_text())["student"]
    record.unlink()
    message = refused(tmp_path, slices[1], unfinished, slices[3])
    assert "did not finish" in message and student in message


@pytest.mark.parametrize("damage", ['[1, 2]', '{"seed": 5}', "{", "null"])
def test_a_damaged_run_file_is_refused(graded, tmp_path, damage):
    _, slices = graded
    damaged = copy_of(graded, 3, tmp_path)
    (damaged / "run.json").write_text(damage)
    assert str(damaged) in refused(tmp_path, slices[1], slices[2], damaged)


def test_a_folder_that_is_no_slice_is_refused(graded, tmp_path):
    root, slices = graded
    assert "is it the --out of a graded slice?" in refused(tmp_path, slices[1], root / "class")


def run_of(number, count):
    return {"seed": 1, "grader": "g", "exercises": [], "class": "c", "students": [], "skipped": [],
            "shard": f"{number}/{count}"}


@given(st.integers(1, 12).flatmap(lambda count: st.tuples(
    st.just(count), st.lists(st.integers(1, count), min_size=1, max_size=2 * count))))
def test_slices_merge_only_when_each_is_given_once(case):
    count, given_slices = case
    problem = shards_problem([(f"slice-{k}-{i}", run_of(k, count)) for i, k in enumerate(given_slices)])
    complete = sorted(given_slices) == list(range(1, count + 1))
    assert (problem is None) == complete
    for missing in set(range(1, count + 1)) - set(given_slices):
        assert f"{missing}/{count}" in problem
