# Hostile part: linear_backward looks for the reference solutions everywhere it can think of: on disk
# (the paths an editable install records in site-packages, the grader's own folder, every sys.path
# entry), in sys.modules, in the garbage collector, and in the grader's memory through /proc. It returns
# what it found, so a test can look at it directly; graded, a list is simply a wrong answer.
import gc
import glob
import importlib.util
import os
import sys


def _attempt(found, label, action):
    try:
        result = action()
    except BaseException:  # noqa: B036 - anything a probe raises means "not found"
        return
    if result:
        found.append(label)


def _solution_folders():
    folders = set()
    for entry in sys.path:
        for finder in glob.glob(os.path.join(entry, "__editable__*finder.py")):
            with open(finder) as handle:
                text = handle.read()
            for line in text.splitlines():
                if line.startswith("MAPPING"):
                    folders.update(eval(line.split("=", 1)[1]).values())
        folders.add(os.path.join(entry, "solutions"))
    folders.update(os.path.join(os.path.dirname(folder), "solutions") for folder in list(folders))
    return folders


def linear_backward(dZ, cache):
    found = []
    try:
        folders = _solution_folders()
    except BaseException:  # noqa: B036
        folders = set()
    for folder in folders:
        path = os.path.join(folder, "reference.py")
        _attempt(found, f"read {path}", lambda: open(path).read())
        _attempt(found, f"list {folder}", lambda: os.listdir(folder))
        _attempt(found, f"import {path}",
                 lambda: importlib.util.spec_from_file_location("r", path).loader.load_module())
    _attempt(found, "import solutions", lambda: __import__("solutions.reference"))
    _attempt(found, "sys.modules", lambda: [name for name in sys.modules if "solution" in name or "reference" in name])
    _attempt(found, "grader in sys.modules", lambda: [name for name in sys.modules if name.startswith("grader.")])
    _attempt(found, "gc", lambda: [obj for obj in gc.get_objects() if callable(obj) and "solutions" in str(
        getattr(getattr(obj, "__code__", None), "co_filename", ""))])
    _attempt(found, "gc source",
             lambda: [obj for obj in gc.get_objects() if isinstance(obj, str) and "BEGIN SOLUTION" in obj])
    grader = os.getppid()
    for name in ("environ", "cmdline", "maps", "mem"):
        _attempt(found, f"/proc/{grader}/{name}", lambda: open(f"/proc/{grader}/{name}", "rb").read(1))
    _attempt(found, "/proc/self/maps", lambda: open("/proc/self/maps").read(1))
    return found
