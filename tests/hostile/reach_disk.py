# Hostile part: fills the disk. Each call of sigmoid_backward writes 256 MB more in the worker's folder, as 16 MB
# files (the largest a worker may write), so that the calls of its cases together write over 1 GB. It returns
# the right answer only if all it has on disk stayed within the 64 MB cap.
import os

import numpy as np

MB = 1 << 20
CALLS = []


def sigmoid_backward(dA, cache):
    CALLS.append(len(CALLS))
    for index in range(16):
        try:
            with open(f"call-{len(CALLS)}-{index}.bin", "wb") as handle:
                for _ in range(16):
                    handle.write(b"\xab" * MB)
                    handle.flush()
        except OSError:
            pass
    on_disk = sum(os.path.getsize(name) for name in os.listdir(".") if name.endswith(".bin"))
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s) * (1 if on_disk <= 64 * MB else 2)
