"""Confinement of a student worker: the worker applies it to itself before any student code runs.

Layers, each closing what the others leave open:
- resource limits: address space, CPU seconds, size of a written file, open files, no core files;
- capabilities dropped: a grader run as root leaves the student none of root's powers, and a uid of its own;
- namespaces of its own (IPC, network, mount; without root, a user and a PID namespace too), with its
  folder a size-limited tmpfs that the kernel frees with it; it dies with its parent;
- seccomp (Linux x86_64/aarch64): no new processes (threads are fine), no exec, no sockets, no signal,
  ptrace, limit or priority change to another process, no IPC object, no mounts, no changes to file
  modes, owners, times or attributes (the README's table lists every refused call);
- Landlock (Linux >= 5.13): reading only the Python installation and the system libraries, minus the
  grader, the reference solutions and the submission's folder; writing only in the worker's private
  directory; no TCP (ABI 4); no signals out of the sandbox (ABI 6).
Whatever is missing on this system is named in one warning, never an error: grading still works.

Imported by the worker as a top-level module for confine (the grader's side of the policy, which paths to
hide, is session.hidden_paths): it imports nothing from the grader package.
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
    parent = os.getppid()
    box = _box_uid(missing)
    pid_namespace = _own_namespaces(libc, policy, box, missing)
    # A root-only Python installation (/root/.pyenv) stays importable for the box uid: what it reads is bounded
    # by Landlock (without Landlock, it reads what root can, as the warning says).
    keep = 1 << CAP_DAC_READ_SEARCH if box is not None else 0
    if box is not None:
        _become(libc, box, keep)
    _drop_capabilities(libc, missing, keep)
    _die_with(libc, parent)  # after the change of uid, which clears the parent-death signal
    if pid_namespace:
        _enter_pid_namespace(libc)
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


def _drop_capabilities(libc, missing, keep=0):
    sets = (ctypes.c_uint32 * 6)(keep, keep, 0, 0, 0, 0)  # effective, permitted, inheritable; two words each
    if libc.capset(ctypes.byref(CapabilityHeader(0x20080522, 0)), sets) != 0:
        missing.append("capabilities could not be dropped")


def _die_with(libc, parent):
    """The worker is killed with its parent (the grader, or a zygote that is killed with the grader)."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(1)


# Namespaces, a private temp folder and a uid of its own ------------------------------------------------------

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x20000, 0x8000000, 0x10000000, 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_KEEPCAPS, CAP_DAC_READ_SEARCH = 1, 8, 2
# A grader run as root gives each worker the uid BOX_UIDS + its pid (and that gid): above the ranges of users,
# systemd's dynamic users and containers (up to 0x6FFFFFFF), below the signed-int limit some tools assume.
BOX_UIDS = 0x70000000
FOLDER_FILES = 4096  # files and folders a worker's private temp folder may hold
CAT = "/bin/cat"


def _own_namespaces(libc, policy, box, missing):
    """Own IPC, network and mount namespaces (and, without root, a user namespace to create them in, and a PID
    namespace); the worker's folder becomes a tmpfs of policy["disk_bytes"] there, which the kernel frees with
    the worker.
    Returns whether the worker's children (see _enter_pid_namespace) go to a PID namespace of their own: only
    without root, where no uid of its own puts the grader's processes out of its reach; the PID namespace costs
    a fork and an exec per worker (bench/bench_sandbox.py)."""
    flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | (0 if box is not None else CLONE_NEWUSER)
    uid, gid = os.getuid(), os.getgid()
    pid_namespace = box is None and libc.unshare(flags | CLONE_NEWPID) == 0
    if not pid_namespace and libc.unshare(flags) != 0:
        missing.append(f"no namespaces of its own ({os.strerror(ctypes.get_errno())}): its folder is limited per "
                       "file, not in total, and stays behind if the grader is killed")
        if box is not None:
            os.chown(policy["home"], box, box)
        return False
    if box is None:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as mapping:
                mapping.write(text)
    if not _private_folder(libc, policy, box):
        missing.append(f"no private folder ({os.strerror(ctypes.get_errno())}): its folder is limited per file, "
                       "not in total, and stays behind if the grader is killed")
        if box is not None:
            os.chown(policy["home"], box, box)
    return pid_namespace


