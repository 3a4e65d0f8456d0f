"""A course's version of the assignment, read from a TOML file (`grade --course course.toml`).

It says which exercises are graded and for how many points, which ones the course's helper module
provides (students import them and never write them), the time limits, which key conventions of
L_model_backward's grads count, the assignment's stated case domain (cases outside it are reported
without costing points, unless the file makes them count), the student-id pattern of a class run and the
class seed. Built-in profiles live in grader/courses/: `--course ours`, `--course coursera`, ...

    name = "my-course"
    seed = 20240917                                   # optional: the class seed
    [exercises]
    graded = { linear_forward = 10, linear_backward = 20 }   # points; the order does not matter
    provided = ["relu_backward", "sigmoid_backward"]   # imported from the course's helper module
    [limits]
    call_seconds = 5                                   # per call of a student function
    statement_seconds = 2                              # per top-level statement of a submission
    [grads]
    key_conventions = ["dA{l-1}", "dA{l}"]             # dA{l-1}: current; dA{l}: older notebooks
    [cases]
    minimum = { L = 2 }                                # the domain the assignment asks for
    outside_counts = false                             # true: cases outside it cost points too
    [students]
    id_pattern = 'hw1-(?P<student>\\w+)'               # as --student-pattern
"""
import os
import re
import sys
from dataclasses import dataclass, replace
from typing import Optional

PROFILES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "courses")
KIT_COURSE = "kit.toml"  # in a student kit built with --course: the course the kit grades by default
KEY_CONVENTIONS = ("dA{l-1}", "dA{l}")
DOMAIN_WORDS = {("L", 1): "a single-layer network (L = 1)"}  # how a case outside the domain is described
BACKWARD_HELPERS = ("relu_backward", "sigmoid_backward")
HELPER_MODULE = re.compile(r"^dnn_(app_)?utils(_v\d+)?$")


class CourseError(Exception):
    """The course file cannot be used; the message names the file and what is wrong in it."""


@dataclass(frozen=True)
class Course:
    name: str
    source: str  # the file it was read from, or "built-in profile NAME"
    path: str  # the TOML file
    weights: tuple  # (exercise, points) of the graded exercises, in the assignment's order
    provided: tuple = ()
    call_seconds: Optional[float] = None
    statement_seconds: Optional[float] = None
    key_conventions: tuple = KEY_CONVENTIONS
    minimum: tuple = (("L", 2),)  # (dims key, smallest value the assignment asks for)
    outside_counts: bool = False
    student_pattern: str = ""
    seed: Optional[int] = None
    description: str = ""  # one line, shown by grade --list

    @property
    def graded(self):
        return tuple(name for name, _ in self.weights)

    def weight(self, name):
        return dict(self.weights)[name]

    def limits(self, limits):
        """limits with this course's time limits where it sets them."""
        changes = {"call_seconds": self.call_seconds, "statement_seconds": self.statement_seconds}
        return replace(limits, **{key: value for key, value in changes.items() if value is not None})

    def outside(self, case):
        """How case falls outside the assignment's domain ("" when inside, or when such cases count)."""
        if self.outside_counts:
            return ""
        for key, smallest in self.minimum:
            value = case.dims.get(key)
            if value is not None and value < smallest:
                return DOMAIN_WORDS.get((key, value), f"{key} = {value}")
        return ""

    def domain_text(self):
        return ", ".join(f"{key} >= {smallest}" for key, smallest in self.minimum)


def profile_names():
    return sorted(name[:-5] for name in os.listdir(PROFILES_DIR) if name.endswith(".toml") and name != KIT_COURSE)


def load_course(name_or_path):
    """The course of a TOML file, or of a built-in profile by name; CourseError says what is wrong."""
    if os.path.exists(name_or_path) or name_or_path.endswith(".toml"):
        path, source = name_or_path, name_or_path
    elif name_or_path in profile_names():
        path, source = os.path.join(PROFILES_DIR, name_or_path + ".toml"), f"built-in profile {name_or_path}"
    else:
        raise CourseError(f"--course {name_or_path}: no such file, and no built-in profile of that name "
                          f"(the profiles: {', '.join(profile_names())})")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise CourseError(f"{source}: cannot read it ({error.strerror or error})") from None
    except tomllib.TOMLDecodeError as error:
        raise CourseError(f"{source}: not valid TOML: {error}") from None
    return parse_course(data, source, path)


