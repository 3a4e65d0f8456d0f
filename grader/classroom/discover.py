"""Finding a class's submissions, and whose each one is, in the paths an instructor gives.

Recognised layouts (they may be mixed, and come as folders or .zip files):
- a flat folder of `<student>.py` / `<student>.ipynb`;
- nbgrader: `submitted/<student>/<assignment>/<notebook>`;
- an LMS download naming the student in the file name (Canvas, Blackboard built in; any other with
  --student-pattern, a regular expression whose group `student` (or first group) is the student);
- a folder per student (Moodle's `Full Name_123_assignsubmission_file_` folders included).
Everything else found is listed as skipped with a reason, never fatal. A student with several candidate
files gets the one that defines the most graded functions, then the latest, the others are skipped.
"""
import os
import re
import stat
import zipfile
from dataclasses import dataclass

from ..exercises import SIGNATURES
from ..load import MAX_BYTES

SUBMISSION_EXTENSIONS = (".py", ".ipynb")
COURSE_HELPERS = re.compile(r"^(dnn_utils|dnn_app_utils|testCases|public_tests|test_utils|lr_utils)\w*\.py$")
JUNK_FOLDERS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}
NBGRADER_OTHER_FOLDERS = {"autograded", "feedback", "source", "release", "gradebook.db"}
FILE_PATTERNS = (  # LMS downloads that name the student in the file name
    re.compile(r"^(?P<student>[A-Za-z0-9-]+?)(?:_late)?_\d+_\d+_.+$", re.IGNORECASE),  # Canvas
    re.compile(r"^.+?_(?P<student>[^_]+)_attempt_(?P<when>\d{4}(?:-\d\d){5})(?:_.+)?$"),  # Blackboard
)
FOLDER_PATTERNS = (re.compile(r"^(?P<student>.+?)_\d+_assign(?:submission)?_\w*?_?$"),)  # Moodle
MAX_UNPACKED_BYTES = 4 * 2**30


@dataclass(frozen=True)
class Submission:
    student: str
    path: str  # the file to grade
    shown: str  # how reports name it: the path given, or `archive.zip:inner/path`


@dataclass(frozen=True)
class Skipped:
    shown: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    submissions: tuple  # sorted by student
    skipped: tuple


@dataclass(frozen=True)
class _Candidate:
    student: str
    path: str
    shown: str
    when: str = ""  # an LMS attempt's time stamp, when its name has one


def student_pattern(text):
    """The compiled --student-pattern; ValueError with a one-line reason when it cannot name a student."""
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise ValueError(f"--student-pattern is not a regular expression: {error}") from None
    if pattern.groups == 0:
        raise ValueError("--student-pattern needs a group for the student, e.g. (?P<student>[a-z]+)_hw1")
    return pattern


def discover(paths, pattern=None, unpack_into=None, outputs=()):
    """The submissions in paths (files, folders, .zip files); zips are unpacked below unpack_into.
    outputs: folders the grader writes (--out); they, and any other folder a class run wrote, are not input."""
    candidates, skipped = [], []
    outputs = tuple(os.path.realpath(folder) for folder in outputs)
    for number, path in enumerate(paths):
        if os.path.isdir(path):
            _walk_root(path, path, pattern, candidates, skipped, outputs)
        elif path.lower().endswith(".zip") and os.path.isfile(path):
            if unpack_into is None:
                raise ValueError("unpack_into is needed to read a .zip")
            root = os.path.join(unpack_into, str(number))
            _unpack(path, root, skipped)
            _walk_root(root, os.path.basename(path) + ":", pattern, candidates, skipped, outputs)
        elif os.path.isfile(path):
            _add_file(path, path, pattern, candidates, skipped, None)
        else:
            skipped.append(Skipped(path, "no such file or folder"))
    chosen, others = _one_per_student(candidates)
    return Discovery(tuple(chosen), tuple(skipped + others))


