"""The `grade` command: parses options, calls the pipeline, prints the report. No logic lives here."""
import enum
import gc
import os
import sys

import click

from .isolate import GRADED_NAMES, Limits
from .load import LoadError, is_batch

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo", "typical_mistakes.py")


class Exit(enum.IntEnum):
    ALL_PASSED = 0
    NOT_ALL_PASSED = 1
    CANNOT_GRADE = 2


FORMATS = ["text", "json", "gradescope", "junit"]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              help="text for people, json for programs (nothing else is printed on stdout), gradescope "
                   "(results.json), junit (XML). A class run writes files to --out instead.")
@click.option("--seed", type=int, help="Repeat the random cases of an earlier run.")
@click.option("--exercise", "only", multiple=True, type=click.Choice(GRADED_NAMES),
              help="Grade only this exercise (repeatable).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds allowed per call.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), default=Limits.submission_seconds,
              show_default=True, help="Seconds allowed for one submission in all: loading it and every call.")
@click.option("--list", "list_exercises", is_flag=True, help="List the exercises and their points.")
@click.option("--demo", is_flag=True, help="Grade a bundled submission that makes typical mistakes.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Grade a class into this folder: grades.csv, report.html, students/ (default ./grade-results "
                   "when several files, a folder or a .zip are given).")
@click.option("--jobs", type=click.IntRange(min=1), help="Submissions graded at once [default: the cores].")
@click.option("--force", is_flag=True, help="Regrade submissions already graded unchanged in --out.")
@click.option("--shard", help="Grade slice K of N (K/N, 1-based) of the class; join the slices with grade-merge.")
@click.option("--student-pattern", help="Regex naming the student in a file name: group `student` (or 1).")
@click.option("--watch", is_flag=True, help="Grade one file again every time it is saved, until Ctrl-C.")
def main(paths, output_format, seed, only, timeout, budget, list_exercises, demo, out, jobs, force, shard,
         student_pattern, watch):
    """Grade back-propagation submissions: a .py module or a .ipynb notebook, or a class of them (several
    files, folders or .zip files; then exit 0 when every submission has its result, unreadable ones included,
    1 when the grader failed on some (run again: it resumes), 2 when there is nothing to grade)."""
    if list_exercises:
        from .exercises import EXERCISES

        for exercise in EXERCISES:
            click.echo(f"{exercise.name:28} {exercise.weight:3} points  {exercise.summary}")
        sys.exit(Exit.ALL_PASSED)
    if demo:
        paths = (DEMO,)
    if not paths:
        raise click.UsageError("give a submission to grade (or --demo, or --list)")
    limits = Limits(call_seconds=timeout, submission_seconds=budget)
    if watch:
        sys.exit(watch_file(paths, seed, only, limits))
    if is_batch(paths, out):
        sys.exit(grade_class(paths, out, output_format, seed, only, limits, jobs, force, shard, student_pattern))
    path = paths[0]
    from .grade import grade
    try:
        report = grade(path, seed=seed, only=set(only), limits=limits,
                       early=click.get_current_context().obj)  # a worker grader/launch.py started ahead
    except LoadError as error:
        click.echo(f"grade: {error}", err=True)
        if output_format in ("gradescope", "junit"):
            from .formats import render_document

            click.echo(render_document(output_format, path, None, str(error)))
        sys.exit(Exit.CANNOT_GRADE)
    from .report import render_json, render_text, to_dict

    if output_format == "json":
        click.echo(render_json(report))
    elif output_format in ("gradescope", "junit"):
        from .formats import render_document

        click.echo(render_document(output_format, path, to_dict(report)))
    else:
        colour = sys.stdout.isatty()
        click.echo(render_text(report, lambda text, **kw: click.style(text, **kw) if colour else text))
    gc.freeze()  # the collections of interpreter shutdown would walk numpy and the cases again: ~30 ms for nothing
    sys.exit(Exit.ALL_PASSED if report.all_passed else Exit.NOT_ALL_PASSED)


def watch_file(paths, seed, only, limits):
    from .watch import grade_and_print, watch

    if len(paths) != 1 or not os.path.isfile(paths[0]):
        raise click.UsageError("--watch takes one .py file or .ipynb notebook")
    colour = sys.stdout.isatty()
    return watch(paths[0], lambda: grade_and_print(paths[0], click.echo, seed, only, limits, colour), click.echo,
                 click.clear if colour else lambda: None)


def grade_class(paths, out, output_format, seed, only, limits, jobs, force, shard, student_pattern):
    from .batch import student_pattern as compile_pattern
    from .batch_report import ConsoleProgress
    from .batch_run import DEFAULT_OUT, BatchError, parse_shard, run_batch, summary_text

    try:
        shard = parse_shard(shard) if shard else None
        pattern = compile_pattern(student_pattern) if student_pattern else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    progress = ConsoleProgress(sys.stderr, sys.stderr.isatty())
    try:
        summary = run_batch(paths, out or DEFAULT_OUT, seed=seed, only=only, limits=limits,
                            jobs=jobs, force=force, shard=shard, pattern=pattern, formats=(output_format,),
                            progress=progress)
    except BatchError as error:
        click.echo(f"grade: {error}", err=True)
        return Exit.CANNOT_GRADE
    finally:
        progress.close()
    click.echo(summary_text(summary))
    if not summary.students:
        return Exit.CANNOT_GRADE
    return Exit.ALL_PASSED if summary.complete else Exit.NOT_ALL_PASSED


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("out", type=click.Path(file_okay=False))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              help="junit also writes junit.xml for the whole class.")
def merge_main(out, shards, output_format):
    """Join the --out folders of `grade --shard K/N` runs into OUT: grades.csv and report.html of the class."""
    from .batch_run import BatchError, merge, summary_text

    try:
        summary = merge(out, shards, formats=(output_format,))
    except BatchError as error:
        click.echo(f"grade-merge: {error}", err=True)
        sys.exit(Exit.CANNOT_GRADE)
    click.echo(summary_text(summary))
    sys.exit(Exit.ALL_PASSED if summary.complete else Exit.NOT_ALL_PASSED)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("target", type=click.Path(dir_okay=False), default="autograder.zip")
@click.option("--seed", type=int, help="The class's seed [default: a new random one, printed].")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds allowed per call.")
def gradescope_main(target, seed, timeout):
    """Build a Gradescope autograder zip (setup.sh, run_autograder, this grader) that grades every student
    of the class with one seed."""
    from .formats import build_gradescope_zip

    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    build_gradescope_zip(target, seed, timeout)
    click.echo(f"wrote {target} (seed {seed}): upload it as the assignment's autograder on Gradescope")
