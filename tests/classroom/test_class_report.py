"""The class report: what it counts, and that a real browser renders its charts (headless Chromium)."""
import csv
import io
import re
import shutil
import subprocess
import warnings

import pytest

from grader.classroom.discover import Skipped
from grader.classroom.report import grades_csv, summarise, write_class_outputs
from grader.exercises import EXERCISES

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def exercise_result(name, status="passed", mistakes=(), feedback=""):
    weight = next(e.weight for e in EXERCISES if e.name == name)
    return {"name": name, "status": status, "score": weight if status == "passed" else 0, "max_score": weight,
            "feedback": feedback, "mistakes": [{"id": code, "message": f"mistake {code}"} for code in mistakes]}


def make_record(student, failures=None, fingerprints=None):
    """A graded student: every exercise passed except those in failures {name: (mistake ids, feedback)}."""
    failures = failures or {}
    exercises = [exercise_result(e.name) if e.name not in failures else
                 exercise_result(e.name, "failed", failures[e.name][0], failures[e.name][1]) for e in EXERCISES]
    score = sum(e["score"] for e in exercises)
    return {"student": student, "slug": student, "source": f"{student}.py", "status": "graded", "message": "",
            "report": {"submission": f"{student}.py", "score": score, "max_score": 100, "seed": 9, "notes": [],
                       "exercises": exercises},
            "fingerprints": fingerprints or {}, "feedback": ""}


def ungradable(student):
    return {"student": student, "slug": student, "source": f"{student}.ipynb", "status": "cannot_grade",
            "message": f"{student}.ipynb: corrupt notebook", "report": None, "fingerprints": {}, "feedback": ""}


COST_GROUP = "compute_cost has wrong values: 1 of 1 entries differ"
CLASS = [
    make_record("ana"),
    make_record("ben", {"linear_backward": (["LB02"], "error[LB02]: db ...")}),
    make_record("cai", {"linear_backward": (["LB02"], "error[LB02]: db ...")}),
    make_record("dee", {"linear_backward": (["LB03"], "error[LB03]: dW ..."),
                        "compute_cost": ([], COST_GROUP + "\nsmallest failing case ...")}, {"compute_cost": "f00d"}),
    make_record("eli", {"compute_cost": ([], COST_GROUP + "\nsmallest failing case ...")}, {"compute_cost": "f00d"}),
    make_record("fay", {"compute_cost": ([], "cost is off by a factor of 2")}, {"compute_cost": "beef"}),
    ungradable("gus"),
]


def test_summary_counts_pass_rates_mistakes_and_who():
    summary = summarise(CLASS)
    assert summary.scores == (100, 85, 85, 75, 90, 90)
    rates = {name: (passed, graded) for name, passed, graded in summary.pass_rates}
    assert rates["linear_backward"] == (3, 6) and rates["compute_cost"] == (3, 6) and rates["relu_backward"] == (6, 6)
    assert [(m[1], m[3]) for m in summary.mistakes] == [("LB02", ("ben", "cai")), ("LB03", ("dee",))]
    assert summary.not_graded == (("gus", "gus.ipynb: corrupt notebook"),)


def test_identical_unexplained_outputs_form_a_group_and_a_lone_one_does_not():
    unexplained = summarise(CLASS).unexplained
    assert len(unexplained) == 1
    exercise, headline, _, students = unexplained[0]
    assert (exercise, headline, students) == ("compute_cost", COST_GROUP, ("dee", "eli"))


def test_grades_csv_is_one_row_per_student_and_safe_in_a_spreadsheet():
    rows = list(csv.reader(io.StringIO(grades_csv(CLASS + [make_record("=HYPERLINK(1)")],
                                                  [e.name for e in EXERCISES]))))
    assert rows[0][:3] == ["student", "status", "linear_forward"] and rows[0][-3:] == ["total", "max_score", "source"]
    by_student = {row[0]: row for row in rows[1:]}
    assert by_student["ben"][rows[0].index("linear_backward")] == "0" and by_student["ben"][-3] == "85"
    assert by_student["gus"][1].startswith("not graded") and by_student["gus"][-3] == "0"
    assert "'=HYPERLINK(1)" in by_student  # shown as text, never run as a formula


@pytest.fixture(scope="module")
def rendered_report(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        warnings.warn("chromium is not installed: the report was not rendered in a browser")
        pytest.skip("chromium is not installed (apt-get install -y chromium): report not rendered in a browser")
    out = tmp_path_factory.mktemp("report")
    write_class_outputs(str(out), lambda: iter(CLASS), (Skipped("notes.txt", "not a .py file or a .ipynb notebook"),),
                        {"seed": 9, "grader": "test"})
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                             (out / "report.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return {"dom": result.stdout, "html": (out / "report.html").read_text(encoding="utf-8")}


def svg(dom, chart_id):
    match = re.search(rf'<svg id="{chart_id}".*?</svg>', dom, re.DOTALL)
    assert match, f"no svg#{chart_id} in the rendered page"
    return match.group(0)


def test_browser_renders_the_score_distribution(rendered_report):
    chart = svg(rendered_report["dom"], "score-distribution")
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', chart)]
    assert len(heights) == 10
    # 75 -> 70-79; 85, 85 -> 80-89; 90, 90, 100 -> 90-100; the tallest bar is 3 students
    assert [i for i, h in enumerate(heights) if h > 0] == [7, 8, 9]
    assert heights[9] == max(heights) and heights[8] == pytest.approx(heights[9] * 2 / 3, abs=0.2)


def test_browser_renders_pass_rates_and_common_mistakes(rendered_report):
    dom = rendered_report["dom"]
    assert len(re.findall(r'<rect class="bar"', svg(dom, "pass-rate"))) == len(EXERCISES)
    assert "linear_backward: 3 of 6 passed" in svg(dom, "pass-rate")
    mistakes = svg(dom, "common-mistakes")
    assert "LB02: mistake LB02 (2 students)" in mistakes and "LB03: mistake LB03 (1 students)" in mistakes


def test_browser_shows_the_unexplained_group_and_the_skipped_file(rendered_report):
    dom = rendered_report["dom"]
    table = re.search(r'<table id="unexplained">.*?</table>', dom, re.DOTALL).group(0)
    assert COST_GROUP in table and "dee, eli" in table and "fay" not in table
    assert "notes.txt" in dom and "gus.ipynb: corrupt notebook" in dom


def test_report_is_self_contained(rendered_report):
    html = rendered_report["html"]
    assert html.count("<script") == html.count("<script>") == 1  # the inline one that sorts the tables, no src
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing to fetch: it works offline
    assert 'href="students/ben/feedback.html"' in html  # a link to hand-back files, not a resource
