# Hostile part: linear_forward never returns.
def linear_forward(A, W, b):
    while True:
        pass
