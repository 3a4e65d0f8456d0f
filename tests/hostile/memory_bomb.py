# Hostile part: asks for all the memory there is: 1 TB at load time, and 256 MB more and more in
# compute_cost until something stops it (the address-space limit; pages are not touched, since touching
# them is slow enough on a small VM to hit the call's time limit first).
import numpy as np


class Hog:
    try:
        data = bytearray(2**40)
    except MemoryError:
        data = None


def compute_cost(AL, Y):
    hoard = []
    while True:
        hoard.append(np.empty(32 * 2**20))