def is_grader_output(folder, outputs=()):
    """A folder this grader wrote: an --out of this run, or any class run's (it holds run.json and records/)."""
    return os.path.realpath(folder) in outputs or (
        os.path.isfile(os.path.join(folder, "run.json")) and os.path.isdir(os.path.join(folder, "records")))


def _walk_root(root, shown_root, pattern, candidates, skipped, outputs=()):
    root, shown_root = _unwrap(root, shown_root, outputs)
    entries = _entries(root)
    nbgrader = os.path.join(root, "submitted")
    if os.path.basename(os.path.normpath(root)) == "submitted":
        nbgrader, entries = root, []
    elif os.path.isdir(nbgrader):
        entries = [e for e in entries if e != "submitted"]
    if os.path.isdir(nbgrader):
        for student in _entries(nbgrader):
            folder = os.path.join(nbgrader, student)
            _add_folder(folder, _shown(shown_root, os.path.relpath(folder, root)), student, candidates, skipped,
                        outputs)
    for name in entries:
        path, shown = os.path.join(root, name), _shown(shown_root, name)
        if os.path.isdir(path):
            if is_grader_output(path, outputs):
                continue  # the grader's own results, never a submission
            if name in JUNK_FOLDERS or name.startswith("."):
                skipped.append(Skipped(shown, "not a submission (a system or checkpoint folder)"))
            elif name in NBGRADER_OTHER_FOLDERS and os.path.isdir(nbgrader):
                skipped.append(Skipped(shown, "nbgrader's own folder, not a submission"))
            else:
                _add_folder(path, shown, _folder_student(name, pattern), candidates, skipped, outputs)
        else:
            _add_file(path, shown, pattern, candidates, skipped, None)


def _unwrap(root, shown_root, outputs=()):
    """Descend through folders that only wrap everything else (a zip of a folder, say)."""
    while os.path.basename(os.path.normpath(root)) != "submitted":  # nbgrader's folder: its entries are students
        entries = [e for e in _entries(root) if e not in JUNK_FOLDERS and not e.startswith(".")
                   and not is_grader_output(os.path.join(root, e), outputs)]
        if len(entries) != 1 or not os.path.isdir(os.path.join(root, entries[0])) or entries[0] == "submitted":
            return root, shown_root
        inner = os.path.join(root, entries[0])
        submissions = [name for name in _entries(inner) if name.lower().endswith(SUBMISSION_EXTENSIONS)
                       and _graded_functions_defined(os.path.join(inner, name)) > 0]
        if len(submissions) == 1:
            return root, shown_root  # a single student's folder: keep its name as the student
        root, shown_root = inner, _shown(shown_root, entries[0])
    return root, shown_root


def _add_folder(folder, shown_folder, student, candidates, skipped, outputs=()):
    for directory, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in JUNK_FOLDERS and not f.startswith(".")
                            and not is_grader_output(os.path.join(directory, f), outputs))
        for name in sorted(files):
            path = os.path.join(directory, name)
            _add_file(path, _shown(shown_folder, os.path.relpath(path, folder)), None, candidates, skipped, student)


def _add_file(path, shown, pattern, candidates, skipped, student):
    name = os.path.basename(path)
    if name.startswith("."):
        skipped.append(Skipped(shown, "hidden file"))
        return
    if not name.lower().endswith(SUBMISSION_EXTENSIONS):
        skipped.append(Skipped(shown, "not a .py file or a .ipynb notebook"))
        return
    if COURSE_HELPERS.match(name):
        skipped.append(Skipped(shown, "a course helper module, not a submission"))
        return
    when = ""
    if student is None:
        stem = os.path.splitext(name)[0]
        match = _match(pattern, name, stem) if pattern else _match_first(FILE_PATTERNS, stem)
        if pattern and not match:
            skipped.append(Skipped(shown, "its name does not match --student-pattern"))
            return
        student = _group(match, "student") if match else stem
        when = _group(match, "when") if match else ""
    candidates.append(_Candidate(student, path, shown, when or ""))


