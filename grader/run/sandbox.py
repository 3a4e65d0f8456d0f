"""Confinement of a student worker: the worker applies it to itself before any student code runs.

Layers, each closing what the others leave open:
- resource limits: address space, CPU seconds, size of a written file, open files, no core files;
- capabilities dropped: a grader run as root leaves the student none of root's powers;
- seccomp (Linux x86_64/aarch64): no new processes (threads are fine), no exec, no sockets, no signal
  or ptrace to another process, no changes to file modes, owners, times or attributes;
- Landlock (Linux >= 5.13): reading only the Python installation and the system libraries, minus the
  grader, the reference solutions and the submission's folder; writing only in the worker's private
  directory; no TCP (ABI 4); no signals out of the sandbox (ABI 6).
Whatever is missing on this system is named in one warning, never an error: grading still works.

Imported by the worker as a top-level module for confine (the grader's side of the policy, which paths to
hide, is isolate.hidden_paths): it imports nothing from the grader package.
"""
import ctypes
import errno
import os
import platform
import resource
import signal
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CLONE_THREAD = 0x10000
SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
OPEN_FILES = 256


def readable_paths(roots, hidden):
    """The roots, with every hidden path carved out of them.

    Landlock only grants: a root that contains a hidden path is replaced by its entries, recursively, so
    that everything but the hidden path stays readable (site-packages without `solutions`). A root inside
    a hidden folder stays readable: a virtual environment inside the project is still Python.
    """
    hidden = [os.path.realpath(path) for path in hidden]
    readable = []
    for root in roots:
        readable += _around(os.path.realpath(root), hidden)
    return readable


def _around(path, hidden):
    inner = [h for h in hidden if h == path or h.startswith(path.rstrip(os.sep) + os.sep)]
    if not inner:
        return [path] if os.path.exists(path) else []
    try:
        entries = sorted(os.listdir(path)) if path not in inner else []
    except OSError:  # not a folder, or not ours to list: nothing in it is granted
        return []
    return [kept for entry in entries for kept in _around(os.path.realpath(os.path.join(path, entry)), inner)]


def confine(policy):
    """Apply the policy to this process; returns what could not be applied, as phrases for one warning."""
    _limit_resources(policy)
    if sys.platform != "linux":
        return ["only resource limits apply on this system: the submission can read and write your files, "
                "use the network" + _forbid_processes()]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    missing = []
    _drop_capabilities(libc, missing)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return missing + ["no_new_privs is refused: neither Landlock nor seccomp could be applied"]
    landlock_abi = _landlock(libc, policy, missing)
    _seccomp(libc, missing, landlock_abi)
    return missing


def _limit_resources(policy):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file over the limit fails to grow, the worker lives on
    cpu = int(policy["cpu_seconds"])
    for name, soft, hard in (("RLIMIT_AS", policy["memory_bytes"], policy["memory_bytes"]),
                             ("RLIMIT_CPU", cpu, cpu + 1),  # SIGXCPU first, then SIGKILL a second later
                             ("RLIMIT_FSIZE", policy["file_bytes"], policy["file_bytes"]),
                             ("RLIMIT_NOFILE", OPEN_FILES, OPEN_FILES), ("RLIMIT_CORE", 0, 0)):
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        current = resource.getrlimit(limit)[1]
        ceiling = current if current != resource.RLIM_INFINITY else max(soft, hard)
        try:
            resource.setrlimit(limit, (min(int(soft), ceiling), min(int(hard), ceiling)))
        except (ValueError, OSError):  # e.g. macOS refuses some address-space limits: the others still hold
            pass


class CapabilityHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


def _drop_capabilities(libc, missing):
    empty = (ctypes.c_uint32 * 6)()  # effective, permitted and inheritable sets, two 32-bit words each
    if libc.capset(ctypes.byref(CapabilityHeader(0x20080522, 0)), empty) != 0:
        missing.append("capabilities could not be dropped")


# Landlock -----------------------------------------------------------------------------------------------------

LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446  # the same on every arch
READ_FILE, WRITE_FILE, READ_DIR = 1 << 2, 1 << 1, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_DIR, MAKE_REG, REFER, TRUNCATE = 1 << 4, 1 << 5, 1 << 7, 1 << 8, 1 << 13, 1 << 14
HANDLED_FS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
TCP_BIND_AND_CONNECT = 0b11
SCOPE_ABSTRACT_UNIX_AND_SIGNAL = 0b11
PRIVATE_DIR_RIGHTS = (READ_FILE | READ_DIR | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | REFER
                      | TRUNCATE)
