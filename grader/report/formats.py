"""Results in the formats other platforms read: Gradescope's results.json and autograder zip, JUnit XML.

All of them are built from the output contract's JSON document (report.to_dict), or from a batch record.
"""
import json
import os
import re
import stat
import zipfile
from xml.etree import ElementTree

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GRADESCOPE_VISIBILITY = "visible"


def render_document(kind, path, report, message=""):
    """One submission's gradescope results.json or JUnit XML, as text (report None: it could not be graded)."""
    if kind == "gradescope":
        return json.dumps(gradescope_results(report, message), indent=2)
    student = os.path.splitext(os.path.basename(path))[0]
    return junit_xml([{"student": student, "report": report, "message": message}])


def gradescope_results(report, message="", execution_time=None):
    """Gradescope's results.json for one submission (report is to_dict's document, None when ungradable)."""
    if report is None:
        from ..exercises import EXERCISES

        tests = [{"name": e.name, "score": 0, "max_score": e.weight, "status": "failed",
                  "output": "not graded: the submission could not be read", "visibility": GRADESCOPE_VISIBILITY}
                 for e in EXERCISES]
        return {"score": 0, "output": f"Your submission could not be graded: {message}",
                "visibility": GRADESCOPE_VISIBILITY, "stdout_visibility": "hidden", "tests": tests}
    tests = [{"name": e["name"], "score": e["score"], "max_score": e["max_score"],
              "status": "passed" if e["status"] == "passed" else "failed",
              "output": e["feedback"] or "passed", "visibility": GRADESCOPE_VISIBILITY}
             for e in report["exercises"]]
    results = {"score": report["score"], "output": _overview(report), "visibility": GRADESCOPE_VISIBILITY,
               "stdout_visibility": "hidden", "tests": tests, "extra_data": {"seed": report["seed"]}}
    if execution_time is not None:
        results["execution_time"] = round(execution_time, 3)
    return results


def _overview(report):
    lines = [f"Graded file: {report['submission']}", f"Score: {report['score']:g}/{report['max_score']:g} "
             f"(seed {report['seed']})"]
    if report.get("status") == "no_graded_function":  # an empty file has its note already
        lines.insert(1, "Nothing to grade: none of the exercises' functions is defined (check their names)")
    return "\n".join(lines + [f"note: {note}" for note in report["notes"]])


def junit_xml(records):
    """One <testsuite> per student, one <testcase> per exercise; failed exercises carry their feedback."""
    suites = ElementTree.Element("testsuites", name="backprop-grader")
    for record in records:
        report = record.get("report")
        suite = ElementTree.SubElement(suites, "testsuite", name=_text(record["student"]))
        if report is None:
            case = ElementTree.SubElement(suite, "testcase", classname=_text(record["student"]), name="load")
            ElementTree.SubElement(case, "error", message=_text(record.get("message", "")), type="cannot_grade")
            suite.attrib.update(tests="1", failures="0", errors="1")
            continue
        properties = ElementTree.SubElement(suite, "properties")  # first, as the JUnit schema has it
        for name, value in (("score", f"{report['score']:g}"), ("max_score", f"{report['max_score']:g}"),
                            ("seed", str(report["seed"]))):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        failures = errors = 0
        for exercise in report["exercises"]:
            case = ElementTree.SubElement(suite, "testcase", classname=_text(record["student"]), name=exercise["name"])
            case.set("time", "0")
            if exercise["status"] == "passed":
                continue
            kind = "error" if exercise["status"] in ("error", "timeout") else "failure"
            failures += kind == "failure"
            errors += kind == "error"
            headline = exercise["feedback"].split("\n", 1)[0]
            node = ElementTree.SubElement(case, kind, message=_text(headline), type=exercise["status"])
            node.text = _text(exercise["feedback"])
        suite.attrib.update(tests=str(len(report["exercises"])), failures=str(failures), errors=str(errors))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def _text(value):
    """Text XML 1.0 can carry: a student's error message may hold any control character."""
    return XML_INVALID.sub("\N{REPLACEMENT CHARACTER}", str(value))


SETUP_SH = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image: the grader's dependencies, nothing else.
set -eu
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-pip
fi
python3 -m pip install --break-system-packages {requirements} 2>/dev/null || python3 -m pip install {requirements}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs once per submission: grades the file the student uploaded that defines the most of the exercises
# (then the newest), with the class's seed, and writes Gradescope's results.json, which names the file
# graded. AUTOGRADER_ROOT and PYTHON are only for trying it elsewhere than on Gradescope.
root="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$root/results"
cd "$root/source"
PYTHONPATH="$root/source" "${{PYTHON:-python3}}" -m grader.classroom.gradescope "$root/submission" "$root/results/results.json" \\
    --seed {seed} --timeout {timeout}{course}
exit 0
"""
COURSE_IN_ZIP = "course.toml"


def build_gradescope_zip(target, seed, timeout=5.0, course=None):
    """An autograder zip for Gradescope: setup.sh, run_autograder, and this grader's source, for one class seed
    (and the course's version of the assignment, course.Course, when given)."""
    from importlib import metadata

    import solutions

    try:
        requirements = [r.split(";")[0].replace(" ", "") for r in metadata.requires("backprop-grader") or ()
                        if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        requirements = ["numpy>=1.22", "click>=8.0", "nbformat>=5.0"]
    quoted = " ".join(f"'{r}'" for r in requirements)
    packages = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.dirname(os.path.abspath(solutions.__file__))]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP_SH.format(requirements=quoted))
        course_option = f' --course "$root/source/{COURSE_IN_ZIP}"' if course else ""
        _add_script(archive, "run_autograder", RUN_AUTOGRADER.format(seed=int(seed), timeout=float(timeout),
                                                                     course=course_option))
        if course:
            archive.write(course.path, COURSE_IN_ZIP)
        for package in packages:
            for folder, folders, files in os.walk(package):
                folders[:] = sorted(f for f in folders if f != "__pycache__")
                for name in sorted(files):
                    if name.endswith((".py", ".toml")):
                        path = os.path.join(folder, name)
                        archive.write(path, os.path.relpath(path, os.path.dirname(package)).replace(os.sep, "/"))
    return target


def _add_script(archive, name, text):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)
