# Hostile part: tries to make the grader accept anything. It imports the grader (the real one if it can
# find it) and patches its comparisons, and patches numpy's; linear_forward then returns zeros, and
# relu_backward makes the classic in-place mistake (changes dA), which patched numpy would hide from a
# check made in this process.
import glob
import os
import sys

import numpy as np

import grader  # the worker's stand-in

grader.check = lambda *args, **kwargs: True
for finder in list(sys.meta_path):
    if type(finder).__name__ == "StandInFinder":
        sys.meta_path.remove(finder)


class Patch:
    for entry in list(sys.path):
        for editable in glob.glob(os.path.join(entry, "__editable__*finder.py")):
            try:
                text = open(editable).read()
                line = next(line for line in text.splitlines() if line.startswith("MAPPING"))
                sys.path.insert(0, os.path.dirname(eval(line.split("=", 1)[1])["grader"]))
            except Exception:
                pass
    try:
        import grader.check as real_check
        import grader.values as real_values

        real_check.compare = lambda *args, **kwargs: []
        real_values.close = lambda *args, **kwargs: True
    except Exception:
        pass


np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.ndarray.__eq__ = lambda self, other: True


def linear_forward(A, W, b):
    return np.zeros((W.shape[0], A.shape[1])), (A, W, b)


def relu_backward(dA, cache):
    dZ = dA
    dZ[cache <= 0] = 0
    return dZ
