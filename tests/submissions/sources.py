"""Building submission sources from the reference: swap, add or drop top-level functions by name."""
import ast
from pathlib import Path

REFERENCE_PATH = Path(__file__).resolve().parents[2] / "solutions" / "reference.py"


def reference_source():
    return REFERENCE_PATH.read_text(encoding="utf-8")


def defined_functions(source):
    """Names of the top-level functions a piece of source defines, in order."""
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


def _function_spans(source):
    """name -> (first line index, end line index) of each top-level function, decorators included."""
    return {node.name: (min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1, node.end_lineno)
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def replace_functions(source, *replacements):
    """source with each top-level function redefined by a replacement (matched by the first name it defines).

    A replacement takes the place of the original function; one the source does not define is appended.
    """
    lines = source.splitlines(keepends=True)
    spans = _function_spans(source)
    placed, appended = {}, []
    for replacement in replacements:
        name = defined_functions(replacement)[0]
        text = replacement.strip("\n") + "\n"
        if name in spans:
            placed[name] = text
        else:
            appended.append(text)
    for name in sorted(placed, key=lambda n: spans[n][0], reverse=True):
        start, end = spans[name]
        lines[start:end] = [placed[name]]
    return "".join(lines) + "".join("\n\n" + text for text in appended)


def without_functions(source, *names):
    lines = source.splitlines(keepends=True)
    spans = _function_spans(source)
    for name in sorted(names, key=lambda n: spans[n][0], reverse=True):
        start, end = spans[name]
        del lines[start:end]
    return "".join(lines)


def function_sources(source):
    """name -> source text of each top-level function."""
    lines = source.splitlines(keepends=True)
    return {name: "".join(lines[start:end]) for name, (start, end) in _function_spans(source).items()}
