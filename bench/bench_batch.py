"""A generated class graded end to end by `grade DIR --out OUT`: submissions per second and peak memory.

Run: python bench/bench_batch.py [--sizes 500 2000] [--scenarios py ipynb mixed] [--jobs N] [--timeout 1]
Scenarios: `py` and `ipynb` are classes of one kind (correct, known and unknown mistakes, stubs, syntax
errors); `mixed` alternates .py and notebooks and adds hostile ones (an endless loop, a process exit).
An endless loop costs `--timeout` seconds per case of its exercise, in one worker slot.
The floor: the same command on a class of as many empty files of the same kinds (an empty .py, a notebook
whose one code cell is empty). Each still gets its forked, confined worker, a load of nothing, an exit and
its records, so the floor is what isolation and bookkeeping cost; `x floor` is a scenario's CPU per
submission over the floor's, measured in the same run at the same size.
Memory: the peak of the summed RSS of the whole process tree (sampled every 0.2 s from /proc), and the
largest single process so far (getrusage(RUSAGE_CHILDREN).ru_maxrss). CPU: the user + system seconds of the
whole tree per submission (RUSAGE_CHILDREN counts every waited-for descendant: grading processes, zygotes,
workers), which a busy shared machine inflates less than wall time; `cores / CPU` is what idle cores would
give at best. That CPU is split into the class runner's own (the `grade` process: discovery, records, each
student's files, the class's outputs) and the grading's (grading processes, zygotes, workers). Linux only.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from batch_class import make_class, notebook_of  # noqa: E402

CALM = {"correct": 50, "db_wrong_axis": 12, "relu_of_gradient": 12, "cost_over_m_plus_1": 12, "stub": 8,
        "syntax_error": 6}
HOSTILE = {"endless_loop": 1, "exits_process": 2}
SCENARIOS = {"py": (CALM, ("py",)), "ipynb": (CALM, ("ipynb",)), "mixed": ({**CALM, **HOSTILE}, ("py", "ipynb"))}


def scaled(mix, size):
    """mix's shares, as counts adding up to size."""
    total = sum(mix.values())
    counts = {variant: size * share // total for variant, share in mix.items()}
    counts["correct"] += size - sum(counts.values())
    return counts


def make_empty_class(folder, size, kinds):
    os.makedirs(folder)
    for number in range(size):
        kind = kinds[number % len(kinds)]
        with open(os.path.join(folder, f"s{number:05d}_empty.{kind}"), "w", encoding="utf-8") as handle:
            handle.write("" if kind == "py" else notebook_of(""))


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_rss_bytes(root):
    children, rss = {}, {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as handle:
                rss[int(entry)] = int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


# `python -m grader ...` that leaves its own CPU seconds (not its children's) in the file named first: what
# the class runner itself spends (discovery, records, each student's files, the class's outputs).
RUNNER_CPU = """import atexit, resource, runpy, sys
path = sys.argv.pop(1)


def save():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(path, "w") as handle:
        handle.write(str(usage.ru_utime + usage.ru_stime))


atexit.register(save)
runpy.run_module("grader", run_name="__main__", alter_sys=True)
"""


def run(folder, out, jobs, timeout, runner_cpu_file):
    command = [sys.executable, "-c", RUNNER_CPU, runner_cpu_file, folder, "--out", out, "--seed", "1",
               "--timeout", str(timeout)]
    if jobs:
        command += ["--jobs", str(jobs)]
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_bytes(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    sampler.join()
    if code not in (0, 1):
        raise SystemExit(f"grade exited {code} on {folder}")
    return elapsed, peak[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--scenarios", nargs="+", choices=sorted(SCENARIOS), default=["py", "ipynb", "mixed"])
    parser.add_argument("--jobs", type=int, help="grading processes (default: grade's own, the cores)")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds per call (grade --timeout)")
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores; timeout {options.timeout} s per call")
    print(f"{'scenario':14} {'students':>8} {'seconds':>8} {'per second':>10} {'CPU ms each':>11} {'x floor':>7} "
          f"{'runner ms':>9} {'grading ms':>10} {'cores/CPU':>9} {'tree peak MB':>12} {'largest MB':>10}")
    floors = {}
    for scenario in options.scenarios:
        mix, kinds = SCENARIOS[scenario]
        for size in options.sizes:
            if (kinds, size) not in floors:
                floors[kinds, size] = measure(f"floor-{'+'.join(kinds)}", size, options, None,
                                              lambda folder: make_empty_class(folder, size, kinds))
            measure(scenario, size, options, floors[kinds, size],
                    lambda folder: make_class(folder, scaled(mix, size), kinds))


def measure(name, size, options, floor, write_class):
    """Grades the class write_class makes, prints its line, and returns its CPU seconds per submission."""
    work = tempfile.mkdtemp(prefix="bench-batch-")
    try:
        folder, out = os.path.join(work, "class"), os.path.join(work, "out")
        write_class(folder)
        runner_cpu_file = os.path.join(work, "runner-cpu")
        before = cpu_seconds()
        elapsed, peak = run(folder, out, options.jobs, options.timeout, runner_cpu_file)
        cpu = (cpu_seconds() - before) / size
        with open(runner_cpu_file) as handle:
            runner = float(handle.read()) / size
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ratio = f"{cpu / floor:7.2f}" if floor else f"{'':7}"
        print(f"{name:14} {size:8} {elapsed:8.1f} {size / elapsed:10.1f} {cpu * 1000:11.1f} {ratio} "
              f"{runner * 1000:9.1f} {(cpu - runner) * 1000:10.1f} {(os.cpu_count() or 1) / cpu:9.1f} "
              f"{peak / 2**20:12.0f} {largest:10.0f}", flush=True)
        return cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
