"""The student kit: built, installed into a fresh venv, free of reference code, and a working self-check.

The venv is made without pip: the kit's wheel is installed into it by this interpreter's pip (--python),
offline, and numpy, click and nbformat are reached through a .pth line naming this interpreter's
site-packages as a plain folder. The .pth files in there are not run that way, so the editable install of
the course repository (grader with solutions/) stays invisible inside the venv.
"""
import ast
import json
import keyword
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from submissions.buggy import BUGGY
from submissions.sources import reference_source, replace_functions

from grader.checks.answers import read as read_sealed
from grader.kit import sealed
from grader.exercises import EXERCISES
from grader.checks.values import deep_close
from solutions import reference

REPO_ROOT = Path(__file__).resolve().parents[2]
EXERCISE_FILES = sorted((REPO_ROOT / "grader" / "exercises").glob("*.py"))


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit")
    subprocess.run([sys.executable, "-m", "grader.kit.build", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def venv(kit, tmp_path_factory):
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "host_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel, = kit.glob("*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps",
                    "--quiet", "--disable-pip-version-check", str(wheel)], check=True, capture_output=True)
    return {"python": python, "grade": root / "bin" / "grade", "site": site}


def run(*args, cwd):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=120)


def installed_files(venv, kit):
    files = [p for p in (venv["site"] / "grader").rglob("*") if p.is_file()]
    files += [p for p in venv["site"].glob("backprop_grader_kit-*.dist-info/*")]
    return files + [p for p in kit.rglob("*") if p.is_file() and p.suffix != ".whl"]


def texts(files):
    for path in files:
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # the .npz: arrays of numbers


def solution_lines():
    """The lines between the solution markers of the reference, except bare keywords (`else:`)."""
    lines, inside = [], False
    for line in (REPO_ROOT / "solutions" / "reference.py").read_text(encoding="utf-8").splitlines():
        marker = line.strip()
        if marker in ("# BEGIN SOLUTION", "# END SOLUTION"):
            inside = marker == "# BEGIN SOLUTION"
        elif inside and marker and not keyword.iskeyword(marker.rstrip(":")):
            lines.append(marker)
    return lines


