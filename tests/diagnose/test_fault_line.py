"""The line at fault: a failing exercise's smallest failing case is traced in the worker and walked against the
reference's own trace; the feedback shows that line like a compiler, and names no mistake the line rules out."""
import ast
import linecache

import numpy as np
from conftest import result_of
from hypothesis import given, settings
from hypothesis import strategies as st
from submissions.sources import reference_source, replace_functions

from grader.run import tracer
from grader.report.html import render_html
from grader.report.text import feedback_text
from grader.selfcheck.check import run_check
from grader.run.traced_lines import Partial, Unknown, checked_records


def graded(grade_source, body, name, seed=4):
    source = replace_functions(reference_source(), body)
    result = result_of(grade_source(source, seed=seed), name)
    return source, result, feedback_text(result)


def line_number(source, text, within=None):
    """The number of the one line of source (of its function within, when given) that holds text."""
    lines = range(1, len(source.splitlines()) + 1)
    if within:
        node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == within)
        lines = range(node.lineno, node.end_lineno + 1)
    numbers = [number for number, line in enumerate(source.splitlines(), 1) if text in line and number in lines]
    assert len(numbers) == 1, numbers
    return numbers[0]


def pointer_of(result):
    """The first diagnostic that shows a line, and that it comes before any other evidence."""
    shown = [d for d in result.diagnostics if d.pointer]
    assert shown, feedback_text(result)
    assert result.diagnostics.index(shown[0]) <= 1, feedback_text(result)
    return shown[0]


M_FROM_B = '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = b.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
'''


def test_m_read_from_b_is_said_to_be_m_not_a_missing_one_over_m(grade_source):
    source, result, feedback = graded(grade_source, M_FROM_B, "linear_backward")
    codes = {d.code for d in result.mistakes}
    assert result.status == "failed" and not codes & {"LB03", "LB04"}, feedback  # not "dW is missing its 1/m"
    assert codes <= {"LB18"}, feedback  # "m is read from b.shape[1]", or no name at all
    first = pointer_of(result)
    number = line_number(source, "m = b.shape[1]")
    assert first.where == f"submission.py, line {number}"
    code, caret = first.pointer
    assert code == f"{number} |     m = b.shape[1]"
    column = code.index("b.shape[1]")
    assert caret[column:column + len("b.shape[1]")] == "^" * len("b.shape[1]") and caret[column - 1] == " "
    assert "m is 1" in caret and "it should be" in caret
    assert "/ m" not in first.hint  # never tells the student to write what is already there


def test_m_from_the_rows_of_Y_in_the_cost_is_not_named_summed_instead_of_averaged(grade_source):
    body = '''
def compute_cost(AL, Y):
    m = Y.shape[0]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return np.squeeze(cost)
'''
    source, result, feedback = graded(grade_source, body, "compute_cost")
    assert "CC01" not in [d.code for d in result.mistakes], feedback
    assert pointer_of(result).where == f"submission.py, line {line_number(source, 'm = Y.shape[0]')}"


def test_an_unforeseen_mistake_is_shown_at_its_line_with_what_it_should_be(grade_source):
    body = '''
def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    slope = s * (1 - s) + 0.25
    dZ = dA * slope
    return dZ
'''
    source, result, feedback = graded(grade_source, body, "sigmoid_backward")
    first = pointer_of(result)
    assert first.where == f"submission.py, line {line_number(source, 'slope = s')}", feedback
    assert "slope is" in first.pointer[1]


def test_a_broken_helper_of_the_students_own_is_pointed_at_inside_the_helper(grade_source):
    helper = '''
def sigmoid(Z):
    A = 1 / (1 + np.exp(Z))
    return A, Z
'''
    source = replace_functions(reference_source(), helper)
    result = result_of(grade_source(source, seed=5), "linear_activation_forward")
    first = pointer_of(result)
    assert first.where == f"submission.py, line {line_number(source, 'A = 1 / (1 + np.exp(Z))')}", feedback_text(result)
    assert "sigmoid" in first.headline


def test_a_backward_loop_run_forward_points_at_the_loop(grade_source):
    body = '''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else "relu"
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], activation)
        grads["dA" + str(l - 1)] = dA
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
    return grads
