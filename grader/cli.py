"""The `grade` command: parses options, calls the pipeline, prints the report. No logic lives here."""
import enum
import os
import sys

import click

from .isolate import GRADED_NAMES, Limits
from .load import LoadError

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo", "typical_mistakes.py")


class Exit(enum.IntEnum):
    ALL_PASSED = 0
    NOT_ALL_PASSED = 1
    CANNOT_GRADE = 2


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", required=False, type=click.Path(dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text for people, json for programs (nothing else is printed on stdout).")
@click.option("--seed", type=int, help="Repeat the random cases of an earlier run.")
@click.option("--exercise", "only", multiple=True, type=click.Choice(GRADED_NAMES),
              help="Grade only this exercise (repeatable).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds allowed per call.")
@click.option("--list", "list_exercises", is_flag=True, help="List the exercises and their points.")
@click.option("--demo", is_flag=True, help="Grade a bundled submission that makes typical mistakes.")
def main(path, output_format, seed, only, timeout, list_exercises, demo):
    """Grade a back-propagation submission: a .py module or a .ipynb notebook."""
    if list_exercises:
        from .exercises import EXERCISES

        for exercise in EXERCISES:
            click.echo(f"{exercise.name:28} {exercise.weight:3} points  {exercise.summary}")
        sys.exit(Exit.ALL_PASSED)
    if demo:
        path = DEMO
    if not path:
        raise click.UsageError("give a submission to grade (or --demo, or --list)")
    from .grade import grade
    try:
        report = grade(path, seed=seed, only=set(only), limits=Limits(call_seconds=timeout))
    except LoadError as error:
        click.echo(f"grade: {error}", err=True)
        sys.exit(Exit.CANNOT_GRADE)
    from .report import render_json, render_text

    if output_format == "json":
        click.echo(render_json(report))
    else:
        colour = sys.stdout.isatty()
        click.echo(render_text(report, lambda text, **kw: click.style(text, **kw) if colour else text))
    sys.exit(Exit.ALL_PASSED if report.all_passed else Exit.NOT_ALL_PASSED)
