"""The exercise notebook, run in a real Jupyter kernel with the reference answers pasted into it: every
check cell shows a pass; then a function redefined with a known mistake is checked, and the mistake named."""
import ast
import contextlib
from pathlib import Path

import nbformat
import pytest
from submissions.buggy import BUGGY
from submissions.sources import reference_source

nbclient = pytest.importorskip("nbclient", reason="nbclient is needed to run the notebook (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="ipykernel is needed to run the notebook (pip install -e '.[test]')")

NOTEBOOK_PATH = Path(__file__).resolve().parents[2] / "exercises" / "Building_your_Deep_Neural_Network.ipynb"


def reference_functions():
    source = reference_source()
    return {node.name: ast.get_source_segment(source, node) for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef)}


def answered_notebook():
    """The notebook with each exercise's stub replaced by the reference function, and two cells at the end
    that redefine linear_backward with mistake LB01 and check it."""
    notebook = nbformat.read(NOTEBOOK_PATH, as_version=4)
    answers = reference_functions()
    for cell in notebook.cells:
        name = _defined(cell)
        if name in answers and "raise NotImplementedError" in cell.source:
            cell.source = answers[name]
    notebook.cells += [nbformat.v4.new_code_cell(BUGGY["LB01"].strip()),
                       nbformat.v4.new_code_cell("check(linear_backward)")]
    return notebook


def _defined(cell):
    if cell.cell_type != "code":
        return None
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return None
    return body[0].name if len(body) == 1 and isinstance(body[0], ast.FunctionDef) else None


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = answered_notebook()
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}})
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(client.setup_kernel())
        except Exception as error:  # no kernel on this machine: nothing here can be run
            pytest.skip(f"no Jupyter kernel could start ({type(error).__name__}: {error})")
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    return notebook


def check_outputs(notebook):
    """(checked name, text, html) of every check(...) cell, in order."""
    shown = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("check("):
            data = [output.data for output in cell.outputs if output.output_type == "display_data"]
            assert len(data) == 1, cell.outputs
            shown.append((cell.source[len("check("):-1], data[0]["text/plain"], data[0]["text/html"]))
    return shown


def test_every_check_of_the_answered_notebook_passes(executed):
    shown = check_outputs(executed)[:-1]
    assert [name for name, _, _ in shown] == list(reference_functions())[2:]  # all but the given sigmoid, relu
    for name, text, html in shown:
        assert text.startswith(f"PASS {name}"), text
        assert "does not match" not in text
        assert f"<code>{name}</code>" in html and "PASS" in html


def test_backward_checks_show_the_gradient_check_in_the_notebook(executed):
    texts = dict((name, text) for name, text, _ in check_outputs(executed)[:-1])
    assert "linear_backward against your linear_forward agree" in texts["linear_backward"]
    assert "L_model_backward against your L_model_forward and compute_cost agree" in texts["L_model_backward"]


def test_a_seeded_mistake_is_named_in_the_notebook(executed):
    name, text, html = check_outputs(executed)[-1]
    assert name == "linear_backward"
    assert text.startswith("FAIL linear_backward") and "error[LB01]" in text
    assert "error[LB01]" in html and "does not match" in html
    assert "--> Cell In[" in text  # the student's own cell, as IPython numbers it


def test_no_cell_raised(executed):
    assert [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs
            if o.output_type == "error"] == []
