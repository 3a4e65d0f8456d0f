"""Stage 3, check: build each exercise's cases, and compare what the student returned with the reference.

The reference answers every case here, in the grader's process; numerical derivatives of the reference
forward pass check every backward output as well, so no verdict rests on the reference alone.
"""
import math
import random
import types
from dataclasses import dataclass

import numpy as np

from ..exercises.base import Keys, Scalar, Seq
from ..model import CallRequest
from .plain_errors import refused_call
from .answers import recording_reference
from .values import close, is_number_array


NUMERIC_CASES = 3  # the smallest cases are checked against central differences too; they are exact enough


@dataclass(frozen=True)
class Problem:
    kind: str  # structure, type, shape, nonfinite, value, gradient, mutated
    path: str
    message: str = ""
    expected: object = None
    got: object = None


@dataclass(frozen=True)
class CaseCheck:
    index: int
    expected: object
    got: object  # after adapt(): in the reference's convention
    problems: tuple


@dataclass(frozen=True)
class Findings:
    """Everything observed about one exercise; diagnose turns it into feedback."""

    exercise: object
    cases: tuple
    checks: tuple  # CaseCheck for every case that returned
    outcomes: tuple  # CallOutcome per case
    function: dict  # what the worker saw of the function (None when absent)
    notes: tuple = ()


@dataclass(frozen=True)
class Expected:
    """The reference's side of one case."""

    output: object
    node: object  # the declared structure of the output
    # where the reference's output disagrees with central differences (checked on the smallest cases of a
    # backward exercise): an output equal to the reference's has these problems too
    gradient_problems: tuple = ()


@dataclass(frozen=True)
class Plan:
    """Everything about the cases that does not depend on the submission: a class computes it once."""

    seed: int
    cases: dict  # exercise name -> tuple of Case
    requests: tuple  # CallRequest for every case, in the order of the exercises
    expected: dict  # exercise name -> tuple of Expected (empty when planned without a reference)


class Draws:
    """The few numpy Generator methods the cases are drawn with, over Python's random module: importing
    numpy.random would add ~15 ms to every one-file grading, for arrays of a few dozen entries. The same
    seed gives the same draws on every machine (a text seed is hashed with SHA-512, never salted)."""

    def __init__(self, seed):
        self.random = random.Random(str(seed))

    def _array(self, size, draw):
        shape = (size,) if isinstance(size, int) else tuple(size)
        return np.array([draw() for _ in range(math.prod(shape))], dtype=float).reshape(shape)

    def standard_normal(self, size):
        return self._array(size, lambda: self.random.gauss(0.0, 1.0))

    def uniform(self, low, high, size):
        return self._array(size, lambda: self.random.uniform(low, high))

    def choice(self, options, size):
        options = [float(option) for option in options]
        return self._array(size, lambda: self.random.choice(options))

    def integers(self, low, high, size):
        return self._array(size, lambda: self.random.randrange(low, high)).astype(np.int64)


def plan(exercises, seed, ref=None):
    """The cases of every exercise and the calls that run them, all derived from one seed; with ref, also
    the reference's side of every case, and the helper calls it makes there with their answers."""
    cases, requests, expected = {}, [], {}
    for offset, exercise in enumerate(exercises):
        cases[exercise.name] = tuple(exercise.make_cases(Draws(f"{seed}:{offset}")))
        for index, case in enumerate(cases[exercise.name]):
            answers, output = (), None
            if ref is not None:
                side, answers = _reference_side(exercise, index, case, ref)
                expected.setdefault(exercise.name, []).append(side)
                output = side.output
            requests.append(CallRequest(exercise.name, index, case.args, exercise.helpers, answers, output))
    return Plan(seed, cases, tuple(requests), {name: tuple(sides) for name, sides in expected.items()})


def _reference_side(exercise, index, case, ref):
    """The reference's side of a case, and the calls it made meanwhile to the helpers the exercise lists: a
    student who calls them the same way opens their sealed answers without a round trip to the grader."""
    if exercise.helpers and isinstance(ref, types.ModuleType):  # the kit's sealed answers are asked for
        recording, calls = recording_reference(ref, exercise.helpers)
        output = exercise.reference(recording, case.args)
        answers = tuple((helper, args, value) for helper in exercise.helpers for args, value in calls[helper])
    else:
        output, answers = exercise.reference(ref, case.args), ()
    node = exercise.outputs(case)
    checked = exercise.numeric_gradients is not None and index < NUMERIC_CASES
    problems = gradient_problems(exercise.numeric_gradients(ref, case), output, node) if checked else []
    return Expected(output, node, tuple(problems)), answers


