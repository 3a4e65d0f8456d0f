# Hostile part: relu_backward starts 200 children that leave the session and linger; it returns the
# right answer only when no child could be started, so a pass proves the forks failed.
import os
import time

import numpy as np


def relu_backward(dA, cache):
    started = 0
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError:
            continue
        if pid == 0:
            os.setsid()
            try:
                import ctypes

                ctypes.CDLL(None).prctl(15, b"__TOKEN__", 0, 0, 0)  # PR_SET_NAME: findable in /proc
            finally:
                time.sleep(600)
                os._exit(0)
        started += 1
    for command in ("sleep 600 &", "true"):
        started += os.system(command) == 0
    if started:
        return np.zeros_like(dA)
    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0
    return dZ
