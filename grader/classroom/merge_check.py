"""Whether the --out folders of `grade --shard K/N` runs can be merged into one class, and if not, why.

Each function returns None when all is well, else one line for the instructor saying what is wrong and what
to do. A merge refuses rather than guess: a missing slice, slices graded with different seeds, exercises or
graders, or slices that saw different classes would give grades.csv rows that no single run would give.
"""
import hashlib
import re

SHARD = re.compile(r"(\d+)/(\d+)")
FIELDS = {  # run.json field -> (its type, the headline when slices differ in it, what to do)
    "seed": (int, "the slices were graded with different seeds", "Grade every slice with the same --seed."),
    "grader": (str, "the slices were graded by different versions of the grader",
               "Grade the odd ones again with the grader the others used."),
    "exercises": (list, "the slices graded different exercises", "Give every slice the same --exercise options."),
    "course": (str, "the slices were graded for different courses", "Give every slice the same --course."),
    "class": (str, "the slices saw different classes",
              "Was a submission added or removed while they ran? Grade them all again."),
}
OPTIONAL = {"class", "course"}  # not in the run.json of slices graded before they were recorded


def class_digest(students):
    """What a slice saw of the whole class: every slice of one class has the same."""
    digest = hashlib.sha256("\n".join(sorted(students)).encode()).hexdigest()[:12]
    return f"{len(students)} students ({digest})"


def run_problem(folder, run):
    """What is wrong with a slice's run.json, as read (None when missing or not JSON)."""
    if run is None:
        return f"{folder}: no readable run.json here; is it the --out of a graded slice?"
    if not isinstance(run, dict):
        return f"{folder}/run.json is damaged (not an object): grade that slice again"
    for field, (kind, _, _) in FIELDS.items():
        if not isinstance(run.get(field), kind) and not (field in OPTIONAL and field not in run):
            return f"{folder}/run.json is damaged ({field!r} is missing or wrong): grade that slice again"
    for field, pieces in (("students", 1), ("skipped", 2)):
        items = run.get(field)
        if not isinstance(items, list) or not all(_strings(item, pieces) for item in items):
            return f"{folder}/run.json is damaged ({field!r} is missing or wrong): grade that slice again"
    shard = run.get("shard")
    if shard is not None and not (isinstance(shard, str) and _slice(shard)):
        return f"{folder}/run.json is damaged ('shard' is {shard!r}, not K/N): grade that slice again"
    return None


def shards_problem(runs):
    """Why the slices [(folder, run)] cannot be merged: they disagree, or one is missing or given twice."""
    if not runs:
        return "no slice folders given: name the --out folder of every slice"
    for field, (_, headline, advice) in FIELDS.items():
        groups = _folders_by(runs, lambda run: run.get(field))
        if len(groups) > 1:
            return f"{headline}: " + "; ".join(
                f"{_shown(value)} in {', '.join(folders)}" for value, folders in groups.items()) + f". {advice}"
    splits = _folders_by(runs, lambda run: _slice(run["shard"])[1] if run.get("shard") else None)
    if len(splits) > 1:
        return "these folders come from different splits of the class: " + "; ".join(
            f"{'unsharded' if count is None else f'{count} slices'} in {', '.join(folders)}"
            for count, folders in splits.items())
    (count,) = splits
    if count is None:
        return None
    by_slice = _folders_by(runs, lambda run: _slice(run["shard"])[0])
    missing = sorted(set(range(1, count + 1)) - set(by_slice))
    if missing:
        return (f"slice{'s' if len(missing) > 1 else ''} {', '.join(f'{k}/{count}' for k in missing)} "
                f"missing: grade {'them' if len(missing) > 1 else 'it'}, then merge all {count}")
    twice = {number: folders for number, folders in by_slice.items() if len(folders) > 1}
    if twice:
        return "; ".join(f"slice {number}/{count} is given twice ({', '.join(folders)})"
                         for number, folders in sorted(twice.items())) + ": give each slice's folder once"
    return None


def record_problem(folder, student, record, feedback_folder_exists):
    """Why a student of a slice cannot be merged: the slice did not finish, or its files are damaged."""
    if record is None:
        return f"{folder}: {student} has no record: that slice did not finish; run it again (it resumes)"
    if not (isinstance(record, dict) and isinstance(record.get("key"), dict) and record.get("student") == student
            and isinstance(record.get("status"), str) and isinstance(record.get("report"), (dict, type(None)))):
        return f"{folder}: the record of {student} is damaged: delete it and run that slice again"
    if not feedback_folder_exists:
        return f"{folder}: the feedback files of {student} are missing: run that slice again"
    return None


def _strings(item, pieces):
    """A string (pieces 1), or a list of that many strings."""
    if pieces == 1:
        return isinstance(item, str)
    return isinstance(item, list) and len(item) == pieces and all(isinstance(piece, str) for piece in item)


def _slice(shard):
    """'K/N' -> (K, N), or None when it is not a slice of a class."""
    match = SHARD.fullmatch(shard)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        return None
    return int(match.group(1)), int(match.group(2))


def _folders_by(runs, value_of):
    groups = {}
    for folder, run in runs:
        groups.setdefault(_hashable(value_of(run)), []).append(str(folder))
    return groups


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _shown(value):
    if value is None:
        return "none recorded"
    if isinstance(value, tuple):
        return ", ".join(value) or "all exercises"
    return str(value)
