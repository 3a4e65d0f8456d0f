"""The grading processes of a class run: long-lived, fed from one queue, each with its own zygote.

A grading process imports numpy, the reference and the checks once, and its zygote (grader/zygote.py)
forks a fresh worker per student, so no submission pays an interpreter's start-up. Every submission still
runs in its own confined worker, through grade.grade. A grading process that dies (killed, out of
memory) costs only the submission it was grading: that one gets a "grader_failed" record, a new process
takes over the rest.
"""
import multiprocessing
import os
import queue
import signal
import sys
import time
from dataclasses import dataclass, replace

from ..load import LoadError
from ..run.session import Limits
from ..untrusted_text import visible


@dataclass(frozen=True)
class Grading:
    """What every submission of one class run is graded with."""

    seed: int
    only: tuple = ()
    limits: Limits = Limits()
    course: object = None  # course.Course; None is the profile `ours`


@dataclass(frozen=True)
class Task:
    index: int
    student: str
    slug: str
    path: str
    shown: str
    key: dict


def grade_all(tasks, grading, jobs):
    """Records of the tasks, in the order they finish, from `jobs` long-lived grading processes."""
    if not tasks:
        return
    pool = _Pool(tasks, grading, min(jobs, len(tasks)))
    try:
        while pool.waiting:
            yield from pool.next_records()
    finally:
        pool.stop()


class _Pool:
    """Grading processes fed from one queue. One that dies (killed, out of memory) costs only its submission."""

    def __init__(self, tasks, grading, size):
        self.context = multiprocessing.get_context("spawn")
        self.todo, self.done = self.context.Queue(), self.context.Queue()
        self.grading = grading
        self.waiting = {task.index: task for task in tasks}
        self.in_flight = {}  # pid -> index of the task it is grading
        self.processes = []
        for task in tasks:
            self.todo.put(task)
        for _ in range(size):
            self._start()

    def _start(self):
        process = self.context.Process(target=_serve, args=(self.todo, self.done, self.grading), daemon=True)
        process.start()
        self.processes.append(process)
        self.todo.put(None)  # its stop sign, after every task

    def next_records(self):
        try:
            kind, pid, payload = self.done.get(timeout=0.5)
        except queue.Empty:
            yield from self._recover()
            return
        if kind == "started":
            self.in_flight[pid] = payload
        elif self.waiting.pop(payload["index"], None) is not None:
            self.in_flight.pop(pid, None)
            yield payload

    def _recover(self):
        for process in [p for p in self.processes if not p.is_alive()]:
            self.processes.remove(process)
            task = self.waiting.pop(self.in_flight.pop(process.pid, None), None)
            if task is not None:
                yield _failed(task, "the grading process stopped while grading this submission")
                if self.waiting:  # replaced only when it got as far as grading: no loop of failing start-ups
                    self._start()
        if not self.processes:
            for index in list(self.waiting):
                yield _failed(self.waiting.pop(index), "grading stopped before this submission")

    def stop(self):
        self.todo.cancel_join_thread()  # tasks nobody will take must not hold this process at exit
        for process in self.processes:
            process.join(timeout=0.1 if self.waiting else 5)
            if process.is_alive():
                process.terminate()
                process.join()


def _failed(task, message):
    return _record(task, "grader_failed", message=message)


def _serve(todo, done, grading):
    """A grading process: grades tasks until its stop sign, each student in a worker forked by its zygote."""
    from ..grade import prepare
    from ..run.zygote import Zygote, die_with_parent

    die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind, so the current worker is killed too
    try:
        with Zygote() as zygote:
            prepared = prepare(grading.seed, set(grading.only), grading.course)  # the same cases for every student
            for task in iter(todo.get, None):
                done.put(("started", os.getpid(), task.index))
                done.put(("finished", os.getpid(), grade_task(task, grading, zygote.spawn, prepared)))
    except KeyboardInterrupt:
        pass


def grade_task(task, grading, spawn, prepared):
    """One student's record; a submission that cannot be graded, or that trips the grader, still gets one."""
    from ..grade import grade
    from ..report.text import render_text, to_dict

    started = time.monotonic()
    try:
        report = grade(task.path, limits=grading.limits, spawn=spawn, prepared=prepared)
    except LoadError as error:
        return _record(task, "cannot_grade", message=visible(str(error).replace(task.path, task.shown)))
    except Exception as error:  # noqa: BLE001 - a grader bug on one submission must not stop the class
        return _record(task, "grader_failed", message=f"the grader failed on this submission ({type(error).__name__})")
    report = replace(report, submission=visible(task.shown))  # a file name inside a student's zip, say
    return _record(task, "graded", report=to_dict(report),
                   fingerprints={e.name: e.fingerprint for e in report.exercises if e.fingerprint},
                   feedback=render_text(report, lambda text, **style: text),
                   seconds=round(time.monotonic() - started, 3))


def _record(task, status, message="", report=None, fingerprints=None, feedback="", seconds=None):
    return {"index": task.index, "student": task.student, "slug": task.slug, "source": task.shown,
            "key": task.key, "status": status, "message": message, "report": report,
            "fingerprints": fingerprints or {}, "feedback": feedback or message, "seconds": seconds}
