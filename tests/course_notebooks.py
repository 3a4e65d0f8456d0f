"""Fully correct notebooks in the layout of the course's own assignment, built from solutions/reference.py.

As in the course: the first code cell imports numpy and the activation helpers from dnn_utils_v2
(sigmoid, relu and their backward functions, which the student never writes), every exercise is a cell of
its own, and a test cell calls the course's test helpers (never run when grading). VERSIONS gives what
differs between the course's versions: the key under which L_model_backward stores dA.
"""
import json
import re
from pathlib import Path

REFERENCE = (Path(__file__).resolve().parent.parent / "solutions" / "reference.py").read_text(encoding="utf-8")
PROVIDED = ("sigmoid", "relu", "relu_backward", "sigmoid_backward")
CURRENT_KEY, OLDER_KEY = '        grads[f"dA{l - 1}"] = dA\n', '        grads[f"dA{l}"] = dA\n'
VERSIONS = {"coursera": CURRENT_KEY, "coursera-older": OLDER_KEY}  # the built-in profile -> its dA key
LOOP_VARIABLE_AFTER_LOOP = (  # right for every L >= 2; with L = 1 the loop never runs and `l` is unbound
    '    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")\n',
    '    AL, cache = linear_activation_forward(A, parameters[f"W{l + 1}"], parameters[f"b{l + 1}"], "sigmoid")\n')


def functions(source):
    """{name: source} of the top-level functions of a module."""
    pieces = re.split(r"\n(?=def )", source)
    return {re.match(r"def (\w+)", piece).group(1): piece.rstrip() + "\n" for piece in pieces[1:]}


def course_notebook(version, change=None):
    """The notebook text of a correct student of the course's `version` (a key of VERSIONS); change: a pair
    (the reference's line, its replacement) to make it less than correct."""
    source = REFERENCE.replace(CURRENT_KEY, VERSIONS[version])
    if change:
        assert change[0] in source
        source = source.replace(*change)
    cells = ["import numpy as np\nimport h5py\nimport matplotlib.pyplot as plt\nfrom testCases_v4a import *\n"
             "from dnn_utils_v2 import sigmoid, sigmoid_backward, relu, relu_backward\n\n%matplotlib inline\n"
             "np.random.seed(1)"]
    for name, body in functions(source).items():
        if name not in PROVIDED:
            cells += [body, f"{name}_test_case = None\nprint({name!r})"]
    return json.dumps({
        "cells": [{"cell_type": "code", "id": f"c{number}", "metadata": {}, "execution_count": number + 1,
                   "outputs": [], "source": cell} for number, cell in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5})


def write_course_notebook(folder, version, name="Building_your_Deep_Neural_Network_Step_by_Step_v8.ipynb",
                          change=None):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(course_notebook(version, change), encoding="utf-8")
    return path