FILE_RIGHTS = READ_FILE | WRITE_FILE | TRUNCATE | 1  # the rights a rule on a single file may carry (1: execute)


class PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock(libc, policy, missing):
    abi = libc.syscall(LANDLOCK_CREATE_RULESET, None, 0, 1)  # 1: LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        missing.append("Landlock is not available (Linux 5.13 or later with Landlock enabled): the submission "
                       "can read any file you can read and write in your folders")
        return 0
    handled_fs = HANDLED_FS.get(abi, HANDLED_FS[5])
    attributes = (ctypes.c_uint64 * 3)(handled_fs, TCP_BIND_AND_CONNECT if abi >= 4 else 0,
                                       SCOPE_ABSTRACT_UNIX_AND_SIGNAL if abi >= 6 else 0)
    ruleset = libc.syscall(LANDLOCK_CREATE_RULESET, attributes, 8 * (1 if abi < 4 else 2 if abi < 6 else 3), 0)
    if ruleset < 0:
        missing.append(f"Landlock refused a ruleset ({os.strerror(ctypes.get_errno())})")
        return 0
    try:
        roots = [path for path in sys.path if path] + list(SYSTEM_LIBRARIES)
        grants = [(path, READ_FILE | READ_DIR) for path in readable_paths(roots, policy["hidden"])]
        grants += [(device, READ_FILE | WRITE_FILE | TRUNCATE) for device in DEVICES]
        grants.append((policy["home"], PRIVATE_DIR_RIGHTS))
        for path, rights in grants:
            _grant(libc, ruleset, path, rights & handled_fs)
        if libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            missing.append(f"Landlock could not be applied ({os.strerror(ctypes.get_errno())})")
            return 0
    finally:
        os.close(ruleset)
    return abi


