# Hostile part: prints a passing report and writes result files where a grading script might read them,
# then returns wrong values from linear_forward. It also writes a file far over the size limit, and
# leaves a folder without permissions in its private directory.
import json
import os
import sys

import numpy as np

FAKE = "PASS    linear_forward                10/10\nScore: 100/100\n"
RESULT = {"score": 100, "max_score": 100, "exercises": []}


class Pretend:
    print(FAKE)
    print(json.dumps(RESULT))


def linear_forward(A, W, b):
    print(FAKE)
    sys.stderr.write(json.dumps(RESULT))
    for folder in ("__WATCHED__", os.getcwd(), os.path.expanduser("~"), "/tmp", os.path.dirname(os.getcwd())):
        for name in ("results.json", "grades.csv", "report.json"):
            try:
                with open(os.path.join(folder, name), "w") as handle:
                    json.dump(RESULT, handle)
            except OSError:
                pass
    try:
        os.mkdir("locked", 0)  # a folder nobody may enter: our clean-up must still remove it
        with open("huge.bin", "wb") as handle:
            handle.write(b"\0" * (100 * 2**20))
    except OSError:
        pass
    return np.zeros((W.shape[0], A.shape[1])), (A, W, b)
