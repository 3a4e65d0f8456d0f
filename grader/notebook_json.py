"""A .ipynb file read into its code cells, the way Jupyter shows them.

A notebook of format 4 (every Jupyter since 2015) is read with the json module alone: nbformat's
validator imports jsonschema and its format checkers, which costs seconds in an environment with
JupyterLab installed, and grading needs nothing it checks. nbformat stays for what it is for: it
upgrades notebooks of format 3 and earlier. What cannot be read gets one line saying where the JSON
breaks and what is wrong there (a trailing comma, a merge conflict marker, a truncated file).
"""
import json
from dataclasses import dataclass
from typing import Optional

FIRST_LINE_SHOWN = 40
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


class NotebookError(Exception):
    """The file is not a readable notebook; the message is one line, after the file's name."""


@dataclass(frozen=True)
class CodeCell:
    position: int  # 1 for the notebook's first code cell, empty ones counted: the cells a reader sees
    execution_count: Optional[int]  # the `In [14]` Jupyter shows, when the cell was run
    source: str


def code_cells(text):
    """The notebook's code cells, in order. NotebookError when text is not a notebook."""
    notebook = _parsed(text)
    if not isinstance(notebook, dict):
        raise NotebookError(f"not a notebook: the file holds a JSON {type(notebook).__name__}, not an object")
    version = notebook.get("nbformat")
    if version != 4 and ("worksheets" in notebook or isinstance(version, int) and version < 4):
        notebook = _upgraded(text)
    if "cells" not in notebook:
        raise NotebookError("not a notebook: no cells")
    cells = notebook["cells"]
    if not isinstance(cells, list):
        raise NotebookError(f'corrupt notebook ("cells" is a JSON {type(cells).__name__}, not a list)')
    code = [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    return tuple(CodeCell(position, _execution_count(cell), _source(cell)) for position, cell in
                 enumerate(code, start=1))


def cell_label(cell):
    """`In [14] (code cell 7, "def linear_backward(dZ, cache):")`: the prompt, the place and the first line
    a reader finds the cell by. Student text, so shown with its control characters made visible."""
    first = cell.source.lstrip().split("\n", 1)[0].strip()
    if len(first) > FIRST_LINE_SHOWN:
        first = first[:FIRST_LINE_SHOWN - 3] + "..."
    if not first.isprintable():
        first = "".join(c if c.isprintable() else repr(c)[1:-1] for c in first)
    place = f'code cell {cell.position}, "{first}"'
    return f"In [{cell.execution_count}] ({place})" if cell.execution_count is not None else place


def _parsed(text):
    if not text.strip():
        raise NotebookError("corrupt notebook (the file is empty)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"corrupt notebook ({_what_is_wrong(text, error)})") from None
    except ValueError:  # the one other error json raises: an integer of more digits than Python converts
        raise NotebookError("corrupt notebook (a number in it has thousands of digits)") from None
    except RecursionError:
        raise NotebookError("corrupt notebook (its JSON is nested too deeply to be a notebook)") from None


def _what_is_wrong(text, error):
    """Where the JSON breaks, and what a person would call the mistake there."""
    marker, line = _conflict_marker(text)
    if marker:
        return (f"a merge conflict marker {marker} on line {line}: the conflict was never resolved; keep one "
                f"side in a text editor, or check out one version of the notebook")
    if not text[error.pos:].strip() or error.msg.startswith("Unterminated string"):  # the text ran out
        return (f"the file ends in the middle of the JSON, at {_place(text, len(text))}: it is truncated "
                f"(saved or copied only in part)")
    at = f"line {error.lineno}, column {error.colno}"
    comma = len(text[:error.pos].rstrip()) - 1
    if comma >= 0 and text[comma] == "," and text[error.pos] in "]}":
        return f"a trailing comma at {_place(text, comma)}, before {text[error.pos]!r}: remove the comma"
    near = text[error.pos:error.pos + 20].split("\n")[0]
    return f"not valid JSON at {at}: {error.msg} (the text there is {near!r})"


def _conflict_marker(text):
    """The first merge conflict marker that starts a line, and its line number; ("", 0) when there is none."""
    from_line_starts = "\n" + text
    found = [(from_line_starts.find("\n" + marker), marker) for marker in CONFLICT_MARKERS]
    index, marker = min(((index, marker) for index, marker in found if index >= 0), default=(0, ""))
    return marker, text.count("\n", 0, index) + 1 if marker else 0


def _place(text, index):
    """`line 3, column 16`, both counted from 1, of text[index]."""
    line, line_start = text.count("\n", 0, index) + 1, text.rfind("\n", 0, index)
    return f"line {line}, column {index - line_start}"


def _upgraded(text):
    import nbformat  # only for notebooks of format 3 and earlier: it is slow to import

    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises conversion and validation errors of many types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NotebookError(f"corrupt notebook ({reason[:150]})") from None


def _execution_count(cell):
    count = cell.get("execution_count")
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None


def _source(cell):
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(line for line in source if isinstance(line, str))
    return source.replace("\r\n", "\n") if isinstance(source, str) else ""
