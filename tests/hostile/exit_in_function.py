# Hostile part: linear_backward kills its own process; sigmoid_backward raises SystemExit.
import os
import sys


def linear_backward(dZ, cache):
    os._exit(0)


def sigmoid_backward(dA, cache):
    sys.exit("bye")
