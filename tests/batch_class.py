"""A generated class of submissions, for the batch tests and bench/bench_batch.py.

Each student's file is the reference solution with one change (a known mistake, a mistake no catalog
names, an endless loop, a process exit, a syntax error), or the untouched student stub, as a .py module or
as a notebook with one function per cell. A comment with the student's id makes every file distinct.
"""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "solutions" / "reference.py").read_text(encoding="utf-8")
STUB = (ROOT / "exercises" / "deep_network.py").read_text(encoding="utf-8")

LINEAR_FORWARD = "    Z = W @ A + b\n"
RELU_BACKWARD = "    dZ = dA * (Z > 0)\n"
DB = "    db = np.sum(dZ, axis=1, keepdims=True) / m\n"
COST = "    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m\n"

# variant -> (the reference's line, what replaces it); None: the file is the untouched stub
VARIANTS = {
    "correct": ("", ""),
    "db_wrong_axis": (DB, "    db = np.sum(dZ, axis=0, keepdims=True) / m\n"),  # known mistake LB02
    "relu_of_gradient": (RELU_BACKWARD, "    dZ = dA * (dA > 0)\n"),  # known mistake RB01
    "cost_over_m_plus_1": (COST, COST.replace("/ m", "/ (m + 1)")),  # no catalog names it
    "endless_loop": (RELU_BACKWARD, "    while True:\n        pass\n"),
    "exits_process": (RELU_BACKWARD, "    import os\n    os._exit(3)\n"),
    "syntax_error": (LINEAR_FORWARD, "    Z = W @ A + b)\n"),
    "stub": None,
}
KNOWN_MISTAKES = {"db_wrong_axis": ("linear_backward", "LB02"), "relu_of_gradient": ("relu_backward", "RB01")}
HOSTILE = ("endless_loop", "exits_process")


def source_of(variant, student):
    change = VARIANTS[variant]
    if change is None:
        return f"# {student}\n" + STUB
    original, replacement = change
    assert original in REFERENCE or not original, f"the reference no longer has {original!r}"
    return f"# {student}\n" + REFERENCE.replace(original, replacement, 1)


def notebook_of(source):
    """A notebook with the module's prologue in one cell and each function in its own, as students get it."""
    pieces = source.split("\ndef ")
    cells = [pieces[0]] + ["def " + piece for piece in pieces[1:]]
    return json.dumps({
        "cells": [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Deep network, step by step"}]
        + [{"cell_type": "code", "id": f"code-{number}", "metadata": {}, "execution_count": None, "outputs": [],
            "source": cell} for number, cell in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


def write_submission(folder, student, variant, kind="py", name=None):
    """Writes one student's file into folder (as `name`, default `<student>.<kind>`) and returns its path."""
    source = source_of(variant, student)
    path = Path(folder) / (name or f"{student}.{kind}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source if kind == "py" else notebook_of(source), encoding="utf-8")
    return path


def make_class(folder, mix, kinds=("py",)):
    """Writes a flat folder with mix[variant] students of each variant, alternating kinds; returns
    {student: variant}."""
    roster, number = {}, 0
    for variant, count in mix.items():
        for _ in range(count):
            student = f"s{number:05d}_{variant}"
            write_submission(folder, student, variant, kinds[number % len(kinds)])
            roster[student] = variant
            number += 1
    return roster
