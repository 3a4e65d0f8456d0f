# Hostile part: prints 120 MB: 40 MB at load time, then 40 MB on stdout and 40 MB on stderr the first time
# linear_forward is called.
import sys


class Loud:
    print("x" * (40 * 2**20))


_reference_linear_forward = linear_forward  # noqa: F821 - defined by the reference part above
_printed = []


def linear_forward(A, W, b):
    if not _printed:
        print("y" * (40 * 2**20))
        sys.stderr.write("z" * (40 * 2**20))
        _printed.append(True)
    return _reference_linear_forward(A, W, b)
