"""Stage 2, run in isolation: a worker process runs the student's code; we only exchange data with it.

The worker is started before anything heavy is imported here, so that it loads numpy and the student's
code while this process builds the cases. A call that hangs or kills its worker costs that exercise only:
the worker is replaced and the remaining exercises go on. The worker confines itself (sandbox.py) with the
policy sent in its first message; its replies are untrusted data, checked field by field.
"""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from . import sandbox, wire
from .model import CallOutcome, LoadReport, RunResult

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
MAX_HELPER_SIZE = 512  # rows or columns of an array a helper proxy may pass; cases have at most a few
# Every graded function and its parameters, so that the worker's helper proxies bind keyword arguments
# as the real function would (the course's own template calls activation="sigmoid").
GRADED_PARAMS = {
    "linear_forward": ("A", "W", "b"), "linear_activation_forward": ("A_prev", "W", "b", "activation"),
    "L_model_forward": ("X", "parameters"), "compute_cost": ("AL", "Y"), "relu_backward": ("dA", "cache"),
    "sigmoid_backward": ("dA", "cache"), "linear_backward": ("dZ", "cache"),
    "linear_activation_backward": ("dA", "cache", "activation"), "L_model_backward": ("AL", "Y", "caches"),
    "update_parameters": ("params", "grads", "learning_rate"),
}
GRADED_NAMES = tuple(GRADED_PARAMS)


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 5.0
    statement_seconds: float = 2.0
    load_seconds: float = 30.0
    restarts: int = 4
    memory_bytes: int = 2**30  # address space of a worker
    cpu_seconds: float = 120.0  # CPU time of a worker over all its calls: a backstop behind the wall clocks
    file_bytes: int = 16 * 2**20  # largest file a worker may write in its private directory
    sandbox: bool = True  # False only to measure what confinement costs (bench/bench_sandbox.py)


