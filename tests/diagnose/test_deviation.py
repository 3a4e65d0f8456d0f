"""Mistakes no catalog entry foresees are named by how the value at the line at fault differs from the right
one: the relations themselves (property-based), and mutants of the reference graded end to end, each named
by the relation's id and pointed at its changed line, found by a diff."""
import zlib

import numpy as np
import pytest
from conftest import result_of
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from submissions.sources import reference_source

from diagnose.test_mutants import changed_lines, pointed_line
from grader.diagnose.deviation import deviations
from grader.report.text import feedback_text

shapes = st.tuples(st.integers(2, 4), st.integers(2, 5))
entries = st.floats(-3, 3, allow_nan=False).filter(lambda x: abs(x) > 0.1)


def matrices(shape):
    return arrays(np.float64, shape, elements=entries)


def keys(got, expected, dims=None, path_values=None, inputs=(), name="x"):
    return [d.key for d in deviations(name, got, expected, dims or {}, path_values or {}, inputs)]


@settings(max_examples=40, deadline=None)
@given(shapes.flatmap(matrices), st.integers(2, 9))
def test_a_value_m_times_too_large_is_named_by_m_whatever_the_numbers(expected, m):
    assert keys(expected * m, expected, {"m": m})[0] == "factor m^1"
    assert keys(expected / m, expected, {"m": m})[0] == "factor m^-1"


@settings(max_examples=40, deadline=None)
@given(shapes.flatmap(matrices))
def test_a_negated_value_is_a_sign_and_a_transposed_one_a_transpose(expected):
    assert keys(-expected, expected)[0] == "sign"
    if expected.shape[0] != expected.shape[1]:
        assert keys(expected.T, expected) == ["transposed"]


@settings(max_examples=40, deadline=None)
@given(shapes.flatmap(lambda shape: st.tuples(matrices(shape), matrices((shape[0], 1))))
       .filter(lambda pair: not np.all(pair[1] == 1)))  # all ones is too plain to stand for b on one case
def test_a_term_left_out_or_added_is_named_by_the_term(pair):
    expected, b = pair
    assert "lacks b" in keys(expected - b, expected, path_values={"b": [b]})
    assert "extra b" in keys(expected + b, expected, path_values={"b": [b]})


@settings(max_examples=40, deadline=None)
@given(shapes.flatmap(lambda shape: st.tuples(matrices(shape), matrices(shape))), st.sampled_from([2.0, 0.5, 3.0]))
def test_an_update_is_judged_by_the_step_it_takes(pair, factor):
    W, step = pair
    expected = W - 0.1 * step
    entry = "parameters['W1']"
    assert f"step {factor:.4g}" in keys(W - factor * 0.1 * step, expected, inputs=[W], name=entry)
    assert "step sign" in keys(W + 0.1 * step, expected, inputs=[W], name=entry)
    assert not any(key.startswith("step") for key in keys(W - factor * 0.1 * step, expected, inputs=[W]))


def test_a_single_number_is_not_believed_on_its_own():
    assert keys(np.array([[2.0]]), np.array([[1.0]]), {"m": 2}) == []


def test_values_with_no_simple_relation_have_none():
    rng = np.random.default_rng(3)
    assert keys(rng.normal(size=(3, 4)), rng.normal(size=(3, 4))) == []


UNFORESEEN = [  # (function, old, new, the relation's id): edits no catalog entry makes
    ("linear_backward", "dA_prev = W.T @ dZ", "dA_prev = W.T @ dZ * 2", "G01"),
    ("linear_backward", "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T / 2", "G01"),
    ("linear_backward", "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T / m / m", "G01"),
    ("linear_forward", "Z = W @ A + b", "Z = W @ A + b + b", "G07"),
    ("relu_backward", "dZ = dA * (Z > 0)", "dZ = dA * (Z > 0) + Z", "G07"),
    ("compute_cost", "np.log(1 - AL)) / m", "np.log(1 - AL)) / (2 * m)", "G01"),
    ("update_parameters", 'parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]',
     'parameters[f"b{l}"] - learning_rate * grads[f"db{l}"] / 2', "G01"),
    ("L_model_backward", 'grads[f"dA{l - 1}"] = dA', 'grads[f"dA{l - 1}"] = dA * 2', "G01"),
    ("linear_backward", "db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.mean(dZ, axis=0, keepdims=True)",
     "G04"),
    ("compute_cost", "m = Y.shape[1]", "m = AL.size + 1", "G08"),
    ("L_model_backward", "L = len(caches)", "L = len(caches) - 1", "G08"),
    ("update_parameters", 'parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]',
     'parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"] * learning_rate', "G01"),
    ("update_parameters", 'parameters[f"b{l}"] = parameters[f"b{l}"]', 'parameters[f"b{L}"] = parameters[f"b{l}"]',
     "G01"),  # b1 is never updated
]


@pytest.mark.parametrize("function, old, new, code", UNFORESEEN, ids=[f"{u[0]}:{u[2]}" for u in UNFORESEEN])
def test_an_unforeseen_mistake_is_named_by_its_relation_at_its_changed_line(function, old, new, code, grade_source):
    original = reference_source()
    assert original.count(old) == 1
    source = original.replace(old, new)
    report = grade_source(source, seed=zlib.crc32(new.encode()))
    result = result_of(report, function)
    feedback = feedback_text(result)
    assert result.status == "failed", feedback
    assert [d.code for d in result.mistakes] == [code], feedback
    assert pointed_line(result.mistakes[0]) in changed_lines(original, source), feedback


NOT_ONE_RELATION = [  # (function, old, new): wrong, but no relation of deviation.py is the mistake
    ("relu_backward", "dZ = dA * (Z > 0)", "dZ = dA * np.sign(Z)"),  # not an update: no "step"
    ("compute_cost", "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
     "cost = -(np.sum(Y * np.log(AL)) + (1 - Y) * np.log(1 - AL)) / m"),  # a parenthesis, not "a shape"
]


@pytest.mark.parametrize("function, old, new", NOT_ONE_RELATION, ids=[u[0] for u in NOT_ONE_RELATION])
def test_a_mistake_no_relation_describes_gets_no_relation_id(function, old, new, grade_source):
    original = reference_source()
    assert original.count(old) == 1
    report = grade_source(original.replace(old, new), seed=5)
    result = result_of(report, function)
    assert result.status in ("failed", "error"), feedback_text(result)
    assert not any(d.code.startswith("G") for d in result.mistakes), feedback_text(result)


def test_a_relation_seen_only_on_the_smallest_case_is_not_named(grade_source):
    """db + dZ[:, :1] is twice db when m = 1, and nothing simple on larger cases."""
    original = reference_source()
    old = "db = np.sum(dZ, axis=1, keepdims=True) / m"
    report = grade_source(original.replace(old, old + " + dZ[:, :1]"), seed=11)
    result = result_of(report, "linear_backward")
    assert result.status == "failed" and not result.mistakes, feedback_text(result)
    assert "line" in result.diagnostics[0].headline, feedback_text(result)
