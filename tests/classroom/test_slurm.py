"""The README's Slurm example, run for real on a private single-node cluster (tests/classroom/slurm_cluster.py).

The job script and the merge line are read from README.md, so the example cannot drift from what is tested.
The jobs find the grader the way the README says, as `.venv/bin/grade` of the folder they are submitted
from: here a course folder whose `.venv` is the environment running these tests.
"""
import re
import shutil
import sysconfig
import time
from pathlib import Path

import pytest
from batch_class import make_class
from slurm_cluster import Cluster, why_unavailable

README = Path(__file__).resolve().parents[2] / "README.md"
SLICES = 4
CLASS = {"correct": 4, "db_wrong_axis": 3, "relu_of_gradient": 3, "cost_over_m_plus_1": 3, "exits_process": 1,
         "syntax_error": 1, "stub": 1}
JOBS_SECONDS = 600  # for four slices and the merge of 16 students: 10-20 s on 2 busy cores
DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
               "PREEMPTED"}

pytestmark = pytest.mark.slurm


def readme_blocks():
    """The job script (`grade-class.sh`) and the merge line of the README's Slurm section."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    script = next(block for block in blocks if block.startswith("#!/bin/bash\n") and "#SBATCH --array" in block)
    submit = next(block for block in blocks if "sbatch --parsable grade-class.sh" in block)
    merge = next(line for line in submit.splitlines() if line.startswith("sbatch --dependency=afterok:"))
    return script, merge


@pytest.fixture
def course(tmp_path):
    """The folder the README's commands run in: submissions/, grade-class.sh, and .venv (the grader)."""
    scripts = Path(sysconfig.get_path("scripts"))
    if not (scripts / "grade").exists() or scripts.name != "bin":
        pytest.skip(f"the grader's commands are not installed in {scripts}: pip install -e . first")
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / ".venv").symlink_to(scripts.parent)
    make_class(folder / "submissions", CLASS, kinds=("py", "ipynb"))
    script, _ = readme_blocks()
    (folder / "grade-class.sh").write_text(script, encoding="utf-8")
    (folder / "logs").mkdir()
    (folder / "results").mkdir()
    return folder


def submit_slices_and_merge(cluster, course, array):
    """sbatch the README's script for the given slices (of SLICES), then the README's merge line after them."""
    _, merge = readme_blocks()
    slices = cluster.run("sbatch", "--parsable", f"--array={array}", "grade-class.sh", cwd=course,
                         env={"SLICES": str(SLICES)}).stdout.strip()
    merged = cluster.run("bash", "-euc", f"array={slices}\n{merge}", cwd=course).stdout
    return slices, re.search(r"Submitted batch job (\d+)", merged).group(1)


def wait_for(cluster, course, *jobs):
    """The final state of each job and array task, once none is pending or running (or fails the test)."""
    deadline = time.monotonic() + JOBS_SECONDS
    while True:
        listed = cluster.run("squeue", "-h", "-r", "-t", "all", "-j", ",".join(jobs), "-o", "%i %T %r").stdout
        states = dict(line.split(" ", 1) for line in listed.splitlines())
        if states and all(state.split()[0] in DONE_STATES for state in states.values()):
            return {job: state.split()[0] for job, state in states.items()}
        stuck = [job for job, state in states.items() if "DependencyNeverSatisfied" in state]
        if stuck or time.monotonic() > deadline:
            pytest.fail(f"jobs {'stuck' if stuck else 'still running'}: {states}\n{job_logs(course)}")
        time.sleep(1)


def job_logs(course):
    return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                     for path in sorted((course / "logs").glob("*.out")))


def unsharded(cluster, course):
    """The class graded in one run, with the seed of the README's script, in the same folder."""
    seed = re.search(r"--seed (\d+)", readme_blocks()[0]).group(1)
    cluster.run(".venv/bin/grade", "submissions/", "--seed", seed, "--out", "whole", cwd=course, timeout=600)
    return course / "whole"


def class_outputs(folder):
    return {name: (folder / name).read_text(encoding="utf-8") for name in ("grades.csv", "report.html")}


def feedback_files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted((folder / "students").rglob("*")) if p.is_file()}


def test_the_readme_job_array_and_merge_give_what_one_run_gives(course):
    reason = why_unavailable()
    if reason:
        pytest.skip(f"the README's Slurm example is not run: {reason}")
    with Cluster(cpus=8) as cluster:  # room for two of the script's 4-CPU slices at once
        run_the_example(cluster, course)
    assert not cluster.left_running(), "processes of the cluster are still running"


def run_the_example(cluster, course):
    started = time.monotonic()
    slices, merge = submit_slices_and_merge(cluster, course, f"1-{SLICES}")
    states = wait_for(cluster, course, slices, merge)
    assert set(states.values()) == {"COMPLETED"} and len(states) == SLICES + 1, f"{states}\n{job_logs(course)}"
    print(f"\n{SLICES} slices and the merge ran in {time.monotonic() - started:.1f} s")
    results = course / "results"
    assert sorted(p.name for p in results.iterdir()) == ["class"] + [f"shard-{k}" for k in range(1, SLICES + 1)]
    for number in range(1, SLICES + 1):
        assert list((results / f"shard-{number}" / "records").iterdir()), f"slice {number} graded nobody"
    whole = unsharded(cluster, course)
    assert class_outputs(results / "class") == class_outputs(whole)
    assert feedback_files(results / "class") == feedback_files(whole)
    assert len(class_outputs(whole)["grades.csv"].splitlines()) == 1 + sum(CLASS.values())

    rerun = results / "shard-2"
    students = sorted(p.name for p in (rerun / "records").iterdir())
    for folder in (rerun, results / "class"):
        shutil.rmtree(folder)
    slice_two, merge = submit_slices_and_merge(cluster, course, "2")
    states = wait_for(cluster, course, slice_two, merge)
    assert set(states.values()) == {"COMPLETED"} and len(states) == 2, f"{states}\n{job_logs(course)}"
    assert sorted(p.name for p in (rerun / "records").iterdir()) == students
    assert class_outputs(results / "class") == class_outputs(whole)
    assert feedback_files(results / "class") == feedback_files(whole)
