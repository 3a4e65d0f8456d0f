"""The committed student files are exactly what tools/generate_exercises.py makes, and give nothing away."""
import importlib.util
import inspect
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTION_PATH = REPO_ROOT / "solutions" / "reference.py"
STUDENT_MODULE_PATH = REPO_ROOT / "exercises" / "deep_network.py"
NOTEBOOK_PATH = REPO_ROOT / "exercises" / "Building_your_Deep_Neural_Network.ipynb"
GENERATOR_PATH = REPO_ROOT / "tools" / "generate_exercises.py"


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load_module("generate_exercises", GENERATOR_PATH)
reference = load_module("reference_solutions", SOLUTION_PATH)
student = load_module("student_deep_network", STUDENT_MODULE_PATH)


def solution_region_lines():
    """The reference's lines between the solution markers, read here independently of the generator."""
    lines, inside = [], False
    for line in SOLUTION_PATH.read_text(encoding="utf-8").splitlines():
        marker = line.strip()
        if marker in ("# BEGIN SOLUTION", "# END SOLUTION"):
            inside = marker == "# BEGIN SOLUTION"
        elif inside and marker:
            lines.append(marker)
    return lines


def functions_of(module):
    """The module's own functions, in file order (getmembers sorts them by name)."""
    own = [function for _, function in inspect.getmembers(module, inspect.isfunction)
           if function.__module__ == module.__name__]
    return {function.__name__: function for function in sorted(own, key=lambda f: f.__code__.co_firstlineno)}


def graded_names():
    return [name for name, function in functions_of(reference).items()
            if "# BEGIN SOLUTION" in inspect.getsource(function)]


def stripped_lines(text):
    return {line.strip() for line in text.splitlines()}


def test_solution_file_has_graded_functions():
    # Guards the parametrized tests below against passing vacuously on a file with no regions.
    assert graded_names()
    assert solution_region_lines()


def test_student_module_is_up_to_date():
    assert STUDENT_MODULE_PATH.read_text(encoding="utf-8") == generator.student_module_source(), (
        "exercises/deep_network.py is stale: run python tools/generate_exercises.py")


def test_notebook_is_up_to_date():
    assert NOTEBOOK_PATH.read_text(encoding="utf-8") == generator.notebook_text(), (
        "the exercise notebook is stale: run python tools/generate_exercises.py")


def test_generation_is_deterministic():
    assert generator.notebook_text() == generator.notebook_text()


def test_check_mode_passes_on_committed_files():
    assert generator.main(["--check"]) == 0


def test_student_module_matches_reference_names_signatures_and_docstrings():
    expected, actual = functions_of(reference), functions_of(student)
    assert list(actual) == list(expected)
    for name, function in expected.items():
        assert inspect.signature(actual[name]) == inspect.signature(function), name
        assert inspect.getdoc(actual[name]) == inspect.getdoc(function), name
    assert student.__doc__ == reference.__doc__


@pytest.mark.parametrize("name", graded_names())
def test_graded_function_is_a_stub(name):
    function = getattr(student, name)
    dummy_args = [None] * len(inspect.signature(function).parameters)
    with pytest.raises(NotImplementedError, match=name):
        function(*dummy_args)


def test_notebook_teaches_each_graded_function_in_order():
    notebook = nbformat.read(NOTEBOOK_PATH, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    code_cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    checks = [source for source in code_cells if source.startswith("check(")]
    assert checks == [f"check({name})" for name in graded_names()]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("solution_line", solution_region_lines())
def test_no_solution_line_leaks(solution_line):
    notebook = nbformat.read(NOTEBOOK_PATH, as_version=4)
    texts = {"exercises/deep_network.py": STUDENT_MODULE_PATH.read_text(encoding="utf-8")}
    texts.update({f"notebook cell {cell.id}": cell.source for cell in notebook.cells})
    for where, text in texts.items():
        # Whole lines, not substrings: the docstrings and lessons state the equations on purpose.
        assert solution_line not in stripped_lines(text), where
