"""The `grade` entry point: starts the student's worker interpreter first, then the command (grader/cli.py).

Grading one file is mostly waiting for two start-ups: the worker's (an interpreter, numpy) and the grader's
own (click, numpy, the reference). Started here, before any of that is imported, they overlap. A command
line that grades no single file (a class, --list, --watch, --help) starts no worker ahead; one that is
guessed wrong only costs the worker started for nothing, which is ended on the way out.
"""
import os
import sys

NOT_ONE_FILE = {"--list", "--watch", "--out", "--jobs", "--shard", "--help", "-h"}


def main():
    early = _early_worker(sys.argv[1:])
    try:
        from .cli import main as command

        command(obj=early)
    finally:
        if early is not None:
            early.close()


def _early_worker(args):
    if NOT_ONE_FILE.intersection(arg.split("=")[0] for arg in args):
        return None
    files = [arg for arg in args if arg.lower().endswith((".py", ".ipynb")) and os.path.isfile(arg)]
    if len(files) + ("--demo" in args) != 1 or any(os.path.isdir(arg) or arg.lower().endswith(".zip") for arg in args):
        return None
    from .run.spawn import EarlyWorker

    try:
        return EarlyWorker()
    except OSError:  # the command will meet the same problem and say it properly
        return None
