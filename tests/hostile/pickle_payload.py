# Hostile part: linear_forward returns objects whose unpickling (or whose comparison) would run code in
# the grader, which would leave a marker file behind.
import os


class Payload:
    def __reduce__(self):
        return (os.system, ("touch __WATCHED__/unpickled",))

    def __eq__(self, other):
        open("__WATCHED__/compared", "w").close()
        return True

    def __array__(self, *args, **kwargs):
        open("__WATCHED__/converted", "w").close()
        raise TypeError("no")


def linear_forward(A, W, b):
    return Payload(), (A, W, Payload())
