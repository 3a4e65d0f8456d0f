"""Stage 2, run in isolation: a worker process runs the student's code; we only exchange data with it.

The worker is started before anything heavy is imported here, so that it loads numpy and the student's
code while this process builds the cases. A call that hangs or kills its worker costs that call only:
the worker is replaced and the remaining calls go on.
"""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from . import wire
from .model import CallOutcome, LoadReport, RunResult

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
GRADED_NAMES = ("relu_backward", "sigmoid_backward", "linear_forward", "linear_activation_forward",
           "linear_backward", "linear_activation_backward", "L_model_forward", "L_model_backward",
           "compute_cost", "update_parameters")


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 5.0
    statement_seconds: float = 2.0
    load_seconds: float = 30.0
    restarts: int = 4


class WorkerGone(Exception):
    """The worker died, hung, or broke the protocol."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


class Worker:
    def __init__(self, submission, names, limits, skip=()):
        self.limits = limits
        self.home = tempfile.mkdtemp(prefix="bpgrade-")
        reply_read, reply_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-I", WORKER, str(reply_write)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(reply_write,), cwd=self.home, env=worker_environment(self.home),
            start_new_session=True,
        )
        os.close(reply_write)
        self.replies = reply_read
        self.last_statement = None
        self.loaded = None
        header = {"op": "load", "cells": [{"label": c.label, "source": c.source} for c in submission.cells],
                  "names": list(names), "proxied": list(GRADED_NAMES), "skip": [list(at) for at in skip],
                  "statement_budget": limits.statement_seconds}
        self._send(header)

    def _send(self, header, values=None):
        try:
            wire.send(self.process.stdin, header, values)
        except (BrokenPipeError, OSError):
            raise WorkerGone("crashed") from None

    def _read_exact(self, size, deadline):
        chunks, remaining = [], size
        while remaining:
            timeout = deadline - time.monotonic()
            if timeout <= 0 or not select.select([self.replies], [], [], timeout)[0]:
                raise WorkerGone("timeout")
            chunk = os.read(self.replies, min(remaining, 1 << 20))
            if not chunk:
                raise WorkerGone("crashed")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def receive(self, deadline):
        try:
            head_len, body_len = wire.decode_prefix(self._read_exact(16, deadline))
            return wire.decode_body(self._read_exact(head_len, deadline), self._read_exact(body_len, deadline))
        except wire.WireError:
            raise WorkerGone("crashed") from None

    def wait_loaded(self):
        deadline = time.monotonic() + self.limits.load_seconds
        while True:
            header, _ = self.receive(deadline)
            if header.get("op") == "exec":
                self.last_statement = tuple(header.get("at", ()))
            elif header.get("op") == "loaded":
                self.loaded = LoadReport(tuple(header.get("notes", [])), dict(header.get("functions", {})),
                                  int(header.get("skipped_calls", 0)))
                return self.loaded
            else:
                raise WorkerGone("crashed")

    def call(self, request, answer_helper):
        self._send({"op": "call", "fn": request.exercise, "substitute": list(request.substitute)},
                   {"args": request.args})
        deadline = time.monotonic() + self.limits.call_seconds
        while True:
            header, arrays = self.receive(deadline)
            op = header.get("op")
            try:
                if op == "returned":
                    mutated = header.get("mutated", [])
                    return CallOutcome("returned", wire.unpack(header["value"], arrays),
                                       tuple(i for i in mutated if isinstance(i, int)))
                if op == "raised":
                    return CallOutcome("raised", error=_error(header.get("error")))
                if op == "helper":
                    args = wire.unpack(header["args"], arrays)
                    self._answer(request.exercise, str(header.get("fn")), args, answer_helper)
                    continue
            except (KeyError, wire.WireError):
                pass
            raise WorkerGone("crashed")

    def _answer(self, exercise, helper, args, answer_helper):
        answered, value = answer_helper(exercise, helper, args)
        if answered:
            self._send({"op": "helper_result"}, {"value": value})
        else:
            self._send({"op": "helper_refused", "reason": value})

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for stream in (self.process.stdin,):
            try:
                stream.close()
            except OSError:
                pass
        os.close(self.replies)
        _remove_tree(self.home)


def _error(error):
    return error if isinstance(error, dict) else {"type": "Error", "message": "unknown error"}


def worker_environment(home):
    environment = {"HOME": home, "TMPDIR": home, "PATH": os.defpath, "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for kept in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL"):
        if kept in os.environ:
            environment[kept] = os.environ[kept]
    return environment


def _remove_tree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class Session:
    """One submission's worker, started early; run() makes the calls and replaces the worker as needed."""

    def __init__(self, submission, names, limits=Limits()):
        self.submission = submission
        self.names = names
        self.limits = limits
        self.skip = []
        self.load_report = None
        self.worker = self._start()

    def _start(self):
        return Worker(self.submission, self.names, self.limits, self.skip)

    def _loaded_worker(self):
        """A worker that has finished loading; statements that hang or kill it are skipped next time."""
        for _ in range(self.limits.restarts + 1):
            if self.worker is None:
                self.worker = self._start()
            if self.worker.loaded:
                return self.worker
            try:
                report = self.worker.wait_loaded()
                if self.load_report is None:
                    self.load_report = report
                return self.worker
            except WorkerGone:
                culprit = self.worker.last_statement
                self.worker.close()
                self.worker = None
                if culprit is None or culprit in self.skip:
                    break
                self.skip.append(culprit)
        self.load_report = self.load_report or LoadReport(
            ({"kind": "crash", "message": "the submission's code stops the process that loads it"},), {})
        return None

    def run(self, requests, answer_helper):
        outcomes = {}
        for request in requests:
            worker = self._loaded_worker()
            if worker is None:
                outcomes[(request.exercise, request.case_index)] = CallOutcome("crashed")
                continue
            try:
                outcomes[(request.exercise, request.case_index)] = worker.call(request, answer_helper)
            except WorkerGone as gone:
                outcomes[(request.exercise, request.case_index)] = CallOutcome(gone.kind)
                worker.close()
                self.worker = None
        return outcomes

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def run_submission(session, requests, answer_helper):
    """Every call's outcome, and what loading the submission reported."""
    try:
        outcomes = session.run(requests, answer_helper)
        load = session.load_report or session._loaded_worker() and session.load_report
    finally:
        session.close()
    return RunResult(load, outcomes)
