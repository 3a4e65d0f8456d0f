"""Grading a whole class: in parallel (grader/classroom/pool.py), resumable, in shards that a merge joins.

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
import shutil
from dataclasses import asdict, dataclass, replace

from ..run.session import Limits
from ..untrusted_text import visible

RUN_FILE = "run.json"
DEFAULT_OUT = "grade-results"
UNPACKED = ".unpacked"  # where zips are unpacked, inside out
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
    skipped: tuple  # discover.Skipped
    grader_failed: int = 0  # of the not graded, those where the grader failed, not the submission: run again
    counted: str = ""  # the class's count, the same words as report.html (ClassSummary.count_text)
    problems: tuple = ()  # (exercise, "error" or "timeout", students), as report.html lists them
    advice: str = ""  # the course profile most students' notebooks fit, said once
    shards: int = 0  # a merge: how many shards it joined
    in_class: int = 0  # the submissions of the whole class: with --shard, a slice may hold none of them

    @property
    def complete(self):
        """Every submission has its result (an unreadable one's is "could not be graded")."""
        return self.in_class > 0 and not self.grader_failed


def summary_text(summary):
    fresh = f"{summary.graded} graded now" + (f", {summary.reused} unchanged since the last run" if summary.reused
                                                else "")
    if summary.shards:
        fresh = f"joined from {summary.shards} shards"
    lines = [f"{summary.counted} (seed {summary.seed}; {fresh}); results in {summary.out}/ (grades.csv, status.csv, "
             "report.html, students/)"]
    if summary.in_class and not summary.students:
        lines.append(f"none of the class's {summary.in_class} students is in this slice: merge its folder all the same")
    lines += [f"not graded: {visible(student, 100)}: {visible(reason)}" for student, reason in summary.not_graded]
    lines += [f"{kind} in {exercise}: {len(who)} student{'s' if len(who) != 1 else ''} ({', '.join(who[:8])}"
              + (f" and {len(who) - 8} more" if len(who) > 8 else "") + ")" for exercise, kind, who in summary.problems]
    if summary.advice:
        lines.append(f"note: {summary.advice}")
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
    grader = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in (grader, os.path.dirname(os.path.abspath(solutions.__file__))):
        for folder, folders, files in os.walk(package):
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, os.path.dirname(package)).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return f"{version}+{digest.hexdigest()[:12]}"


def run_batch(paths, out, *, seed=None, only=(), limits=Limits(), jobs=None, force=False, shard=None,
              pattern=None, formats=(), progress=lambda done, total: None, course=None):
    """Grade every submission found in paths (this shard's share of them) and write the results to out.
    BatchError, with nothing written, when paths hold no submission at all."""
    from .discover import discover  # here, not above: `grade one.py` imports this module but grades no class
    from .merge_check import class_digest
    from .pool import Grading, Task, grade_all
    from .report import write_class_outputs, write_student_files

    version = grader_version()
    if seed is None and course is not None:
        seed = course.seed
    # zips are unpacked in out, not in a temp folder, so that a killed run leaves nothing outside its out folder,
    # and the next run clears what the killed one left
    out_existed = os.path.isdir(out)
    unpacked = os.path.join(out, UNPACKED)
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        found = discover(paths, pattern, unpacked, outputs=(out,))
        if not found.submissions:
            others = f"; found only {_files_text([s.shown for s in found.skipped])}" if found.skipped else ""
            raise BatchError(f"no submissions found in {', '.join(paths)} (looked for .py, .ipynb, .zip{others})")
        seed = _class_seed(out, seed, shard)
        grading = Grading(seed, tuple(sorted(only)), limits, course)
        os.makedirs(os.path.join(out, "records"), exist_ok=True)
        mine = [s for s in found.submissions if in_shard(s.student, shard)]
        _write_json(os.path.join(out, RUN_FILE), {
            "seed": seed, "grader": version, "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "exercises": list(grading.only), "course": course.name if course else "ours",
            "class": class_digest([s.student for s in found.submissions]), "students": [s.student for s in mine],
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
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
        if not out_existed and os.path.isdir(out) and not os.listdir(out):
            os.rmdir(out)  # nothing was found to grade: leave no trace of the run
    students = [s.student for s in mine]
    counted = write_class_outputs(out, lambda: _records(out, students), found.skipped,
                                  _read_json(os.path.join(out, RUN_FILE)), formats)
    return _summary(out, seed, counted, len(mine) - reused, reused, found.skipped, len(found.submissions))


def _files_text(names, shown=3):
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def merge(out, shard_dirs, formats=()):
    """Join the out folders of a sharded run into out, and write the class's outputs there."""
    import shutil

    from .discover import Skipped
    from .merge_check import record_problem, run_problem, shards_problem
    from .report import write_class_outputs

    runs = [(folder, _read_json(os.path.join(folder, RUN_FILE))) for folder in shard_dirs]
    problem = next(filter(None, (run_problem(folder, run) for folder, run in runs)), None) or shards_problem(runs)
    if problem:
        raise BatchError(problem)
    keys, skipped = {}, {}
    for folder, run in runs:  # everything is checked before anything is written
        for student in run["students"]:
            record = read_record(folder, slug(student))
            feedback = os.path.join(folder, "students", slug(student))
            problem = record_problem(folder, student, record, os.path.isdir(feedback))
            if problem:
                raise BatchError(problem)
            if keys.setdefault(student, record["key"]) != record["key"]:
                raise BatchError(f"{student} was graded differently in two shards")
        skipped.update({shown: reason for shown, reason in run.get("skipped", [])})
    os.makedirs(os.path.join(out, "records"), exist_ok=True)
    for folder, run in [(f, r) for f, r in runs if os.path.abspath(f) != os.path.abspath(out)]:
        for student in run["students"]:
            shutil.copy2(os.path.join(folder, "records", slug(student) + ".json"), os.path.join(out, "records"))
            shutil.copytree(os.path.join(folder, "students", slug(student)),
                            os.path.join(out, "students", slug(student)), dirs_exist_ok=True)
    first = runs[0][1]
    students = sorted(keys)
    run = {"seed": first["seed"], "grader": first["grader"], "shard": None, "exercises": first.get("exercises", []),
           "course": first.get("course", "ours"), "class": first.get("class"), "students": students,
           "skipped": sorted([shown, reason] for shown, reason in skipped.items())}
    _write_json(os.path.join(out, RUN_FILE), run)
    skipped_list = tuple(Skipped(shown, reason) for shown, reason in run["skipped"])
    counted = write_class_outputs(out, lambda: _records(out, students), skipped_list, run, formats)
    return replace(_summary(out, first["seed"], counted, len(students), 0, skipped_list), shards=len(runs))


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
            "exercises": list(grading.only), "limits": asdict(grading.limits),
            "course": json.loads(json.dumps(asdict(grading.course))) if grading.course else None}


def _records(out, students):
    return (read_record(out, slug(student)) for student in students)


def _summary(out, seed, counted, graded, reused, skipped, in_class=None):
    """The run's summary, counted from the same ClassSummary as grades.csv and report.html."""
    return Summary(out, seed, len(counted.students), graded, reused, counted.not_graded, skipped,
                   dict(counted.counts).get("grader_failed", 0), counted.count_text(), counted.problems,
                   counted.advice, in_class=len(counted.students) if in_class is None else in_class)


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
