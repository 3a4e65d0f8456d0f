"""The `grade` command: parses options, calls the pipeline, prints the report. No logic lives here."""
import gc
import os
import sys

import click

from .load import LoadError, is_batch
from .model import Exit
from .run.session import Limits

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo", "typical_mistakes.py")
# The student kit (grader/kit/build.py) has sealed cases instead of the reference, no demo and no class runs: its
# `grade --help` offers none of their options (sealed.SEALED_DIR, without importing numpy for --help).
IN_KIT = os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercises", "sealed", "course.json"))


FORMATS = ["text", "json", "gradescope", "junit"]


KIT_HELP = "Self-check a .py module or a .ipynb notebook on the kit's public cases."


@click.command(context_settings={"help_option_names": ["-h", "--help"]}, help=KIT_HELP if IN_KIT else None)
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              help="text for people, json for programs (nothing else is printed on stdout), gradescope "
                   "(results.json), junit (XML)." + ("" if IN_KIT else " A class run writes files to --out instead."))
@click.option("--seed", type=int, help="Repeat the random cases of an earlier run.")
@click.option("--exercise", "only", multiple=True, callback=lambda ctx, param, names: exercise_names(names),
              help="Grade only this exercise (repeatable; the names: grade --list).")
@click.option("--course", "course_name", metavar="FILE|PROFILE",
              help="The course's version of the assignment: a TOML file, or a built-in profile (ours, coursera, "
                   "coursera-older): what is graded, for how many points, the time limits, the seed.")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds allowed per call.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), default=Limits.submission_seconds,
              show_default=True, help="Seconds allowed for one submission in all: loading it and every call.")
@click.option("--list", "list_exercises", is_flag=True, help="List the exercises and their points.")
@click.option("--demo", is_flag=True, hidden=IN_KIT,
              help="Grade a bundled submission that makes typical mistakes.")
@click.option("--out", type=click.Path(file_okay=False), hidden=IN_KIT,
              help="Grade a class into this folder: grades.csv, report.html, students/ (default ./grade-results "
                   "when several files, a folder or a .zip are given).")
@click.option("--jobs", type=click.IntRange(min=1), hidden=IN_KIT,
              help="Submissions graded at once [default: the cores].")
@click.option("--force", is_flag=True, hidden=IN_KIT, help="Regrade submissions already graded unchanged in --out.")
@click.option("--shard", hidden=IN_KIT,
              help="Grade slice K of N (K/N, 1-based) of the class; join the slices with grade-merge.")
@click.option("--student-pattern", hidden=IN_KIT,
              help="Regex naming the student in a file name: group `student` (or 1).")
@click.option("--watch", is_flag=True, help="Grade one file again every time it is saved, until Ctrl-C.")
def main(paths, output_format, seed, only, course_name, timeout, budget, list_exercises, demo, out, jobs, force, shard,
         student_pattern, watch):
    """Grade back-propagation submissions: a .py module or a .ipynb notebook, or a class of them (several
    files, folders or .zip files; then exit 0 when every submission has its result, unreadable ones included,
    1 when the grader failed on some (run again: it resumes), 2 when there is nothing to grade)."""
    if list_exercises:
        from .course import default_course
        from .exercises import BY_NAME

        course = read_course(course_name) or default_course()
        if course_name:  # without --course the list is the exercises alone, one a line
            click.echo(f"course {course.name}: {course.description}" if course.description else f"course {course.name}")
        for name, points in course.weights:
            click.echo(f"{name:28} {points:3g} points  {BY_NAME[name].summary}")
        if course.provided:
            click.echo(f"provided by the course (not graded): {', '.join(course.provided)}")
        sys.exit(Exit.ALL_PASSED)
    if IN_KIT and (demo or is_batch(paths, out) or jobs or force or shard or student_pattern):
        raise click.UsageError("the self-check kit grades one .py file or notebook at a time "
                               "(the demo and class runs are your instructor's grader's)")
    if demo:
        paths = (DEMO,)
    if not paths:
        raise click.UsageError("give a submission to grade (or --demo, or --list)")
    course = read_course(course_name)
    if only:
        check_graded(only, course)
    limits = Limits(call_seconds=timeout, submission_seconds=budget)
    limits = course.limits(limits) if course else limits
    if watch:
        sys.exit(watch_file(paths, seed, only, limits, course))
    if is_batch(paths, out):
        sys.exit(grade_class(paths, out, output_format, seed, only, limits, jobs, force, shard, student_pattern,
                             course))
    path = paths[0]
    from .grade import grade
    try:
        report = grade(path, seed=seed, only=set(only), limits=limits, course=course,
                       early=click.get_current_context().obj)  # a worker grader/launch.py started ahead
    except LoadError as error:
        click.echo(f"grade: {error}", err=True)
        if output_format in ("gradescope", "junit"):
            from .report.formats import render_document

            click.echo(render_document(output_format, path, None, str(error)))
        sys.exit(Exit.CANNOT_GRADE)
    from .report.text import render_json, render_text, to_dict

    if output_format == "json":
        click.echo(render_json(report))
    elif output_format in ("gradescope", "junit"):
        from .report.formats import render_document

        click.echo(render_document(output_format, path, to_dict(report)))
    else:
        colour = sys.stdout.isatty()
        click.echo(render_text(report, lambda text, **kw: click.style(text, **kw) if colour else text))
    gc.freeze()  # the collections of interpreter shutdown would walk numpy and the cases again: ~30 ms for nothing
    sys.exit(Exit.ALL_PASSED if report.all_passed else Exit.NOT_ALL_PASSED)


