"""Wrong outputs no catalog entry describes still get specific feedback: which output, and what is off.

Each example is a submission whose function returns the reference's answer with one output corrupted
(scaled, transposed, one entry changed, a row zeroed, ...). Grading spawns a worker per example, so the
number of examples is kept small.
"""
import re
import tempfile
from pathlib import Path

from conftest import headlines, result_of
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from submissions.corrupted import KINDS, TARGETS, Corruption

from grader.exercises import BY_NAME
from grader.grade import grade
from grader.report.text import feedback_text

# What the headline must say for each kind of corruption (regular expressions), when no known mistake is
# named instead.
PHRASES = {
    "scale": (r"is off by a factor of -?\d",),
    "one_entry": (r"\b1 of \d+ entries differ", r"has the wrong value: "),
    "transpose": (r"is transposed",),
    "zero_row": (r"\b\d+ of \d+ entries differ", r"is all zeros", r"has the wrong value: "),
    "extra_dimension": (r"has the wrong shape: \(1, ", r"is not a scalar"),
    "as_int": (r"is an integer array",),
    "nan_entry": (r"contains NaN",),
    "none": (r"is not a number array",),
}


def names(text, output_name):
    return re.search(rf"(?<![\w]){re.escape(output_name)}(?![\w])", text) is not None


def eligible_kinds(target):
    function, output, _ = target
    scalar = function == "compute_cost"
    return [kind for kind, (_, needs_two_axes, needs_container) in KINDS.items()
            if not (needs_two_axes and scalar) and not (needs_container and output is None)]


@st.composite
def corruptions(draw):
    target = draw(st.sampled_from(TARGETS))
    kind = draw(st.sampled_from(eligible_kinds(target)))
    size = st.floats(0.1, 0.95) | st.floats(1.05, 4.0)
    signed = st.builds(lambda f, sign: f * sign, size, st.sampled_from([-1, 1]))
    factor = draw(st.sampled_from([-1.0, 2.0, 0.5]) | signed)
    delta = draw(st.floats(0.1, 10)) * draw(st.sampled_from([-1, 1]))
    return Corruption(*target, kind=kind, factor=round(factor, 3), delta=round(delta, 3),
                      index=draw(st.integers(0, 50)))


def test_phrases_cover_every_kind():
    assert set(PHRASES) == set(KINDS)


# Each example grades a submission (~0.2 s). Explaining a failure would regrade it ~100 times: skipped.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(corruption=corruptions(), seed=st.integers(0, 2**32 - 1))
def test_unknown_corruption_gets_specific_feedback(corruption, seed, spawn_worker):
    exercise = BY_NAME[corruption.function]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corrupted.py"
        path.write_text(corruption.source(exercise.params), encoding="utf-8")
        report = grade(str(path), seed=seed, spawn=spawn_worker)
    result = result_of(report, exercise.name)
    feedback = feedback_text(result)
    note(feedback)

    assert result.status == "failed"
    assert {r.name: r.status for r in report.exercises if r.name != exercise.name and r.status != "passed"} == {}
    assert any(d.headline.startswith("smallest failing case") for d in result.diagnostics)
    said = " | ".join(headlines(result))
    if result.mistakes:  # a known mistake computes the same thing: naming it is as specific as it gets
        assert names(feedback, corruption.output_name)
        return
    assert names(said, corruption.output_name), said
    assert any(re.search(phrase, said) for phrase in PHRASES[corruption.kind]), said
