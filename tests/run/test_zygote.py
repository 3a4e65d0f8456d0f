"""Workers forked by a zygote grade exactly like fresh interpreters, and do not outlive their zygote."""
import os
import signal
import time

from batch_class import write_submission

from grader.grade import grade
from grader.report.text import to_dict
from grader.run.zygote import Zygote


def test_a_forked_worker_grades_like_a_fresh_interpreter(tmp_path):
    paths = [write_submission(tmp_path, "a", "db_wrong_axis", "ipynb"), write_submission(tmp_path, "b", "exits_process")]
    with Zygote() as zygote:
        for path in paths:
            assert to_dict(grade(str(path), seed=8, spawn=zygote.spawn)) == to_dict(grade(str(path), seed=8))


def test_a_worker_dies_with_its_zygote(tmp_path):
    zygote = Zygote()
    try:
        reply_read, reply_write = os.pipe()
        worker = zygote.spawn(str(tmp_path), reply_write)
        os.close(reply_write)
        os.kill(zygote.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(worker.pid):
            time.sleep(0.05)
        assert not _running(worker.pid)
        os.close(reply_read)
    finally:
        zygote.close()


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
