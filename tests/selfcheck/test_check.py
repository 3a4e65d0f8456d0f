"""check(): one exercise graded from the caller's namespace, in a worker, with a gradient check of the
student's backward function against their own forward function, shown as text or HTML."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from submissions.buggy import BUGGY
from submissions.sources import function_sources, reference_source, replace_functions

from grader.selfcheck.capture import capture
from grader.checks.gradcheck import PAIRINGS, TOLERANCE, _comparison, central_differences
from grader.report.html import WRONG, render_html
from grader.selfcheck.check import render_text, run_check

STUB_SOURCE = Path(__file__).resolve().parents[2] / "exercises" / "deep_network.py"


@pytest.fixture
def notebook(tmp_path):
    """Runs source as a module of its own, the way a notebook's cells define functions in its namespace."""
    counter = iter(range(10**6))

    def load(source):
        name = f"student_notebook_{next(counter)}"
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def errors(gradient_check):
    return {c.output: c.relative_error for c in gradient_check.comparisons}


def test_correct_backward_passes_and_agrees_with_its_own_forward(notebook):
    module = notebook(reference_source())
    checked = run_check(module.linear_backward, vars(module), seed=1)
    assert checked.result.status == "passed" and checked.passed
    gradient, = checked.gradient_checks
    assert gradient.forward == "linear_forward"
    assert set(errors(gradient)) == {"dA_prev", "dW", "db"}
    assert max(errors(gradient).values()) < 1e-7


@pytest.mark.parametrize("backward", sorted(PAIRINGS))
def test_every_reference_backward_agrees_with_the_reference_forward(backward, notebook):
    module = notebook(reference_source())
    checked = run_check(backward, vars(module), seed=2)
    assert checked.gradient_checks and all(g.matches for g in checked.gradient_checks), render_text(checked)


def test_both_activations_of_a_layer_are_gradient_checked(notebook):
    module = notebook(reference_source())
    checked = run_check(module.linear_activation_backward, vars(module), seed=3)
    assert sorted(g.case.split(", ")[-1] for g in checked.gradient_checks) == ["relu", "sigmoid"]


def test_seeded_mistake_is_named_and_the_gradient_check_points_at_its_output(notebook):
    module = notebook(replace_functions(reference_source(), BUGGY["LB01"]))
    checked = run_check(module.linear_backward, vars(module), seed=4)
    assert [d.code for d in checked.result.mistakes] == ["LB01"]
    gradient, = checked.gradient_checks
    assert errors(gradient)["dA_prev"] > 1e-2
    assert errors(gradient)["dW"] < TOLERANCE and errors(gradient)["db"] < TOLERANCE
    text = render_text(checked)
    assert text.startswith("FAIL linear_backward")
    assert "error[LB01]" in text and "does not match your forward pass" in text


def test_backward_is_compared_with_the_students_forward_not_the_reference(notebook):
    # A right linear_backward against a linear_forward that forgets b: the derivative of *their* forward
    # with respect to b is 0, so db disagrees while the grade of linear_backward itself is a pass.
    module = notebook(replace_functions(reference_source(), BUGGY["LF01"]))
    checked = run_check(module.linear_backward, vars(module), seed=5)
    assert checked.result.status == "passed"
    gradient, = checked.gradient_checks
    assert errors(gradient)["db"] > 0.5 and errors(gradient)["dW"] < TOLERANCE
    assert not checked.passed


def test_l_model_backward_is_checked_against_forward_and_cost(notebook):
    module = notebook(replace_functions(reference_source(), BUGGY["LMB01"]))
    checked = run_check(module.L_model_backward, vars(module), seed=6)
    assert [d.code for d in checked.result.mistakes] == ["LMB01"]
    gradient, = checked.gradient_checks
    assert gradient.forward == "L_model_forward and compute_cost"
    assert not gradient.matches and {"dA0", "dW1", "db1"} <= set(errors(gradient))


