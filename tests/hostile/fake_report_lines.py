# Hostile part: student text that would draw the grader's own lines (a fake PASS line, a fake score, an erased
# line) if shown raw: in the message of an exception at load and in a call, in a returned string, dict key and
# class name, and in a name the worker reports, each long enough to bury the report too.

FAKE = "\n\x1b[2K\x1b[32mPASS    linear_backward    15/15\x1b[0m\r\nScore: 100/100\u202e\x07" + "=" * 100_000


class _AtLoad:
    try:
        raise RuntimeError(FAKE)
    except RuntimeError as error:
        raise error


def linear_backward(dZ, cache):
    raise ValueError(FAKE)


def relu_backward(dA, cache):
    return {FAKE: FAKE}


def sigmoid_backward(dA, cache):
    return type(FAKE[:300], (), {"__repr__": lambda self: FAKE})()


def compute_cost(AL, Y):
    return FAKE


def update_parameters(params, grads, learning_rate):
    raise KeyError(FAKE)
