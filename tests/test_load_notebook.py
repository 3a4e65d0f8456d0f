"""Reading a notebook: format 4 straight from its JSON, corrupt files told where and what is wrong, and
cells named as Jupyter shows them (`In [14]`, the code cell's place and its first line)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.load import LoadError, load_submission

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (REPO / "solutions" / "reference.py").read_text(encoding="utf-8")
EXERCISE_NOTEBOOK = REPO / "exercises" / "Building_your_Deep_Neural_Network.ipynb"


def code_cell(source, count=None):
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": [], "source": source}


def notebook_text(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def write(tmp_path, text, name="nb.ipynb"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def load_error(path):
    with pytest.raises(LoadError) as raised:
        load_submission(str(path))
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(f"{path}: "):]


def test_a_notebook_of_format_4_is_graded_without_nbformat_or_jsonschema(tmp_path):
    pieces = REFERENCE.split("\ndef ")
    path = write(tmp_path, notebook_text([code_cell(pieces[0], 1)] + [code_cell("def " + p) for p in pieces[1:]]))
    probe = ("import sys; from grader.grade import grade; report = grade(sys.argv[1], seed=1); "
             "print(report.score, sorted(m for m in ('nbformat', 'jsonschema') if m in sys.modules))")
    finished = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    score, imported = finished.stdout.split(" ", 1)
    assert float(score) == 100 and imported.strip() == "[]"


def test_the_cells_read_are_the_code_cells_of_the_notebook(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Title\nx = 1"},
             code_cell(["import numpy as np\n", "A = np.ones(3)\n"], 1),
             {"cell_type": "raw", "metadata": {}, "source": "y = 2"},
             code_cell("", 2),
             code_cell("def f(x):\r\n    return x\r\n", 7)]
    submission = load_submission(str(write(tmp_path, notebook_text(cells))))
    assert [cell.source for cell in submission.cells] == ["import numpy as np\nA = np.ones(3)\n",
                                                          "def f(x):\n    return x\n"]
    assert [(cell.position, cell.execution_count) for cell in submission.cells] == [(1, 1), (3, 7)]
    assert submission.cells[0].label == 'In [1] (code cell 1, "import numpy as np")'
    assert submission.cells[1].label == 'In [7] (code cell 3, "def f(x):")'


def test_a_cell_that_never_ran_is_named_by_its_place_and_first_line(tmp_path):
    long_first = "# " + "x" * 200
    cells = [code_cell("\n\n   total = 0\n"), code_cell(long_first + "\ny = 1\n", None),
             code_cell("z = 1\x1b[2J\n", True)]
    labels = [cell.label for cell in load_submission(str(write(tmp_path, notebook_text(cells)))).cells]
    assert labels[0] == 'code cell 1, "total = 0"'
    assert labels[1].startswith('code cell 2, "# xxx') and labels[1].endswith('..."') and len(labels[1]) < 80
    assert labels[2] == 'code cell 3, "z = 1\\x1b[2J"'  # a boolean is no execution count; escapes shown


def test_the_report_names_the_cell_as_jupyter_shows_it(tmp_path):
    broken = REFERENCE.replace("    Z = W @ A + b\n", "    Z = W @ A + b\n    raise ValueError('no')\n", 1)
    assert broken != REFERENCE
    pieces = broken.split("\ndef ")
    cells = [code_cell(pieces[0], 1)] + [code_cell("def " + piece, 10 + n) for n, piece in enumerate(pieces[1:])]
    broken_cell = next(n for n, cell in enumerate(cells) if "raise ValueError('no')" in cell["source"])
    path = write(tmp_path, notebook_text(cells))
    result = CliRunner().invoke(main, [str(path), "--exercise", "linear_forward", "--seed", "1"])
    assert result.exit_code == 1, result.output
    first_line = cells[broken_cell]["source"].split("\n")[0]
    shown = f'In [{cells[broken_cell]["execution_count"]}] (code cell {broken_cell + 1}, "{first_line}")'
    assert f"--> {shown}, line " in result.output


def test_removed_magics_are_noted_under_the_cells_name(tmp_path):
    cells = [code_cell("%matplotlib inline\nimport numpy as np\n!pip install x\n", 4)]
    submission = load_submission(str(write(tmp_path, notebook_text(cells))))
    assert submission.notes == ('In [4] (code cell 1, "%matplotlib inline"): 2 not run '
                                '(IPython magics and shell commands never run)',)
    assert submission.cells[0].source == "pass\nimport numpy as np\npass\n"


@pytest.mark.parametrize("text, expected", [
    ('{\n "cells": [],\n "metadata": {},\n}', "a trailing comma at line 3, column 16, before '}': remove the comma"),
    ('{"cells": [1, 2, ], "nbformat": 4}', "a trailing comma at line 1, column 16, before ']'"),
    ('{\n "cells": [\n<<<<<<< HEAD\n  {"cell_type": "code"}\n=======\n ]\n}',
     "a merge conflict marker <<<<<<< on line 3"),
    ('{"cells": [\n', "the file ends in the middle of the JSON, at line 2, column 1: it is truncated"),
    ('{"cells": [] "nbformat": 4}', "not valid JSON at line 1, column 14: Expecting ',' delimiter"),
    ("", "the file is empty"),
    ("[" * 100_000, "nested too deeply"),
    ('{"cells": [], "nbformat": ' + "4" * 5000 + "}", "a number in it has thousands of digits"),
])
def test_a_corrupt_notebook_says_where_and_what_is_wrong(tmp_path, text, expected):
    message = load_error(write(tmp_path, text))
    assert message.startswith("corrupt notebook (") and expected in message


def test_a_truncated_real_notebook_is_called_truncated(tmp_path):
    text = EXERCISE_NOTEBOOK.read_text(encoding="utf-8")
    cut = text[:len(text) // 2]
    message = load_error(write(tmp_path, cut))
    line, column = cut.count("\n") + 1, len(cut) - cut.rfind("\n")
    assert message.startswith("corrupt notebook (the file ends in the middle of the JSON")
    assert f"line {line}, column {column}" in message and "truncated" in message


@pytest.mark.parametrize("text, expected", [
    ('{"hello": 1}', "not a notebook: no cells"),
    ('[{"cell_type": "code"}]', "not a notebook: the file holds a JSON list, not an object"),
    ('"cells"', "not a notebook: the file holds a JSON str, not an object"),
    ('{"cells": {"0": {}}, "nbformat": 4}', 'corrupt notebook ("cells" is a JSON dict, not a list)'),
])
def test_json_that_is_not_a_notebook(tmp_path, text, expected):
    assert load_error(write(tmp_path, text)) == expected


def test_not_utf8_names_the_byte_and_line(tmp_path):
    data = b'{"cells": [\n{"cell_type": "code", "source": "caf\xe9"}]}'
    assert load_error(write(tmp_path, data)) == "corrupt notebook (not UTF-8 text: byte 0xe9 on line 2)"


def test_odd_cells_are_read_as_far_as_they_make_sense(tmp_path):
    cells = [5, "text", {"cell_type": "code"}, {"cell_type": "code", "source": ["a = 1\n", 7, "b = 2\n"]},
             {"cell_type": "code", "source": {"x": 1}}, code_cell("c = 3\n")]
    submission = load_submission(str(write(tmp_path, notebook_text(cells))))
    assert [cell.source for cell in submission.cells] == ["a = 1\nb = 2\n", "c = 3\n"]
    assert [cell.position for cell in submission.cells] == [2, 4]


def test_a_corrupt_notebook_through_the_command_is_one_line_and_exit_2(tmp_path):
    path = write(tmp_path, '{"cells": [\n  {"cell_type": "code", "source": "x = 1"},\n ]\n}')
    result = CliRunner().invoke(main, [str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"grade: {path}: corrupt notebook (a trailing comma at line 2, column 43, "
                             f"before ']': remove the comma)\n")
