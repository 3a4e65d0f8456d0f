"""One .py submission graded end to end, against the floor of `python -c "import numpy"`.

Run: python bench/bench_single.py [--runs 15]. Prints the median wall time of each and their ratio
(the target is at most 2x the floor). Medians of interleaved runs, since this machine is shared.
Where PYTHONDONTWRITEBYTECODE is set, Python does not cache the grader's compiled modules and every run
compiles them again; `python -m compileall -q grader solutions` once measures what a user has after a
first run (or after a regular, non-editable install, which compiles them).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = {
    "floor: python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "grade solutions/reference.py": [sys.executable, "-m", "grader", os.path.join(ROOT, "solutions", "reference.py"),
                                     "--format", "json", "--seed", "1"],
    "grade --demo (typical mistakes)": [sys.executable, "-m", "grader", "--demo", "--format", "json", "--seed", "1"],
}


def wall_time(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    times = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    floor = statistics.median(next(iter(times.values())))
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:40} median {median * 1000:7.1f} ms   {median / floor:4.2f}x floor")


if __name__ == "__main__":
    main()
