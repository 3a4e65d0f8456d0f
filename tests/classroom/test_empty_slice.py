"""A class smaller than its number of slices: the slices nobody falls in succeed, and the merge is the class.

On a cluster a slice's exit status decides whether the merge runs (Slurm's afterok): a slice that failed
for holding nobody would stop the merge of a small class for good.
"""
import subprocess
import sys

from batch_class import make_class

SLICES = 4


def grade(*args):
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_slices_with_nobody_in_them_succeed_and_merge(tmp_path):
    make_class(tmp_path / "class", {"correct": 1, "db_wrong_axis": 1})
    common = ("--seed", "3", "--timeout", "0.5", "--jobs", "1")
    outputs = []
    for number in range(1, SLICES + 1):
        code, output = grade(str(tmp_path / "class"), "--out", str(tmp_path / f"slice-{number}"),
                             "--shard", f"{number}/{SLICES}", *common)
        assert code == 0, output
        outputs.append(output)
    empty = [output for output in outputs if output.startswith("0 students")]
    assert len(empty) >= SLICES - 2 and all("none of the class's 2 students is in this slice" in o for o in empty)
    merge = [sys.executable, "-c", "from grader.cli import merge_main; merge_main()", str(tmp_path / "merged"),
             *(str(tmp_path / f"slice-{number}") for number in range(1, SLICES + 1))]
    merged = subprocess.run(merge, capture_output=True, text=True, timeout=120)
    assert merged.returncode == 0, merged.stderr
    code, output = grade(str(tmp_path / "class"), "--out", str(tmp_path / "whole"), *common)
    assert code == 0, output
    assert (tmp_path / "merged" / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()


def test_an_empty_class_still_has_nothing_to_grade(tmp_path):
    (tmp_path / "class").mkdir()
    code, output = grade(str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", "1/2", "--seed", "1")
    assert code == 2, output
