"""Stage 2, run in isolation: a worker process runs the student's code; we only exchange data with it.

The worker is started before anything heavy is imported here, so that it loads numpy and the student's
code while this process builds the cases. A call that hangs or kills its worker costs that exercise only:
the worker is replaced and the remaining exercises go on. The worker confines itself (sandbox.py) with the
policy sent in its first message; its replies are untrusted data, checked field by field.
"""
import itertools
import os
import pickle
import select
import signal
import tempfile
import time
from dataclasses import dataclass, replace

from ..model import CallOutcome, LoadReport, RunResult
from . import wire
from .spawn import start_interpreter
from ..untrusted_text import visible

MAX_HELPER_SIZE = 512  # rows or columns of an array a helper proxy may pass; cases have at most a few
MAX_HELPER_CALLS = 100  # helper answers the grader computes for one call; a composite makes one per layer
# A frame during a call may be at most this plus 4 times the bytes of the call's arguments or of the expected
# output, whichever is more (float128, or a wrong (n, m) shape for (n, 1), fit): more is refused unread.
REPLY_MARGIN = 2**20
LOAD_MESSAGE_BYTES = 2**20  # the "exec" and "loaded" messages: headers only
MAX_NOTES = 50  # load notes kept from a worker; its own are bounded the same way


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 5.0
    statement_seconds: float = 2.0
    load_seconds: float = 30.0
    submission_seconds: float = 60.0  # everything of one submission: loading (restarts included) and all calls
    restarts: int = 4
    memory_bytes: int = 2**30  # address space of a worker
    cpu_seconds: float = 120.0  # CPU time of a worker over all its calls: a backstop behind the wall clocks
    file_bytes: int = 16 * 2**20  # largest file a worker may write in its private directory
    disk_bytes: int = 64 * 2**20  # all of its private directory together (a tmpfs, where the kernel allows)
    sandbox: bool = True  # False only to measure what confinement costs (bench/bench_sandbox.py)


