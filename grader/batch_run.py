"""Grading a whole class: in parallel (grader/batch_pool.py), resumable, in shards that a merge joins.

A result is written as soon as its submission is done; a record of it, keyed by the submission's content,
the grader's version and the class seed, lets an interrupted or repeated run skip what it has already
graded. The out folder holds:

    run.json                      the class seed, grader version, shard, students and skipped files
    records/<slug>.json           everything known about one student's grading (resume, merge, reports)
    students/<slug>/...           what is handed back: result.json, feedback.txt, feedback.html
    grades.csv, report.html       the class, written at the end (and by merge)
"""
import hashlib
import json
import os
import random
import re
import tempfile
from dataclasses import asdict, dataclass

from .isolate import Limits
from .untrusted_text import visible

RUN_FILE = "run.json"
DEFAULT_OUT = "grade-results"
FINAL_STATUSES = ("graded", "cannot_grade")  # a record a rerun may keep; "grader_failed" is always regraded


class BatchError(Exception):
    """The batch cannot run or merge as asked; the message is one line for the instructor."""


@dataclass(frozen=True)
class Summary:
    out: str
    seed: int
    students: int
    graded: int
    reused: int
    not_graded: tuple  # (student, reason) of those that could not be graded
    skipped: tuple  # batch.Skipped
    grader_failed: int = 0  # of the not graded, those where the grader failed, not the submission: run again

    @property
    def complete(self):
        """Every submission has its result (an unreadable one's is "could not be graded")."""
        return self.students > 0 and not self.grader_failed


def summary_text(summary):
    lines = [f"{summary.students} students: {summary.graded} graded, {summary.reused} unchanged since the last "
             f"run (seed {summary.seed}); results in {summary.out}/ (grades.csv, report.html, students/)"]
    lines += [f"not graded: {visible(student, 100)}: {visible(reason)}" for student, reason in summary.not_graded]
    if summary.grader_failed:
        lines.append(f"the grader failed on {summary.grader_failed} submission(s): run the same command again")
    if summary.skipped:
        lines.append(f"{len(summary.skipped)} file(s) skipped as not submissions: see {summary.out}/report.html")
    return "\n".join(lines)


def parse_shard(text):
    """'K/N' -> (K, N), 1 <= K <= N; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard takes K/N with 1 <= K <= N (like 2/8), not {text!r}")
    return int(match.group(1)), int(match.group(2))


def in_shard(student, shard):
    """Whether a student belongs to shard (K, N): by a hash of the id, so every machine agrees without talking."""
    if shard is None:
        return True
    number, count = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % count == number - 1


PLAIN_ID = re.compile(r"[a-z0-9](?:[a-z0-9_.@]|-(?!-))*", re.ASCII)  # lower case, no "--"


def slug(student):
    """A file name for a student, distinct for distinct ids, even on a file system that ignores case. A plain id
    (lower case, no "--", at most 80 characters) is its own name; any other gets "--" and 16 hex digits of its
    hash, which no plain id has and no student can aim at (64 bits): `jane_doe--<hash>` is never `jane doe`'s."""
    if len(student) <= 80 and PLAIN_ID.fullmatch(student):
        return student
    safe = re.sub(r"[^\w.@-]", "_", student, flags=re.ASCII).strip("._-")[:80] or "student"
    return f"{safe}--{hashlib.sha256(student.encode()).hexdigest()[:16]}"


def grader_version():
    """The package version and a digest of the grader's and reference's sources: any change regrades."""
    from importlib import metadata

    import solutions

    try:
        version = metadata.version("backprop-grader")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for package in (os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.abspath(solutions.__file__))):
        for folder, folders, files in os.walk(package):
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, os.path.dirname(package)).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return f"{version}+{digest.hexdigest()[:12]}"


def run_batch(paths, out, *, seed=None, only=(), limits=Limits(), jobs=None, force=False, shard=None,
              pattern=None, formats=(), progress=lambda done, total: None):
    """Grade every submission found in paths (this shard's share of them) and write the results to out."""
    from .batch import discover  # here, not above: `grade one.py` imports this module but grades no class
    from .batch_pool import Grading, Task, grade_all
    from .batch_report import write_class_outputs, write_student_files

    os.makedirs(os.path.join(out, "records"), exist_ok=True)
    version = grader_version()
    seed = _class_seed(out, seed, shard)
    grading = Grading(seed, tuple(sorted(only)), limits)
    with tempfile.TemporaryDirectory(prefix="bpgrade-unzip-") as unpacked:
        found = discover(paths, pattern, unpacked)
        mine = [s for s in found.submissions if in_shard(s.student, shard)]
        _write_json(os.path.join(out, RUN_FILE), {
            "seed": seed, "grader": version, "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "exercises": list(grading.only), "students": [s.student for s in mine],
            "skipped": [[s.shown, s.reason] for s in found.skipped]})
        todo = []
        for index, submission in enumerate(mine):
            key = _key(submission.path, version, grading)
            previous = read_record(out, slug(submission.student))
            if previous and previous.get("key") == key and previous.get("status") in FINAL_STATUSES and not force:
                write_student_files(out, previous, formats, only_missing=True)
            else:
                todo.append(Task(index, submission.student, slug(submission.student), submission.path,
                                 submission.shown, key))
        done = reused = len(mine) - len(todo)
        progress(done, len(mine))
        for record in grade_all(todo, grading, jobs or os.cpu_count() or 1):
            _write_json(os.path.join(out, "records", record["slug"] + ".json"), record, indent=None)
            write_student_files(out, record, formats)
            done += 1
            progress(done, len(mine))
    students = [s.student for s in mine]
    write_class_outputs(out, lambda: _records(out, students), found.skipped,
                        _read_json(os.path.join(out, RUN_FILE)), formats)
    return _summary(out, seed, students, len(mine) - reused, reused, found.skipped)


