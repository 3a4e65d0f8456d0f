"""Turn the functions a notebook (or script) defined back into source cells that a worker can run.

check() grades functions that live in the caller's namespace, but student code only ever runs in a
worker process. So the namespace is written back as source: starting from the checked functions, every
global name they use is followed, recursively: functions and classes the student defined become their
source (inspect finds it; IPython keeps each executed cell for it), modules and imported names become
import lines, and constants of plain types become assignments. State that only exists because cells ran
(arrays, models) is left out and said so. Each function keeps its own line numbers, so the feedback
points at the line the student sees.
"""
import ast
import dis
import inspect
import sys
import types
from dataclasses import dataclass

from ..model import Cell, Submission

IMPORTS_LABEL = "your imports"
NAMES_LABEL = "your names"  # aliases: `lb = linear_backward`
MAX_CONSTANT_TEXT = 10_000


@dataclass(frozen=True)
class Captured:
    submission: Submission
    left_out: tuple  # notes on names the functions use that could not be written as source


def capture(namespace, roots, label="notebook"):
    """The cells that define roots and everything they use from namespace."""
    imports, aliases, left_out = [], [], []
    definitions = {}  # code file -> {first line: source lines}, in the order they were reached
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop(0)
        if name in seen or name not in namespace:
            continue
        seen.add(name)
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            imports.append(_import_module(name, value))
        elif _defined_by_student(value, namespace):
            found = _source(value)
            if found is None:
                left_out.append(f"the source of `{name}` was not found: define it in a cell (or a file) and run it")
                continue
            filename, first, lines = found
            definitions.setdefault(filename, {})[first] = lines
            if value.__name__ != name:
                aliases.append(f"{name} = {value.__name__}")
                todo.append(value.__name__)
            todo += used_globals(value)
        elif line := _import_line(name, value, namespace):
            imports.append(line)
        elif _plain_constant(value):
            imports.append(f"{name} = {value!r}")
        else:
            left_out.append(f"`{name}` ({type(value).__name__}) exists only because a cell ran: pass it as an "
                            "argument instead of using it from the notebook")
    cells = [Cell(IMPORTS_LABEL, "\n".join(imports))] if imports else []
    cells += [Cell(_origin_label(filename, blocks, namespace), _padded(blocks)) for filename, blocks in
              definitions.items()]
    cells += [Cell(NAMES_LABEL, "\n".join(aliases))] if aliases else []
    return Captured(Submission(label, "py", tuple(cells)), tuple(left_out))


def used_globals(value):
    """The global names a function (or a class's methods) loads, nested functions and comprehensions included."""
    codes = [value.__code__] if inspect.isfunction(value) else [
        member.__code__ for member in vars(value).values() if inspect.isfunction(member)]
    names = []
    while codes:
        code = codes.pop()
        names += [i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
        codes += [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return list(dict.fromkeys(names))


def _defined_by_student(value, namespace):
    return ((inspect.isfunction(value) or inspect.isclass(value))
            and getattr(value, "__module__", None) == namespace.get("__name__"))


def _source(value):
    """(file, first line, lines) of a definition, or None when Python kept no source for it."""
    try:
        lines, first = inspect.getsourcelines(value)
        filename = inspect.getsourcefile(value) or inspect.getfile(value)
    except (OSError, TypeError):
        return None
    return filename, max(first, 1), [line.rstrip("\n") for line in lines]


def _padded(blocks):
    """One cell holding every block at its own line number, blank lines between them."""
    lines = []
    for first, block in sorted(blocks.items()):
        lines += [""] * max(0, first - 1 - len(lines))
        lines[first - 1:first - 1 + len(block)] = block
    return "\n".join(lines) + "\n"


def _origin_label(filename, blocks, namespace):
    """How the student knows where the code is: `Cell In[12]` in IPython, the file's name otherwise."""
    history = namespace.get("In")
    if isinstance(history, list):
        text = "\n".join(next(iter(blocks.values()))).strip()
        for number in range(len(history) - 1, 0, -1):
            if isinstance(history[number], str) and text in history[number]:
                return f"Cell In[{number}]"
    if filename.startswith("<") or "ipykernel_" in filename:
        return "your notebook"
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _import_module(name, module):
    return f"import {module.__name__}" if module.__name__ == name else f"import {module.__name__} as {name}"


def _import_line(name, value, namespace):
    """`from module import x as name`, when that import gives back this very object; None otherwise.

    The module is the object's own (numpy's functions, a course helper module's) or one the namespace imported
    (numpy's ufuncs do not say which module holds them).
    """
    own_name = getattr(value, "__name__", None)
    modules = [sys.modules.get(getattr(value, "__module__", None) or "")]
    modules += [module for module in namespace.values() if isinstance(module, types.ModuleType)]
    for module in modules:
        if module is None or module.__name__ == namespace.get("__name__"):
            continue
        for attribute in (own_name, name):
            if isinstance(attribute, str) and getattr(module, attribute, None) is value:
                alias = "" if attribute == name else f" as {name}"
                return f"from {module.__name__} import {attribute}{alias}"
    return None


def _plain_constant(value):
    """Numbers, strings and containers of them: whatever repr writes as a literal that reads back equal."""
    try:
        text = repr(value)
        return len(text) <= MAX_CONSTANT_TEXT and ast.literal_eval(text) == value
    except Exception:  # a repr that fails, or text that is no literal: not a plain constant
        return False
