"""One .py submission graded end to end, against the floor of `python -c "import numpy"`.

Run: python bench/bench_single.py [--runs 15]. Prints the median wall time of each and their ratio
(the target is at most 2x the floor). Medians of interleaved runs, since this machine is shared.
The grader's modules are compiled first (compileall), as Python does on a first run and pip on a regular
install: where PYTHONDONTWRITEBYTECODE is set (as on the development machines), every run would compile
them again, and --no-compile measures that.
"""
import argparse
import compileall
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
    parser.add_argument("--no-compile", action="store_true", help="leave the grader's bytecode cache as it is")
    options = parser.parse_args()
    runs = options.runs
    if not options.no_compile:
        compileall.compile_dir(os.path.join(ROOT, "grader"), quiet=1)
        compileall.compile_dir(os.path.join(ROOT, "solutions"), quiet=1)
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
