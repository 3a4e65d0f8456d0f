"""Stage 1, load: read a .py file or a notebook into labelled cells of plain Python.

IPython magics and shell escapes are removed here, so they never reach the worker; each removed line is
replaced by `pass` at the same indentation, which keeps the student's line numbers.
"""
import os
import re

from .model import Cell, Submission

MAX_BYTES = 20 * 2**20
MAGIC_LINE = re.compile(r"^(\s*)(%|!|[\w., ]+=\s*[!%])")
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


class LoadError(Exception):
    """The submission cannot be graded at all; the message is one line for the user."""


def is_batch(paths, out):
    """A class run: several paths, a folder, a .zip, or an --out folder to write to."""
    return bool(out) or len(paths) > 1 or any(os.path.isdir(p) or p.lower().endswith(".zip") for p in paths)


def load_submission(path):
    if not os.path.exists(path):
        raise LoadError(f"{path}: no such file")
    if os.path.isdir(path):
        raise LoadError(f"{path}: is a folder; give a .py file or a .ipynb notebook")
    kind = os.path.splitext(path)[1].lower().lstrip(".")
    if kind not in ("py", "ipynb"):
        raise LoadError(f"{path}: not a .py file or a .ipynb notebook")
    if os.path.getsize(path) > MAX_BYTES:
        raise LoadError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
    with open(path, "rb") as handle:
        data = handle.read()
    if kind == "py":
        text = _python_text(path, data)
        notes = () if text.strip() else ("the file is empty: nothing in it can be graded",)
        return Submission(path, "py", (Cell(os.path.basename(path), text),), notes)
    return _notebook(path, data)


def _python_text(path, data):
    if b"\0" in data:
        raise LoadError(f"{path}: binary data, not Python source")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise LoadError(f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} on line {line})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _notebook(path, data):
    import nbformat  # only here: plain .py submissions do not pay for it

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(f"{path}: corrupt notebook (not UTF-8 text)") from None
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises JSON, validation and conversion errors of many types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise LoadError(f"{path}: corrupt notebook ({reason[:150]})") from None
    cells, notes = [], []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        code, removed = strip_ipython(source.replace("\r\n", "\n"))
        if removed:
            notes.append(f"cell {number}: {removed} not run (IPython magics and shell commands never run)")
        if code.strip():
            cells.append(Cell(f"cell {number}", code))
    return Submission(path, "ipynb", tuple(cells), tuple(notes))


def strip_ipython(source):
    """Python code with IPython-only lines replaced by `pass`, and how many lines were removed."""
    first = source.lstrip().split("\n", 1)[0].strip()
    if first.startswith("%%"):
        if first.split()[0] not in PYTHON_CELL_MAGICS:
            return "", 1
        source = source.lstrip().split("\n", 1)[1] if "\n" in source.lstrip() else ""
    lines, removed = [], 0
    for line in source.split("\n"):
        match = ("%" in line or "!" in line) and MAGIC_LINE.match(line)  # the test first: most lines have neither
        if match and not _is_python(line):
            lines.append(match.group(1) + "pass")
            removed += 1
        else:
            lines.append(line)
    return "\n".join(lines), removed


def _is_python(line):
    """`x = !cmd` is IPython; `x != y` and `a %= 2` are Python."""
    stripped = line.strip()
    return bool(re.match(r"^[\w., ]+(!=|%=)", stripped))
