"""Gradescope's run_autograder: grade the student's upload and write results.json.

An upload may hold several files (a plotting script beside the notebook, say): the one graded is chosen
as a class run chooses among one student's files (the file that defines the most graded functions, then
the newest), and results.json names it, and the others.
"""
import json
import os
import sys

import click

from .discover import JUNK_FOLDERS, is_candidate, ranked_files


def uploaded_files(folder):
    """The files of an upload that may be the submission, below folder."""
    found = []
    for directory, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in JUNK_FOLDERS and not f.startswith("."))
        found += [os.path.join(directory, name) for name in sorted(files) if is_candidate(name)]
    return found


@click.command()
@click.argument("upload", type=click.Path(file_okay=False))
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--seed", type=int, required=True)
@click.option("--timeout", type=float, default=5.0)
@click.option("--course", "course_path", type=click.Path(dir_okay=False))
def main(upload, results, seed, timeout, course_path):
    """Grade the submission in UPLOAD into RESULTS (Gradescope's results.json); always writes RESULTS."""
    from ..report.formats import gradescope_results

    files = ranked_files(uploaded_files(upload))
    if not files:
        document = gradescope_results(None, "no .ipynb notebook or .py file was uploaded")
    else:
        document = _graded(files[0], seed, timeout, course_path)
        others = [os.path.relpath(path, upload) for path in files[1:]]
        if others:
            document["output"] += (f"\nAlso uploaded, not graded: {', '.join(others)} (the file graded defines the "
                                   "most of the exercises' functions, or is the newest)")
    with open(results, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)


def _graded(path, seed, timeout, course_path):
    from ..course import CourseError, load_course
    from ..report.formats import gradescope_results
    from ..grade import grade
    from ..run.session import Limits
    from ..load import LoadError
    from ..report.text import to_dict

    shown = os.path.basename(path)
    try:
        course = load_course(course_path) if course_path else None
        limits = course.limits(Limits(call_seconds=timeout)) if course else Limits(call_seconds=timeout)
        report = grade(path, seed=seed, limits=limits, course=course)
    except (LoadError, CourseError) as error:
        return gradescope_results(None, f"{shown}: {str(error).replace(path, shown)}")
    document = to_dict(report)
    document["submission"] = shown
    return gradescope_results(document)


if __name__ == "__main__":
    sys.exit(main())
