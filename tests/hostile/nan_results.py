# Hostile part: compute_cost returns NaN.
import numpy as np


def compute_cost(AL, Y):
    return np.nan
