"""Correct submissions written unlike the reference get full marks, with no feedback but notes."""
import zlib

import pytest
from conftest import result_of
from submissions.alternatives import ALTERNATIVES
from submissions.sources import reference_source

from grader.report.text import feedback_text



def graded(grade_source, name):
    file_name, data = ALTERNATIVES[name](reference_source())
    return grade_source(data, seed=zlib.crc32(name.encode()), name=file_name)


def test_there_are_enough_alternatives():
    assert len(ALTERNATIVES) >= 25


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
def test_correct_alternative_gets_full_marks(name, grade_source):
    report = graded(grade_source, name)
    failed = {result.name: feedback_text(result) for result in report.exercises if result.status != "passed"}
    assert failed == {}
    assert report.score == report.max_score == 100
    for result in report.exercises:
        assert result.mistakes == ()


def test_older_grads_keys_are_accepted_and_named(grade_source):
    result = result_of(graded(grade_source, "older_grads_keys"), "L_model_backward")
    assert result.status == "passed"
    assert "older key convention" in feedback_text(result)
    assert "dA{l} holds the gradient with respect to A[l-1]" in feedback_text(result)


def test_current_grads_keys_get_no_convention_note(grade_source):
    result = result_of(graded(grade_source, "np_dot"), "L_model_backward")
    assert feedback_text(result) == ""


@pytest.mark.parametrize("name", ["notebook_with_magics_and_test_calls", "notebook_format_3"])
def test_notebook_clutter_is_reported_not_run(name, grade_source):
    notes = "\n".join(graded(grade_source, name).notes)
    assert "IPython magics and shell commands never run" in notes
    assert "No module named 'h5py'" in notes and "the rest still ran" in notes
    # a plotting module that is not installed imports as a stand-in: neither it nor its settings make a note
    assert "No module named 'matplotlib'" not in notes and "'plt' is not defined" not in notes
    assert "call functions were not run" in notes  # the test-helper calls and the training loop


def test_statements_that_print_at_import_are_skipped_and_counted(grade_source):
    notes = graded(grade_source, "prints_at_import").notes
    assert any(note.startswith("4 top-level statement(s) that call functions were not run") for note in notes)