class WorkerGone(Exception):
    """The worker died, hung, or broke the protocol."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


class Calls:
    """Calls for workers to run, in one batch per exercise, encoded once: a class sends every worker the same.

    A worker runs a batch's calls back to back, and is sent the next batch once it has answered them all.
    A student's code can read what its worker was sent: this way it only ever holds the cases of the exercise
    being graded, never those of one whose answers the helpers it may call could compute ahead.
    """

    def __init__(self, requests):
        self.batches = [Batch(tuple(batch)) for _, batch in itertools.groupby(requests, lambda r: r.exercise)]


class Batch:
    """The calls of one exercise and their request; each call's arguments are pickled apart. Nothing the
    reference computed is sent in the clear: the helper answers of the reference's own calls on the case go
    sealed with their arguments' bytes (wire.seal_answer), any other is asked for. A returned call sends its
    arguments back, then its value: the encodings of the arguments as sent, and of them followed by the
    reference's output, recognise the usual replies by their bytes. They also bound every reply's size."""

    def __init__(self, requests):
        self.requests = requests
        self.arguments = [wire.Encoded({"args_after": r.args}) for r in requests]
        self.right = [None if r.expected is None else wire.Encoded({"args_after": r.args, "value": r.expected})
                      for r in requests]
        self.reply_limits = [REPLY_MARGIN + 4 * len((right or arguments).body)
                             for arguments, right in zip(self.arguments, self.right)]
        calls = [{"fn": request.exercise, "substitute": list(request.substitute),
                  "args": pickle.dumps(request.args, protocol=pickle.HIGHEST_PROTOCOL),
                  "trace": request.trace, "sealed": _sealed_answers(request.answers)} for request in requests]
        self.payload = wire.request({"op": "calls"}, calls)


class Worker:
    def __init__(self, submission, signatures, names, limits, deadline, skip=(), spawn=start_interpreter,
                 early=None):
        """signatures: every graded function's parameters, so that the worker's helper proxies bind keyword
        arguments as the real function would (the course's own template calls activation="sigmoid").
        names: the functions the load report describes. deadline: the submission's (time.monotonic()), which
        no wait of this worker goes past. early (spawn.EarlyWorker): an interpreter started ahead, used
        instead of a new one if not taken yet."""
        self.limits = limits
        self.deadline = deadline
        self.cell_count = len(submission.cells)
        self.names = tuple(names)
        started = early.take() if early is not None else None
        if started is not None:
            self.home, self.process, self.replies = started
        else:
            self.home = tempfile.mkdtemp(prefix="bpgrade-")
            reply_read, reply_write = os.pipe()
            self.process = spawn(self.home, reply_write)
            os.close(reply_write)
            self.replies = reply_read
        self.buffer = bytearray()  # what the worker sent that is not read as a message yet
        self.requests = self.process.stdin.fileno()
        os.set_blocking(self.requests, False)  # every write has a deadline: a student's code can stop reading
        self.last_statement = None
        self.loaded = None
        self.calls = 0  # calls sent; the worker numbers them the same way, and echoes the number in its replies
        header = {"op": "load", "cells": [{"label": c.label, "source": c.source} for c in submission.cells],
                  "names": list(names), "proxied": {name: list(params) for name, params in signatures.items()},
                  "skip": [list(at) for at in skip],
                  "statement_budget": limits.statement_seconds,
                  "sandbox": _sandbox_policy(limits, self.home, submission.path) if limits.sandbox else None}
        self._write(wire.request(header), self._until(limits.load_seconds))

    def _until(self, seconds):
        """A deadline seconds from now, or the submission's if that comes first."""
        return min(time.monotonic() + seconds, self.deadline)

    def _write(self, data, deadline):
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.requests, view):]
            except BlockingIOError:
                timeout = deadline - time.monotonic()
                if timeout <= 0 or not select.select([], [self.requests], [], timeout)[1]:
                    raise WorkerGone("timeout") from None
            except OSError:
                raise WorkerGone("crashed") from None

    def _buffered(self, size, deadline):
        """The first size bytes not yet taken from the worker's replies, reading what has come meanwhile."""
        while len(self.buffer) < size:
            timeout = deadline - time.monotonic()
            if timeout <= 0 or not select.select([self.replies], [], [], timeout)[0]:
                raise WorkerGone("timeout")
            chunk = os.read(self.replies, max(size - len(self.buffer), 1 << 16))
            if not chunk:
                raise WorkerGone("crashed")
            self.buffer += chunk
        return bytes(self.buffer[:size])

    def receive(self, deadline, max_bytes):
        """The next message: its header, the specs of its arrays and the bytes they are in (wire.decode_arrays).
        A message announcing more than max_bytes is refused before it is read: the worker is given up."""
        try:
            head_len, body_len = wire.decode_prefix(self._buffered(16, deadline), max_bytes, max_bytes)
            if head_len + body_len > max_bytes:
                raise wire.MessageTooLarge(head_len, body_len)
            frame = self._buffered(16 + head_len + body_len, deadline)
            del self.buffer[:len(frame)]
            header, specs = wire.decode_header(frame[16:16 + head_len])
            return header, specs, frame[16 + head_len:]
        except wire.MessageTooLarge:
            raise WorkerGone("too_large") from None
        except wire.WireError:
            raise WorkerGone("crashed") from None

    def wait_loaded(self):
        """The load report. The worker announces each statement that could stop it before running it; an
        announcement is believed only as far as it names a later statement of a cell that exists."""
        deadline = self._until(self.limits.load_seconds)
        while True:
            header, _, _ = self.receive(deadline, LOAD_MESSAGE_BYTES)
            at = header.get("at")
            if header.get("op") == "exec" and isinstance(at, list) and len(at) == 2 and all(_is_int(i) for i in at):
                at = tuple(at)
                exists = 0 <= at[0] < self.cell_count and at[1] >= 0
                if not exists or self.last_statement and at <= self.last_statement:
                    raise WorkerGone("crashed")
                self.last_statement = at
            elif header.get("op") == "loaded":
                self.loaded = _load_report(header, self.names)
                return self.loaded
            else:
                raise WorkerGone("crashed")

    def call_all(self, batch, answer_helper):
        """The outcome of each call of the batch, in order; WorkerGone for a call that hangs, crashes the worker
        or breaks the protocol. Each call has the time limit from the reply to the one before it."""
        first = self.calls + 1
        self.calls += len(batch.requests)
        deadline = self._until(self.limits.call_seconds)
        self._write(batch.payload, deadline)
        for index, request in enumerate(batch.requests):
            yield self._outcome(first + index, request, batch, index, answer_helper, deadline)
            deadline = self._until(self.limits.call_seconds)

    def _outcome(self, call_id, request, batch, index, answer_helper, deadline):
        helper_calls, trace = 0, ()
        limit = batch.reply_limits[index]
        while True:
            header, specs, body = self.receive(deadline, limit)
            if header.get("id") != call_id:
                continue  # a late reply to an earlier call (the student's code can write replies too)
            op = header.get("op")
            try:
                if op == "trace" and request.trace and not trace:
                    from .traced_lines import checked_records  # only a failing exercise is traced

                    trace = checked_records(header.get("records"))
                    continue
                if op == "returned":
                    return replace(_returned(request, batch.arguments[index], batch.right[index], header, specs, body),
                                   trace=trace)
                if op == "raised":
                    return CallOutcome("raised", error=_trusted(header.get("error"), ERROR_FIELDS), trace=trace)
                if op == "helper":
                    helper_calls += 1
                    args = wire.unpack(header["args"], wire.decode_arrays(specs, body), visible)
                    self._answer(request.exercise, visible(header.get("fn"), 100), args, answer_helper, deadline,
                                 helper_calls)
                    continue
            except (KeyError, wire.WireError):
                pass
            raise WorkerGone("crashed")

    def _answer(self, exercise, helper, args, answer_helper, deadline, helper_calls):
        """Answers a helper call with the reference, computed here; refused without computing when the call
        has asked too often, or with arrays larger than any case."""
        refusal = None
        if helper_calls > MAX_HELPER_CALLS:
            refusal = f"{helper} was called more than {MAX_HELPER_CALLS} times in one call"
        elif not _case_sized(args):  # the reference runs in this process: (n, 1) * (1, n) must not take it down
            refusal = f"{helper} was called with arrays larger than any case"
        if refusal:
            self._write(wire.request({"op": "helper_refused", "reason": refusal}), deadline)
            return
        answered, value = answer_helper(exercise, helper, args)
        if answered:
            self._write(wire.request({"op": "helper_result"}, value), deadline)
        else:
            self._write(wire.request({"op": "helper_refused", "reason": value}), deadline)

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


