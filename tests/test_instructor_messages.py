"""Messages that never mislead: syntax errors, "did you mean", check() in the notebook, partial mistakes of
update_parameters, --watch's seed."""
import re
import subprocess
import sys

from click.testing import CliRunner

from batch_class import REFERENCE
from conftest import headlines, result_of
from grader.cli import main
from grader.run.session import Limits


def run_cli(*args):
    result = CliRunner().invoke(main, [*map(str, args)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_syntax_error_in_a_py_file_is_reported_once_without_cells_or_define_it_hints(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text(REFERENCE.replace("    Z = W @ A + b\n", "    Z = W @ A + b)\n", 1), encoding="utf-8")
    output = run_cli(path, "--seed", "1").output
    assert "SyntaxError" in output and "nothing in this file was run" in output
    assert "cell" not in output
    assert "is not defined" not in output and "define it with exactly that name" not in output
    assert output.count("has a syntax error, so nothing in it was defined") == 10


def test_a_misnamed_function_gets_did_you_mean(grade_source):
    source = (REFERENCE.replace("def linear_forward(A, W, b):", "def Linear_forward(A, W, b):")
              .replace("def update_parameters(params, grads, learning_rate):",
                       "def update_params(parameters, grads, learning_rate):"))
    report = grade_source(source, name="deep.py")
    forward, update = result_of(report, "linear_forward"), result_of(report, "update_parameters")
    assert forward.status == update.status == "missing"
    assert headlines(forward) == ["`linear_forward` is not defined; did you mean `Linear_forward`?"]
    assert "case-sensitive" in forward.diagnostics[0].evidence[0]
    assert forward.diagnostics[0].where.startswith("deep.py, line ")
    assert headlines(update) == ["`update_parameters` is not defined; did you mean `update_params`?"]
    assert update.diagnostics[0].hint == "rename it: def update_parameters(params, grads, learning_rate):"


def test_a_function_with_another_name_is_not_suggested_when_nothing_is_close(grade_source):
    report = grade_source("import numpy as np\n\ndef helper(x):\n    return x\n", name="deep.py")
    assert headlines(result_of(report, "linear_forward")) == ["`linear_forward` is not defined"]


def test_a_misspelt_exercise_option_gets_a_short_suggestion(tmp_path):
    result = run_cli(tmp_path / "x.py", "--exercise", "linear_bakward")
    assert result.exit_code == 2
    assert "no exercise is called 'linear_bakward' (did you mean `linear_backward`?)" in result.output
    assert "update_parameters" not in result.output  # not the list of every choice


def check_in_a_notebook(tmp_path, source, call):
    """What check() prints when a notebook (here: a module run as __main__) calls it."""
    script = tmp_path / "notebook.py"
    script.write_text(source + "\nfrom grader import check\n" + call + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


def test_check_with_a_misspelt_name_prints_a_suggestion_and_no_traceback(tmp_path):
    code, stdout, stderr = check_in_a_notebook(tmp_path, REFERENCE, "check('linear_backwards')")
    assert code == 0 and "Traceback" not in stderr
    assert stdout.strip() == "check(): 'linear_backwards' is none of the exercises (did you mean `linear_backward`?)"


def test_check_of_a_composite_names_the_broken_helper_instead_of_a_gradient_mismatch(tmp_path):
    broken = REFERENCE.replace("    db = np.sum(dZ, axis=1, keepdims=True) / m\n",
                               "    db = np.sum(dZ, axis=0, keepdims=True) / m\n", 1)
    code, stdout, _ = check_in_a_notebook(tmp_path, broken, "check(linear_activation_backward, seed=2)")
    assert code == 0 and "graded with correct versions of linear_backward" in stdout
    assert "fix linear_backward first" in stdout
    assert "relative error" not in stdout and "does not match" not in stdout


def test_update_parameters_names_a_mistake_made_on_the_biases_only_and_shows_one_case(grade_source):
    source = REFERENCE.replace('parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]',
                               'parameters[f"b{l}"] + learning_rate * grads[f"db{l}"]')
    result = result_of(grade_source(source, seed=3), "update_parameters")
    assert [d.code for d in result.mistakes] == ["UP05"]
    text = "\n".join(line for d in result.diagnostics for line in (d.headline, *d.evidence))
    assert text.count("smallest failing case") == 1 and "wrong entries" not in text


def test_watch_keeps_one_seed_across_saves(tmp_path, monkeypatch):
    import grader.selfcheck.watch
    from grader.cli import watch_file

    path = tmp_path / "deep.py"
    path.write_text(REFERENCE, encoding="utf-8")
    printed = []

    def two_saves(_, grade_once, echo, clear):
        grade_once()
        grade_once()

    monkeypatch.setattr(grader.selfcheck.watch, "watch", two_saves)
    monkeypatch.setattr("click.echo", lambda text="", **_: printed.append(str(text)))
    watch_file((str(path),), None, ("linear_forward",), Limits(), None)
    seeds = [re.search(r"seed (\d+)", text).group(1) for text in printed if "seed" in text]
    assert len(seeds) == 2 and seeds[0] == seeds[1]


def test_an_empty_file_and_one_defining_no_exercise_have_a_status_of_their_own(tmp_path):
    import json

    for source, status in (("", "empty"), ("# to do\n\n", "empty"), (REFERENCE, "graded"),
                           ("import numpy as np\nx = 1\n", "no_graded_function")):
        path = tmp_path / "deep.py"
        path.write_text(source, encoding="utf-8")
        assert json.loads(run_cli(path, "--format", "json", "--seed", "1").output)["status"] == status, source[:20]
