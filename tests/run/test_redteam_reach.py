"""Red team, reach: a submission can affect no process but its own worker and leaves nothing behind.

One test per attack class (tests/hostile/reach_*.py): prlimit on the grader, its group and the workers of other
students; scheduling and priorities of the grader and of the whole user; SysV and POSIX IPC objects; a grader
killed mid-run; 1 GB written to disk. Each asserts the effect itself (the grader's own limits and priority
unchanged, no IPC object in the kernel, no process or folder left), that the grader reports without a traceback,
and that honest classmates graded in the same run keep 100/100. Every hostile part also returns the right answer
only if all its attempts were refused, so its exercise passing is the worker's own evidence.

The command-line paths run twice where the system allows: as the user running the tests and, when that is
root, as an unprivileged user the test creates, through setpriv (root: a box uid per worker; an unprivileged
grader: a user namespace per worker).
"""
import csv
import errno
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from batch_class import REFERENCE
from test_sandbox import confined, run_bpf

from grader.run import sandbox
from grader.grade import grade
from grader.run.session import Limits

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "hostile"
LINUX = sys.platform == "linux"
LIMITS = Limits(call_seconds=2, statement_seconds=2, load_seconds=20)
MARK = 4242  # the RLIMIT_MSGQUEUE that reach_prlimit.py sets: harmless to any process, and seen
NICE = 7  # the niceness that reach_sched.py sets
IPC_KEYS = {0x0B9ADE11, 0x0B9ADE12}
UNPRIVILEGED = "bpgrade-redteam"

LINUX_ONLY = pytest.mark.skipif(not LINUX, reason="the mechanisms under test are Linux's")

# An honest student who also checks the worker it runs in: the right answers only if no classmate reached it.
CANARY = REFERENCE + '''

import os as _os
import resource as _resource


def _untouched():
    return (_resource.getrlimit(_resource.RLIMIT_MSGQUEUE)[0] != 4242 and _os.getpriority(_os.PRIO_PROCESS, 0) != 7
            and _os.sched_getscheduler(0) != _os.SCHED_IDLE)


_reference_linear_forward = linear_forward


def linear_forward(A, W, b):
    Z, cache = _reference_linear_forward(A, W, b)
    return (Z if _untouched() else Z + 1), cache
'''


def hostile(folder, name):
    path = Path(folder) / name
    part = (HOSTILE / name).read_text(encoding="utf-8").replace("__GRADER_PID__", str(os.getpid()))
    path.write_text(REFERENCE + "\n\n" + part, encoding="utf-8")
    path.chmod(0o644)
    return path


def grader_state():
    """What a reach into the grading process would change."""
    return (resource.getrlimit(resource.RLIMIT_MSGQUEUE), os.getpriority(os.PRIO_PROCESS, 0),
            os.sched_getscheduler(0), os.sched_getaffinity(0))


