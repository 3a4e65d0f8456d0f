# Hostile part: every graded function first tries to make the grader hold a lot of memory, as chosen by
# __VARIANT__ (a frame announcing 256 MB, then sent or not; a stream of late replies of 900 KB; a 15 MB header),
# then returns the reference's answer.
import functools
import json
import os
import struct
import sys

VARIANT = __VARIANT__
GRADED = ("linear_forward", "linear_activation_forward", "L_model_forward", "compute_cost", "relu_backward",
          "sigmoid_backward", "linear_backward", "linear_activation_backward", "L_model_backward",
          "update_parameters")


def _write_all(data):
    view = memoryview(data)
    while view:
        view = view[os.write(int(sys.argv[1]), view):]


def _frame(header, body_size):
    head = json.dumps({"header": header, "arrays": []}).encode()
    return b"BPG1" + struct.pack("<IQ", len(head), body_size) + head


def _attack(call_id):
    if VARIANT == "declared_256mb":
        _write_all(_frame({"op": "returned", "id": call_id, "value": {"none": True}}, 256 * 2**20))
    elif VARIANT == "sent_256mb":
        _write_all(_frame({"op": "returned", "id": call_id, "value": {"none": True}}, 256 * 2**20))
        chunk = bytes(2**20)
        for _ in range(256):
            _write_all(chunk)
    elif VARIANT == "late_floods":
        late = _frame({"op": "returned", "id": 0, "value": {"none": True}}, 900_000) + bytes(900_000)
        for _ in range(20):
            _write_all(late)
    elif VARIANT == "huge_header":
        _write_all(b"BPG1" + struct.pack("<IQ", 15 * 2**20, 0) + b"[" * (15 * 2**20))


def _flooding(function):
    @functools.wraps(function)
    def flooding(*args):
        _attack(sys._getframe(1).f_locals.get("reply_to"))
        return function(*args)

    return flooding


class _Wrap:
    for _name in GRADED:
        globals()[_name] = _flooding(globals()[_name])
