"""The message format between the grader and a student worker.

A reply (worker to grader) is a JSON header followed by raw array bytes. The grader never unpickles one:
arrays come back as plain numeric buffers, and anything else a student returns is described, never
reconstructed. A request (grader to worker) is a JSON header and may carry a pickled payload: it comes
from the grader, and only the worker reads it (read_request), where it can do nothing the student's own
code could not. The worker runs this file as a top-level module, so it imports nothing from the grader.
"""
import hashlib
import json
import pickle
import struct

MAGIC = b"BPG1"
MAX_HEADER = 16 * 2**20
MAX_PAYLOAD = 256 * 2**20
MAX_DEPTH = 12
MAX_ITEMS = 10_000
MAX_NODES = 100_000  # values in one message: a header of a few MB must not become millions of objects
MAX_ARRAYS = 10_000
MAX_TEXT = 2000
NUMERIC_KINDS = "biufc"
SCALARS = {"bool": bool, "int": int, "float": float}


class WireError(Exception):
    """A message that is malformed, too large or not what the protocol allows."""


class MessageTooLarge(WireError):
    """A frame announcing more bytes than the reader expects: refused unread."""

    def __init__(self, head_len, body_len):
        super().__init__(f"message too large ({head_len + body_len} bytes)")
        self.size = head_len + body_len


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


def pack(value, blobs, depth=0, seen=None):
    """Turn a value into a JSON-able tree, appending its arrays to blobs. With seen (a dict kept across the
    values of one message), an array object met again is sent once and unpacks as one object."""
    import numpy as np

    def walk(value, depth):  # the kinds most values are made of come first
        if depth > MAX_DEPTH:
            return {"opaque": "nesting", "text": "nested too deeply"}
        if seen is not None and id(value) in seen:
            return {"array": seen[id(value)][1]}
        if isinstance(value, np.ndarray) or isinstance(value, np.generic) and not isinstance(value, np.bool_):
            array = np.asarray(value)
            if array.dtype.kind not in NUMERIC_KINDS:
                return {"opaque": f"array of {array.dtype}", "text": _short_repr(value)}
            blobs.append(array if array.flags.c_contiguous else array.copy(order="C"))
            if isinstance(value, np.generic):
                return {"array": len(blobs) - 1, "numpy_scalar": True}
            if seen is not None:
                seen[id(value)] = (value, len(blobs) - 1)  # the value is kept too: its id stays its own
            return {"array": len(blobs) - 1}
        if isinstance(value, (tuple, list)):
            return {"tuple" if isinstance(value, tuple) else "list": [walk(item, depth + 1)
                                                                      for item in list(value)[:MAX_ITEMS]]}
        if isinstance(value, dict):
            entries = []
            for key, item in list(value.items())[:MAX_ITEMS]:
                if isinstance(key, str):
                    entries.append([key, walk(item, depth + 1)])
                else:
                    entries.append([_short_repr(key), {"opaque": "non-string key", "text": _short_repr(key)}])
            return {"dict": entries}
        if isinstance(value, (bool, np.bool_)):
            return {"bool": bool(value)}
        if isinstance(value, int):
            return {"int": value} if abs(value) < 2**63 else {"float": float(value)}
        if isinstance(value, float):
            return {"float": value}
        if isinstance(value, str):
            return {"str": value[:MAX_TEXT]}
        if value is None:
            return {"none": True}
        return {"opaque": type(value).__name__, "text": _short_repr(value)}

    return walk(value, depth)


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:
        text = "<unprintable>"
    return text[:200]


def unpack(tree, arrays, text=str):
    """Rebuild a value from its tree; arrays are the message's decoded arrays. A tree's first key says its kind.
    The tree comes from the worker: anything pack would not have written is refused (WireError), and no tree
    rebuilds into more than MAX_NODES values. text(string) is what a string, key or description becomes."""
    budget = [MAX_NODES]

    def rebuild(tree, depth):
        budget[0] -= 1
        if type(tree) is not dict or not tree or depth > MAX_DEPTH + 1 or budget[0] < 0:
            raise WireError("malformed value")
        kind = next(iter(tree))
        content = tree[kind]
        if kind == "array":
            if type(content) is not int or not 0 <= content < len(arrays):
                raise WireError("array index out of range")
            return arrays[content][()] if tree.get("numpy_scalar") else arrays[content]
        if kind in ("tuple", "list"):
            if type(content) is not list or len(content) > MAX_ITEMS:
                raise WireError(f"malformed {kind}")
            items = [rebuild(item, depth + 1) for item in content]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict":
            if type(content) is not list or len(content) > MAX_ITEMS or not all(
                    type(e) is list and len(e) == 2 and type(e[0]) is str for e in content):
                raise WireError("malformed dict")
            return {text(key[:MAX_TEXT]): rebuild(item, depth + 1) for key, item in content}
        if kind == "str":
            if type(content) is not str:
                raise WireError("malformed str")
            return text(content[:MAX_TEXT])
        if kind in SCALARS:
            return _scalar(kind, content)
        if kind == "none":
            return None
        if kind == "opaque":
            return Opaque(text(str(content)[:100]), text(str(tree.get("text", ""))[:200]))
        raise WireError("unknown value kind")

    return rebuild(tree, 0)


def _scalar(kind, content):
    """A number or bool as pack writes it: an int beyond 64 bits (JSON has no limit) is refused, since numpy
    would hold it as an object."""
    if type(content) is not SCALARS[kind] and not (kind == "float" and type(content) in (float, int)):
        raise WireError(f"malformed {kind}")
    if kind != "bool" and type(content) is int and not -2**63 <= content < 2**63:
        raise WireError(f"{kind} out of range")
    return float(content) if kind == "float" else content


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