def kernel_objects():
    """The SysV IPC objects of this IPC namespace as (kind, key, id), and the POSIX message queues."""
    found = set()
    for kind in ("shm", "msg", "sem"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        found |= {(kind, int(line.split()[0]), int(line.split()[1])) for line in lines}
    if os.path.isdir("/dev/mqueue"):
        found |= {("mq", name, 0) for name in os.listdir("/dev/mqueue")}
    return found


def processes_in(folder):
    """Pids of the processes whose working directory lies in folder (workers in their folders, zygotes)."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if os.readlink(cwd).startswith(str(folder)):
                found.append(int(cwd.parent.name))
        except OSError:
            pass
    return found


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """The workers' folders go to homes/, where the test can see whether any stays behind."""
    folder = tmp_path / "homes"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def statuses(report):
    return {exercise.name: exercise.status for exercise in report.exercises}


@pytest.mark.parametrize("machine", sorted(sandbox.SYSCALLS))
def test_the_filter_lets_a_worker_act_on_itself_only(machine):
    program, arch, me = sandbox.seccomp_program(machine, own_pid=4321), sandbox.AUDIT_ARCH[machine], 4321
    numbers = {**sandbox.SYSCALLS[machine], **sandbox.COMMON_SYSCALLS}
    deny, allow = sandbox.FAIL | errno.EPERM, sandbox.ALLOW
    for name in ("prlimit64", "sched_setscheduler", "sched_setparam", "sched_setaffinity", "sched_setattr"):
        assert run_bpf(program, numbers[name], arch, [0, 7]) == allow, name  # 0: the caller (getrlimit's way)
        assert run_bpf(program, numbers[name], arch, [me, 7]) == allow, name
        for other in (1, me - 1, me + 1, 0xFFFFFFFF):
            assert run_bpf(program, numbers[name], arch, [other, 7]) == deny, (name, other)
    setpriority, prio_pgrp, prio_user = numbers["setpriority"], 1, 2
    assert run_bpf(program, setpriority, arch, [0, 0, 5]) == allow  # os.nice()
    assert run_bpf(program, setpriority, arch, [0, me, 5]) == allow
    for which, who in ((0, me + 1), (0, 1), (prio_pgrp, 0), (prio_pgrp, me), (prio_user, 0), (prio_user, 1000)):
        assert run_bpf(program, setpriority, arch, [which, who, 5]) == deny, (which, who)
    for name in ("shmget", "shmat", "msgget", "msgsnd", "semget", "semop", "mq_open", "ioprio_set", "kcmp",
                 "move_pages", "migrate_pages", "process_madvise", "perf_event_open", "mount", "keyctl"):
        assert run_bpf(program, numbers[name], arch, [0, 0, 0]) == deny, name


def test_every_refused_call_has_a_number_on_some_machine_and_no_number_is_two_calls():
    for machine, table in sandbox.SYSCALLS.items():
        numbers = {**table, **sandbox.COMMON_SYSCALLS}
        assert len(set(numbers.values())) == len(numbers), machine
    known = set().union(*sandbox.SYSCALLS.values(), sandbox.COMMON_SYSCALLS)
    assert set(sandbox.DENIED) <= known


@LINUX_ONLY
@pytest.mark.parametrize("name, exercise", [("reach_prlimit.py", "update_parameters"),
                                            ("reach_sched.py", "linear_backward"),
                                            ("reach_ipc.py", "compute_cost")])
def test_a_worker_changes_nothing_of_the_grader_and_leaves_no_kernel_object(tmp_path, homes, name, exercise):
    before, objects = grader_state(), kernel_objects()
    report = grade(str(hostile(tmp_path, name)), seed=5, limits=LIMITS)
    assert grader_state() == before, "the worker changed the grading process"
    assert kernel_objects() - objects == set(), "an IPC object outlived the worker"
    assert not {key for _, key, _ in kernel_objects()} & IPC_KEYS
    assert statuses(report)[exercise] == "passed", "an attempt got through inside the worker"
    assert report.score == report.max_score and not report.notes, report.notes
    assert list(homes.iterdir()) == []


@LINUX_ONLY
def test_a_worker_writing_1_gb_is_stopped_at_the_cap_and_leaves_nothing(tmp_path, homes):
    free_before = shutil.disk_usage(homes).free
    report = grade(str(hostile(tmp_path, "reach_disk.py")), seed=5, limits=LIMITS)
    if report.notes:
        pytest.skip("no private tmpfs on this system: " + "; ".join(report.notes))
    assert statuses(report)["sigmoid_backward"] == "passed", "more than 64 MB reached the worker's folder"
    assert report.score == report.max_score
    assert list(homes.iterdir()) == []
    assert shutil.disk_usage(homes).free > free_before - 100 * 2**20  # the writes never reached this disk


@LINUX_ONLY
def test_without_namespaces_one_note_and_grading_goes_on(tmp_path, homes):
    def spawn_without_namespaces(home, reply_write):
        grader = REPO / "grader" / "run"
        program = (f"import sys; sys.path.insert(0, {str(grader)!r}); import sandbox, worker; "
                   f"sandbox.CLONE_NEWNET = -1; sys.argv = [{str(grader / 'worker.py')!r}, {str(reply_write)!r}]; "
                   "worker.main()")
        from grader.run.spawn import worker_environment

        return subprocess.Popen([sys.executable, "-I", "-c", program], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(reply_write,),
                                cwd=home, env=worker_environment(home), start_new_session=True)

    report = grade(str(hostile(tmp_path, "reach_prlimit.py")), seed=5, limits=LIMITS,
                   spawn=spawn_without_namespaces)
    assert len(report.notes) == 1 and "no namespaces of its own" in report.notes[0]
    assert report.score == report.max_score  # seccomp alone still refuses every prlimit
    assert list(homes.iterdir()) == []


@LINUX_ONLY
@pytest.mark.skipif(os.geteuid() != 0, reason="only a grader run as root gives workers a uid of their own")
def test_a_box_uid_this_user_namespace_cannot_map_is_one_note_and_the_rest_holds(tmp_path):
    result = confined("""
        import resource
        print(json.dumps({"missing": missing, "uid": os.getuid(), "fork": attempt(os.fork),
                          "prlimit": attempt(lambda: resource.prlimit(GRADER, resource.RLIMIT_MSGQUEUE,
                                                                      (4242, 4242)))}))
    """, tmp_path, before=f"HIDDEN = []; sandbox.BOX_UIDS = 2**32 - 1; GRADER = {os.getpid()}")
    assert len(result["missing"]) == 1 and "no uid of its own" in result["missing"][0]
    assert result["uid"] == 0 and result["fork"] == "PermissionError"
    assert result["prlimit"] in ("PermissionError", "ProcessLookupError")


# The command line, as the invoking user and as an unprivileged one -----------------------------------------------

def unprivileged_user():
    """(uid, gid) of a system user this test creates for the purpose, or the reason it cannot."""
    if os.geteuid() != 0:
        return None, "the tests do not run as root: they already run unprivileged"
    if not shutil.which("setpriv"):
        return None, "setpriv is not installed"
    try:
        entry = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        if not shutil.which("useradd") or subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", UNPRIVILEGED],
                capture_output=True).returncode != 0:
            return None, "cannot create a user"
        entry = pwd.getpwnam(UNPRIVILEGED)
    return (entry.pw_uid, entry.pw_gid), ""