def _enter_pid_namespace(libc):
    """Returns in a child that is pid 1 of the new PID namespace, where no process outside has a pid it could
    name. This process (the pid the grader knows) stays as its parent, and ends when the child does: it becomes
    `cat` reading a pipe that only the child writes to, so that the child does not copy each page it writes to
    (a Python parent would share them all); each dies with the other."""
    up_read, up_write = os.pipe()  # end of file for the parent: the child is gone
    down_read, down_write = os.pipe()  # end of file for the child: the parent is gone
    child = os.fork()
    if child == 0:
        os.close(up_read)
        os.close(down_write)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.set_blocking(down_read, False)
        try:
            if os.read(down_read, 1) == b"":  # the parent died before the signal was set
                os._exit(1)
        except BlockingIOError:
            pass
        os.close(down_read)
        return
    os.dup2(up_read, 0)
    os.dup2(down_write, 1)
    os.closerange(2, os.sysconf("SC_OPEN_MAX"))  # the pipes to the grader stay the child's alone
    try:
        os.execv(CAT, [CAT])
    except OSError:  # no cat here: wait in Python, at the price of the copies
        os.waitpid(child, 0)
    os._exit(0)


def _private_folder(libc, policy, box):
    """A size-limited tmpfs at the worker's folder. Where nothing the worker reads lies beside its folder (the
    system's temp folder), the tmpfs covers the parent and the grader's empty folder is removed at once: then
    nothing of the worker is on disk, even if the grader is killed."""
    home = policy["home"]
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    parent = os.path.dirname(home)
    needed = [os.path.realpath(path) for path in sys.path if path] + list(SYSTEM_LIBRARIES) + list(DEVICES)
    cover = home if any(path == parent or path.startswith(parent + os.sep) for path in needed) else parent
    owner = f",uid={box},gid={box}" if box is not None else ""
    options = f"size={int(policy['disk_bytes'])},nr_inodes={FOLDER_FILES},mode=0700{owner}"
    beneath = os.open(parent, os.O_PATH | os.O_DIRECTORY)
    try:
        if libc.mount(b"tmpfs", cover.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options.encode()) != 0:
            return False
        if cover == parent:
            os.mkdir(home, 0o700)
            if box is not None:
                os.chown(home, box, box)
            try:
                os.rmdir(os.path.basename(home), dir_fd=beneath)  # the grader's folder, under the tmpfs
            except OSError:
                pass  # not empty, or not ours to remove: the grader removes it when the worker ends
        os.chdir(home)
    finally:
        os.close(beneath)
    return True


def leave_folder():
    """Removes the worker's folder if it is still the grader's empty one (the worker was not confined yet)."""
    try:
        os.rmdir(os.getcwd())
    except OSError:  # a tmpfs, not empty, or not ours to remove: the grader or the kernel removes it
        pass


def _box_uid(missing):
    """BOX_UIDS + this pid (unique among the living) under root, if this user namespace maps it: the root of a
    container often has 65536 uids only. None otherwise."""
    if os.geteuid() != 0:
        return None
    box = BOX_UIDS + os.getpid()
    if _mapped("uid_map", box) and _mapped("gid_map", box):
        return box
    missing.append("no uid of its own (this user namespace maps none for it): it runs as uid 0 without "
                   "capabilities, so the grader's processes are its own to prlimit and renice but for seccomp")
    return None


