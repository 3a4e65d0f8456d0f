# Hostile part: writes its own messages on the worker's reply pipe (its descriptor is in sys.argv):
# linear_forward sends a reply whose header nests too deeply to decode, then one that is not JSON;
# linear_backward sends a "raised" reply full of wrong types, under the number of the call it is
# answering (found in the worker's frame), and returns.
import json
import os
import struct
import sys


def _frame(head):
    return b"BPG1" + struct.pack("<IQ", len(head), 0) + head


def _send(head):
    os.write(int(sys.argv[1]), _frame(head))


def linear_forward(A, W, b):
    _send(b"[" * 200000)
    _send(b'{"header": {"op": "returned", "value": garbage')
    return None


def linear_backward(dZ, cache):
    call_id = sys._getframe(1).f_locals.get("reply_to")
    _send(json.dumps({"header": {"op": "raised", "id": call_id,
                                 "error": {"type": ["x"], "message": {"a": 1}, "where": 3}},
                      "arrays": []}).encode())
    return None