def command(user, *args):
    """The grader's command line, as this process's user or (user: (uid, gid)) through setpriv."""
    if user is None:
        return [sys.executable, "-m", "grader", *args], {}
    # this interpreter may lie under /root; the system's, with our packages on its path, is readable by anyone
    python = f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"
    site = os.path.dirname(os.path.dirname(__import__("numpy").__file__))
    return (["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", python, "-m", "grader", *args],
            {"PYTHONPATH": os.pathsep.join((str(REPO), site))})


@pytest.fixture(params=["invoking user", "unprivileged user"])
def run_as(request, tmp_path):
    """(user, a folder for the test's files that this user can reach): None for the invoking user."""
    if request.param == "invoking user":
        yield None, tmp_path
        return
    ids, reason = unprivileged_user()
    if ids is None:
        pytest.skip(reason)
    probe = command(ids, "--help")
    if subprocess.run(probe[0], capture_output=True, env={**os.environ, **probe[1]}).returncode != 0:
        pytest.skip(f"the grader does not start as {UNPRIVILEGED} (its packages are not readable by others)")
    folder = Path(tempfile.mkdtemp(prefix="redteam-", dir="/tmp"))  # pytest's own folders are root's only
    folder.chmod(0o777)
    yield ids, folder
    shutil.rmtree(folder, ignore_errors=True)


def start(user, tmp, *args):
    argv, extra = command(user, *args)
    environment = {**os.environ, **extra, "TMPDIR": str(tmp)}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
                            start_new_session=True)


def private_tmp(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    return tmp


@LINUX_ONLY
@pytest.mark.parametrize("name, exercise", [("reach_prlimit.py", "update_parameters"),
                                            ("reach_sched.py", "linear_backward"),
                                            ("reach_ipc.py", "compute_cost"),
                                            ("reach_disk.py", "sigmoid_backward")])
def test_grade_file_reports_every_reach_attempt_refused(run_as, name, exercise):
    user, tmp_path = run_as
    tmp, objects = private_tmp(tmp_path), kernel_objects()
    finished = start(user, tmp, str(hostile(tmp_path, name)), "--seed", "5")
    stdout, stderr = finished.communicate(timeout=120)
    assert "Traceback" not in stdout + stderr
    assert f"PASS    {exercise}" in stdout, stdout
    assert "Score: 100/100" in stdout, stdout
    assert kernel_objects() - objects == set()
    assert list(tmp.iterdir()) == []


LOOPING = REFERENCE.replace("    Z = W @ A + b\n", "    while True:\n        pass\n", 1)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@LINUX_ONLY
@pytest.mark.parametrize("layout", ["one file", "class"])
def test_nothing_outlives_a_grader_killed_mid_run(run_as, layout):
    user, tmp_path = run_as
    tmp = private_tmp(tmp_path)
    students = tmp_path / "class"
    students.mkdir()
    students.chmod(0o777)
    for number in range(1 if layout == "one file" else 4):
        (students / f"student_{number}.py").write_text(f"# {number}\n" + LOOPING, encoding="utf-8")
        (students / f"student_{number}.py").chmod(0o644)
    target = students / "student_0.py" if layout == "one file" else students
    out = tmp_path / "out"
    extra = () if layout == "one file" else ("--out", str(out), "--jobs", "2")
    grader = start(user, tmp, str(target), "--timeout", "60", *extra)
    try:
        assert wait_for(lambda: len(processes_in(tmp)) >= (1 if layout == "one file" else 2), 60), \
            "no worker started: the test would prove nothing"
    finally:
        os.kill(grader.pid, signal.SIGKILL)
        grader.communicate()
    assert wait_for(lambda: not processes_in(tmp), 10), f"left running: {processes_in(tmp)}"
    assert wait_for(lambda: list(tmp.iterdir()) == [], 5), f"left on disk: {list(tmp.iterdir())}"


@LINUX_ONLY
def test_a_class_keeps_honest_grades_beside_students_who_reach_out(run_as):
    user, tmp_path = run_as
    tmp, objects = private_tmp(tmp_path), kernel_objects()
    students = tmp_path / "class"
    students.mkdir()
    students.chmod(0o777)
    for number in range(5):
        (students / f"canary_{number}.py").write_text(f"# {number}\n" + CANARY, encoding="utf-8")
    for name in ("reach_prlimit.py", "reach_sched.py", "reach_ipc.py"):
        hostile(students, name)
    for path in students.iterdir():
        path.chmod(0o644)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    finished = start(user, tmp, str(students), "--out", str(out), "--jobs", "2", "--seed", "3")
    stdout, stderr = finished.communicate(timeout=300)
    assert finished.returncode == 0, stdout + stderr
    assert "Traceback" not in stdout + stderr
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert len(rows) == 8
    assert {student: row["total"] for student, row in rows.items()} == {student: "100" for student in rows}
    assert kernel_objects() - objects == set()
    assert list(tmp.iterdir()) == []
