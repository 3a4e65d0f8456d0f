# Hostile part: relu_backward and sigmoid_backward change dA in place (RB07, SB-), and first patch whatever in
# the worker could tell: every function named like a fingerprint or a comparison in the worker's modules is
# made to say "unchanged", and the worker's copy of the arguments is overwritten with the changed ones.
import sys

import numpy as np

for _module in list(sys.modules.values()):
    for _name in ("fingerprint", "changed_arguments", "same"):
        if hasattr(_module, _name):
            try:
                setattr(_module, _name, lambda *args, **kwargs: ())
            except (AttributeError, TypeError):
                pass


def relu_backward(dA, cache):
    dA[cache <= 0] = 0
    return dA


def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    dA *= s * (1 - s)
    return dA