def _sealed_answers(answers):
    sealed = {}
    for helper, args, value in answers:
        key = wire.answer_key(helper, args)
        sealed[wire.answer_slot(key)] = wire.seal_answer(key, value)
    return sealed


def _returned(request, arguments, right, header, specs, body):
    """A returned call's outcome. Whether the call changed its arguments is judged here, from the bytes of the
    arguments the worker sent back: the same bytes as sent, unchanged. A reply of the arguments as sent and the
    reference's output is that output, undecoded (most correct answers are bit for bit the reference's)."""
    if right is not None and right.same_as(header, specs, body):
        return CallOutcome("returned", request.expected)
    arrays = wire.decode_arrays(specs, body)
    value = wire.unpack(header["value"], arrays, visible)
    if arguments.starts(header, specs, body):
        return CallOutcome("returned", value)
    after = wire.unpack(header["args_after"], arrays, visible)
    if not (isinstance(after, tuple) and len(after) == len(request.args)):
        raise wire.WireError("malformed arguments")
    return CallOutcome("returned", value, changed_arguments(request.args, after))


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
    return {"home": home, "hidden": hidden_paths(submission_path), "memory_bytes": limits.memory_bytes,
            "cpu_seconds": limits.cpu_seconds, "file_bytes": limits.file_bytes,
            "disk_bytes": limits.disk_bytes}


def hidden_paths(submission_path):
    """What the student's code must not read even where it lies inside the Python installation."""
    import importlib.util

    grader = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    hidden = {grader, os.path.dirname(os.path.abspath(submission_path))}
    try:
        solutions = importlib.util.find_spec("solutions")  # None in a student kit, which ships no solutions
    except (ImportError, ValueError):
        solutions = None
    if solutions is not None:
        hidden.update(solutions.submodule_search_locations or ())
    source_tree = os.path.dirname(grader)
    if os.path.exists(os.path.join(source_tree, "pyproject.toml")):  # a checkout: tests, tools, notes too
        hidden.add(source_tree)
    return sorted(os.path.realpath(path) for path in hidden)


# What the worker sends is untrusted: the student's code can write to the reply pipe itself. Only fields of the
# expected types get through, so that a forged message costs the student's grade, never a crash of ours.
ERROR_FIELDS = {"type": str, "message": str, "where": str, "line": int, "code": str}
NOTE_FIELDS = {"kind": str, "where": str, "line": int, "column": int, "code": str, "message": str, "type": str}
FUNCTION_FIELDS = {"callable": bool, "student": bool, "origin": str, "required": int, "positional": int,
                   "varargs": bool, "params": list, "where": str, "line": int}


MAX_TRUSTED_INT = 10**6  # lines, columns and parameter counts
MAX_TRUSTED_TEXT = 300  # a worker cuts its messages at 500: the report says how much more there was


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _trusted(raw, fields):
    """The fields of a worker's dict that have their expected type and a sensible size; the rest is dropped."""
    kept = {}
    for key, kind in (fields.items() if isinstance(raw, dict) else ()):
        value = raw.get(key)
        if kind is int and _is_int(value) and 0 <= value <= MAX_TRUSTED_INT or kind is bool and isinstance(value, bool):
            kept[key] = value
        elif kind is str and isinstance(value, str):
            kept[key] = visible(value, MAX_TRUSTED_TEXT)
        elif kind is list and isinstance(value, list) and all(isinstance(item, str) for item in value):
            kept[key] = [visible(item, 100) for item in value[:100]]
    if "where" in kept and "line" not in kept:
        del kept["where"]
    return kept


