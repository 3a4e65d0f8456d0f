"""The sandbox's parts: the read allow-list around hidden paths, the seccomp program, and degrading."""
import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.run import sandbox
from grader.grade import grade
from grader.run.session import Limits, hidden_paths
from grader.run.spawn import WORKER, worker_environment

REPO = Path(__file__).resolve().parents[2]
GRADER = REPO / "grader"
LINUX = sys.platform == "linux"


def tree(root, *files):
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_hidden_folders_are_carved_out_of_site_packages(tmp_path):
    site = tmp_path / "site-packages"
    tree(site, "numpy/__init__.py", "solutions/reference.py", "grader/check.py", "six.py")
    readable = sandbox.readable_paths([str(site)], [str(site / "solutions"), str(site / "grader")])
    assert sorted(readable) == [str(site / "numpy"), str(site / "six.py")]


def test_a_hidden_folder_deep_inside_a_root_keeps_its_siblings_readable(tmp_path):
    tree(tmp_path, "lib/python3/site-packages/solutions/reference.py", "lib/python3/os.py", "lib/libc.so")
    readable = sandbox.readable_paths([str(tmp_path / "lib")], [str(tmp_path / "lib/python3/site-packages/solutions")])
    assert sorted(readable) == [str(tmp_path / "lib/libc.so"), str(tmp_path / "lib/python3/os.py")]


def test_a_root_inside_a_hidden_folder_stays_readable(tmp_path):
    tree(tmp_path, "project/.venv/site-packages/numpy/__init__.py", "project/solutions/reference.py")
    venv = str(tmp_path / "project/.venv/site-packages")
    assert sandbox.readable_paths([venv, str(tmp_path / "project")], [str(tmp_path / "project")]) == [venv]


def test_the_grader_hides_its_own_tree_the_solutions_and_the_submissions_folder(tmp_path):
    hidden = hidden_paths(str(tmp_path / "class" / "alice.py"))
    assert {str(REPO), str(REPO / "grader"), str(REPO / "solutions"), str(tmp_path / "class")} <= set(hidden)


def run_bpf(program, number, arch, arguments=()):
    """What the kernel would do with one system call under a seccomp program (the subset we emit)."""
    arguments = list(arguments) + [0] * (6 - len(arguments))
    words = {sandbox.NUMBER: number, sandbox.ARCH: arch}
    words.update({16 + 8 * i: value & 0xFFFFFFFF for i, value in enumerate(arguments)})
    accumulator, at = 0, 0
    while True:
        code, jump_true, jump_false, k = program[at]
        if code == sandbox.RETURN:
            return k
        if code == sandbox.LOAD_WORD:
            accumulator = words[k]
            at += 1
            continue
        taken = {sandbox.JUMP_EQUAL: accumulator == k, sandbox.JUMP_AT_LEAST: accumulator >= k,
                 sandbox.JUMP_ANY_BIT: bool(accumulator & k)}[code]
        at += 1 + (jump_true if taken else jump_false)


MACHINES = sorted(sandbox.SYSCALLS)
DENY = sandbox.FAIL | errno.EPERM


@pytest.mark.parametrize("machine", MACHINES)
def test_every_jump_of_the_seccomp_program_lands_inside_it(machine):
    program = sandbox.seccomp_program(machine, own_pid=1234)
    assert program[-1] == (sandbox.RETURN, 0, 0, sandbox.ALLOW)
    for at, (code, jump_true, jump_false, _) in enumerate(program):
        if code != sandbox.RETURN:
            assert at + 1 + max(jump_true, jump_false) < len(program)


@pytest.mark.parametrize("machine", MACHINES)
def test_seccomp_program_decisions(machine):
    program, arch, pid = sandbox.seccomp_program(machine, own_pid=1234), sandbox.AUDIT_ARCH[machine], 1234
    numbers = {**sandbox.SYSCALLS[machine], **sandbox.COMMON_SYSCALLS}
    for name in sandbox.DENIED:
        if name in numbers:
            assert run_bpf(program, numbers[name], arch) == DENY, name
    assert run_bpf(program, numbers["clone"], arch, [0x3D0F00]) == sandbox.ALLOW  # what pthread_create passes
    assert run_bpf(program, numbers["clone"], arch, [0x11]) == DENY  # fork(): SIGCHLD only
    assert run_bpf(program, numbers["clone3"], arch) == sandbox.FAIL | errno.ENOSYS
    assert run_bpf(program, numbers["kill"], arch, [pid, 9]) == sandbox.ALLOW
    for target in (1, pid + 1, 0, -1, -pid):
        assert run_bpf(program, numbers["kill"], arch, [target, 9]) == DENY
    assert run_bpf(program, numbers["fcntl"], arch, [3, 8, pid + 1]) == DENY  # F_SETOWN
    assert run_bpf(program, numbers["fcntl"], arch, [3, 1]) == sandbox.ALLOW  # F_GETFD
    assert run_bpf(program, numbers["kill"], sandbox.AUDIT_ARCH["x86_64"] ^ 1, [pid, 9]) == DENY  # other ABI
    if machine == "x86_64":
        assert run_bpf(program, sandbox.X32_SYSCALL_BIT | 39, arch) == DENY  # x32 getpid


