"""What answers the cases: the reference solutions, or the student kit's sealed public cases.

A sealed exercise is the course's exercise with its code replaced by tables over a fixed set of public
cases: the reference's answer to each case, and what each known mistake returns (or which error it
raises) on it. The check and diagnose stages use it unchanged, so the kit names mistakes the way the full
grader does, without the reference solutions or the mistakes' implementations.

A composite exercise (L_model_backward, ...) is graded with correct versions of its helpers, as in the
full grader. In the kit those answers come from the calls the reference made to its helpers while
sealing, for the cases and for every known mistake: a student whose function calls its helpers the way
a correct one (or a known mistake) does gets their answers; other calls are refused, and say so.

On disk (written by grader/kit/sealed.py): `course.json` describes the exercises and their cases; every value is
a wire.pack tree whose arrays are stored in `arrays.npz` (one flat array per dtype; course.json says
where each array lies in it), read back with allow_pickle=False.
"""
import json
import math
import os
import types

import numpy as np

from ..exercises.base import Arr, Case, Exercise, Keys, Mistake, Scalar, Seq
from ..run import wire
from .values import deep_close

FORMAT = 1
SEALED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "exercises", "sealed")
SELF_CHECK_NOTE = ("self-check on the public cases that came with your kit; "
                   "your instructor grades with fresh hidden cases")


def course_reference():
    """What answers the cases, and notes for the report: the reference solutions, or the kit's sealed answers."""
    if os.path.exists(os.path.join(SEALED_DIR, "course.json")):
        from ..exercises import SEALED_REFERENCE

        return SEALED_REFERENCE, (SELF_CHECK_NOTE,)
    from solutions import reference

    return reference, ()


# Recording the reference's helper calls (the grader, and the kit builder) -----------------------------

def recording_reference(reference, names):
    """A private copy of the reference module whose functions `names` note every call made to them, the
    reference's own calls between its functions included; and the lists they note them in."""
    namespace = dict(vars(reference))
    for key, value in vars(reference).items():
        if isinstance(value, types.FunctionType) and value.__module__ == reference.__name__:
            namespace[key] = types.FunctionType(value.__code__, namespace, key, value.__defaults__,
                                                value.__closure__)
    calls = {name: [] for name in names}
    for name in names:
        namespace[name] = _recorder(namespace[name], calls[name])
    return types.SimpleNamespace(**namespace), calls


def _recorder(function, calls):
    def record(*args):
        value = function(*args)
        calls.append((args, value))
        return value

    return record



# Reading (the kit) ----------------------------------------------------------------------------------------