def _folder_student(name, pattern):
    match = _match(pattern, name, name) if pattern else _match_first(FOLDER_PATTERNS, name)
    return _group(match, "student") if match else name


def _match(pattern, *texts):
    return next((m for m in (pattern.fullmatch(text) or pattern.match(text) for text in texts) if m), None)


def _match_first(patterns, text):
    return next((m for m in (p.match(text) for p in patterns) if m), None)


def _group(match, name):
    if name in match.re.groupindex:
        return match.group(name) or ""
    return (match.group(1) or "") if name == "student" else ""


def _one_per_student(candidates):
    by_student = {}
    for candidate in candidates:
        by_student.setdefault(candidate.student.strip() or "(unnamed)", []).append(candidate)
    chosen, others = [], []
    for student in sorted(by_student):
        ranked = sorted(by_student[student], key=_preference, reverse=True)
        best = ranked[0]
        chosen.append(Submission(student, best.path, best.shown))
        others += [Skipped(c.shown, f"{student} has another submission, {best.shown}, which was graded"
                           + (" (it is newer)" if _newer(best, c) else " (it defines more of the exercises)"))
                   for c in ranked[1:]]
    return chosen, others


def ranked_files(paths):
    """paths best first, as a class run ranks one student's files: the most graded functions, then the newest."""
    return sorted(paths, key=lambda path: _preference(_Candidate("", path, path)), reverse=True)


def is_candidate(name):
    """Whether a file of this name may be a submission (not a course helper, a hidden file, a PDF...)."""
    return name.lower().endswith(SUBMISSION_EXTENSIONS) and not name.startswith(".") and not COURSE_HELPERS.match(name)


def _preference(candidate):
    return (_graded_functions_defined(candidate.path), candidate.when, _mtime(candidate.path),
            candidate.path.endswith(".ipynb"), candidate.path)


def _newer(best, other):
    return (best.when, _mtime(best.path)) > (other.when, _mtime(other.path)) and (
        _graded_functions_defined(best.path) == _graded_functions_defined(other.path))


def _graded_functions_defined(path):
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return -1
    return sum(1 for name in SIGNATURES if re.search(rf"def\s+{name}\s*\(", text))


def _mtime(path):
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def _entries(folder):
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _shown(root, relative):
    relative = relative.replace(os.sep, "/")
    return root + relative if root.endswith(":") else os.path.join(root, relative)


def _unpack(archive, into, skipped):
    """Unpack the submissions of a zip: only .py and .ipynb files, no links, no paths outside `into`."""
    shown = os.path.basename(archive)
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                skipped.append(Skipped(shown, "unpacks to more than 4 GB; unpack it yourself"))
                return
            for member in members:
                _unpack_member(zipped, member, into, f"{shown}:{member.filename}", skipped)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        skipped.append(Skipped(shown, f"cannot read this zip file ({error})"))


def _unpack_member(zipped, member, into, shown, skipped):
    name = member.filename
    if member.is_dir():
        return
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or os.path.isabs(name):
        skipped.append(Skipped(shown, "a path outside the archive"))
        return
    if stat.S_ISLNK(member.external_attr >> 16):
        skipped.append(Skipped(shown, "a symbolic link"))
        return
    if not parts[-1].lower().endswith(SUBMISSION_EXTENSIONS) or set(parts) & JUNK_FOLDERS:
        if not set(parts) & JUNK_FOLDERS:
            skipped.append(Skipped(shown, "not a .py file or a .ipynb notebook"))
        return
    if member.file_size > MAX_BYTES:
        skipped.append(Skipped(shown, f"larger than {MAX_BYTES // 2**20} MB"))
        return
    target = os.path.join(into, *parts)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with zipped.open(member) as source, open(target, "wb") as out:
        out.write(source.read(MAX_BYTES + 1))
    stamp = _zip_time(member)
    if stamp:
        os.utime(target, (stamp, stamp))


def _zip_time(member):
    import time

    try:
        return time.mktime(member.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return None
