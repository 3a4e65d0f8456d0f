"""Mistakes no catalog entry foresaw still fail, are never given a wrong name, and are shown at their line."""
import pytest
from conftest import result_of
from submissions.sources import reference_source, replace_functions
from submissions.unforeseen import UNFORESEEN

from grader.report.text import feedback_text

MARK = "# <-"


@pytest.mark.parametrize("key", sorted(UNFORESEEN))
def test_an_unforeseen_mistake_is_shown_at_its_line(key, grade_source):
    name, body = UNFORESEEN[key]
    source = replace_functions(reference_source(), body)
    marked = [number for number, line in enumerate(source.splitlines(), 1) if line.rstrip().endswith(MARK)]
    assert len(marked) == 1
    result = result_of(grade_source(source, seed=11), name)
    feedback = feedback_text(result)
    assert result.status in ("failed", "error"), feedback
    shown = [d for d in result.diagnostics if d.pointer or d.where][:2]
    assert any(d.where.startswith(f"submission.py, line {marked[0]}") and (
        d.where == f"submission.py, line {marked[0]}" or d.where[len(f"submission.py, line {marked[0]}")] == ":")
        for d in shown), feedback
    assert "HelperRefused" not in feedback and "gufunc" not in feedback