def merge(out, shard_dirs, formats=()):
    """Join the out folders of a sharded run into out, and write the class's outputs there."""
    import shutil

    from .batch import Skipped
    from .batch_report import write_class_outputs

    runs = []
    for folder in shard_dirs:
        run = _read_json(os.path.join(folder, RUN_FILE))
        if run is None:
            raise BatchError(f"{folder}: no {RUN_FILE} here; is it the --out of a graded shard?")
        runs.append((folder, run))
    _check_shards_agree(runs)
    os.makedirs(os.path.join(out, "records"), exist_ok=True)
    keys, skipped = {}, {}
    for folder, run in runs:
        for student in run["students"]:
            record = read_record(folder, slug(student))
            if record is None:
                raise BatchError(f"{folder}: {student} has no record: that shard did not finish; run it again")
            if keys.setdefault(student, record["key"]) != record["key"]:
                raise BatchError(f"{student} was graded differently in two shards")
            if os.path.abspath(folder) != os.path.abspath(out):
                shutil.copy2(os.path.join(folder, "records", slug(student) + ".json"), os.path.join(out, "records"))
                shutil.copytree(os.path.join(folder, "students", slug(student)),
                                os.path.join(out, "students", slug(student)), dirs_exist_ok=True)
        skipped.update({shown: reason for shown, reason in run.get("skipped", [])})
    first = runs[0][1]
    students = sorted(keys)
    run = {"seed": first["seed"], "grader": first["grader"], "shard": None, "exercises": first.get("exercises", []),
           "students": students, "skipped": sorted([shown, reason] for shown, reason in skipped.items())}
    _write_json(os.path.join(out, RUN_FILE), run)
    skipped_list = tuple(Skipped(shown, reason) for shown, reason in run["skipped"])
    write_class_outputs(out, lambda: _records(out, students), skipped_list, run, formats)
    return _summary(out, first["seed"], students, len(students), 0, skipped_list)


def _check_shards_agree(runs):
    for field in ("seed", "grader", "exercises"):
        values = {json.dumps(run.get(field)) for _, run in runs}
        if len(values) > 1:
            raise BatchError(f"the shards were graded with different {field}s ({', '.join(sorted(values))}): "
                             "grade every shard with the same --seed and the same grader")
    shards = [run.get("shard") for _, run in runs]
    if any(shards):
        counts = {int(s.split("/")[1]) for s in shards if s}
        if len(counts) > 1 or None in shards:
            raise BatchError(f"these folders come from different splits: {', '.join(str(s) for s in shards)}")
        count = counts.pop()
        missing = sorted(set(range(1, count + 1)) - {int(s.split("/")[0]) for s in shards})
        if missing:
            raise BatchError(f"shard(s) {', '.join(f'{k}/{count}' for k in missing)} missing: merge needs all {count}")


def read_record(out, student_slug):
    return _read_json(os.path.join(out, "records", student_slug + ".json"))


def _class_seed(out, seed, shard):
    if seed is not None:
        return seed
    previous = _read_json(os.path.join(out, RUN_FILE))
    if previous and "seed" in previous:
        return int(previous["seed"])  # a rerun (or resume) grades the same cases
    if shard:
        raise BatchError("give --seed with --shard, so that every shard grades the same cases")
    return random.SystemRandom().randrange(2**32)


def _key(path, version, grading):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"content": digest.hexdigest(), "grader": version, "seed": grading.seed,
            "exercises": list(grading.only), "limits": asdict(grading.limits)}


def _records(out, students):
    return (read_record(out, slug(student)) for student in students)


def _summary(out, seed, students, graded, reused, skipped):
    not_graded = [r for r in _records(out, students) if r["status"] != "graded"]
    return Summary(out, seed, len(students), graded, reused,
                   tuple((r["student"], r.get("message", "")) for r in not_graded), skipped,
                   sum(1 for r in not_graded if r["status"] == "grader_failed"))


def _write_json(path, data, indent=1):
    """Written whole or not at all: a run interrupted mid-write leaves the previous file. Records are for
    programs: json.dumps without indent encodes them in C, several times faster."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=indent))
    os.replace(temporary, path)


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None
