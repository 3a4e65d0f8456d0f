"""`grade --watch`: grades now, again after each save, until Ctrl-C."""
import os
import signal
import subprocess
import sys
import time

from submissions.buggy import BUGGY
from submissions.sources import reference_source, replace_functions

from grader.selfcheck.watch import wait_for_change, watch


def test_a_change_is_seen_once_the_file_settles_and_a_missing_file_is_waited_for(tmp_path):
    path = tmp_path / "my.py"
    path.write_text("a = 1\n")
    seen = os.stat(path)
    events = []

    def sleep(seconds):  # the editor's side: the file disappears for a moment, then comes back changed
        events.append(seconds)
        if len(events) == 2:
            path.unlink()
        if len(events) == 4:
            path.write_text("a = 22\n")

    wait_for_change(str(path), (seen.st_mtime_ns, seen.st_size, seen.st_ino), sleep)
    assert path.read_text() == "a = 22\n"
    assert len(events) == 5  # three polls without a usable change, the one that saw it, and the settling wait


def test_watch_regrades_after_each_change_and_returns_the_last_status_on_ctrl_c(tmp_path):
    path = tmp_path / "my.py"
    path.write_text("a = 1\n")
    statuses, printed, polls = iter([0, 1]), [], []

    def sleep(seconds):
        polls.append(seconds)
        if len(polls) == 1:
            path.write_text("a = 22\n")
        if len(polls) == 3:  # the first poll after the second grade
            raise KeyboardInterrupt

    assert watch(str(path), lambda: next(statuses), printed.append, sleep=sleep) == 1
    assert sum("watching" in line for line in printed) == 2


def test_grade_watch_regrades_a_saved_file_until_interrupted(tmp_path):
    path = tmp_path / "my_network.py"
    path.write_text(reference_source(), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "grader", "--watch", str(path), "--exercise", "relu_backward"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    try:
        output = read_until(process, "watching")
        time.sleep(0.05)  # a new modification time even on coarse file systems
        path.write_text(replace_functions(reference_source(), BUGGY["RB01"]), encoding="utf-8")
        output += read_until(process, "watching")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 1  # the last grade did not pass
    finally:
        process.kill()
    first, second = output.split("watching")[:2]
    assert "PASS    relu_backward" in first
    assert "FAIL    relu_backward" in second and "error[RB01]" in second


def read_until(process, marker, seconds=30):
    deadline, lines = time.monotonic() + seconds, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if marker in line or not line:
            break
    return "".join(lines)
