"""The message format: values come back as they were sent, and a forged frame is refused, never read past."""
import io
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.run import wire

arrays = hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_, np.complex128]),
                    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
leaves = (arrays | st.integers(-2**62, 2**62) | st.floats(allow_nan=False) | st.floats(allow_nan=False).map(np.float64)
          | st.booleans() | st.text(max_size=20) | st.none())
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)


def round_trip(value, seen=None):
    blobs = []
    frame = wire.encode({"value": wire.pack(value, blobs, seen=seen)}, blobs)
    header, decoded = decode(frame)
    return wire.unpack(header["value"], decoded), len(blobs)


def decode(frame):
    head_len, body_len = wire.decode_prefix(frame[:16])
    return decode_body(frame[16:16 + head_len], frame[16 + head_len:16 + head_len + body_len])


def decode_body(head, body):
    """What the grader makes of a reply's header and body."""
    header, specs = wire.decode_header(head)
    return header, wire.decode_arrays(specs, body)


def identical(a, b):
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(identical(a[key], b[key]) for key in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(identical, a, b))
    return type(a) is type(b) and a == b


@given(values)
def test_a_value_comes_back_as_it_was_sent(value):
    back, _ = round_trip(value)
    assert identical(value, back)


def test_decoded_arrays_are_the_receivers_own():
    back, _ = round_trip((np.arange(3.0), np.float32(2)))
    back[0][0] = 7.0  # writable, and owning its data: a student may change an argument in place
    assert back[0].flags.owndata and type(back[1]) is np.float32


def test_an_array_met_twice_is_sent_once_only_when_asked():
    shared = np.ones((2, 3))
    value = (shared, [shared], {"again": shared})
    assert round_trip(value)[1] == 3
    back, sent = round_trip(value, seen={})
    assert sent == 1 and identical(value, back)
    assert back[0] is back[1][0] is back[2]["again"]


def frame_with(spec, body=b"\0" * 16):
    return json.dumps({"header": {}, "arrays": spec}).encode(), body


@pytest.mark.parametrize("spec", [
    [["<f8", [1], -8, 8]],  # before the body: numpy itself would read it
    [["<f8", [-1], 0, 16]],  # numpy would guess the size
    [["<f8", [3], 0, 24]],  # past the end of the body
    [["<f8", [1], 2**70, 8]],  # an offset no C integer holds
    [["<f8", [2**40, 2**40], 0, 8]],
    [["|O", [1], 0, 8]],  # objects: a pointer from another process
    [["<f8", [1], 0, 16]],  # the size said is not the size of the shape
    [["<f8", [1], "0", 8]], [["<f8", "1", 0, 8]], [["<f8", [1.5], 0, 8]], [[["<f8"], [1], 0, 8]], ["<f8"], 5,
])
def test_a_forged_array_spec_is_refused(spec):
    with pytest.raises(wire.WireError):
        decode_body(*frame_with(spec))


@pytest.mark.parametrize("tree", [{"array": True}, {"array": 1}, {"array": -1}, {"tuple": 3}, {"dict": [[1]]},
                                  {"int": "1"}, {"unknown": 1}, {}, []])
def test_a_forged_value_is_refused(tree):
    with pytest.raises(wire.WireError):
        wire.unpack(tree, [np.zeros(1)])


@given(values)
def test_a_request_reaches_the_worker_as_it_was_sent(value):
    header, payload = wire.read_request(io.BytesIO(wire.request({"op": "calls"}, value)))
    assert header == {"op": "calls"} and identical(payload, value)


class Planted:
    """A pickle that would write a file when unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickle_sent_back_by_a_worker_is_never_unpickled(tmp_path):
    planted = tmp_path / "unpickled"
    frame = wire.request({"op": "returned", "id": 1, "value": {"none": True}}, Planted(str(planted)))
    header, arrays = decode(frame)
    assert wire.unpack(header["value"], arrays) is None and arrays == [] and not planted.exists()
    header, payload = wire.read_request(io.BytesIO(frame))  # what only the worker reads requests with
    payload.close()
    assert planted.exists()  # so the pickle was live: the grader's side left it alone