def _mapped(name, number):
    try:
        fd = os.open(f"/proc/self/{name}", os.O_RDONLY)
        try:
            lines = os.read(fd, 1 << 16).splitlines()
        finally:
            os.close(fd)
        return any(first <= number < first + count for first, _, count in ([int(w) for w in line.split()]
                                                                               for line in lines))
    except (OSError, ValueError):
        return False


def _become(libc, box, keep):
    """Becomes the box uid, so that every call on another process fails for want of permission too."""
    os.setgroups([])
    if keep:
        libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
    os.setresgid(box, box, box)
    os.setresuid(box, box, box)


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
                   "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
                   "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440,
                   "mount_setattr": 442, "quotactl_fd": 443, "process_mrelease": 448, "set_mempolicy_home_node": 450,
                   "fchmodat2": 452, "setxattrat": 463, "removexattrat": 466}
SYSCALLS = {
    "x86_64": {"shmget": 29, "shmat": 30, "shmctl": 31, "socket": 41, "socketpair": 53, "clone": 56, "fork": 57,
               "vfork": 58, "execve": 59, "kill": 62, "semget": 64, "semop": 65, "semctl": 66, "shmdt": 67,
               "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "fcntl": 72, "chmod": 90, "fchmod": 91,
               "chown": 92, "fchown": 93, "lchown": 94, "ptrace": 101, "syslog": 103, "rt_sigqueueinfo": 129,
               "utime": 132, "uselib": 134, "personality": 135, "setpriority": 141, "sched_setparam": 142,
               "sched_setscheduler": 144,
               "vhangup": 153, "modify_ldt": 154, "pivot_root": 155, "adjtimex": 159, "chroot": 161, "acct": 163,
               "settimeofday": 164, "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169,
               "sethostname": 170, "setdomainname": 171, "iopl": 172, "ioperm": 173, "init_module": 175,
               "delete_module": 176, "quotactl": 179, "nfsservctl": 180, "setxattr": 188, "lsetxattr": 189,
               "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199, "tkill": 200,
               "sched_setaffinity": 203, "lookup_dcookie": 212, "semtimedop": 220, "clock_settime": 227,
               "tgkill": 234, "utimes": 235, "mbind": 237, "set_mempolicy": 238, "mq_open": 240, "mq_unlink": 241,
               "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
               "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "ioprio_set": 251,
               "migrate_pages": 256, "fchownat": 260, "futimesat": 261, "fchmodat": 268, "unshare": 272,
               "get_robust_list": 274, "move_pages": 279, "utimensat": 280, "rt_tgsigqueueinfo": 297,
               "perf_event_open": 298, "fanotify_init": 300, "prlimit64": 302, "name_to_handle_at": 303,
               "open_by_handle_at": 304, "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310,
               "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "sched_setattr": 314,
               "memfd_create": 319, "kexec_file_load": 320, "bpf": 321, "execveat": 322, "userfaultfd": 323},
    "aarch64": {"setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15,
                "fremovexattr": 16, "lookup_dcookie": 18, "fcntl": 25, "ioprio_set": 30, "umount2": 39,
                "mount": 40, "pivot_root": 41, "fchmod": 52, "fchmodat": 53, "fchownat": 54, "fchown": 55,
                "chroot": 51, "vhangup": 58, "quotactl": 60, "utimensat": 88, "acct": 89, "personality": 92,
                "unshare": 97, "get_robust_list": 100, "kexec_load": 104, "init_module": 105, "delete_module": 106,
                "clock_settime": 112, "syslog": 116, "ptrace": 117, "sched_setparam": 118,
                "sched_setscheduler": 119, "sched_setaffinity": 122, "kill": 129, "tkill": 130, "tgkill": 131,
                "rt_sigqueueinfo": 138, "setpriority": 140, "reboot": 142, "sethostname": 161,
                "setdomainname": 162, "settimeofday": 170, "adjtimex": 171, "mq_open": 180, "mq_unlink": 181,
                "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184, "mq_getsetattr": 185,
                "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "semget": 190, "semctl": 191,
                "semtimedop": 192, "semop": 193, "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197,
                "socket": 198, "socketpair": 199, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220,
                "execve": 221, "swapon": 224, "swapoff": 225, "mbind": 235, "set_mempolicy": 237,
                "migrate_pages": 238, "move_pages": 239, "rt_tgsigqueueinfo": 240, "perf_event_open": 241,
                "prlimit64": 261, "fanotify_init": 262, "name_to_handle_at": 264, "open_by_handle_at": 265,
                "clock_adjtime": 266, "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271,
                "kcmp": 272, "finit_module": 273, "sched_setattr": 274, "memfd_create": 279, "bpf": 280,
                "execveat": 281, "userfaultfd": 282, "kexec_file_load": 294},
}
SIGNAL_OWNER_COMMANDS = (8, 15)  # fcntl's F_SETOWN and F_SETOWN_EX: SIGIO would go to that process
ONLY_TO_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # first argument: the target process
# First argument: the process acted on, where 0 also means the caller. Python's resource.getrlimit is prlimit64(0).
ONLY_ON_SELF = ("prlimit64", "sched_setscheduler", "sched_setparam", "sched_setaffinity", "sched_setattr")
PRIO_PROCESS = 0  # setpriority(which, who): only (PRIO_PROCESS, 0 or self); a group or a user is other processes
# What is refused outright, by why (the README's table of the system calls lists the same groups).
REFUSED = {
    "start a process or a program": ("fork", "vfork", "execve", "execveat"),
    "reach the network or another process through a socket": ("socket", "socketpair"),
    "act on another process": ("ptrace", "tkill", "pidfd_send_signal", "pidfd_open", "pidfd_getfd",
                               "process_vm_readv", "process_vm_writev", "process_madvise", "process_mrelease",
                               "kcmp", "get_robust_list", "ioprio_set", "migrate_pages", "move_pages"),
    "leave an object in the kernel, shared between processes": (
        "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop",
        "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
        "mq_getsetattr", "add_key", "request_key", "keyctl", "memfd_create"),
    "reach the kernel's larger interfaces": ("bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
                                             "io_uring_enter", "io_uring_register", "fanotify_init",
                                             "lookup_dcookie", "uselib", "modify_ldt", "personality"),
    "leave its namespaces or change the mounts": ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
                                                  "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
                                                  "fspick", "mount_setattr", "name_to_handle_at",
                                                  "open_by_handle_at"),
    "change the system (root's powers, refused twice)": (
        "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "swapon",
        "swapoff", "acct", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "sethostname",
        "setdomainname", "iopl", "ioperm", "quotactl", "quotactl_fd", "syslog", "vhangup", "nfsservctl",
        "mbind", "set_mempolicy", "set_mempolicy_home_node"),
    "change file modes, owners, times or attributes": (
        "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utime", "utimes",
        "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr",
        "lremovexattr", "fremovexattr", "removexattrat"),
}
DENIED = tuple(name for names in REFUSED.values() for name in names)
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
    for name in ONLY_ON_SELF:
        program += [(JUMP_EQUAL, 0, 5, numbers[name]), (LOAD_WORD, 0, 0, FIRST_ARGUMENT),
                    (JUMP_EQUAL, 2, 0, own_pid), (JUMP_EQUAL, 1, 0, 0), deny, (RETURN, 0, 0, ALLOW)]
    program += [(JUMP_EQUAL, 0, 7, numbers["setpriority"]), (LOAD_WORD, 0, 0, FIRST_ARGUMENT),
                (JUMP_EQUAL, 0, 3, PRIO_PROCESS), (LOAD_WORD, 0, 0, SECOND_ARGUMENT), (JUMP_EQUAL, 2, 0, own_pid),
                (JUMP_EQUAL, 1, 0, 0), deny, (RETURN, 0, 0, ALLOW)]
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
