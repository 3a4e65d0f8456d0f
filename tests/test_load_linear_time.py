"""Every parse of student text in the grader's process takes linear time (the untrusted-worker issue, item 7).

Each call is timed on about 1 MB of pathological text: one very long line of spaces, tabs, `%`, `!`, commas
or nested brackets, many short magic lines, many cells. A quadratic scan of such input takes minutes (the
old magic-line pattern took 107 s on 200,000 spaces); a linear one takes milliseconds, so the generous
per-call bound cannot be reached by a busy machine, only by a quadratic algorithm.
"""
import json
import time

import pytest

from grader.classroom import discover as batch
from grader.load import LoadError, load_submission, strip_ipython
from grader.notebook_json import cell_label, code_cells, CodeCell

MEGABYTE = 2**20
BOUND_SECONDS = 2.0

LINES = {
    "spaces then a percent": " " * MEGABYTE + "a%",
    "spaces then a bang": " " * MEGABYTE + "x !",
    "tabs": "\t" * MEGABYTE + "%",
    "percents": "%" * MEGABYTE,
    "bangs": "!" * MEGABYTE,
    "names and commas before =": "a, " * (MEGABYTE // 3) + "= %x",
    "names and commas never =": "a, " * (MEGABYTE // 3) + "%",
    "spaces between = and !": "x =" + " " * MEGABYTE + "y!",
    "nested brackets": "(" * MEGABYTE + "%",
    "brackets around a bang": "x = " + "[" * (MEGABYTE // 2) + "!" + "]" * (MEGABYTE // 2),
    "cell magic with spaces": "%%" + " " * MEGABYTE + "x",
    "many magic lines": "  %time x\n" * (MEGABYTE // 10),
    "many assignments from a shell": "a, b = !ls\n" * (MEGABYTE // 11),
    "many almost magic lines": (" " * 50 + "a" * 50 + "!=\n") * (MEGABYTE // 103),
}


def timed(call, *arguments):
    start = time.perf_counter()
    result = call(*arguments)
    return time.perf_counter() - start, result


@pytest.mark.parametrize("name", LINES)
def test_removing_magics_is_linear(name):
    elapsed, _ = timed(strip_ipython, LINES[name])
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f} s"


@pytest.mark.parametrize("name, magic", [("spaces then a percent", False), ("tabs", True),
                                         ("names and commas before =", True), ("nested brackets", False)])
def test_a_notebook_of_pathological_cells_loads_in_linear_time(tmp_path, name, magic):
    line = LINES[name]
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": line}]
    cells += [{"cell_type": "code", "execution_count": n, "metadata": {}, "outputs": [], "source": "%%x\n  !y"}
              for n in range(10_000)]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    elapsed, submission = timed(load_submission, str(path))
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f} s"
    assert len(submission.notes) == 10_000 + magic


@pytest.mark.parametrize("text", [
    '{"cells": [' + " " * MEGABYTE + ",]}",  # a trailing comma after a megabyte of spaces
    '{"cells": "' + "x" * MEGABYTE,  # a truncated string
    '{"cells": [' + "1," * (MEGABYTE // 2) + "]}",
    "[" * MEGABYTE,
    "\n" * MEGABYTE + "}",
    ("=" * 6 + "\n") * (MEGABYTE // 7) + "x",  # almost merge conflict markers
    '{"cells": [] ' + " " * MEGABYTE + "x",
])
def test_explaining_a_corrupt_notebook_is_linear(text):
    start = time.perf_counter()
    with pytest.raises(Exception) as raised:
        code_cells(text)
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND_SECONDS and "\n" not in str(raised.value) and len(str(raised.value)) < 400


def test_naming_a_cell_is_linear():
    elapsed, label = timed(cell_label, CodeCell(1, 3, "\n" * MEGABYTE + " " * MEGABYTE + "x" * MEGABYTE))
    assert elapsed < BOUND_SECONDS and len(label) < 80


@pytest.mark.parametrize("first_line", [b"#" + b" coding" * (MEGABYTE // 7), b" " * MEGABYTE + b"# coding",
                                        b"#" + b"-" * MEGABYTE + b"coding:" + b"a" * MEGABYTE])
def test_reading_a_coding_comment_is_linear(tmp_path, first_line):
    path = tmp_path / "s.py"
    path.write_bytes(first_line + b"\nx = 1\n")
    start = time.perf_counter()
    try:
        load_submission(str(path))
    except LoadError:
        pass  # an unknown coding is an answer too; what matters is how long it took
    assert time.perf_counter() - start < BOUND_SECONDS


@pytest.mark.parametrize("text", ["def" + " " * MEGABYTE + "x", ("def " + " " * 1000) * (MEGABYTE // 1004),
                                  "def linear_forward" + " " * MEGABYTE, "def\t" * (MEGABYTE // 4)])
def test_choosing_between_a_students_files_is_linear(tmp_path, text):
    path = tmp_path / "s.py"
    path.write_text(text)
    elapsed, count = timed(batch._graded_functions_defined, str(path))
    assert elapsed < BOUND_SECONDS and count == 0