def _grant(libc, ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone, or not ours to see: nothing to grant
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        # 1: LANDLOCK_RULE_PATH_BENEATH. A refused rule only grants less, so grading goes on without it.
        libc.syscall(LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(PathBeneath(rights, fd)), 0)
    finally:
        os.close(fd)


# seccomp ------------------------------------------------------------------------------------------------------

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
COMMON_SYSCALLS = {"pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
                   "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438, "fchmodat2": 452, "setxattrat": 463,
                   "removexattrat": 466}
SYSCALLS = {
    "x86_64": {"socket": 41, "socketpair": 53, "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "kill": 62,
               "fcntl": 72, "chmod": 90, "fchmod": 91, "chown": 92, "fchown": 93, "lchown": 94, "ptrace": 101,
               "rt_sigqueueinfo": 129, "utime": 132, "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190,
               "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199, "tkill": 200, "tgkill": 234,
               "utimes": 235, "add_key": 248, "request_key": 249, "keyctl": 250, "fchownat": 260, "futimesat": 261,
               "fchmodat": 268, "unshare": 272, "utimensat": 280, "rt_tgsigqueueinfo": 297, "perf_event_open": 298,
               "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "memfd_create": 319, "bpf": 321,
               "execveat": 322, "userfaultfd": 323},
    "aarch64": {"setxattr": 5, "fcntl": 25, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15,
                "fremovexattr": 16, "fchmod": 52, "fchmodat": 53, "fchownat": 54, "fchown": 55, "utimensat": 88,
                "unshare": 97, "ptrace": 117, "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138,
                "socket": 198, "socketpair": 199, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220,
                "execve": 221, "rt_tgsigqueueinfo": 240, "perf_event_open": 241, "setns": 268,
                "process_vm_readv": 270, "process_vm_writev": 271, "memfd_create": 279, "bpf": 280,
                "execveat": 281, "userfaultfd": 282},
}
SIGNAL_OWNER_COMMANDS = (8, 15)  # fcntl's F_SETOWN and F_SETOWN_EX: SIGIO would go to that process
ONLY_TO_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # first argument: the target process
DENIED = ("fork", "vfork", "execve", "execveat", "socket", "socketpair", "ptrace", "tkill", "pidfd_send_signal",
          "pidfd_open", "pidfd_getfd", "process_vm_readv", "process_vm_writev", "unshare", "setns",
          "io_uring_setup", "io_uring_enter", "io_uring_register", "memfd_create", "bpf", "perf_event_open",
          "userfaultfd", "add_key", "request_key", "keyctl", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown",
          "fchown", "lchown", "fchownat", "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr",
          "fsetxattr", "setxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat")
LOAD_WORD, JUMP_EQUAL, JUMP_AT_LEAST, JUMP_ANY_BIT, RETURN = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, FAIL = 0x7FFF0000, 0x00050000  # FAIL | errno makes the call fail with that errno
NUMBER, ARCH, FIRST_ARGUMENT, SECOND_ARGUMENT = 0, 4, 16, 24  # offsets in struct seccomp_data (low words)


def seccomp_program(machine, own_pid):
    """The filter as (code, jump_if_true, jump_if_false, k) instructions, or None for an unknown machine."""
    if machine not in SYSCALLS:
        return None
    numbers = {**SYSCALLS[machine], **COMMON_SYSCALLS}
    deny = (RETURN, 0, 0, FAIL | errno.EPERM)
    program = [(LOAD_WORD, 0, 0, ARCH), (JUMP_EQUAL, 1, 0, AUDIT_ARCH[machine]), deny, (LOAD_WORD, 0, 0, NUMBER)]
    if machine == "x86_64":  # x32 system calls share the architecture word but not the numbers
        program += [(JUMP_AT_LEAST, 0, 1, X32_SYSCALL_BIT), deny]
    for name in DENIED:
        if name in numbers:
            program += [(JUMP_EQUAL, 0, 1, numbers[name]), deny]
    # clone3's flags sit in memory a filter cannot read; failing as if it did not exist makes C libraries use clone
    program += [(JUMP_EQUAL, 0, 1, numbers["clone3"]), (RETURN, 0, 0, FAIL | errno.ENOSYS)]
    program += [(JUMP_EQUAL, 0, 4, numbers["clone"]), (LOAD_WORD, 0, 0, FIRST_ARGUMENT),
                (JUMP_ANY_BIT, 0, 1, CLONE_THREAD), (RETURN, 0, 0, ALLOW), deny]
    for name in ONLY_TO_SELF:
        program += [(JUMP_EQUAL, 0, 4, numbers[name]), (LOAD_WORD, 0, 0, FIRST_ARGUMENT),
                    (JUMP_EQUAL, 0, 1, own_pid), (RETURN, 0, 0, ALLOW), deny]
    program += [(JUMP_EQUAL, 0, 5, numbers["fcntl"]), (LOAD_WORD, 0, 0, SECOND_ARGUMENT),
                (JUMP_EQUAL, 2, 0, SIGNAL_OWNER_COMMANDS[0]), (JUMP_EQUAL, 1, 0, SIGNAL_OWNER_COMMANDS[1]),
                (RETURN, 0, 0, ALLOW), deny]
    return program + [(RETURN, 0, 0, ALLOW)]


class Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Instruction))]


# The filter is built when this module is imported, which a zygote does once before forking its workers:
# a worker only puts its own pid where OWN_PID stands (no pid and no system call number is OWN_PID).
OWN_PID = 0xFFFFFFFF
PROGRAM_AHEAD = seccomp_program(platform.machine().lower(), OWN_PID)


def _seccomp(libc, missing, landlock_abi):
    program = PROGRAM_AHEAD and [(code, jt, jf, os.getpid() if k == OWN_PID else k)
                                 for code, jt, jf, k in PROGRAM_AHEAD]
    if program:
        packed = struct.pack("HBBI" * len(program), *[field for step in program for field in step])
        instructions = (Instruction * len(program)).from_buffer_copy(packed)
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(Program(len(program), instructions)), 0,
                      0) == 0:
            return
    reason = (f"for {platform.machine()}" if program is None else f"({os.strerror(ctypes.get_errno())})")
    lost = ["change file modes and times", "use UDP" if landlock_abi >= 4 else "use the network"]
    lost += ["signal your processes"] if landlock_abi < 6 else []
    missing.append(f"no seccomp filter {reason}: the submission can {', '.join(lost)}" + _forbid_processes())


def _forbid_processes():
    """Without seccomp, a process limit of 0 stops forks (and, on Linux, threads); root is exempt from it."""
    if os.geteuid() != 0:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
            return ""
        except (ValueError, OSError):
            pass
    return " and start processes that outlive grading"
