"""Every known mistake, made by the smallest edit of the reference, is named by its id and pointed at the edited
line. The edited lines come from a diff of the mutant against the reference, so no line number is written here."""
import ast
import difflib
import re
import zlib

import pytest
from conftest import result_of
from submissions.mutants import MUTANTS
from submissions.sources import function_sources, reference_source, replace_functions

from grader.exercises import EXERCISES
from grader.report.text import feedback_text

CATALOG = [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]


def test_the_catalog_has_at_least_a_hundred_mistakes_each_with_a_mutant():
    ids = [mistake.id for _, mistake in CATALOG]
    assert len(ids) >= 100
    assert sorted(set(ids) - set(MUTANTS)) == [] and sorted(set(MUTANTS) - set(ids)) == []


def mutant_of(mistake_id):
    """The reference with the mutant's edits applied to one function."""
    name, edits = MUTANTS[mistake_id]
    text = function_sources(reference_source())[name]
    head, code = _docstring_and_code(text)
    for old, new in edits:
        assert code.count(old) == 1, (mistake_id, old)
        code = code.replace(old, new)
    return replace_functions(reference_source(), head + code)


def _docstring_and_code(function):
    """A function's text up to the end of its docstring, and the rest: the edits apply to the code alone."""
    body = ast.parse(function).body[0].body
    has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    lines = function.splitlines(keepends=True)
    split = body[0].end_lineno if has_docstring else 1
    return "".join(lines[:split]), "".join(lines[split:])


def changed_lines(original, mutant):
    """Numbers of the mutant's lines a diff finds changed; a deletion counts the code lines on either side."""
    changed, lines = set(), mutant.splitlines()
    code = [number for number, line in enumerate(lines, 1) if line.strip() and not line.strip().startswith("#")]
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=lines, autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(start + 1, end + 1))
        elif tag == "delete":
            changed.update([number for number in code if number <= start][-1:])
            changed.update([number for number in code if number > start][:1])
    return changed


def pointed_line(diagnostic):
    found = re.fullmatch(r"submission\.py, line (\d+)(: .*)?", diagnostic.where)
    assert found, f"the feedback does not point at a line of the submission: {diagnostic.where!r}"
    return int(found.group(1))


@pytest.mark.parametrize("exercise, mistake", CATALOG, ids=[mistake.id for _, mistake in CATALOG])
def test_a_mutant_is_named_and_pointed_at_its_changed_line(exercise, mistake, grade_source):
    source = mutant_of(mistake.id)
    changed = changed_lines(reference_source(), source)
    assert changed
    report = grade_source(source, seed=zlib.crc32(mistake.id.encode()) + 1)
    result = result_of(report, exercise.name)
    feedback = feedback_text(result)
    assert result.status == "failed", feedback
    assert [d.code for d in result.mistakes] == [mistake.id], feedback
    named = result.mistakes[0]
    assert pointed_line(named) in changed, (sorted(changed), feedback)
    others = {other.name: other.status for other in report.exercises if other.name != exercise.name}
    assert set(others.values()) == {"passed"}, others