@given(st.integers(min_value=0, max_value=600))
def test_seccomp_allows_every_system_call_it_does_not_name(number):
    numbers = {**sandbox.SYSCALLS["x86_64"], **sandbox.COMMON_SYSCALLS}
    # with arguments (5, 5): not a thread, not this process, not a signal-owner command
    denied = {numbers[name] for name in sandbox.DENIED + sandbox.ONLY_TO_SELF + sandbox.ONLY_ON_SELF
              + ("clone", "setpriority") if name in numbers}
    verdict = run_bpf(sandbox.seccomp_program("x86_64", own_pid=1234), number, sandbox.AUDIT_ARCH["x86_64"], [5, 5])
    if number == numbers["clone3"]:
        assert verdict == sandbox.FAIL | errno.ENOSYS
    else:
        assert verdict == (DENY if number in denied else sandbox.ALLOW)


def confined(script, tmp_path, before=""):
    """Runs script in a fresh interpreter after sandbox.confine; returns what it printed as JSON."""
    home = tmp_path / "home"
    home.mkdir()
    program = textwrap.dedent(f"""
        import json, os, sys
        sys.path.insert(0, {str(GRADER / "run")!r})
        import numpy, sandbox
        del sys.path[0]
        {before}
        policy = {{"home": {str(home)!r}, "hidden": HIDDEN, "memory_bytes": 2**30, "cpu_seconds": 30,
                   "file_bytes": 2**20, "disk_bytes": 2**22}}
        missing = sandbox.confine(policy)
        def attempt(action):
            try:
                action()
                return "ok"
            except OSError as error:
                return type(error).__name__
    """) + textwrap.dedent(script)
    finished = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, text=True, timeout=60,
                              cwd=str(home), env=worker_environment(str(home)))
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


@pytest.mark.skipif(not LINUX, reason="Landlock and seccomp are Linux's")
def test_confined_process_reads_site_packages_but_not_what_is_carved_out(tmp_path):
    site = tmp_path / "site-packages"
    tree(site, "solutions/reference.py", "helpers/module.py")
    result = confined(f"""
        print(json.dumps({{"missing": missing,
            "solutions": attempt(lambda: open({str(site / 'solutions/reference.py')!r}).read()),
            "sibling": attempt(lambda: open({str(site / 'helpers/module.py')!r}).read()),
            "write site": attempt(lambda: open({str(site / 'new.py')!r}, "w")),
            "write home": attempt(lambda: open("notes.txt", "w")),
            "fork": attempt(os.fork)}}))
    """, tmp_path, before=f"sys.path.append({str(site)!r}); HIDDEN = [{str(site / 'solutions')!r}]")
    assert result == {"missing": [], "solutions": "PermissionError", "sibling": "ok",
                      "write site": "PermissionError", "write home": "ok", "fork": "PermissionError"}


@pytest.mark.skipif(not LINUX, reason="Landlock and seccomp are Linux's")
def test_without_landlock_one_warning_and_the_rest_still_holds(tmp_path):
    result = confined("""
        print(json.dumps({"missing": missing, "fork": attempt(os.fork)}))
    """, tmp_path, before="HIDDEN = []; sandbox.LANDLOCK_CREATE_RULESET = -1")
    assert len(result["missing"]) == 1 and "Landlock is not available" in result["missing"][0]
    assert result["fork"] == "PermissionError"


@pytest.mark.skipif(not LINUX, reason="Landlock and seccomp are Linux's")
def test_without_seccomp_a_warning_names_what_is_lost(tmp_path):
    result = confined("""
        print(json.dumps({"missing": missing, "socket": attempt(lambda: __import__("socket").create_connection(
            ("127.0.0.1", 9), timeout=0.1))}))
    """, tmp_path, before="HIDDEN = []; import platform; platform.machine = lambda: 'sparc64'; "
                          "sandbox.PROGRAM_AHEAD = sandbox.seccomp_program(platform.machine(), sandbox.OWN_PID)")
    assert len(result["missing"]) == 1 and "no seccomp filter for sparc64" in result["missing"][0]
    # the process limit binds every worker: a grader run as root gives each its own uid
    assert "start processes" not in result["missing"][0]
    assert result["socket"] == "PermissionError"  # Landlock still denies TCP


def spawn_without_landlock(home, reply_write):
    """A worker whose system lacks Landlock, as isolate.start_interpreter starts one otherwise."""
    program = (f"import sys; sys.path.insert(0, {str(GRADER / 'run')!r}); import sandbox, worker; "
               f"sandbox.LANDLOCK_CREATE_RULESET = -1; sys.argv = [{WORKER!r}, {str(reply_write)!r}]; worker.main()")
    return subprocess.Popen([sys.executable, "-I", "-c", program], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, pass_fds=(reply_write,), cwd=home,
                            env=worker_environment(home), start_new_session=True)


@pytest.mark.skipif(not LINUX, reason="Landlock and seccomp are Linux's")
def test_a_missing_mechanism_is_one_note_in_the_report_and_grading_goes_on():
    report = grade(str(REPO / "solutions" / "reference.py"), seed=3, limits=Limits(call_seconds=2),
                   spawn=spawn_without_landlock)
    warnings = [note for note in report.notes if "sandbox" in note]
    assert len(warnings) == 1 and "Landlock" in warnings[0]
    assert report.score == report.max_score
