# Hostile part: threads that never end: one started at load time that keeps a core busy, one started by
# sigmoid_backward that sleeps forever. Nothing else is wrong: every exercise should pass.
import threading
import time

import numpy as np


def _spin():
    while True:
        pass


class Starter:
    threading.Thread(target=_spin, daemon=False).start()


def sigmoid_backward(dA, cache):
    if threading.active_count() < 3:
        threading.Thread(target=time.sleep, args=(10**6,), daemon=False).start()
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)