def mistake_implementations():
    """Whitespace-free source of every top-level function of the exercise files (their `adapt` aside, which
    ships by design) and of the lambdas that compute their known mistakes."""
    pieces = []
    for path in EXERCISE_FILES:
        if path.name in ("__init__.py", "base.py"):
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        pieces += [ast.get_source_segment(source, node) for node in tree.body
                   if isinstance(node, ast.FunctionDef) and node.name != "adapt"]
        mistakes = [node for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mistake"]
        pieces += [ast.get_source_segment(source, node.body) for call in mistakes for node in ast.walk(call)
                   if isinstance(node, ast.Lambda)]
    return [re.sub(r"\s+", "", piece) for piece in pieces if len(re.sub(r"\s+", "", piece)) > 12]


def test_kit_is_installed_from_its_wheel_and_has_no_solutions_package(venv, kit, tmp_path):
    shown = run(venv["python"], "-I", "-c", "import grader; print(grader.__file__)", cwd=tmp_path)
    assert shown.stdout.startswith(str(venv["site"]))
    missing = run(venv["python"], "-I", "-c", "import solutions", cwd=tmp_path)
    assert "No module named 'solutions'" in missing.stderr
    assert not any("solutions" in p.parts or p.name == "reference.py" for p in installed_files(venv, kit))


def test_kit_holds_no_solution_line(venv, kit):
    lines = solution_lines()
    assert len(lines) > 20  # guards against a vacuous pass on a reference without markers
    leaks = [(path.name, line) for path, text in texts(installed_files(venv, kit))
             for line in lines if line in {row.strip() for row in text.splitlines()}]
    assert leaks == []


def test_kit_holds_no_mistake_implementation(venv, kit):
    pieces = mistake_implementations()
    assert len(pieces) > 50  # every exercise's mistakes, cases and gradients
    squeezed = {str(path): re.sub(r"\s+", "", text) for path, text in texts(installed_files(venv, kit))}
    leaks = [(path, piece[:60]) for path, text in squeezed.items() for piece in pieces if piece in text]
    assert leaks == []


def test_kit_grades_the_reference_as_passing_and_says_it_is_a_self_check(venv, tmp_path):
    submission = tmp_path / "my_network.py"
    submission.write_text(reference_source(), encoding="utf-8")
    graded = run(venv["grade"], submission, "--format", "json", cwd=tmp_path)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    report = json.loads(graded.stdout)
    assert report["score"] == report["max_score"] == 100
    assert any("self-check" in note for note in report["notes"])


DRIVER = """
import json, sys
from grader.grade import grade
print(json.dumps([{r.name: [m.code for m in r.mistakes] for r in grade(path, seed=0).exercises}
                  for path in sys.argv[1:]]))
"""


def test_kit_names_every_known_mistake(venv, tmp_path):
    # One submission per round, making the round's mistake in every exercise at once: each exercise is
    # graded on its own logic (its helpers answered from the sealed cases), so the mistakes do not mix.
    by_exercise = [[m.id for m in e.mistakes] for e in EXERCISES]
    rounds = max(len(ids) for ids in by_exercise)
    paths, expected = [], []
    for index in range(rounds):
        chosen = {e.name: ids[index] for e, ids in zip(EXERCISES, by_exercise) if index < len(ids)}
        path = tmp_path / f"round{index}.py"
        path.write_text(replace_functions(reference_source(), *(BUGGY[i] for i in chosen.values())), encoding="utf-8")
        paths.append(path)
        expected.append(chosen)
    graded = run(venv["python"], "-I", "-c", DRIVER, *paths, cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    named = json.loads(graded.stdout)
    missed = [(mistake, named[index][exercise]) for index, chosen in enumerate(expected)
              for exercise, mistake in chosen.items() if mistake not in named[index][exercise]]
    assert missed == []


CHECK_SCRIPT = """
import numpy as np
from grader import check


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    dW = dZ @ A_prev.T / A_prev.shape[1]
    db = dZ.sum(axis=1, keepdims=True) / A_prev.shape[1]
    dA_prev = W.T @ dZ{extra}
    return dA_prev, dW, db


check(linear_backward)
"""


def test_kit_check_passes_correct_code_and_names_a_seeded_mistake(venv, tmp_path):
    correct, wrong = tmp_path / "correct.py", tmp_path / "wrong.py"
    correct.write_text(CHECK_SCRIPT.format(extra=""), encoding="utf-8")
    wrong.write_text(CHECK_SCRIPT.format(extra=" / A_prev.shape[1]"), encoding="utf-8")
    passed = run(venv["python"], "-I", correct, cwd=tmp_path)
    assert passed.stdout.startswith("PASS linear_backward"), passed.stdout + passed.stderr
    assert "self-check" in passed.stdout
    failed = run(venv["python"], "-I", wrong, cwd=tmp_path)
    assert failed.stdout.startswith("FAIL linear_backward"), failed.stdout + failed.stderr
    assert "error[LB01]" in failed.stdout
    assert "does not match your forward pass" in failed.stdout


# The sealed data itself, without a venv ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sealed_course(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sealed")
    document, arrays = sealed.seal(EXERCISES, reference, seed=3)
    sealed.write(directory, document, arrays)
    return read_sealed(directory, {e.name: e.adapt for e in EXERCISES if e.adapt})


def test_sealed_answers_and_mistakes_equal_what_the_reference_computes(sealed_course):
    exercises, answers = sealed_course
    for original, copy in zip(EXERCISES, exercises):
        cases = copy.make_cases(np.random.default_rng(0))
        assert len(cases) == len(original.make_cases(np.random.default_rng(0)))
        for case in cases:
            expected = original.reference(reference, case.args)
            assert _identical(getattr(answers, copy.name)(*case.args), expected)
            for mistake, sealed_mistake in zip(original.mistakes, copy.mistakes):
                if mistake.produce is None:
                    assert sealed_mistake.produce is None and sealed_mistake.mutates_input == mistake.mutates_input
                    continue
                try:
                    produced = mistake.produce(reference, *case.args)
                except Exception as error:
                    with pytest.raises(Exception) as raised:
                        sealed_mistake.produce(None, *case.args)
                    assert type(raised.value).__name__ == type(error).__name__
                    continue
                assert _identical(sealed_mistake.produce(None, *case.args), produced)


def test_sealed_helpers_answer_a_composite_functions_calls_up_to_float_noise_and_nothing_else(sealed_course):
    exercises, answers = sealed_course
    case = next(e for e in exercises if e.name == "L_model_backward").make_cases(None)[2]
    AL, Y, caches = case.args
    dAL = -(Y / AL - (1 - Y) / (1 - AL)) * (1 + 1e-13)  # as a student computes it, up to rounding
    expected = reference.linear_activation_backward(dAL, caches[-1], "sigmoid")
    assert deep_close(answers.linear_activation_backward(dAL, list(caches[-1]), "sigmoid"), expected)
    with pytest.raises(LookupError):
        answers.linear_activation_backward(2 * dAL, caches[-1], "sigmoid")


def _identical(a, b):
    """Same types (tuple or list, numpy scalar or float) and equal values: what sealing must keep."""
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, np.generic)):
        return (type(a) is type(b) and a.dtype == b.dtype and np.shape(a) == np.shape(b)
                and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))  # log(0) mistakes compute NaN
    return type(a) is type(b) and a == b
