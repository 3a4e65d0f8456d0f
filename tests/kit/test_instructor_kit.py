"""The student kit built with --course grades what the course grades, and offers only what works in it."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from course_notebooks import write_course_notebook
from grader.course import load_course
from grader.kit.build import build_kit


@pytest.fixture(scope="module")
def unpacked_kit(tmp_path_factory):
    """The kit's wheel, unpacked: what `pip install` would put in site-packages."""
    out = tmp_path_factory.mktemp("kit")
    wheel = build_kit(out, course=load_course("coursera"))
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def kit_grade(site, *args, cwd):
    environment = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                            timeout=300, env=environment, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_kit_holds_the_course_and_grades_with_it(unpacked_kit, tmp_path):
    assert (unpacked_kit / "grader" / "courses" / "kit.toml").exists()
    assert not (unpacked_kit / "solutions").exists()
    notebook = write_course_notebook(tmp_path, "coursera")
    result = kit_grade(unpacked_kit, notebook, "--format", "json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["course"] == "coursera" and report["score"] == report["max_score"] == 100
    assert "relu_backward" not in {e["name"] for e in report["exercises"]}


def test_the_kit_offers_no_demo_out_or_shard(unpacked_kit, tmp_path):
    help_text = kit_grade(unpacked_kit, "--help", cwd=tmp_path).stdout
    for option in ("--demo", "--out", "--shard", "--jobs", "--force", "--student-pattern"):
        assert option not in help_text
    assert "--exercise" in help_text and "--watch" in help_text
    refused = kit_grade(unpacked_kit, "--demo", cwd=tmp_path)
    assert refused.returncode == 2 and "site-packages" not in refused.stderr and "self-check kit" in refused.stderr


def test_an_exercise_the_kits_course_provides_is_refused_with_the_reason(unpacked_kit, tmp_path):
    refused = kit_grade(unpacked_kit, tmp_path / "x.py", "--exercise", "relu_backward", cwd=tmp_path)
    assert refused.returncode == 2 and "does not grade relu_backward (the course provides it)" in refused.stderr


def test_check_in_the_kit_of_a_course_refuses_a_provided_helper_without_a_traceback(unpacked_kit, tmp_path):
    script = tmp_path / "notebook.py"
    script.write_text("from grader import check\ncheck('relu_backward')\n", encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(unpacked_kit))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                            env=environment, cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stdout.strip() == ("check(): relu_backward is not graded in this course (coursera): "
                                     "the course provides it")
