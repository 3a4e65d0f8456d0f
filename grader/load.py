"""Stage 1, load: read a .py file or a notebook into labelled cells of plain Python.

IPython magics and shell escapes are removed here, so they never reach the worker; each removed line is
replaced by `pass` at the same indentation, which keeps the student's line numbers.
"""
import io
import os
import tokenize

from .model import Cell, Submission
from .notebook_json import NotebookError, cell_label, code_cells

MAX_BYTES = 20 * 2**20
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
    """The file's text, decoded as Python would run it: UTF-8, or what a PEP 263 coding comment declares."""
    if b"\0" in data:
        raise LoadError(f"{path}: binary data, not Python source")
    encoding = _declared_encoding(path, data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        utf8 = encoding in ("utf-8", "utf-8-sig")
        declared = "UTF-8 text" if utf8 else f"{encoding} text, as its coding comment says"
        raise LoadError(f"{path}: not {declared} (byte 0x{data[error.start]:02x} on line {line})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _declared_encoding(path, data):
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError as error:
        if "unknown encoding" in error.msg:  # the name matched [-\w.]+, so it prints safely
            name = error.msg.rsplit(":", 1)[-1].strip()
            raise LoadError(f"{path}: its coding comment names {name!r}, an encoding Python does not know; "
                            f"use utf-8 (or latin-1)") from None
        if "encoding problem" in error.msg:
            raise LoadError(f"{path}: its coding comment contradicts the UTF-8 byte order mark it starts with") \
                from None
        return "utf-8"  # bytes that are not UTF-8 in the first two lines, and no coding: decoding says where


def _notebook(path, data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise LoadError(f"{path}: corrupt notebook (not UTF-8 text: byte 0x{data[error.start]:02x} on line {line})") \
            from None
    try:
        notebook_cells = code_cells(text)
    except NotebookError as error:
        raise LoadError(f"{path}: {error}") from None
    cells, notes = [], []
    for cell in notebook_cells:
        label = cell_label(cell)
        code, removed = strip_ipython(cell.source)
        if removed:
            notes.append(f"{label}: {removed} not run (IPython magics and shell commands never run)")
        if code.strip():
            cells.append(Cell(label, code, cell.position, cell.execution_count))
    return Submission(path, "ipynb", tuple(cells), tuple(notes))


def strip_ipython(source):
    """Python code with IPython-only lines replaced by `pass`, and how many lines were removed.

    Plain string scans, no regular expression: this reads student text in the grader's process, so it
    must take linear time on any input (a line of a million spaces included)."""
    first = source.lstrip().split("\n", 1)[0].strip()
    if first.startswith("%%"):
        if first.split()[0] not in PYTHON_CELL_MAGICS:
            return "", 1
        source = source.lstrip().split("\n", 1)[1] if "\n" in source.lstrip() else ""
    if "%" not in source and "!" not in source:  # most cells: nothing to look at line by line
        return source, 0
    lines, removed = [], 0
    for line in source.split("\n"):
        if ("%" in line or "!" in line) and _is_ipython(line):  # the test first: most lines have neither
            lines.append(line[:len(line) - len(line.lstrip())] + "pass")
            removed += 1
        else:
            lines.append(line)
    return "\n".join(lines), removed


def _is_ipython(line):
    """`%matplotlib inline`, `!pip install x` and `files = !ls` are IPython; `x != y`, `a %= 2` are Python."""
    code = line.lstrip()
    if code.startswith(("%", "!")):
        return True
    names, equals, value = code.partition("=")
    return bool(equals and names and value.lstrip().startswith(("%", "!"))
                and all(c.isalnum() or c in "_., " for c in names))
