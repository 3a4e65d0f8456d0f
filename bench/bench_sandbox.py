"""What confinement costs: per submission, and per worker inside the worker itself.

Run: python bench/bench_sandbox.py [--runs 30]. Prints medians of
- grading solutions/reference.py through the Python API with and without the sandbox, in pairs run in
  alternating order (this machine is shared and noisy): the median of the paired differences is the
  overhead per submission (target: under 20 ms);
- sandbox.confine() alone, timed inside fresh worker-like processes (numpy imported, as in the worker): limits,
  own IPC, network and mount namespaces (and user and PID namespaces when not root), the private tmpfs, the box
  uid under root, Landlock and seccomp;
- what the PID namespace adds per worker where it is used (without root): one fork more. Its parent then
  becomes cat (sandbox._enter_pid_namespace), so that the worker does not copy the pages it writes to.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from grader.grade import grade  # noqa: E402
from grader.run.session import Limits, hidden_paths  # noqa: E402
from grader.run.spawn import worker_environment  # noqa: E402

REFERENCE = os.path.join(ROOT, "solutions", "reference.py")
CONFINE_ONCE = f"""
import sys, tempfile, time
sys.path.insert(0, {os.path.join(ROOT, "grader")!r})
import numpy, sandbox
home = tempfile.mkdtemp()
policy = {{"home": home, "hidden": {hidden_paths(REFERENCE)!r}, "memory_bytes": 2**30, "cpu_seconds": 60,
          "file_bytes": 2**24, "disk_bytes": 2**26}}
start = time.perf_counter()
missing = sandbox.confine(policy)
print(time.perf_counter() - start, len(missing))
"""
PID_NAMESPACE_ONCE = """
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
start = time.perf_counter()
if libc.unshare(0x20000000 | (0 if os.geteuid() == 0 else 0x10000000)) != 0:  # CLONE_NEWPID (+ CLONE_NEWUSER)
    raise SystemExit("unshare(CLONE_NEWPID) refused")
child = os.fork()  # only children enter it
if child == 0:
    os._exit(0)
os.waitpid(child, 0)
print(time.perf_counter() - start)
"""


def median_ms(samples):
    return statistics.median(samples) * 1000


def grading_times(runs):
    times = {True: [], False: []}
    for run in range(runs):
        for sandboxed in (True, False) if run % 2 else (False, True):
            start = time.perf_counter()
            report = grade(REFERENCE, seed=run, limits=Limits(sandbox=sandboxed))
            times[sandboxed].append(time.perf_counter() - start)
            assert report.score == report.max_score and not report.notes, report.notes
    return times


def in_fresh_processes(program, runs):
    home = os.path.join(ROOT, "bench")
    outputs = [subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, text=True,
                              env=worker_environment(home), check=False) for _ in range(runs)]
    failed = [output.stdout + output.stderr for output in outputs if output.returncode != 0]
    if failed:
        return None, failed[0].strip().splitlines()[-1]
    return [[float(word) for word in output.stdout.split()] for output in outputs], ""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    grade(REFERENCE, seed=0)  # warm the caches: imports, the page cache, numpy's first calls
    times = grading_times(runs)
    confined, plain = median_ms(times[True]), median_ms(times[False])
    overhead = median_ms([on - off for on, off in zip(times[True], times[False])])
    print(f"grade reference, sandbox on   median {confined:7.1f} ms   ({runs} pairs)")
    print(f"grade reference, sandbox off  median {plain:7.1f} ms")
    print(f"overhead per submission       median {overhead:+7.1f} ms   (paired differences; ratio of medians "
          f"{confined / plain:.3f})")
    confine, _ = in_fresh_processes(CONFINE_ONCE, runs)
    print(f"sandbox.confine() in a worker median {median_ms([sample[0] for sample in confine]):7.2f} ms"
          f"   (max {max(sample[0] for sample in confine) * 1000:.2f} ms; warnings: {confine[0][1]:.0f})")
    pid_namespace, refused = in_fresh_processes(PID_NAMESPACE_ONCE, runs)
    if pid_namespace is None:
        print(f"PID namespace (without root)      not measurable here: {refused}")
    else:
        print(f"PID namespace + a fork (no root)  median {median_ms([s[0] for s in pid_namespace]):7.2f} ms")


if __name__ == "__main__":
    main()
