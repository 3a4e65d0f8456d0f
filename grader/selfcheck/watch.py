"""`grade --watch my.py`: grade now, and again every time the file is saved, until Ctrl-C.

The file's modification time, size and inode are polled (no extra dependency, and editors that save by
writing a new file and renaming it are seen too). A change is graded once the file has stopped changing,
so a save in progress is not graded half-written; while the file is missing, between the two steps of
such a save, the watch simply waits.
"""
import os
import time

POLL_SECONDS = 0.3
SETTLE_SECONDS = 0.15


def watch(path, grade_once, echo, clear=lambda: None, sleep=time.sleep):
    """Calls grade_once() now and after each change of path. Returns grade_once's last status on Ctrl-C."""
    status = None
    try:
        while True:
            seen = file_stamp(path)
            clear()
            status = grade_once()
            echo(f"\nwatching {path} (graded at {time.strftime('%H:%M:%S')}): save it to grade again, "
                 "Ctrl-C to stop")
            wait_for_change(path, seen, sleep)
    except KeyboardInterrupt:
        echo("")
        return status


def file_stamp(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def wait_for_change(path, seen, sleep):
    """Returns once path exists with a stamp other than seen, and has kept it for SETTLE_SECONDS."""
    while True:
        sleep(POLL_SECONDS)
        now = file_stamp(path)
        if now is None or now == seen:
            continue
        sleep(SETTLE_SECONDS)
        if file_stamp(path) == now:
            return


def grade_and_print(path, echo, seed=None, only=(), limits=None, colour=False, course=None):
    """One run of `grade path` in text, for the watch; returns its exit status."""
    import click

    from ..grade import grade
    from ..load import LoadError
    from ..model import Exit
    from ..report.text import render_text
    from ..run.session import Limits

    try:
        report = grade(path, seed=seed, only=set(only), limits=limits or Limits(), course=course)
    except LoadError as error:
        echo(f"grade: {error}")
        return Exit.CANNOT_GRADE
    echo(render_text(report, lambda text, **kw: click.style(text, **kw) if colour else text))
    return Exit.ALL_PASSED if report.all_passed else Exit.NOT_ALL_PASSED