class WorkerGone(Exception):
    """The worker died, hung, or broke the protocol."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def start_interpreter(home, reply_write):
    """Starts a worker as a fresh interpreter in its own session. Any replacement (see grader/zygote.py) returns
    an object with the same stdin, pid and wait() as this Popen, running worker.main() the same way."""
    return subprocess.Popen(
        [sys.executable, "-I", WORKER, str(reply_write)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, pass_fds=(reply_write,), cwd=home, env=worker_environment(home),
        start_new_session=True,
    )


class Worker:
    def __init__(self, submission, names, limits, skip=(), spawn=start_interpreter):
        self.limits = limits
        self.names = tuple(names)
        self.home = tempfile.mkdtemp(prefix="bpgrade-")
        reply_read, reply_write = os.pipe()
        self.process = spawn(self.home, reply_write)
        os.close(reply_write)
        self.replies = reply_read
        self.last_statement = None
        self.loaded = None
        self.calls = 0
        header = {"op": "load", "cells": [{"label": c.label, "source": c.source} for c in submission.cells],
                  "names": list(names), "proxied": {name: list(params) for name, params in GRADED_PARAMS.items()}, "skip": [list(at) for at in skip],
                  "statement_budget": limits.statement_seconds,
                  "sandbox": _sandbox_policy(limits, self.home, submission.path) if limits.sandbox else None}
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
            at = header.get("at")
            if header.get("op") == "exec" and isinstance(at, list) and len(at) == 2 and all(_is_int(i) for i in at):
                self.last_statement = tuple(at)
            elif header.get("op") == "loaded":
                self.loaded = _load_report(header, self.names)
                return self.loaded
            else:
                raise WorkerGone("crashed")

    def call(self, request, answer_helper):
        self.calls += 1
        call_id = self.calls
        self._send({"op": "call", "id": call_id, "fn": request.exercise, "substitute": list(request.substitute)},
                   {"args": request.args})
        deadline = time.monotonic() + self.limits.call_seconds
        while True:
            header, arrays = self.receive(deadline)
            if header.get("id") != call_id:
                continue  # a late reply to an earlier call (the student's code can write replies too)
            op = header.get("op")
            try:
                if op == "returned":
                    args_after = wire.unpack(header["args_after"], arrays)
                    return CallOutcome("returned", wire.unpack(header["value"], arrays),
                                       changed_arguments(request.args, args_after))
                if op == "raised":
                    return CallOutcome("raised", error=_trusted(header.get("error"), ERROR_FIELDS))
                if op == "helper":
                    args = wire.unpack(header["args"], arrays)
                    self._answer(request.exercise, str(header.get("fn")), args, answer_helper)
                    continue
            except (KeyError, wire.WireError):
                pass
            raise WorkerGone("crashed")

    def _answer(self, exercise, helper, args, answer_helper):
        if not _case_sized(args):  # the reference runs in this process: (n, 1) * (1, n) must not take it down
            self._send({"op": "helper_refused", "reason": f"{helper} was called with arrays larger than any case"})
            return
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


def _case_sized(value, depth=0):
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.ndim <= 2 and all(size <= MAX_HELPER_SIZE for size in value.shape)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return depth < wire.MAX_DEPTH and all(_case_sized(item, depth + 1) for item in value)
    return True


def _sandbox_policy(limits, home, submission_path):
    return {"home": home, "hidden": sandbox.hidden_paths(submission_path), "memory_bytes": limits.memory_bytes,
            "cpu_seconds": limits.cpu_seconds, "file_bytes": limits.file_bytes}


# What the worker sends is untrusted: the student's code can write to the reply pipe itself. Only fields of the
# expected types get through, so that a forged message costs the student's grade, never a crash of ours.
ERROR_FIELDS = {"type": str, "message": str, "where": str, "line": int, "code": str}
NOTE_FIELDS = {"kind": str, "where": str, "line": int, "column": int, "code": str, "message": str, "type": str}
FUNCTION_FIELDS = {"callable": bool, "student": bool, "origin": str, "required": int, "positional": int,
                   "varargs": bool, "params": list, "where": str, "line": int}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _trusted(raw, fields):
    kept = {}
    for key, kind in (fields.items() if isinstance(raw, dict) else ()):
        value = raw.get(key)
        if kind is int and _is_int(value) or kind in (str, bool) and isinstance(value, kind):
            kept[key] = value[:2000] if isinstance(value, str) else value
        elif kind is list and isinstance(value, list) and all(isinstance(item, str) for item in value):
            kept[key] = [item[:200] for item in value[:100]]
    if "where" in kept and "line" not in kept:
        del kept["where"]
    return kept


def _load_report(header, names):
    notes, functions = header.get("notes"), header.get("functions")
    notes = tuple(_trusted(note, NOTE_FIELDS) for note in notes) if isinstance(notes, list) else ()
    functions = {name: _trusted(entry, FUNCTION_FIELDS) for name, entry in functions.items()
                 if name in names} if isinstance(functions, dict) else {}
    skipped = header.get("skipped_calls")
    return LoadReport(notes, functions, skipped if _is_int(skipped) and skipped >= 0 else 0)


def changed_arguments(before, after):
    """Positions of the arguments a call changed in place, judged here from what came back."""
    return tuple(index for index, (old, new) in enumerate(zip(before, after)) if not _same(old, new))


def _same(before, after):
    import numpy as np

    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _same(before[key], after[key]) for key in before)
    if isinstance(before, (tuple, list)):
        return isinstance(after, (tuple, list)) and len(before) == len(after) and all(
            _same(x, y) for x, y in zip(before, after))
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and bool(
            np.array_equal(before, after, equal_nan=before.dtype.kind in "fc" and after.dtype.kind in "fc"))
    return type(before) is type(after) and before == after


def worker_environment(home):
    environment = {"HOME": home, "TMPDIR": home, "PATH": os.defpath, "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for kept in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL"):
        if kept in os.environ:
            environment[kept] = os.environ[kept]
    return environment


def _remove_tree(path):
    """Removes a dead worker's directory, folders it created without permissions included."""
    import shutil

    for folder, subfolders, _ in os.walk(path):
        for name in subfolders:
            inner = os.path.join(folder, name)
            if not os.path.islink(inner):
                try:
                    os.chmod(inner, 0o700)
                except OSError:
                    pass
    shutil.rmtree(path, ignore_errors=True)


class Session:
    """One submission's worker, started early; run() makes the calls and replaces the worker as needed."""

    def __init__(self, submission, names, limits=Limits(), spawn=start_interpreter):
        self.submission = submission
        self.names = names
        self.limits = limits
        self.spawn = spawn
        self.skip = []
        self.load_report = None
        self.worker = self._start()

    def _start(self):
        return Worker(self.submission, self.names, self.limits, self.skip, self.spawn)

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
        outcomes, stopped = {}, {}
        for request in requests:
            key = (request.exercise, request.case_index)
            if request.exercise in stopped:  # its other cases would hang or crash the same way, one at a time
                outcomes[key] = CallOutcome(stopped[request.exercise])
                continue
            worker = self._loaded_worker()
            if worker is None:
                outcomes[key] = CallOutcome("crashed")
                continue
            try:
                outcomes[key] = worker.call(request, answer_helper)
            except WorkerGone as gone:
                outcomes[key] = CallOutcome(gone.kind)
                stopped[request.exercise] = gone.kind
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
