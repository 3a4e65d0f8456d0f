# Hostile part: compute_cost leaves objects in the kernel that would outlive grading and link concurrent workers:
# SysV shared memory (64 MB, keyed and private), a message queue, a semaphore set, through the C library and
# through the raw system calls, and a POSIX message queue. It returns the right cost only if none was created.
import ctypes
import os

import numpy as np

KEY = 0x0B9A_DE11
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
RAWS = {"x86_64": {"shmget": 29, "semget": 64, "msgget": 68}, "aarch64": {"shmget": 194, "semget": 190, "msgget": 186}}


def compute_cost(AL, Y):
    libc = ctypes.CDLL(None, use_errno=True)
    RAW = RAWS.get(os.uname().machine, {})
    created = [libc.shmget(KEY, 64 << 20, IPC_CREAT | 0o666), libc.shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0o600),
               libc.msgget(KEY, IPC_CREAT | 0o666), libc.semget(KEY, 4, IPC_CREAT | 0o666)]
    created += [libc.syscall(RAW["shmget"], KEY + 1, 1 << 20, IPC_CREAT | 0o666) if RAW else -1,
                libc.syscall(RAW["msgget"], KEY + 1, IPC_CREAT | 0o666) if RAW else -1,
                libc.syscall(RAW["semget"], KEY + 1, 1, IPC_CREAT | 0o666) if RAW else -1]
    try:
        created.append(libc.mq_open(b"/bpgrade-redteam", os.O_CREAT | os.O_RDWR, 0o666, None))
    except AttributeError:  # a C library without mq_open in it
        pass
    landed = sum(1 for handle in created if handle >= 0)
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(np.squeeze(cost)) * (1 + landed)
