"""Starting a worker interpreter: what session.Worker runs the student's code in.

Kept apart from run/session.py and light to import, so that grader/launch.py can start the worker before the
grader imports numpy, click and the reference: the two start-ups then overlap.
"""
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")


def start_interpreter(home, reply_write):
    """Starts a worker as a fresh interpreter in its own session. Any replacement (see grader/zygote.py) returns
    an object with the same stdin, pid and wait() as this Popen, running worker.main() the same way."""
    # imported rather than run as a script, so that its compiled form is cached like any module's
    bootstrap = (f"import sys; sys.path += {package_dirs()!r}; sys.path.insert(0, {os.path.dirname(WORKER)!r}); "
                 "import worker; del sys.path[0]; worker.main()")
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", bootstrap, str(reply_write)], stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(reply_write,), cwd=home,
        env=worker_environment(home), start_new_session=True,
    )


@functools.lru_cache(maxsize=None)
def package_dirs():
    """Where a worker imports numpy and the student's other packages from: this interpreter's site-packages.
    Workers run without the site module (-S): an environment's .pth start-up hooks cost tens of milliseconds
    per interpreter and give a worker nothing it needs."""
    import importlib.util
    import site

    dirs = site.getsitepackages() if hasattr(site, "getsitepackages") else []
    numpy = importlib.util.find_spec("numpy")
    if numpy is not None and numpy.origin:
        dirs.append(os.path.dirname(os.path.dirname(numpy.origin)))
    return tuple(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


def worker_environment(home):
    environment = {"HOME": home, "TMPDIR": home, "PATH": os.defpath, "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for kept in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL"):
        if kept in os.environ:
            environment[kept] = os.environ[kept]
    return environment


class EarlyWorker:
    """A worker interpreter started before the grader has imported what it needs (grader/launch.py); the first
    worker of the next Session takes it over, and close() ends it if none did."""

    def __init__(self, spawn=start_interpreter):
        self.home = tempfile.mkdtemp(prefix="bpgrade-")
        reply_read, reply_write = os.pipe()
        try:
            self.process = spawn(self.home, reply_write)
        except BaseException:
            os.close(reply_read)
            shutil.rmtree(self.home, ignore_errors=True)
            raise
        finally:
            os.close(reply_write)
        self.replies = reply_read
        self.taken = False

    def take(self):
        """(home, process, reply descriptor), once; None after that."""
        if self.taken:
            return None
        self.taken = True
        return self.home, self.process, self.replies

    def close(self):
        if self.taken:
            return
        self.taken = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.process.stdin.close()
        os.close(self.replies)
        shutil.rmtree(self.home, ignore_errors=True)
