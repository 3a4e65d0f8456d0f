"""One submission graded end to end, a .py and a notebook, against the floor of `python -c "import numpy"`.

Run: python bench/bench_single.py [--runs 15]. Prints the median wall time of each and their ratio
(the target is at most 2x the floor). Medians of interleaved runs, since this machine is shared.
The grader's modules are compiled first (compileall), as Python does on a first run and pip on a regular
install: where PYTHONDONTWRITEBYTECODE is set (as on the development machines), every run would compile
them again, and --no-compile measures that.

Where students grade: in a virtual environment with JupyterLab installed, where importing nbformat costs
seconds (its validator imports jsonschema and every format checker). Measure there with the same script:
    python3 -m venv .venv-jlab && .venv-jlab/bin/pip install -e . jupyterlab
    .venv-jlab/bin/python bench/bench_single.py
The interpreter running this script is the one measured, floor included.
"""
import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from batch_class import notebook_of  # noqa: E402

DEMO = os.path.join(ROOT, "grader", "demo", "typical_mistakes.py")


def commands(folder):
    """name -> command; the notebooks are the .py files with one function per cell, as students get them."""
    grade = [sys.executable, "-m", "grader"]
    reference = os.path.join(ROOT, "solutions", "reference.py")
    notebooks = {}
    for name, source in (("reference", reference), ("typical_mistakes", DEMO)):
        notebooks[name] = os.path.join(folder, f"{name}.ipynb")
        with open(source, encoding="utf-8") as handle, open(notebooks[name], "w", encoding="utf-8") as out:
            out.write(notebook_of(handle.read()))
    return {
        "floor: python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "grade solutions/reference.py": [*grade, reference, "--format", "json", "--seed", "1"],
        "grade --demo (typical mistakes)": [*grade, "--demo", "--format", "json", "--seed", "1"],
        "grade reference.ipynb": [*grade, notebooks["reference"], "--format", "json", "--seed", "1"],
        "grade typical_mistakes.ipynb": [*grade, notebooks["typical_mistakes"], "--format", "json", "--seed", "1"],
    }


def wall_time(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-compile", action="store_true", help="leave the grader's bytecode cache as it is")
    options = parser.parse_args()
    if not options.no_compile:
        compileall.compile_dir(os.path.join(ROOT, "grader"), quiet=1)
        compileall.compile_dir(os.path.join(ROOT, "solutions"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-single-") as folder:
        measured = commands(folder)
        times = {name: [] for name in measured}
        for _ in range(options.runs):
            for name, command in measured.items():
                times[name].append(wall_time(command))
    print(f"{sys.executable}; {options.runs} interleaved runs")
    floor = statistics.median(next(iter(times.values())))
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:40} median {median * 1000:7.1f} ms   {median / floor:4.2f}x floor")


if __name__ == "__main__":
    main()