'''
    source, result, feedback = graded(grade_source, body, "L_model_backward")
    shown = pointer_of(result)
    assert shown.where == f"submission.py, line {line_number(source, 'for l in range(1, L + 1)', 'L_model_backward')}", feedback
    assert "l goes 1" in shown.pointer[1] and "the last layer first" in shown.pointer[1]


def test_a_passing_submission_is_not_traced(grade_source):
    report = grade_source(reference_source(), seed=3)
    assert all(not d.pointer for result in report.exercises for d in result.diagnostics)


def test_check_in_a_notebook_shows_the_same_pointer_with_the_cell_as_jupyter_numbers_it():
    cell = "import numpy as np\n" + M_FROM_B.lstrip("\n")
    filename = "/tmp/ipykernel_4242/1234567.py"
    linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
    namespace = {"__name__": "__main__", "In": ["", "print(1)", cell]}
    exec(compile(cell, filename, "exec"), namespace)
    checked = run_check(namespace["linear_backward"], namespace, seed=4)
    first = pointer_of(checked.result)
    assert first.where == f"Cell In[2], line {line_number(cell, 'm = b.shape[1]')}"
    assert first.pointer[0].endswith("|     m = b.shape[1]")
    page = render_html(checked)  # in Jupyter: the same two lines, in a fixed-width block
    assert "|     m = b.shape[1]" in page and "^" * len("b.shape[1]") in page and "<pre" in page


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=8), inner,
                                                                                     max_size=6), max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_whatever_a_worker_sends_as_a_trace_is_checked_and_never_fatal(raw):
    records = checked_records(raw if isinstance(raw, list) else [raw])
    assert len(records) <= tracer.MAX_RECORDS
    for record in records:
        assert isinstance(record.line, int) and len(record.name) <= tracer.MAX_TEXT


def test_a_forged_trace_is_bounded():
    big = [[i, 0, "submission.py", "f", 1, "x" * 10_000, {"kind": "array", "shape": [2, 2], "dtype": "<f8",
                                                        "values": [1.0] * 10_000}] for i in range(5000)]
    records = checked_records(big)
    assert len(records) == tracer.MAX_RECORDS
    assert all(r.name.startswith("x" * tracer.MAX_TEXT) and len(r.name) < tracer.MAX_TEXT + 40  # cut, and says so
               and isinstance(r.value, Unknown) for r in records)
    lying = [[0, 0, "f.py", "f", 1, "x", {"kind": "array", "shape": [1000, 1000], "dtype": "<f8",
                                          "values": [0.0] * tracer.MAX_VALUES}]]
    value = checked_records(lying)[0].value
    assert isinstance(value, Partial) and value.shape == (1000, 1000)


def test_the_recorder_keeps_what_each_line_assigns():
    namespace = {"np": np}
    source = "def f(x):\n    y = x * 2\n    y[0] = 7\n    return y + 1\n"
    linecache.cache["traced.py"] = (len(source), None, source.splitlines(True), "traced.py")
    exec(compile(source, "traced.py", "exec"), namespace)
    value, error, records = tracer.traced(namespace["f"], (np.ones(3),), {"traced.py"})
    assert error is None and value.tolist() == [8.0, 3.0, 3.0]
    assert [(r[4], r[5], r[6]["values"]) for r in records] == [
        (2, "y", [2.0, 2.0, 2.0]), (3, "y", [7.0, 2.0, 2.0]), (4, "<return>", [8.0, 3.0, 3.0])]


def test_a_helper_called_with_wrong_shapes_is_said_in_the_students_terms(grade_source):
    body = '''
def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ.T, linear_cache)
    return dA_prev, dW, db
'''
    source, result, feedback = graded(grade_source, body, "linear_activation_backward")
    assert "HelperRefused" not in feedback and "gufunc" not in feedback, feedback
    call = line_number(source, "linear_backward(dZ.T, linear_cache)")
    assert f"line {call}" in result.diagnostics[0].where
    assert "calls `linear_backward` with arguments it cannot take" in result.diagnostics[0].headline
    assert "dZ (" in feedback and "cache ((" in feedback and "it expects dZ with shape (n, m)" in feedback
    assert "inputs: dA = " in feedback  # the smallest failing case the hint promises is shown


def test_an_error_shows_the_smallest_failing_case_it_promises(grade_source):
    body = '''
def linear_forward(A, W, b):
    Z = np.dot(A, W) + b
    return Z, (A, W, b)
'''
    _, result, feedback = graded(grade_source, body, "linear_forward")
    assert result.status in ("error", "failed")
    assert "gufunc" not in feedback and "smallest failing case" in feedback
    assert "inputs: A = " in feedback, feedback


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_L_model_backwards_AL_straddles_one_half_in_every_case(seed):
    from grader.checks.compare import Draws
    from grader.exercises import BY_NAME

    for case in BY_NAME["L_model_backward"].make_cases(Draws(seed)):
        AL = case.args[0]
        assert np.any(AL > 0.5) and (AL.size == 1 or np.any(AL < 0.5))


def test_the_cost_has_predictions_near_0_and_1_so_that_clipping_shows():
    from grader.checks.compare import Draws
    from grader.exercises import BY_NAME

    ALs = np.concatenate([case.args[0].ravel() for case in BY_NAME["compute_cost"].make_cases(Draws(3))])
    assert ALs.min() <= 1e-4 and ALs.max() >= 1 - 1e-4