def exercise_names(names):
    """The --exercise names, each one an exercise; a misspelt one gets a short "did you mean"."""
    if not names:
        return names
    from .course import did_you_mean
    from .exercises import SIGNATURES

    graded = tuple(SIGNATURES)
    for name in names:
        if name not in graded:
            raise click.BadParameter(f"no exercise is called {name!r}{did_you_mean(name, graded)}; "
                                     "`grade --list` lists them", param_hint="'--exercise'")
    return names


def check_graded(only, course):
    """--exercise names an exercise the course (the kit's, or `ours`, without --course) grades."""
    from .course import default_course

    course = course or default_course()
    ungraded = [name for name in only if name not in course.graded]
    if ungraded:
        raise click.UsageError(f"{course.source} does not grade {', '.join(ungraded)}"
                               + (" (the course provides it)" if set(ungraded) <= set(course.provided) else ""))


def read_course(name):
    """The course of --course (None without it); a file that cannot be used is a usage error."""
    if not name:
        return None
    from .course import CourseError, load_course

    try:
        return load_course(name)
    except CourseError as error:
        raise click.UsageError(str(error)) from None


def watch_file(paths, seed, only, limits, course):
    from .selfcheck.watch import grade_and_print, watch

    if len(paths) != 1 or not os.path.isfile(paths[0]):
        raise click.UsageError("--watch takes one .py file or .ipynb notebook")
    colour = sys.stdout.isatty()
    if seed is None:  # one seed for every save: the student sees whether the same case passes now
        seed = course.seed if course and course.seed is not None else int.from_bytes(os.urandom(4), "little")
    return watch(paths[0], lambda: grade_and_print(paths[0], click.echo, seed, only, limits, colour, course),
                 click.echo, click.clear if colour else lambda: None)


def grade_class(paths, out, output_format, seed, only, limits, jobs, force, shard, student_pattern, course):
    from .classroom.discover import student_pattern as compile_pattern
    from .classroom.report import ConsoleProgress
    from .classroom.run import DEFAULT_OUT, BatchError, parse_shard, run_batch, summary_text

    try:
        shard = parse_shard(shard) if shard else None
        student_pattern = student_pattern or (course.student_pattern if course else "")
        pattern = compile_pattern(student_pattern) if student_pattern else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    progress = ConsoleProgress(sys.stderr, sys.stderr.isatty())
    try:
        summary = run_batch(paths, out or DEFAULT_OUT, seed=seed, only=only, limits=limits, jobs=jobs, force=force,
                            shard=shard, pattern=pattern, formats=(output_format,), progress=progress, course=course)
    except BatchError as error:
        click.echo(f"grade: {error}", err=True)
        return Exit.CANNOT_GRADE
    finally:
        progress.close()
    click.echo(summary_text(summary))
    if not summary.in_class:  # a slice with nobody in it is no failure: the merge needs it like any other
        return Exit.CANNOT_GRADE
    return Exit.ALL_PASSED if summary.complete else Exit.NOT_ALL_PASSED


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("out", type=click.Path(file_okay=False))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              help="junit also writes junit.xml for the whole class.")
def merge_main(out, shards, output_format):
    """Join the --out folders of `grade --shard K/N` runs into OUT: grades.csv and report.html of the class."""
    from .classroom.run import BatchError, merge, summary_text

    try:
        summary = merge(out, shards, formats=(output_format,))
    except BatchError as error:
        click.echo(f"grade-merge: {error}", err=True)
        sys.exit(Exit.CANNOT_GRADE)
    except OSError as error:  # OUT cannot be written, say, or a slice's folder went away meanwhile
        click.echo(f"grade-merge: {error.filename or out}: {error.strerror or error}", err=True)
        sys.exit(Exit.CANNOT_GRADE)
    click.echo(summary_text(summary))
    sys.exit(Exit.ALL_PASSED if summary.complete else Exit.NOT_ALL_PASSED)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("target", type=click.Path(dir_okay=False), default="autograder.zip")
@click.option("--seed", type=int, help="The class's seed [default: a new random one, printed].")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds allowed per call.")
@click.option("--course", "course_name", metavar="FILE|PROFILE",
              help="The course's version of the assignment (a TOML file or a built-in profile), put in the zip.")
def gradescope_main(target, seed, timeout, course_name):
    """Build a Gradescope autograder zip (setup.sh, run_autograder, this grader) that grades every student
    of the class with one seed."""
    from .report.formats import build_gradescope_zip

    course = read_course(course_name)
    if seed is None:
        seed = course.seed if course and course.seed is not None else int.from_bytes(os.urandom(4), "little")
    build_gradescope_zip(target, seed, timeout, course)
    click.echo(f"wrote {target} (seed {seed}): upload it as the assignment's autograder on Gradescope")