def _load_report(header, names):
    notes, functions = header.get("notes"), header.get("functions")
    notes = tuple(_trusted(note, NOTE_FIELDS) for note in notes[:MAX_NOTES]) if isinstance(notes, list) else ()
    functions = {name: _trusted(entry, FUNCTION_FIELDS) for name, entry in functions.items()
                 if name in names} if isinstance(functions, dict) else {}
    skipped = header.get("skipped_calls")
    return LoadReport(notes, functions, skipped if _is_int(skipped) and skipped >= 0 else 0)


def changed_arguments(before, after):
    """Positions of the arguments a call changed in place, judged here from what came back."""
    import numpy as np

    def same(old, new):
        if isinstance(old, np.ndarray):
            return isinstance(new, np.ndarray) and old.shape == new.shape and (
                old.dtype == new.dtype and old.tobytes() == new.tobytes()  # the usual case, quickly
                or bool(np.array_equal(old, new, equal_nan=old.dtype.kind in "fc" and new.dtype.kind in "fc")))
        if isinstance(old, dict):
            return isinstance(new, dict) and old.keys() == new.keys() and all(same(old[key], new[key]) for key in old)
        if isinstance(old, (tuple, list)):
            return isinstance(new, (tuple, list)) and len(old) == len(new) and all(map(same, old, new))
        return type(old) is type(new) and old == new

    return tuple(index for index, (old, new) in enumerate(zip(before, after)) if not same(old, new))


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

    def __init__(self, submission, signatures, limits=Limits(), spawn=start_interpreter, early=None, names=None):
        """signatures: {name: parameters} of every graded function (exercises.signatures); names: the
        functions the load report describes, all of them by default."""
        self.submission = submission
        self.signatures = signatures
        self.names = tuple(signatures) if names is None else tuple(names)
        self.limits = limits
        self.spawn = spawn
        self.skip = []
        self.load_report = None
        self.deadline = time.monotonic() + limits.submission_seconds  # no message, restart or call extends it
        self.worker = self._start(early)

    def _start(self, early=None):
        return Worker(self.submission, self.signatures, self.names, self.limits, self.deadline, self.skip,
                      self.spawn, early)

    def _loaded_worker(self):
        """A worker that has finished loading; statements that hang or kill it are skipped next time."""
        for _ in range(self.limits.restarts + 1):
            if time.monotonic() >= self.deadline:
                break
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
        if self.load_report is None:
            message = "the submission's code stops the process that loads it"
            if time.monotonic() >= self.deadline:
                message = f"the submission used up its time budget ({self.limits.submission_seconds:g} s)"
            self.load_report = LoadReport(({"kind": "crash", "message": message},), {})
        return None

    def run(self, requests, answer_helper):
        """The outcome of every request (CallRequests, or Calls encoded ahead), keyed (exercise, case_index)."""
        calls = requests if isinstance(requests, Calls) else Calls(requests)
        outcomes = {}
        for batch in calls.batches:
            worker = self._loaded_worker()
            if worker is None:
                kind = "timeout" if time.monotonic() >= self.deadline else "crashed"
                outcomes.update((_key(request), CallOutcome(kind)) for request in batch.requests)
                continue
            done = 0
            try:
                for outcome in worker.call_all(batch, answer_helper):
                    outcomes[_key(batch.requests[done])] = outcome
                    done += 1
            except WorkerGone as gone:
                # the exercise's other cases would hang or crash the same way, one at a time
                outcomes.update((_key(request), CallOutcome(gone.kind)) for request in batch.requests[done:])
                worker.close()
                self.worker = None
        return outcomes

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def _key(request):
    return request.exercise, request.case_index


def run_submission(session, requests, answer_helper, follow_up=None):
    """Every call's outcome, and what loading the submission reported. follow_up(outcomes, load) may ask for
    traced calls (CallRequests with trace set) in the same worker: their outcomes are RunResult.traced."""
    traced = {}
    try:
        outcomes = session.run(requests, answer_helper)
        load = session.load_report or session._loaded_worker() and session.load_report
        more = follow_up(outcomes, load) if follow_up is not None and load is not None else ()
        if more:
            traced = {exercise: outcome for (exercise, _), outcome in session.run(more, answer_helper).items()}
    finally:
        session.close()
    return RunResult(load, outcomes, traced=traced)
