"""Running a submission's calls in batches: each call keeps its own time limit and outcome, a call that hangs
or kills its worker costs only its exercise, and helper answers sent ahead spare the round trips."""
from pathlib import Path

import numpy as np
import pytest

from grader.checks import helper_answerer
from grader.exercises import BY_NAME
from grader.grade import prepare
from grader.isolate import GRADED_NAMES, Limits, Session, run_submission
from grader.load import load_submission
from grader.model import CallRequest
from solutions import reference

REFERENCE = (Path(__file__).resolve().parent.parent / "solutions" / "reference.py").read_text(encoding="utf-8")
LIMITS = Limits(call_seconds=0.6, statement_seconds=0.5, load_seconds=5)


def run(tmp_path, extra, requests, answer_helper=lambda *request: (False, "no helpers here"), limits=LIMITS):
    path = tmp_path / "submission.py"
    path.write_text(REFERENCE + "\n\n" + extra, encoding="utf-8")
    session = Session(load_submission(str(path)), GRADED_NAMES, limits)
    return run_submission(session, requests, answer_helper).outcomes


def forward_calls(examples):
    rng = np.random.default_rng(0)
    return [CallRequest("linear_forward", index, (rng.standard_normal((2, m)), rng.standard_normal((3, 2)),
                                                  rng.standard_normal((3, 1))))
            for index, m in enumerate(examples)]


def relu_call():
    return CallRequest("relu_backward", 0, (np.ones((2, 3)), np.array([[1.0, -1, 2], [-2, 3, -3]])))


@pytest.mark.parametrize("stop, kind", [("while True:\n            pass", "timeout"),
                                        ("import os\n        os._exit(3)", "crashed")])
def test_a_call_that_hangs_or_kills_its_worker_costs_its_exercise_only(tmp_path, stop, kind):
    extra = ("def linear_forward(A, W, b):\n"
             "    if A.shape[1] == 2:\n"
             f"        {stop}\n"
             "    return W @ A + b, (A, W, b)\n")
    outcomes = run(tmp_path, extra, forward_calls([1, 2, 3]) + [relu_call()])
    assert [outcomes[("linear_forward", index)].kind for index in range(3)] == ["returned", kind, kind]
    relu = outcomes[("relu_backward", 0)]  # the next exercise, on a fresh worker
    assert relu.kind == "returned" and np.array_equal(relu.value, [[1, 0, 1], [0, 1, 0]])


def test_each_call_of_a_batch_has_the_whole_time_limit(tmp_path):
    extra = ("import time\n\n"
             "def linear_forward(A, W, b):\n"
             "    time.sleep(0.25)\n"
             "    return W @ A + b, (A, W, b)\n")
    outcomes = run(tmp_path, extra, forward_calls([1, 2, 3, 4]))  # 1 s in all, 0.6 s allowed per call
    assert {outcome.kind for outcome in outcomes.values()} == {"returned"}


def test_arguments_changed_in_place_are_found_from_what_comes_back(tmp_path):
    extra = "def relu_backward(dA, cache):\n    dA[cache <= 0] = 0\n    return dA\n"
    assert run(tmp_path, extra, [relu_call()])[("relu_backward", 0)].mutated == (0,)


class CountingAnswerer:
    """The grader's answers to the helper calls a worker asks for, counted."""

    def __init__(self):
        self.asked = []
        self.answer = helper_answerer(reference, BY_NAME)

    def __call__(self, exercise, helper, args):
        self.asked.append(helper)
        return self.answer(exercise, helper, args)


def composite_outcomes(tmp_path, extra):
    prepared = prepare(3, {"linear_activation_backward"})
    answerer = CountingAnswerer()
    outcomes = run(tmp_path, extra, prepared.calls, answerer)
    expected = prepared.plan.expected["linear_activation_backward"]
    right = all(outcome.kind == "returned" and all(map(np.allclose, outcome.value, side.output))
                for outcome, side in zip(outcomes.values(), expected))
    return right, answerer.asked


def test_helper_calls_made_as_the_reference_makes_them_need_no_round_trip(tmp_path):
    right, asked = composite_outcomes(tmp_path, "")
    assert right and asked == []


def test_helper_calls_with_keywords_are_answered_ahead_too(tmp_path):
    extra = ("def linear_activation_backward(dA, cache, activation):\n"
             "    linear_cache, activation_cache = cache\n"
             "    helper = relu_backward if activation == 'relu' else sigmoid_backward\n"
             "    dZ = helper(dA=dA, cache=activation_cache)\n"
             "    return linear_backward(dZ, cache=linear_cache)\n")
    right, asked = composite_outcomes(tmp_path, extra)
    assert right and asked == []


def test_other_helper_calls_are_still_answered_by_the_grader(tmp_path):
    extra = ("def linear_activation_backward(dA, cache, activation):\n"
             "    linear_cache, activation_cache = cache\n"
             "    helper = relu_backward if activation == 'relu' else sigmoid_backward\n"
             "    dA_prev, dW, db = linear_backward(2 * helper(dA, activation_cache), linear_cache)\n"
             "    return dA_prev / 2, dW / 2, db / 2\n")
    right, asked = composite_outcomes(tmp_path, extra)
    assert right and asked and set(asked) == {"linear_backward"}


@pytest.mark.parametrize("decorator", ["[None for _ in iter(int, 1)]", "__import__('os')._exit(3)"])
def test_a_definition_whose_decorator_hangs_or_kills_the_worker_is_skipped(tmp_path, decorator):
    from grader.grade import grade

    path = tmp_path / "submission.py"
    path.write_text(REFERENCE + f"\n\n@(lambda function: {decorator})\ndef spin():\n    pass\n", encoding="utf-8")
    report = grade(str(path), seed=1, limits=LIMITS)
    assert report.all_passed
    assert any("stopped after its time budget: `def spin():`" in note for note in report.notes)


@pytest.mark.parametrize("returned, recognised", [
    ("W @ A + b, (A, W, b)", True),  # bit for bit the reference's output
    ("(W @ A + b).astype(np.float32), (A, W, b)", False),  # same values, another dtype
    ("W @ A + b, [A, W, b]", False),  # a list where the reference has a tuple
    ("W @ A + b + 1e-12, (A, W, b)", False),  # float noise
])
def test_a_reply_encoding_exactly_the_reference_output_is_taken_as_it_without_decoding(tmp_path, returned, recognised):
    request = forward_calls([3])[0]
    expected = reference.linear_forward(*request.args)
    request = CallRequest(request.exercise, 0, request.args, expected=expected)
    extra = f"def linear_forward(A, W, b):\n    return {returned}\n"
    outcome = run(tmp_path, extra, [request])[("linear_forward", 0)]
    assert outcome.kind == "returned" and outcome.mutated == ()
    assert (outcome.value is expected) == recognised
    Z, cache = outcome.value
    assert np.allclose(Z, expected[0]) and all(np.array_equal(a, b) for a, b in zip(cache, expected[1]))
    assert type(cache) is (tuple if "(A, W, b)" in returned else list)
