"""The message format between the grader and a student worker.

A message is a JSON header followed by raw array bytes. Nothing is ever unpickled: arrays come back as
plain numeric buffers, and anything else a student returns is described, never reconstructed.
The worker runs this file as a top-level module, so it imports nothing from the grader package.
"""
import json
import struct

MAGIC = b"BPG1"
MAX_HEADER = 16 * 2**20
MAX_PAYLOAD = 256 * 2**20
MAX_DEPTH = 12
MAX_ITEMS = 10_000
NUMERIC_KINDS = "biufc"


class WireError(Exception):
    """A message that is malformed, too large or not what the protocol allows."""


class Opaque:
    """Something a student returned that is not an array, number, string or container of those."""

    def __init__(self, type_name, text):
        self.type_name = type_name
        self.text = text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    __hash__ = None


def pack(value, blobs, depth=0):
    """Turn a value into a JSON-able tree, appending its arrays to blobs."""
    import numpy as np

    if depth > MAX_DEPTH:
        return {"opaque": "nesting", "text": "nested too deeply"}
    if isinstance(value, (bool, np.bool_)):
        return {"bool": bool(value)}
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in NUMERIC_KINDS:
            return {"opaque": f"array of {array.dtype}", "text": _short_repr(value)}
        blobs.append(array if array.flags.c_contiguous else array.copy(order="C"))
        return {"array": len(blobs) - 1, "numpy_scalar": isinstance(value, np.generic)}
    if isinstance(value, int):
        return {"int": value} if abs(value) < 2**63 else {"float": float(value)}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, str):
        return {"str": value[:2000]}
    if value is None:
        return {"none": True}
    if isinstance(value, (tuple, list)):
        items = list(value)[:MAX_ITEMS]
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [pack(item, blobs, depth + 1) for item in items]}
    if isinstance(value, dict):
        entries = []
        for key, item in list(value.items())[:MAX_ITEMS]:
            if isinstance(key, str):
                entries.append([key, pack(item, blobs, depth + 1)])
            else:
                entries.append([_short_repr(key), {"opaque": "non-string key", "text": _short_repr(key)}])
        return {"dict": entries}
    return {"opaque": type(value).__name__, "text": _short_repr(value)}


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:
        text = "<unprintable>"
    return text[:200]


def unpack(tree, arrays, depth=0):
    """Rebuild a value from its tree; arrays are the message's decoded arrays."""
    if not isinstance(tree, dict) or len(tree) == 0 or depth > MAX_DEPTH + 1:
        raise WireError("malformed value")
    if "array" in tree:
        index = tree["array"]
        if not isinstance(index, int) or not 0 <= index < len(arrays):
            raise WireError("array index out of range")
        array = arrays[index]
        return array[()] if tree.get("numpy_scalar") else array
    for kind in ("bool", "int", "float", "str"):
        if kind in tree:
            expected = {"bool": bool, "int": int, "float": (float, int), "str": str}[kind]
            if not isinstance(tree[kind], expected):
                raise WireError(f"malformed {kind}")
            return float(tree[kind]) if kind == "float" else tree[kind]
    if "none" in tree:
        return None
    for kind, build in (("tuple", tuple), ("list", list)):
        if kind in tree:
            if not isinstance(tree[kind], list):
                raise WireError(f"malformed {kind}")
            return build(unpack(item, arrays, depth + 1) for item in tree[kind])
    if "dict" in tree:
        entries = tree["dict"]
        if not isinstance(entries, list) or not all(isinstance(e, list) and len(e) == 2 for e in entries):
            raise WireError("malformed dict")
        return {str(key): unpack(item, arrays, depth + 1) for key, item in entries}
    if "opaque" in tree:
        return Opaque(str(tree["opaque"])[:100], str(tree.get("text", ""))[:200])
    raise WireError("unknown value kind")


def encode(header, blobs=()):
    """Frame a header (JSON-able dict) and its arrays as bytes."""
    specs, payload, offset = [], [], 0
    for array in blobs:
        data = array.tobytes()
        specs.append([array.dtype.str, list(array.shape), offset, len(data)])
        payload.append(data)
        offset += len(data)
    head = json.dumps({"header": header, "arrays": specs}).encode()
    body = b"".join(payload)
    return MAGIC + struct.pack("<IQ", len(head), len(body)) + head + body


def send(stream, header, values=None):
    """Write one message; each entry of values is packed into the header under its key."""
    blobs = []
    header = dict(header)
    for key, value in (values or {}).items():
        header[key] = pack(value, blobs)
    stream.write(encode(header, blobs))
    stream.flush()


def decode_prefix(prefix):
    """Sizes (header, payload) announced by the 16-byte frame prefix."""
    if len(prefix) != 16 or prefix[:4] != MAGIC:
        raise WireError("bad frame")
    head_len, body_len = struct.unpack("<IQ", prefix[4:])
    if head_len > MAX_HEADER or body_len > MAX_PAYLOAD:
        raise WireError("message too large")
    return head_len, body_len


def decode_body(head, body):
    """The header dict and the list of arrays of a frame."""
    import numpy as np

    try:
        document = json.loads(head)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: "[[[[..." from a student
        raise WireError(f"bad header: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("header"), dict):
        raise WireError("bad header")
    arrays = []
    for spec in document.get("arrays", []):
        try:
            dtype_text, shape, offset, nbytes = spec
            dtype = np.dtype(dtype_text)
            shape = tuple(int(n) for n in shape)
        except (TypeError, ValueError):
            raise WireError("bad array spec") from None
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or any(n < 0 for n in shape):
            raise WireError("array of a type that is not allowed")
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != nbytes or offset < 0 or offset + nbytes > len(body):
            raise WireError("array size does not match its data")
        arrays.append(np.frombuffer(body, dtype=dtype, count=count, offset=offset).reshape(shape).copy())
    return document["header"], arrays


def read_message(stream):
    """Read one frame from a blocking binary stream; None at end of stream."""
    prefix = stream.read(16)
    if not prefix:
        return None
    head_len, body_len = decode_prefix(prefix)
    head = stream.read(head_len)
    body = stream.read(body_len)
    if len(head) != head_len or len(body) != body_len:
        raise WireError("truncated message")
    return decode_body(head, body)