def message(header, values=None):
    """One framed message; each entry of values is packed into the header under its key."""
    blobs = []
    header = dict(header)
    for key, value in (values or {}).items():
        header[key] = pack(value, blobs)
    return encode(header, blobs)


def send(stream, header, values=None):
    stream.write(message(header, values))
    stream.flush()


def decode_prefix(prefix, max_header=MAX_HEADER, max_payload=MAX_PAYLOAD):
    """Sizes (header, payload) announced by the 16-byte frame prefix; a frame announcing more than the reader
    expects is refused before anything of it is read."""
    if len(prefix) != 16 or prefix[:4] != MAGIC:
        raise WireError("bad frame")
    head_len, body_len = struct.unpack("<IQ", prefix[4:])
    if head_len > max_header or body_len > max_payload:
        raise MessageTooLarge(head_len, body_len)
    return head_len, body_len


def decode_header(head):
    """The header dict of a frame and the specs of its arrays, left undecoded: a reply identical to one
    expected is recognised by its specs and bytes alone (see same_as)."""
    try:
        document = json.loads(head)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: "[[[[..." from a student
        raise WireError(f"bad header: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("header"), dict):
        raise WireError("bad header")
    specs = document.get("arrays", [])
    if not isinstance(specs, list) or len(specs) > MAX_ARRAYS:
        raise WireError("bad array spec")
    return document["header"], specs


def decode_arrays(specs, body):
    """The arrays a frame's specs describe, each a copy of its part of body."""
    import numpy as np

    arrays, dtypes = [], {}  # a message holds hundreds of small arrays of a few dtypes: each is checked once
    for spec in specs:
        try:
            dtype_text, shape, offset, nbytes = spec
            if type(shape) is not list or len(shape) > 32 or not all(type(size) is int for size in shape):
                raise WireError("bad array spec")
            if dtype_text not in dtypes:
                dtypes[dtype_text] = _allowed_dtype(dtype_text)
            if type(offset) is not int or offset < 0 or -1 in shape:  # numpy would read before the body, or guess
                raise WireError("bad array spec")
            array = np.ndarray(shape, dtypes[dtype_text], body, offset)  # refuses data past the body
        except (TypeError, ValueError, OverflowError):
            raise WireError("bad array spec") from None
        if array.nbytes != nbytes:
            raise WireError("array size does not match its data")
        arrays.append(array.copy())
    return arrays


class Encoded:
    """Values as a message carries them, each packed under its key in order (message()): their trees, the specs
    of their arrays, and the bytes of those."""

    def __init__(self, values):
        frame = message({}, values)
        head_len, _ = decode_prefix(frame[:16])
        self.trees, self.specs = decode_header(frame[16:16 + head_len])  # as JSON gives it back: lists, not tuples
        self.body = frame[16 + head_len:]

    def same_as(self, header, specs, body):
        """Whether a message (its header, specs and bytes) carries exactly these values, and no other arrays."""
        return body == self.body and specs == self.specs and self._same_trees(header)

    def starts(self, header, specs, body):
        """Whether a message carries exactly these values first, whatever it packed after them."""
        return (body[:len(self.body)] == self.body and specs[:len(self.specs)] == self.specs
                and self._same_trees(header))

    def _same_trees(self, header):
        return all(header.get(key) == tree for key, tree in self.trees.items())


def _allowed_dtype(text):
    import numpy as np

    dtype = np.dtype(text)
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
        raise WireError("array of a type that is not allowed")
    return dtype


# Helper answers sent sealed: each is encrypted with a digest of the exact bytes of its arguments (as message()
# frames them), under a slot name derived from that digest. The worker opens one only by making the call the
# reference made, with those very arguments; it can neither read an answer nor tell which arguments open it.
def answer_key(helper, args):
    """The digest that opens the answer to helper(*args): the arguments' exact bytes, as a message frames them."""
    return hashlib.sha256(b"bpg answer key\0" + message({"helper": helper}, {"args": args})).digest()


def answer_slot(key):
    return hashlib.sha256(b"bpg answer slot\0" + key).hexdigest()


def seal_answer(key, value):
    return _keyed_stream(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def open_answer(key, sealed):
    return pickle.loads(_keyed_stream(key, sealed))


def _keyed_stream(key, data):
    """data XOR a stream drawn from key (SHAKE-256): its own inverse."""
    stream = hashlib.shake_256(key).digest(len(data))
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(len(data), "little")


def request(header, payload=None):
    """A request from the grader to a worker: a JSON header and, when given, a pickled payload."""
    body = b"" if payload is None else pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    head = json.dumps({"header": header, "pickled": payload is not None}).encode()
    return MAGIC + struct.pack("<IQ", len(head), len(body)) + head + body


def read_request(stream):
    """The worker's side of request(): (header, payload) from a blocking binary stream; None at its end.
    Never used on what a worker sends: that is untrusted, and read with decode_header and decode_arrays."""
    prefix = stream.read(16)
    if not prefix:
        return None
    head_len, body_len = decode_prefix(prefix)
    head = stream.read(head_len)
    body = stream.read(body_len)
    if len(head) != head_len or len(body) != body_len:
        raise WireError("truncated message")
    document = json.loads(head)
    return document["header"], pickle.loads(body) if document["pickled"] else None
