"""A class as a new instructor meets it: an empty file, a comment-only file, a corrupt notebook, a file
defining no exercise, a PDF, an endless loop, a Moodle folder with a second .py beside the real one, and the
output folder inside the submissions folder. Every count agrees across the CLI, grades.csv, status.csv and
report.html (rendered in Chromium), and every failure is visible in each."""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from batch_class import REFERENCE, write_submission
from grader.report.formats import build_gradescope_zip

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
MOODLE = "Jörg Müller_4711_assignsubmission_file_"
# a wrong first column of dW that no known mistake names: the feedback draws the grid of wrong entries
FIRST_COLUMN_ZEROED = REFERENCE.replace("    db = np.sum(dZ, axis=1, keepdims=True) / m\n",
                                        "    db = np.sum(dZ, axis=1, keepdims=True) / m\n    dW[:, 0] = 0\n", 1)


def grade_cli(*args, cwd=None):
    result = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                            timeout=300, cwd=cwd)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result.returncode, result.stdout, result.stderr


def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium): pages not rendered in a browser")
    return found


def rendered(page, tmp_path, width=1280, script=""):
    """The DOM of page after Chromium loaded it at this window width (and ran script, appended to a copy)."""
    copy = tmp_path / f"rendered-{width}-{abs(hash(script))}-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", f"<script>{script}</script></body>"),
                    encoding="utf-8")
    profile = tmp_path / f"profile-{width}"
    result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},900",
                             "--dump-dom", copy.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def rendered_in_frame(page, tmp_path, width):
    """(the page's viewport width, its content's width, its DOM) when shown in a frame `width` pixels wide:
    headless Chromium's window is at least 500 pixels wide, a frame is as narrow as a phone."""
    shutil.copy(page, tmp_path / "page.html")
    wrapper = tmp_path / f"frame-{width}.html"
    wrapper.write_text(
        f'<!DOCTYPE html><html><body style="margin: 0"><iframe id="f" src="page.html" style="width: {width}px; '
        'height: 900px; border: 0"></iframe><script>document.getElementById("f").onload = function () {'
        "var inner = frames[0], copy = document.createElement('div'); copy.id = 'page';"
        "document.body.dataset.widths = inner.innerWidth + '/' + inner.document.documentElement.scrollWidth;"
        "copy.innerHTML = inner.document.body.innerHTML; document.body.appendChild(copy); };</script></body></html>",
        encoding="utf-8")
    result = subprocess.run([chromium(), *CHROMIUM_FLAGS, "--allow-file-access-from-files",
                             f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width + 200},1000",
                             "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    widths = re.search(r'data-widths="(\d+)/(\d+)"', result.stdout)
    assert widths, "the page did not load in the frame"
    return int(widths.group(1)), int(widths.group(2)), result.stdout


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture(scope="module")
def new_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    write_submission(folder, "alice", "correct")
    write_submission(folder, "bob", "db_wrong_axis", "ipynb")
    write_submission(folder, "loop", "endless_loop")
    (folder / "cara.py").write_text(FIRST_COLUMN_ZEROED, encoding="utf-8")
    write_submission(folder / MOODLE, "jorg", "correct", name="deep_network.py")
    (folder / MOODLE / "a_plots.py").write_text("import numpy as np\nprint('a plot')\n", encoding="utf-8")
    (folder / "empty.py").write_text("", encoding="utf-8")
    (folder / "comments.py").write_text("# TODO: start the assignment\n\n", encoding="utf-8")
    (folder / "nofunction.py").write_text("import numpy as np\nlayers_dims = [5, 4, 1]\n", encoding="utf-8")
    (folder / "corrupt.ipynb").write_text('{"cells": [], "metadata": {},}', encoding="utf-8")
    (folder / "answers.pdf").write_bytes(b"%PDF-1.4")
    out = folder / "results"  # inside the submissions folder
    first = grade_cli(folder, "--out", out, "--seed", "3", "--timeout", "1", "--jobs", "2")
    second = grade_cli(folder, "--out", out, "--timeout", "1")
    return {"folder": folder, "out": out, "first": first, "second": second}


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


EXPECTED_COUNT = "9 students: 5 graded, 2 empty, 1 with no graded function, 1 could not be graded"


def test_the_cli_grades_csv_and_report_give_one_count(new_class, tmp_path):
    code, stdout, _ = new_class["first"]
    assert code == 0 and stdout.startswith(EXPECTED_COUNT + " (seed 3; 9 graded now)")
    rows = read_rows(new_class["out"] / "grades.csv")
    statuses = [row["status"] if not row["status"].startswith("not graded") else "could not be graded"
                for row in rows.values()]
    assert len(rows) == 9 and (statuses.count("graded"), statuses.count("empty"), statuses.count("no graded function"),
                               statuses.count("could not be graded")) == (5, 2, 1, 1)
    dom = rendered(new_class["out"] / "report.html", tmp_path)
    counts = text_of(re.search(r'<p id="counts">(.*?)</p>', dom, re.DOTALL).group(1))
    assert counts.startswith(EXPECTED_COUNT + ";")


def test_the_rerun_reuses_everything_and_never_reads_its_own_outputs(new_class):
    code, stdout, _ = new_class["second"]
    assert code == 0 and stdout.startswith(EXPECTED_COUNT + " (seed 3; 0 graded now, 9 unchanged since the last run)")
    run = json.loads((new_class["out"] / "run.json").read_text(encoding="utf-8"))
    assert sorted(shown for shown, _ in run["skipped"]) == sorted([
        os.path.join(str(new_class["folder"]), "answers.pdf"),
        os.path.join(str(new_class["folder"]), MOODLE, "a_plots.py")])
    assert "results" not in " ".join(run["students"])


def test_every_failure_is_visible_in_the_cli(new_class):
    stdout = new_class["first"][1]
    assert "timeout in relu_backward: 1 student (loop)" in stdout
    assert "not graded: corrupt:" in stdout and "2 file(s) skipped" in stdout


def test_every_failure_is_visible_in_the_csv_files(new_class):
    with open(new_class["out"] / "grades.csv", "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"  # UTF-8 with a BOM: Excel shows "Jörg Müller" right
    grades = read_rows(new_class["out"] / "grades.csv")
    assert grades["Jörg Müller"]["total"] == "100" and grades["Jörg Müller"]["source"].endswith("deep_network.py")
    assert grades["empty"]["status"] == grades["comments"]["status"] == "empty"
    assert grades["nofunction"]["status"] == "no graded function"
    assert grades["corrupt"]["status"].startswith("not graded:")
    points = [name for name in grades["alice"] if name not in ("student", "status", "total", "max_score", "source")]
    assert len(points) == 10 and all(float(grades["alice"][name]) > 0 for name in points)  # plain numbers
    status = read_rows(new_class["out"] / "status.csv")
    assert status["loop"]["relu_backward"] == "timeout" and status["loop"]["linear_backward"] == "passed"
    assert "timeout in relu_backward" in status["loop"]["notes"]
    assert status["bob"]["linear_backward"] == "failed" and status["corrupt"]["linear_forward"] == "not graded"
    assert status["empty"]["notes"] == "the file has no code"


def test_every_failure_is_visible_in_the_report(new_class, tmp_path):
    dom = rendered(new_class["out"] / "report.html", tmp_path)
    problems = text_of(re.search(r'<table id="problems".*?</table>', dom, re.DOTALL).group(0))
    assert "relu_backward timeout 1 loop" in problems
    students = re.search(r'<table id="students".*?</table>', dom, re.DOTALL).group(0)
    rows = {text_of(row).split(" ")[0]: text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", students, re.DOTALL)}
    assert "empty the file has no code" in rows["empty"] and "no graded function" in rows["nofunction"]
    assert "could not be graded" in rows["corrupt"] and "timeout in relu_backward" in rows["loop"]
    assert "a_plots.py" in text_of(dom) and "answers.pdf" in text_of(dom)


def test_the_report_tables_sort_by_a_click_and_read_without_scripts(new_class, tmp_path):
    report = new_class["out"] / "report.html"
    html = report.read_text(encoding="utf-8")
    static = re.search(r'<table id="students".*?</table>', html, re.DOTALL).group(0)
    order = [text_of(row).split(" ")[0] for row in re.findall(r"<tr>(.*?)</tr>", static, re.DOTALL)][1:]
    assert order == sorted(order)  # by student, without any script
    click_score = 'document.querySelectorAll("#students thead th")[1].click();'
    dom = rendered(report, tmp_path, script=click_score)
    table = re.search(r'<table id="students".*?</table>', dom, re.DOTALL).group(0)
    scores = [float(text_of(row).split(" ")[1]) for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]
              if text_of(row).split(" ")[0] != "Jörg"] + [0]
    assert scores[:-1] == sorted(scores[:-1]) and scores[0] == 0


@pytest.mark.parametrize("width", [390, 1280])
def test_feedback_page_shows_the_diagnostic_like_check_and_fits_the_window(new_class, tmp_path, width):
    page = next((new_class["out"] / "students").glob("cara*")) / "feedback.html"
    viewport, content, dom = rendered_in_frame(page, tmp_path, width)
    assert width - 20 <= viewport <= width and content <= viewport  # nothing cut off, no sideways scrolling
    section = re.search(r'<section id="linear_backward".*?</section>', dom, re.DOTALL).group(0)
    assert "FAIL" in section and "dW has wrong values" in text_of(section)
    assert 'class="grid"' in section and "✗" in section  # the grid of wrong entries, coloured
    assert "smallest failing case" in text_of(section) and "expected" in text_of(section)
    assert "graded file:" in text_of(dom) and "cara.py" in text_of(dom)
    assert "<pre>" not in dom


def test_an_empty_folder_says_so_and_creates_nothing(tmp_path):
    (tmp_path / "submissions").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    code, stdout, stderr = grade_cli(tmp_path / "submissions", cwd=work)
    assert code == 2 and stdout == "" and os.listdir(work) == []
    assert stderr.strip() == (f"grade: no submissions found in {tmp_path / 'submissions'} "
                              "(looked for .py, .ipynb, .zip)")


def test_gradescope_grades_the_file_that_defines_the_exercises_and_names_it(tmp_path):
    target = tmp_path / "autograder.zip"
    build_gradescope_zip(str(target), seed=5)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "a_plots.py").write_text("import numpy as np\nprint('plots')\n", encoding="utf-8")
    write_submission(root / "submission", "student", "correct", name="deep_network.py")
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), PYTHON=sys.executable)
    environment.pop("PYTHONPATH", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 100
    assert "Graded file: deep_network.py" in results["output"]
    assert "Also uploaded, not graded: a_plots.py" in results["output"]


def test_every_output_names_the_graded_file(tmp_path):
    path = write_submission(tmp_path, "dana", "db_wrong_axis")
    code, stdout, _ = grade_cli(path, "--seed", "1")
    assert stdout.startswith(f"Grading {path}")
    code, stdout, _ = grade_cli(path, "--seed", "1", "--format", "json")
    assert json.loads(stdout)["submission"] == str(path)
    code, stdout, _ = grade_cli(path, "--seed", "1", "--format", "gradescope")
    assert f"Graded file: {path}" in json.loads(stdout)["output"]


def test_a_merge_of_shards_counts_the_class_as_one_run_does(new_class, tmp_path):
    for shard in ("1/2", "2/2"):
        code, _, _ = grade_cli(new_class["folder"], "--out", tmp_path / shard.replace("/", "-"), "--seed", "3",
                               "--timeout", "1", "--shard", shard)
        assert code == 0
    merge = "from grader.cli import merge_main; merge_main()"
    result = subprocess.run([sys.executable, "-c", merge, str(tmp_path / "all"), str(tmp_path / "1-2"),
                             str(tmp_path / "2-2")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(EXPECTED_COUNT + " (seed 3; joined from 2 shards)")
    assert read_rows(tmp_path / "all" / "grades.csv") == read_rows(new_class["out"] / "grades.csv")
