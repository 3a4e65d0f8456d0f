# Hostile part: looks for reference outputs anywhere in its worker's memory. The test puts in __SECRETS__ the
# bytes (hex) of every output the reference computed for the cases and every answer its helpers gave; this
# part walks every object it can reach (the garbage collector's, their referents, closures and cells, every
# frame and its locals, every module's dict) when it is loaded and again during the first call of each
# composite exercise, and returns the indices of the secrets it found in any array, bytes, bytearray or
# memoryview.
import gc
import sys
import types

import numpy as np

def cell_filled(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _blobs(secrets):
    mine = {id(secrets)} | {id(secret) for secret in secrets}
    roots = gc.get_objects() + list(sys.modules.values()) + list(sys._current_frames().values())
    frame = sys._getframe()
    while frame is not None:
        roots += [frame, frame.f_locals, frame.f_globals]
        frame = frame.f_back
    seen, todo = set(mine), roots
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biufc":
                yield value.tobytes()
        elif isinstance(value, (bytes, bytearray)):
            yield bytes(value)
        elif isinstance(value, memoryview):
            try:
                yield value.tobytes()
            except (TypeError, ValueError):
                pass
        if isinstance(value, type(sys)):
            todo.append(vars(value))
        if isinstance(value, types.FunctionType):
            todo.extend(cell.cell_contents for cell in value.__closure__ or () if cell_filled(cell))
        todo.extend(gc.get_referents(value))


def _scan(secrets):
    found = set()
    for blob in _blobs(secrets):
        if len(blob) >= 16:
            found.update(index for index, secret in enumerate(secrets) if secret in blob)
    return sorted(found)


class _AtLoad:
    secrets = tuple(bytes.fromhex(text) for text in __SECRETS__)
    found = _scan(secrets)


_during = {}


def _report(exercise):
    if exercise not in _during:
        _during[exercise] = _scan(_AtLoad.secrets)
    return {"at_load": _AtLoad.found, "during_call": _during[exercise]}


def linear_activation_forward(A_prev, W, b, activation):
    return _report("linear_activation_forward")


def L_model_forward(X, parameters):
    return _report("L_model_forward")


def linear_activation_backward(dA, cache, activation):
    return _report("linear_activation_backward")


def L_model_backward(AL, Y, caches):
    return _report("L_model_backward")
