# Hostile part: update_parameters lowers a limit of every process it can name: the grader (its parent, and the
# pid the test passes in), the processes around its own pid (other students' workers in a class run), by
# resource.prlimit and by the raw system call. The limit is RLIMIT_MSGQUEUE set to 4242 bytes: harmless to any
# process on the machine running the tests, yet seen by the test and by canary students. It returns the right
# answer only if every attempt was refused, so a pass is also the worker's own evidence.
import copy
import ctypes
import os
import resource

MARK = 4242
GRADER = __GRADER_PID__  # a process of the grading user, named by the test: what a worker could guess
PRLIMIT64 = {"x86_64": 302, "aarch64": 261}


def update_parameters(params, grads, learning_rate):
    me = os.getpid()  # 1 in a PID namespace of its own, where the grader has no pid at all
    targets = {os.getppid(), GRADER, 1} | set(range(max(me - 64, 2), me + 64))
    targets -= {0, me}  # 0 and its own pid: itself
    landed = 0
    for pid in sorted(targets):
        try:
            resource.prlimit(pid, resource.RLIMIT_MSGQUEUE, (MARK, MARK))
            landed += 1
        except (OSError, ValueError):
            pass
    libc = ctypes.CDLL(None, use_errno=True)
    limit = (ctypes.c_uint64 * 2)(MARK, MARK)
    number = PRLIMIT64.get(os.uname().machine)
    for pid in (os.getppid(), GRADER):
        if number is not None and pid not in (0, me) and libc.syscall(number, pid, resource.RLIMIT_MSGQUEUE, limit,
                                                                      None) == 0:
            landed += 1
    parameters = copy.deepcopy(params)
    for l in range(len(parameters) // 2):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)] * (
            1 + landed)
    return parameters