def read(directory, adapters):
    """(exercises, reference) of the sealed course in directory; adapters maps exercise names to adapt functions."""
    with open(os.path.join(directory, "course.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != FORMAT:
        raise ValueError(f"{directory}: sealed cases of format {document.get('format')}, expected {FORMAT}")
    with np.load(os.path.join(directory, "arrays.npz"), allow_pickle=False) as stored:
        flats = [stored[f"dtype{i}"] for i in range(len(stored.files))]
    arrays = [flats[which][start:start + math.prod(shape)].reshape(shape).copy()
              for which, start, shape in document["arrays"]]
    exercises, answers = [], {}
    for entry in document["exercises"]:
        exercise, table = _read_exercise(entry, arrays, adapters.get(entry["name"]),
                                         document["helper_calls"].get(entry["name"], []))
        exercises.append(exercise)
        answers[exercise.name] = table
    return tuple(exercises), SealedReference(answers)


def _read_exercise(entry, arrays, adapt, helper_calls):
    cases = tuple(Case(wire.unpack(c["args"], arrays), c["dims"], c["label"]) for c in entry["cases"])
    nodes = {dims_key(c["dims"]): node_from_json(c["outputs"]) for c in entry["cases"]}
    answers = AnswerTable(entry["name"], [c.args for c in cases], [{"returns": c["expected"]} for c in entry["cases"]],
                          arrays, [(wire.unpack(call["args"], arrays), {"returns": call["returns"]})
                                   for call in helper_calls])
    mistakes = []
    for m in entry["mistakes"]:
        outcomes = [c["mistakes"].get(m["id"]) for c in entry["cases"]]
        produce = None if None in outcomes else MistakeTable(AnswerTable(m["id"], [c.args for c in cases],
                                                                         outcomes, arrays))
        mistakes.append(Mistake(m["id"], m["headline"], m["explanation"], m["hint"], produce, m["mutates_input"],
                                tuple(m.get("at", ())), tuple(m.get("raises", ()))))
    exercise = Exercise(
        name=entry["name"], weight=entry["weight"], params=tuple(entry["params"]), summary=entry["summary"],
        make_cases=lambda rng: list(cases),  # the sealed cases, whatever the seed
        outputs=lambda case: nodes[dims_key(case.dims)], mistakes=tuple(mistakes), helpers=tuple(entry["helpers"]),
        adapt=adapt, in_place_allowed=entry["in_place_allowed"], axis_meanings=entry["axis_meanings"],
    )
    return exercise, answers


class AnswerTable:
    """A function known only where the reference met it while sealing: on the sealed cases, exactly, and,
    up to float noise, on the calls composite functions made to it (helper_calls)."""

    def __init__(self, name, case_args, outcomes, arrays, helper_calls=()):
        self.name = name
        self.case_args = case_args
        self.outcomes = [_outcome(o, arrays) for o in outcomes]
        self.helper_calls = [(args, _outcome(o, arrays)) for args, o in helper_calls]

    def __call__(self, *args):
        for case_args, outcome in zip(self.case_args, self.outcomes):
            if same(args, case_args):
                return _give(self.name, outcome)
        for call_args, outcome in self.helper_calls:
            if deep_close(call_args, args):
                return _give(self.name, outcome)
        raise LookupError(f"the self-check knows the answers of {self.name} only for the arguments a correct "
                          "solution (or a known mistake) passes it: compare the arguments yours passes")


def _outcome(outcome, arrays):
    return {"returns": wire.unpack(outcome["returns"], arrays)} if "returns" in outcome else outcome


def _give(name, outcome):
    if "raises" in outcome:  # an error of the recorded type, which is all diagnose compares
        raise type(outcome["raises"], (Exception,), {})(f"{name} raises on this case")
    return outcome["returns"]


class MistakeTable:
    """A known mistake's produce(ref, *args), answered from its sealed outputs."""

    def __init__(self, table):
        self.table = table

    def __call__(self, ref, *args):
        return self.table(*args)


class SealedReference:
    """Stands where the reference module stands: exercise name -> its sealed answers."""

    def __init__(self, answers):
        self.answers = answers

    def __getattr__(self, name):
        try:
            return self.__dict__["answers"][name]
        except KeyError:
            raise AttributeError(name) from None


def same(a, b):
    """Exactly the same value: the sealed case itself, or an equal copy of it."""
    if a is b:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
    return type(a) is type(b) and a == b


def node_to_json(node):
    if isinstance(node, Arr):
        return {"arr": node.name, "axes": list(node.axes)}
    if isinstance(node, Scalar):
        return {"scalar": node.name}
    if isinstance(node, Seq):
        return {"seq": node.name, "kind": node.kind, "items": [node_to_json(item) for item in node.items]}
    if isinstance(node, Keys):
        return {"keys": node.name, "items": [[key, node_to_json(item)] for key, item in node.items]}
    raise TypeError(f"unknown output node {node!r}")


def node_from_json(data):
    if "arr" in data:
        return Arr(data["arr"], tuple(data["axes"]))
    if "scalar" in data:
        return Scalar(data["scalar"])
    if "seq" in data:
        return Seq(data["seq"], tuple(node_from_json(item) for item in data["items"]), data["kind"])
    return Keys(data["keys"], tuple((key, node_from_json(item)) for key, item in data["items"]))


def dims_key(dims):
    return json.dumps(dims, sort_keys=True)
