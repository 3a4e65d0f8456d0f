# Hostile part: writes its own frames on the worker's reply pipe (its descriptor is sys.argv[1]), as chosen by
# __VARIANT__. Load-report forgeries are sent from a class body, before the worker's real report; reply
# forgeries from linear_forward, under the number of the call it is answering (found in the worker's frame),
# with arguments sent back that are well-formed (if changed), so that the forged value is the one judged.
import json
import os
import struct
import sys

VARIANT = __VARIANT__
ESCAPES = "\n\x1b[32mPASS    linear_forward    10/10\x1b[0m\r\nScore: 100/100\n"
_ref_linear_forward = linear_forward  # noqa: F821 - the reference's, defined above this part
_ref_L_model_backward = L_model_backward  # noqa: F821


def _send(header, arrays=(), body=b""):
    head = json.dumps({"header": header, "arrays": list(arrays)}).encode()
    os.write(int(sys.argv[1]), b"BPG1" + struct.pack("<IQ", len(head), len(body)) + head + body)


def _note(**fields):
    return dict({"kind": "syntax", "where": "cell 1", "line": 1, "column": 1, "code": "x", "message": "m"}, **fields)


LOAD_FORGERIES = {
    "column": lambda: [_note(column=10**15, line=10**15)],
    "many_notes": lambda: [_note(message="n" * 2000, code="c" * 2000) for _ in range(8000)],
    "many_small_notes": lambda: [_note(message="n" * 150, code="c" * 150) for _ in range(2000)],
    "wrong_types": lambda: [_note(column="x", line=-5, message=["a"], kind=3), 7, None,
                            {"kind": "exception", "type": {"x": 1}, "message": 10**30, "line": 2**70}],
    "escapes": lambda: [{"kind": "exception", "type": "ValueError", "message": ESCAPES, "where": ESCAPES,
                         "line": 1, "code": ESCAPES}],
}


class _Load:
    if VARIANT in LOAD_FORGERIES:
        _send({"op": "loaded", "notes": LOAD_FORGERIES[VARIANT](), "skipped_calls": 10**30, "functions": {
            "linear_forward": {"callable": True, "student": VARIANT != "escapes", "origin": ESCAPES,
                               "params": ["p\x1b" * 500] * 200,
                               "required": 3, "positional": 3}}})
    elif VARIANT == "huge_load_header":
        _send({"op": "loaded", "notes": [], "functions": {}, "padding": "x" * 15 * 2**20})
    elif VARIANT == "exec_then_hang":
        _send({"op": "exec", "at": [0, 10**6 + os.getpid()]})  # a new position at every restart
        while True:
            pass
    elif VARIANT == "exec_flood_then_exit":
        for index in range(100_000):
            _send({"op": "exec", "at": [0, 10**6 + index]})
        os._exit(3)
    elif VARIANT == "exec_out_of_range":
        _send({"op": "exec", "at": [10**9, -1]})


REPLY_FORGERIES = {  # value tree, array specs, body
    "int_1e30": lambda: ({"int": 10**30}, [], b""),
    "float_from_huge_int": lambda: ({"float": 10**400}, [], b""),
    "bool_as_int": lambda: ({"list": [{"int": True}, {"float": "1"}]}, [], b""),
    "long_list": lambda: ({"list": [{"none": True}] * 1_000_000}, [], b""),
    "many_arrays": lambda: ({"none": True}, [["<f8", [0], 0, 0]] * 200_000, b""),
    "negative_shape": lambda: ({"array": 0}, [["<f8", [-1, 4], 0, 32]], bytes(32)),
    "shape_not_a_list": lambda: ({"array": 0}, [["<f8", "(3, 1)", 0, 24]], bytes(24)),
    "object_dtype": lambda: ({"array": 0}, [["|O", [1], 0, 8]], bytes(8)),
    "key_not_text": lambda: ({"dict": [[["k"], {"none": True}], [3, {"none": True}]]}, [], b""),
    "deep": lambda: (json.loads('{"list": [' * 5000 + ']}' * 5000), [], b""),
    "escapes": lambda: ({"dict": [[ESCAPES, {"str": ESCAPES}]]}, [], b""),
}


def linear_forward(A, W, b):
    call_id = sys._getframe(1).f_locals.get("reply_to")
    if VARIANT in REPLY_FORGERIES:
        tree, specs, body = REPLY_FORGERIES[VARIANT]()
        _send({"op": "returned", "id": call_id, "args_after": {"tuple": [{"none": True}] * 3}, "value": tree},
              specs, body)
    return _ref_linear_forward(A, W, b)


def L_model_backward(AL, Y, caches):
    if VARIANT == "helper_storm":  # each answer is the reference's work, in the grader's process
        for _ in range(100_000):
            try:
                linear_activation_backward(AL, caches[-1], "sigmoid")  # noqa: F821 - the grader's, while graded
            except Exception:
                pass
    return _ref_L_model_backward(AL, Y, caches)
