"""Every known mistake of the catalog, written by hand as a student would, is named by its id.

Each submission is the reference with one function replaced by its buggy version, so the exercise under
test must fail with exactly that mistake and every other exercise must still get full marks.
"""
import ast
import json
import re
import subprocess
import sys
import zlib

import pytest
from conftest import headlines, result_of
from submissions.buggy import BUGGY, COMBINED
from submissions.sources import REFERENCE_PATH, defined_functions, reference_source, replace_functions

from grader.exercises import EXERCISES
from grader.grade import grade
from grader.report.text import feedback_text, to_dict

CATALOG = [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]
CATALOG_IDS = [mistake.id for _, mistake in CATALOG]


def seed_for(mistake_id):
    """A different but fixed seed per mistake: the cases vary across the suite, yet every run is repeatable."""
    return zlib.crc32(mistake_id.encode())


def test_every_exercise_has_known_mistakes():
    # Guards the parametrized test below against passing vacuously on an empty catalog.
    assert all(exercise.mistakes for exercise in EXERCISES)
    assert len(CATALOG_IDS) == len(set(CATALOG_IDS)), "mistake ids must be unique"


def test_no_buggy_body_for_a_mistake_outside_the_catalog():
    assert sorted(set(BUGGY) - set(CATALOG_IDS)) == []


@pytest.mark.parametrize("exercise, mistake", CATALOG, ids=CATALOG_IDS)
def test_known_mistake_is_named_and_nothing_else_fails(exercise, mistake, grade_source):
    assert mistake.id in BUGGY, f"add a student-style {exercise.name} making {mistake.id} to tests/submissions/buggy.py"
    assert defined_functions(BUGGY[mistake.id])[0] == exercise.name  # then the helpers of its own it calls
    source = replace_functions(reference_source(), BUGGY[mistake.id])
    report = grade_source(source, seed=seed_for(mistake.id))

    result = result_of(report, exercise.name)
    feedback = feedback_text(result)
    assert result.status == "failed", feedback
    assert result.score == 0
    assert [d.code for d in result.mistakes] == [mistake.id], feedback
    assert result.diagnostics[0].code == mistake.id and result.diagnostics[0].headline == mistake.headline
    assert f"error[{mistake.id}]" in feedback and mistake.hint in feedback
    assert any(d.headline.startswith("smallest failing case") for d in result.diagnostics)
    assert line_pointed_at(result.diagnostics[0].where) in [
        line for name in defined_functions(BUGGY[mistake.id]) for line in function_lines(source, name)]
    others = {other.name: other.status for other in report.exercises if other.name != exercise.name}
    assert set(others.values()) == {"passed"}, others
    assert report.score == report.max_score - exercise.weight


@pytest.mark.parametrize("ids", list(COMBINED), ids="+".join)
def test_two_mistakes_in_one_function_are_both_named(ids, grade_source):
    name = defined_functions(COMBINED[ids])[0]
    report = grade_source(replace_functions(reference_source(), COMBINED[ids]), seed=seed_for("+".join(ids)))
    result = result_of(report, name)
    assert (result.status, tuple(d.code for d in result.mistakes)) == ("failed", ids), feedback_text(result)


def line_pointed_at(where):
    """The line number of a `submission.py, line 12` (or `..., line 12: code`) location."""
    match = re.fullmatch(r"submission\.py, line (\d+)(: .*)?", where)
    assert match, f"the feedback does not point at the student's code: {where!r}"
    return int(match.group(1))


def function_lines(source, name):
    """The lines of every top-level definition of name (a helper the submission redefines has two)."""
    return [line for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == name
            for line in range(node.lineno, node.end_lineno + 1)]


def one_mistake_per_exercise():
    """The first catalog mistake of each exercise, all in one submission."""
    return {exercise.name: exercise.mistakes[0] for exercise in EXERCISES}


def test_each_exercise_names_its_own_mistake_when_all_are_wrong(grade_source):
    chosen = one_mistake_per_exercise()
    source = replace_functions(reference_source(), *(BUGGY[mistake.id] for mistake in chosen.values()))
    report = grade_source(source, seed=11)
    assert report.score == 0
    for name, mistake in chosen.items():
        result = result_of(report, name)
        assert (result.status, [d.code for d in result.mistakes]) == ("failed", [mistake.id]), headlines(result)


def run_cli_twice(path, seed):
    command = [sys.executable, "-c", "from grader.cli import main; main()", str(path), "--seed", str(seed),
               "--format", "json"]
    return [subprocess.run(command, capture_output=True, text=True, timeout=120) for _ in range(2)]


def test_seeded_grading_of_the_reference_is_reproducible_and_passes():
    first, second = run_cli_twice(REFERENCE_PATH, 2024)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["seed"] == 2024 and document["score"] == document["max_score"] == 100
    assert {exercise["status"] for exercise in document["exercises"]} == {"passed"}


def test_seeded_feedback_is_reproducible(tmp_path):
    chosen = one_mistake_per_exercise()
    path = tmp_path / "mistakes.py"
    path.write_text(replace_functions(reference_source(), *(BUGGY[m.id] for m in chosen.values())))
    first, second = run_cli_twice(path, 77)
    assert first.returncode == 1, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert [e["mistakes"][0]["id"] for e in document["exercises"]] == [m.id for m in chosen.values()]


def test_same_seed_same_cases_different_seed_different_cases(tmp_path):
    path = tmp_path / "LB04.py"
    path.write_text(replace_functions(reference_source(), BUGGY["LB04"]))
    first, again, other = (to_dict(grade(str(path), seed=seed)) for seed in (5, 5, 6))
    assert first == again
    assert first["exercises"] != other["exercises"]  # the smallest failing case shows other numbers
