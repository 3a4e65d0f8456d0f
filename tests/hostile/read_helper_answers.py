# Hostile part: the composite exercises copy an answer from the worker's memory instead of computing it:
# any value reachable from the garbage collector, a closure, a frame or a module that has the shapes of the
# right result and is not one of the call's own arguments (helper answers sent ahead would be there).
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


def _reachable():
    seen, todo = set(), gc.get_objects() + list(sys.modules.values())
    frame = sys._getframe()
    while frame is not None:
        todo += [frame.f_locals, frame.f_globals]
        frame = frame.f_back
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        yield value
        if isinstance(value, types.FunctionType):
            todo.extend(cell.cell_contents for cell in value.__closure__ or () if cell_filled(cell))
        if isinstance(value, type(sys)):
            todo.append(vars(value))
        todo.extend(gc.get_referents(value))


def _arrays(value):
    return [item for item in value if isinstance(item, np.ndarray)] if isinstance(value, (tuple, list)) else []


def _find(shapes, own):
    for value in _reachable():
        arrays = _arrays(value)
        if len(arrays) == len(shapes) == len(value) and [a.shape for a in arrays] == shapes \
                and not any(any(a is o for o in own) for a in arrays):
            return tuple(a.copy() for a in arrays)
    return tuple(np.zeros(shape) for shape in shapes)


def _own(*args):
    found, todo = [], list(args)
    while todo:
        value = todo.pop()
        if isinstance(value, np.ndarray):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            todo.extend(value)
        elif isinstance(value, dict):
            todo.extend(value.values())
    return found


def linear_activation_backward(dA, cache, activation):
    (A_prev, W, b), _ = cache
    return _find([A_prev.shape, W.shape, b.shape], _own(dA, cache))


def linear_activation_forward(A_prev, W, b, activation):
    for value in _reachable():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], np.ndarray) \
                and value[0].shape == (W.shape[0], A_prev.shape[1]) and isinstance(value[1], tuple) \
                and len(value[1]) == 2 and not any(value[0] is o for o in _own(A_prev, W, b)):
            return value
    return np.zeros((W.shape[0], A_prev.shape[1])), ((A_prev, W, b), np.zeros((W.shape[0], A_prev.shape[1])))


def L_model_forward(X, parameters):
    L, own = len(parameters) // 2, _own(X, parameters)
    for value in _reachable():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], np.ndarray) \
                and value[0].shape == (1, X.shape[1]) and isinstance(value[1], list) and len(value[1]) == L \
                and not any(value[0] is o for o in own):
            return value
    return np.zeros((1, X.shape[1])), []


def L_model_backward(AL, Y, caches):
    own = _own(AL, Y, caches)
    for value in _reachable():
        if isinstance(value, dict) and "dW1" in value and len(value) == 3 * len(caches) \
                and not any(any(v is o for o in own) for v in value.values()):
            return dict(value)
    return {}