def default_course():
    """What grading uses without --course: the kit's course in a kit built with one, else the profile `ours`
    (every exercise, at its own weight), built without reading its file, which a one-file grading would pay
    for (a test checks that they agree)."""
    from .exercises import EXERCISES

    if os.path.exists(os.path.join(PROFILES_DIR, KIT_COURSE)):
        return load_course(os.path.join(PROFILES_DIR, KIT_COURSE))
    return Course("ours", "built-in profile ours", os.path.join(PROFILES_DIR, "ours.toml"),
                  tuple((e.name, e.weight) for e in EXERCISES),
                  description="every exercise graded, as in this repository's exercise notebook")


def parse_course(data, source, path):
    from .exercises import EXERCISES

    known = [exercise.name for exercise in EXERCISES]
    section = _table(data, "exercises", source)
    graded = section.get("graded", {exercise.name: exercise.weight for exercise in EXERCISES})
    if not isinstance(graded, dict) or not graded:
        raise CourseError(f"{source}: [exercises] graded is a table of exercise = points, like "
                          "{ linear_forward = 10 }")
    provided = section.get("provided", [])
    for name in [*graded, *_strings(provided, "[exercises] provided", source)]:
        if name not in known:
            raise CourseError(f"{source}: no exercise is called {name!r}{did_you_mean(name, known)}")
    for name, points in graded.items():
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise CourseError(f"{source}: the points of {name} are a number >= 0, not {points!r}")
    limits = _table(data, "limits", source)
    conventions = _strings(_table(data, "grads", source).get("key_conventions", list(KEY_CONVENTIONS)),
                           "[grads] key_conventions", source)
    for convention in conventions:
        if convention not in KEY_CONVENTIONS:
            raise CourseError(f"{source}: [grads] key_conventions holds {' or '.join(KEY_CONVENTIONS)}, "
                              f"not {convention!r}")
    cases = _table(data, "cases", source)
    minimum = cases.get("minimum", {"L": 2})
    if not isinstance(minimum, dict) or not all(isinstance(v, int) for v in minimum.values()):
        raise CourseError(f"{source}: [cases] minimum is a table of size = smallest value, like {{ L = 2 }}")
    pattern = _table(data, "students", source).get("id_pattern", "")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise CourseError(f"{source}: seed is a whole number, not {seed!r}")
    return Course(name=str(data.get("name", os.path.splitext(os.path.basename(path))[0])), source=source, path=path,
                  weights=tuple((name, graded[name]) for name in known if name in graded),
                  provided=tuple(provided), call_seconds=_seconds(limits, "call_seconds", source),
                  statement_seconds=_seconds(limits, "statement_seconds", source),
                  key_conventions=tuple(conventions), minimum=tuple(sorted(minimum.items())),
                  outside_counts=bool(cases.get("outside_counts", False)), student_pattern=str(pattern),
                  seed=seed, description=str(data.get("description", "")))


def _table(data, name, source):
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise CourseError(f"{source}: {name} is a table ([{name}]), not {type(value).__name__}")
    return value


def _strings(value, what, source):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CourseError(f"{source}: {what} is a list of names, like [\"relu_backward\"]")
    return value


def _seconds(limits, key, source):
    value = limits.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
        raise CourseError(f"{source}: [limits] {key} is a number of seconds > 0, not {value!r}")
    return None if value is None else float(value)


def did_you_mean(name, choices):
    """' (did you mean `x`?)' for a close name (another case, a typo), '' when none is close."""
    import difflib

    folded = {choice.lower(): choice for choice in choices}
    close = folded.get(name.lower()) or next(iter(difflib.get_close_matches(name, choices, n=1, cutoff=0.75)), None)
    return f" (did you mean `{close}`?)" if close else ""


def uses_older_keys(exercise, cases, outcomes):
    """Whether a student's L_model_backward stored its grads under the older key convention (dA{l})."""
    if exercise.adapt is None:
        return False
    return any(exercise.adapt(outcome.value, case)[1] for case, outcome in zip(cases, outcomes)
               if outcome.kind == "returned")


def imported_helpers(functions):
    """{helper: module} of the backward helpers a submission imports from the course's helper module."""
    return {name: functions[name].get("origin") for name in BACKWARD_HELPERS
            if functions.get(name) and not functions[name].get("student")
            and HELPER_MODULE.match(str(functions[name].get("origin") or ""))}


def suggested_profile(imports, older_keys):
    """The built-in profile a notebook importing the course's backward helpers fits: by its key convention."""
    if not imports:
        return ""
    return "coursera-older" if older_keys else "coursera"


def suggestion_text(imports, profile):
    names = " and ".join(sorted(imports))
    modules = ", ".join(sorted(set(imports.values())))
    return (f"this notebook imports {names} from {modules}, as the course's own assignment does: "
            f"grade with --course {profile}")
