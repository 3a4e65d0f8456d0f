# Hostile part: linear_backward sleeps far longer than any call may take.
import time


def linear_backward(dZ, cache):
    time.sleep(3600)
