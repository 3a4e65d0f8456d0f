"""Sealing the public cases for the student kit: the exercises as data (read back by checks/answers.py)."""
import json
import os

import numpy as np

from ..checks.compare import plan
from ..checks.answers import FORMAT, dims_key, node_to_json, recording_reference, same
from ..run import wire


def seal(exercises, reference, seed):
    """The document and arrays that describe the exercises' public cases, drawn from seed."""
    cases = plan(exercises, seed).cases
    helpers = sorted({helper for exercise in exercises for helper in exercise.helpers})
    recording, calls = recording_reference(reference, helpers)
    arrays = []
    sealed_exercises = [_seal_exercise(exercise, cases[exercise.name], recording, arrays) for exercise in exercises]
    document = {"format": FORMAT, "seed": seed, "exercises": sealed_exercises, "helper_calls": {
        name: [{"args": wire.pack(args, arrays), "returns": wire.pack(value, arrays)}
               for args, value in _distinct(calls[name])] for name in helpers}}
    return document, arrays


def _distinct(calls):
    kept = []
    for args, value in calls:
        if not any(same(args, seen) for seen, _ in kept):
            kept.append((args, value))
    return kept


def _seal_exercise(exercise, cases, reference, arrays):
    sealed_cases = []
    nodes = {}
    for case in cases:
        node = node_to_json(exercise.outputs(case))
        if nodes.setdefault(dims_key(case.dims), node) != node:
            raise ValueError(f"{exercise.name}: the structure of the outputs depends on more than the case's sizes")
        sealed_cases.append({
            "label": case.label, "dims": case.dims, "args": wire.pack(case.args, arrays),
            "expected": wire.pack(exercise.reference(reference, case.args), arrays), "outputs": node,
            "mistakes": {m.id: _seal_outcome(m, reference, case, arrays) for m in exercise.mistakes if m.produce},
        })
    return {
        "name": exercise.name, "weight": exercise.weight, "params": list(exercise.params),
        "summary": exercise.summary, "helpers": list(exercise.helpers),
        "in_place_allowed": exercise.in_place_allowed, "axis_meanings": exercise.axis_meanings,
        "mistakes": [{"id": m.id, "headline": m.headline, "explanation": m.explanation, "hint": m.hint,
                      "mutates_input": m.mutates_input, "at": list(m.at), "raises": list(m.raises)}
                     for m in exercise.mistakes],
        "cases": sealed_cases,
    }


def _seal_outcome(mistake, reference, case, arrays):
    try:
        return {"returns": wire.pack(mistake.produce(reference, *case.args), arrays)}
    except Exception as error:  # the mistake breaks on this case; diagnose compares the error's type
        return {"raises": type(error).__name__}


def write(directory, document, arrays):
    """The arrays are stored end to end, one flat array per dtype: thousands of tiny .npz members would
    take a second to read."""
    dtypes = sorted({array.dtype.str for array in arrays})
    flats = {dtype: [] for dtype in dtypes}
    places, offsets = [], dict.fromkeys(dtypes, 0)
    for array in arrays:
        dtype = array.dtype.str
        places.append([dtypes.index(dtype), offsets[dtype], list(array.shape)])
        flats[dtype].append(array.ravel())
        offsets[dtype] += array.size
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "course.json"), "w", encoding="utf-8") as handle:
        json.dump({**document, "arrays": places}, handle, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(directory, "arrays.npz"),
                        **{f"dtype{i}": np.concatenate(flats[dtype]) for i, dtype in enumerate(dtypes)})