def test_check_by_name_takes_the_function_from_the_callers_namespace(notebook, capsys):
    module = notebook(reference_source() + "\n\ndef check_here():\n    from grader import check\n"
                      "    check('relu_backward')\n")
    module.check_here()
    printed = capsys.readouterr().out
    assert printed.startswith("PASS relu_backward")
    assert "gradient check: relu_backward against your relu agree" in printed


def test_a_function_imported_from_a_module_is_checked_with_that_modules_functions(notebook):
    module = notebook(replace_functions(reference_source(), BUGGY["RB04"]))
    checked = run_check(module.relu_backward, {"__name__": "__main__"}, seed=8)
    assert [d.code for d in checked.result.mistakes] == ["RB04"]
    gradient, = checked.gradient_checks
    assert gradient.forward == "relu" and not gradient.matches


def test_a_stub_is_not_attempted_and_gets_no_gradient_check(notebook):
    module = notebook(STUB_SOURCE.read_text(encoding="utf-8"))
    checked = run_check(module.sigmoid_backward, vars(module))
    assert checked.result.status == "not_attempted" and checked.gradient_checks == ()


def test_a_function_that_is_not_an_exercise_is_refused(notebook):
    module = notebook(reference_source())
    with pytest.raises(ValueError, match="linear_backward"):
        run_check(module.sigmoid, vars(module))


def test_capture_keeps_line_numbers_helpers_imports_and_constants_and_leaves_state_out(notebook):
    source = ("import numpy as np\nfrom numpy import sum as total\nSCALE = 2.0\nSTATE = np.ones(3)\n\n\n"
              "def scale(x):\n    return SCALE * total(x) + STATE[0]\n\n\n"
              "def linear_forward(A, W, b):\n    return scale(np.dot(W, A)) + b, (A, W, b)\n")
    module = notebook(source)
    captured = capture(vars(module), ["linear_forward"])
    imports, definitions = captured.submission.cells
    assert set(imports.source.splitlines()) == {"import numpy as np", "from numpy import sum as total",
                                                "SCALE = 2.0"}
    lines = definitions.source.splitlines()
    assert lines[6] == "def scale(x):" and lines[10] == "def linear_forward(A, W, b):"
    assert [note.split("`")[1] for note in captured.left_out] == ["STATE"]


def test_html_shows_the_wrong_entries_as_coloured_cells(notebook):
    wrong = function_sources(reference_source())["linear_backward"].replace(
        "    dA_prev = W.T @ dZ\n", "    dA_prev = W.T @ dZ\n    dA_prev[0] = 0\n")
    module = notebook(replace_functions(reference_source(), wrong))
    checked = run_check(module.linear_backward, vars(module), seed=7)
    html = render_html(checked)
    assert checked.result.status == "failed"
    assert html.count(f"background: {WRONG}") >= 1 and "<table" in html
    assert "dA_prev" in html and "does not match" in html


def test_importing_grader_does_not_import_numpy_until_check_is_used():
    probe = "import sys, grader; print('numpy' in sys.modules); from grader import check; print(callable(check))"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["False", "True"]


@settings(max_examples=50, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.floats(-3, 3)),
       arrays(float, (4, 4), elements=st.floats(0.1, 3)))
def test_the_gradient_check_accepts_the_true_derivative_and_rejects_a_doubled_one(point, weights):
    weights = weights[:point.shape[0], :point.shape[1]]
    numerical = central_differences(lambda x: np.sum(weights * np.sin(x)), point)
    true = weights * np.cos(point)
    assert _comparison("dx", true, numerical).relative_error < TOLERANCE
    if np.linalg.norm(true) > 1e-3:
        assert _comparison("dx", 2 * true, numerical).relative_error > 0.3
    if point.shape[0] != point.shape[1]:
        transposed = _comparison("dx", true.T, numerical)
        assert transposed.relative_error == float("inf") and "shape" in transposed.problem
