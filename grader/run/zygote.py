"""A zygote: one process that has imported numpy and the worker once, and forks a fresh worker per request.

Starting `python -I worker.py` and importing numpy costs far more than grading a submission, so a batch
pays it once per grading process instead of once per worker. Each forked worker is what session.Worker
expects of spawn.start_interpreter: its own session, its own home as working directory and the worker
environment, requests on fd 0, replies on the descriptor named in argv, nothing else inherited.

The zygote itself runs as `python -I -S zygote.py FD DIRS` and, like the worker, never imports the grader package
nor the reference solutions: a forked worker holds nothing the student's code should not see. OpenBLAS
starts no threads (OPENBLAS_NUM_THREADS=1 in the worker environment), so forking after numpy is safe.
This file is also imported as grader.zygote by the grading process, for the Zygote class.
"""
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")
MAX_MESSAGE = 1 << 16
REPLY_FD = 3  # where a forked worker finds its reply pipe, as argv tells it
PR_SET_PDEATHSIG = 1


class ZygoteGone(Exception):
    """The zygote died or broke the protocol."""


class Zygote:
    """The grading process's end: spawn(home, reply_write) is a drop-in for spawn.start_interpreter."""

    def __init__(self):
        self.home = tempfile.gettempdir()  # its working directory; it writes nothing, so it needs no folder of its own
        self.process, self.control = None, None
        self._start()

    def _start(self):
        from .spawn import package_dirs, worker_environment

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", os.path.abspath(__file__), str(theirs.fileno()), json.dumps(package_dirs())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.home,
            env=worker_environment(self.home), start_new_session=True,  # so a Ctrl-C of the batch skips it
        )
        theirs.close()
        self.control = ours

    def spawn(self, home, reply_write):
        from .spawn import worker_environment

        request_read, request_write = os.pipe()
        try:
            pid = self._spawn_or_restart(home, worker_environment(home), request_read, reply_write)
        except BaseException:
            os.close(request_write)
            raise
        finally:
            os.close(request_read)
        return ForkedWorker(self, pid, os.fdopen(request_write, "wb"))

    def _spawn_or_restart(self, home, environment, request_read, reply_write):
        message = {"op": "spawn", "home": home, "env": environment}
        try:
            return self._ask(message, (request_read, reply_write))["pid"]
        except ZygoteGone:  # killed from outside (e.g. by the OOM killer): one fresh zygote, then give up
            self._stop()
            self._start()
            return self._ask(message, (request_read, reply_write))["pid"]

    def reap(self, pid):
        try:
            return self._ask({"op": "wait", "pid": pid}).get("status")
        except ZygoteGone:
            return None  # a dead zygote's children are reaped by init

    def _ask(self, message, fds=()):
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            reply = self.control.recv(MAX_MESSAGE)
        except OSError:
            raise ZygoteGone() from None
        if not reply:
            raise ZygoteGone()
        answer = json.loads(reply)
        if "error" in answer:
            raise ZygoteGone(answer["error"])
        return answer

    def _stop(self):
        self.control.close()
        try:
            self.process.kill()
        except OSError:
            pass
        self.process.wait()

    def close(self):
        self._stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ForkedWorker:
    """What session.Worker uses of a Popen: stdin, pid, wait()."""

    def __init__(self, zygote, pid, stdin):
        self.zygote, self.pid, self.stdin = zygote, pid, stdin

    def wait(self):
        return self.zygote.reap(self.pid)


def serve(control_fd):
    """The zygote's loop: fork a worker per spawn request, reap one per wait request, stop at end of file."""
    sys.path.insert(0, HERE)
    import numpy  # noqa: F401 - imported once here, so every forked worker starts with it
    import worker

    del sys.path[0]
    prctl = _prctl()
    _die_with(os.getppid(), prctl)  # killed with the grading process; end of file on control ends it too
    gc.freeze()  # a worker's collections then skip what was imported here, instead of copying its pages
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 4)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        if request.get("op") == "spawn" and len(fds) == 2:
            reply = {"pid": _fork_worker(worker, prctl, control, request, *fds)}
        elif request.get("op") == "wait":
            reply = {"status": _wait(int(request["pid"]))}
        else:
            reply = {"error": "bad request"}
        for fd in fds:
            os.close(fd)
        control.send(json.dumps(reply).encode())


def _fork_worker(worker, prctl, control, request, request_read, reply_write):
    ready_read, ready_write = os.pipe()
    zygote = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            _die_with(zygote, prctl)
            os.setsid()
            os.close(ready_read)
            os.write(ready_write, b"1")  # the parent may kill our process group from now on
            _become_worker(worker, control, request, request_read, reply_write, ready_write)
        finally:
            os._exit(0)
    os.close(ready_write)
    os.read(ready_read, 1)
    os.close(ready_read)
    return pid


def _become_worker(worker, control, request, request_read, reply_write, ready_write):
    control.close()
    os.close(ready_write)
    os.chdir(request["home"])
    os.environ.clear()
    os.environ.update(request["env"])
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(request_read, 0)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.dup2(reply_write, REPLY_FD)
    os.closerange(REPLY_FD + 1, os.sysconf("SC_OPEN_MAX"))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh interpreter
    sys.argv = [WORKER, str(REPLY_FD)]
    worker.main()


def _prctl():
    """The C library's prctl, looked up once here rather than in every worker; None where there is none."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent():
    """This process is killed when its parent is (on Linux), so that none outlives a killed grader."""
    _die_with(os.getppid(), _prctl())


def _die_with(parent, prctl):
    """A worker whose grading process was killed must not run on (in an endless loop, say) as an orphan."""
    if prctl is None or prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        return  # not Linux: the CPU limit of the sandbox is the backstop
    if os.getppid() != parent:  # the zygote died before prctl took effect
        os._exit(1)


def _wait(pid):
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path += json.loads(sys.argv[2])  # started without the site module, as workers are (spawn.package_dirs)
    serve(int(sys.argv[1]))
