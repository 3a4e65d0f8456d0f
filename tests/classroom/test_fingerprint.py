"""The fingerprint of a wrong output no known mistake explains: equal for equal wrong results, and only then."""
from batch_class import COST, REFERENCE, source_of

from grader.grade import grade


def cost_written_as(tmp_path, name, line):
    path = tmp_path / f"{name}.py"
    path.write_text(REFERENCE.replace(COST, line, 1), encoding="utf-8")
    return grade(str(path), seed=4, only={"compute_cost"}).exercises[0]


def test_the_same_wrong_result_written_differently_has_the_same_fingerprint(tmp_path):
    first = cost_written_as(tmp_path, "a", COST.replace("/ m", "/ (m + 1)"))
    second = cost_written_as(tmp_path, "b", COST.replace("/ m", "* (1 / (1 + m))"))
    other = cost_written_as(tmp_path, "c", COST.replace("/ m", "/ (m + 2)"))
    assert first.status == second.status == other.status == "failed"
    assert not first.mistakes and first.fingerprint
    assert first.fingerprint == second.fingerprint != other.fingerprint


def test_passed_exercises_and_known_mistakes_have_no_fingerprint(tmp_path):
    path = tmp_path / "known.py"
    path.write_text(source_of("db_wrong_axis", "x"), encoding="utf-8")
    results = {e.name: e for e in grade(str(path), seed=4, only={"compute_cost", "linear_backward"}).exercises}
    assert results["linear_backward"].mistakes and results["linear_backward"].fingerprint == ""
    assert results["compute_cost"].status == "passed" and results["compute_cost"].fingerprint == ""