def helper_answerer(ref, exercises_by_name):
    """Answers a worker's call to a course helper, only for the helpers the graded exercise builds on."""

    def answer(exercise, helper, args):
        allowed = exercises_by_name[exercise].helpers if exercise in exercises_by_name else ()
        if helper not in allowed:
            return False, (f"{helper} is provided by the grader only to the functions that build on it; "
                           f"{exercise} has to compute this itself")
        try:
            return True, getattr(ref, helper)(*args)
        except Exception as error:  # the student passed arguments the reference cannot take
            params = exercises_by_name[helper].params if helper in exercises_by_name else ()
            return False, refused_call(helper, params, args, error, ref)

    return answer


def check_exercise(exercise, cases, expected, outcomes, function):
    """Findings of one exercise: expected holds the reference's side of each case (Plan.expected)."""
    checks, notes = [], []
    for index, (case, reference, outcome) in enumerate(zip(cases, expected, outcomes)):
        if outcome.kind != "returned":
            continue
        got, note = exercise.adapt(outcome.value, case) if exercise.adapt else (outcome.value, None)
        if note and note not in notes:
            notes.append(note)
        same = got is reference.output  # recognised on the wire as the reference's own output
        problems = [] if same else compare(reference.node, reference.output, got)
        problems = problems or list(reference.gradient_problems)
        if not exercise.in_place_allowed:
            problems += [Problem("mutated", exercise.params[i], f"{exercise.params[i]} was changed in place")
                         for i in outcome.mutated if 0 <= i < len(exercise.params)]
        checks.append(CaseCheck(index, reference.output, got, tuple(problems)))
    return Findings(exercise, tuple(cases), tuple(checks), tuple(outcomes), function, tuple(notes))


def compare(node, expected, got, path=""):
    """Problems of got against expected, walking the output's declared structure."""
    here = _join(path, node.name)
    if isinstance(node, Seq):
        if not isinstance(got, (tuple, list)):
            return [Problem("structure", here, f"expected a {node.kind} of {len(node.items)} "
                            f"({_names(node)}), got {_describe(got)}", got=got)]
        if len(got) != len(node.items):
            return [Problem("structure", here, f"expected {len(node.items)} value{'s' if len(node.items) != 1 else ''} ({_names(node)}), "
                            f"got {len(got)}", got=got)]
        return [p for item, e, g in zip(node.items, expected, got) for p in compare(item, e, g, here)]
    if isinstance(node, Keys):
        if not isinstance(got, dict):
            return [Problem("structure", here or node.name, f"expected a dict, got {_describe(got)}", got=got)]
        wanted = [key for key, _ in node.items]
        missing = [key for key in wanted if key not in got]
        problems = []
        if missing:
            extra = sorted(set(got) - set(wanted))
            problems.append(Problem("structure", here or node.name, f"missing keys {missing}"
                                    + (f"; unexpected keys {extra}" if extra else ""), expected=wanted,
                                    got=sorted(got)))
        for key, item in node.items:
            if key in got:
                problems += compare(item, expected[key], got[key], here)
        return problems
    return _leaf_problems(node, here, expected, got)


def _leaf_problems(node, path, expected, got):
    if not is_number_array(got):
        return [Problem("type", path, f"expected a number array, got {_describe(got)}", expected, got)]
    got = np.asarray(got)
    expected = np.asarray(expected)
    if isinstance(node, Scalar) and got.shape != ():
        return [Problem("shape", path, "not a scalar", expected, got)]
    if got.shape != expected.shape:
        return [Problem("shape", path, "", expected, got)]
    if got.dtype.kind == "c" and (got.imag != 0).any():
        return [Problem("type", path, "complex values", expected, got)]
    if not np.isfinite(got).all():
        return [Problem("nonfinite", path, "", expected, got)]
    if not close(got, expected):
        return [Problem("value", path, "", expected, got)]
    return []


def gradient_problems(numeric, expected, node):
    leaves = dict(flatten(node, expected))
    return [Problem("gradient", path, "does not match the numerical derivative", numeric[path], leaves[path])
            for path in numeric if path in leaves and not close(leaves[path], numeric[path], tolerance=1e-4)]


def flatten(node, value, path=""):
    """(path, leaf) pairs of a value that has the node's structure."""
    here = _join(path, node.name)
    if isinstance(node, Seq):
        return [pair for item, v in zip(node.items, value) for pair in flatten(item, v, here)]
    if isinstance(node, Keys):
        return [pair for key, item in node.items if key in value for pair in flatten(item, value[key], here)]
    return [(here, value)]


def leaf_nodes(node, path=""):
    here = _join(path, node.name)
    if isinstance(node, (Seq, Keys)):
        items = node.items if isinstance(node, Seq) else [item for _, item in node.items]
        return [pair for item in items for pair in leaf_nodes(item, here)]
    return [(here, node)]


def _join(path, name):
    if not name:
        return path
    if name.startswith("[") or not path:
        return path + name
    return f"{path}.{name}"


def _names(node):
    return ", ".join(item.name for item in node.items)


def _describe(value):
    if value is None:
        return "None"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}" if not hasattr(value, "type_name") else f"a {value.type_name}"
