"""Broken submissions through the `grade` command: a clear message, the exit status of the contract
(0 all passed, 1 graded but not all passed, 2 cannot grade) and never a traceback of ours."""
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat import v3

from grader.cli import main

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (REPO / "solutions" / "reference.py").read_text(encoding="utf-8")


def grade_cli(*arguments):
    result = CliRunner().invoke(main, [*map(str, arguments), "--seed", "1", "--timeout", "2"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_no_such_file(tmp_path):
    result = grade_cli(tmp_path / "missing.py")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"grade: {tmp_path / 'missing.py'}: no such file"


def test_a_folder_with_nothing_gradable(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "README.txt").write_text("instructions\n")
    result = grade_cli(folder, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "no submissions found in" in result.output and "README.txt" in result.output
    assert not (tmp_path / "out").exists()


def test_an_empty_file_is_graded_as_defining_nothing(tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("")
    result = grade_cli(path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert {exercise["status"] for exercise in report["exercises"]} == {"missing"}
    assert all("is not defined" in exercise["feedback"] for exercise in report["exercises"])
    assert any("empty" in note for note in report["notes"])


@pytest.mark.parametrize("name, content, reason", [
    ("garbage.py", bytes(range(256)) * 8, "binary data, not Python source"),
    ("latin1.py", b'x = 1\nname = "caf\xe9"\n', "not UTF-8 text (byte 0xe9 on line 2)"),
    ("truncated.ipynb", (REPO / "exercises" / "Building_your_Deep_Neural_Network.ipynb").read_bytes()[:700],
     "corrupt notebook"),
    ("not_a_notebook.ipynb", b'{"cells": 5}', "corrupt notebook"),
    ("empty.ipynb", b"", "corrupt notebook"),
])
def test_unreadable_files_cannot_be_graded(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = grade_cli(path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"grade: {path}: {reason}")
    assert result.stderr.count("\n") == 1  # one line


def test_a_corrupt_notebook_from_the_real_command(tmp_path):
    path = tmp_path / "corrupt.ipynb"
    path.write_text('{"cells": [{"cell_type": "code", "source": "x = ')
    finished = subprocess.run([sys.executable, "-m", "grader", str(path)], capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert len(finished.stderr.splitlines()) == 1 and "corrupt notebook" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_syntax_error_shows_the_students_line_and_a_caret(tmp_path):
    path = tmp_path / "typo.py"
    path.write_text("import numpy as np\n\n\ndef linear_forward(A, W, b):\n    Z = np.dot(W, A) + b\n"
                    "    return Z, (A, W b)\n")
    result = grade_cli(path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    heading = next(index for index, line in enumerate(lines) if "typo.py, line 6: SyntaxError" in line)
    code, caret = lines[heading + 1], lines[heading + 2]
    assert code.strip() == "return Z, (A, W b)"
    assert caret.strip() == "^" and caret.index("^") == code.index("W b")


def test_nbformat_3_notebook_is_graded(tmp_path):
    notebook = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[v3.new_code_cell(input=REFERENCE)])])
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook))
    result = grade_cli(path)
    assert result.exit_code == 0, result.output
    assert "Score: 100/100" in result.stdout


def test_a_notebook_with_megabytes_of_image_output_is_graded(tmp_path):
    image = base64.b64encode(os.urandom(5 * 2**20)).decode()
    output = nbformat.v4.new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})
    cells = [nbformat.v4.new_code_cell(REFERENCE, outputs=[output]), nbformat.v4.new_markdown_cell("# Plot")]
    path = tmp_path / "plots.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    assert path.stat().st_size > 5 * 2**20
    result = grade_cli(path)
    assert result.exit_code == 0, result.output
    assert "Score: 100/100" in result.stdout


def feedback_of(tmp_path, replacements):
    path = tmp_path / "submission.py"
    path.write_text(REFERENCE + "\n\n" + replacements)
    result = grade_cli(path, "--format", "json")
    assert result.exit_code == 1
    return {exercise["name"]: exercise for exercise in json.loads(result.stdout)["exercises"]}


def test_functions_with_the_wrong_parameters(tmp_path):
    exercises = feedback_of(tmp_path, "def linear_forward(A, W):\n    return W @ A, (A, W)\n\n\n"
                                      "def relu_backward(dA, cache, extra):\n    return dA\n")
    assert exercises["linear_forward"]["status"] == "error"
    assert "`linear_forward` takes (A, W), but it is called with 3 arguments" in exercises["linear_forward"]["feedback"]
    assert "takes (dA, cache, extra), but it is called with 2 arguments" in exercises["relu_backward"]["feedback"]
    assert exercises["linear_activation_forward"]["status"] == "passed"


def test_functions_returning_the_wrong_kind_of_value(tmp_path):
    exercises = feedback_of(tmp_path, """
def linear_forward(A, W, b):
    return None


def compute_cost(AL, Y):
    return [0.5]


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    return W.T @ dZ, dZ @ A_prev.T


def update_parameters(params, grads, learning_rate):
    return {"weights": params["W1"]}
""")
    expected = {
        "linear_forward": ("not_attempted", "`linear_forward` returns None"),
        "compute_cost": ("failed", "not a number array: expected a number array, got a list of 1"),
        "linear_backward": ("failed", "expected 3 values (dA_prev, dW, db), got 2"),
        # the smallest case inside the assignment's domain (L >= 2): the one-layer case is advisory
        "update_parameters": ("failed", "missing keys ['W1', 'b1', 'W2', 'b2']; unexpected keys ['weights']"),
    }
    for name, (status, message) in expected.items():
        assert exercises[name]["status"] == status, name
        assert message in exercises[name]["feedback"], exercises[name]["feedback"]
    untouched = set(exercises) - set(expected)
    assert {exercises[name]["status"] for name in untouched} == {"passed"}
