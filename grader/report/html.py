"""check()'s feedback as HTML for a notebook: the same diagnostics as the text, easier to scan.

The wrong-entries picture becomes a table of coloured cells, and the gradient check a table of relative
errors. Styles are inline, since notebook front ends drop <style> blocks of untrusted output.
"""
import re
from html import escape

STATUS_COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "error": "#c62828", "timeout": "#c62828",
                  "missing": "#ef6c00", "not_attempted": "#ef6c00"}
WRONG, RIGHT = "#f4c7c3", "#d9ead3"
GRID_ROW = re.compile(r"^\s+[x.]( [x.])*$")
MONO = "font-family: SFMono-Regular, Menlo, Consolas, monospace"
DATA_LINES = ("inputs:", "expected", "yours")


def render_html(check_result):
    from .text import STATUS_STYLE

    result = check_result.result
    colour = STATUS_COLOURS[result.status]
    parts = [f'<div style="border-left: 4px solid {colour}; padding: 2px 12px; margin: 4px 0">',
             f'<div style="font-weight: bold; color: {colour}">{STATUS_STYLE[result.status][1]} '
             f'<code>{escape(result.name)}</code> {result.score:g}/{result.max_score:g}</div>']
    parts += [diagnostic_html(d) for d in result.diagnostics]
    parts += [_gradient(g) for g in check_result.gradient_checks]
    parts += [f'<div style="color: #666; font-size: 90%">note: {escape(note)}</div>' for note in check_result.notes]
    parts.append("</div>")
    return "\n".join(parts)


def diagnostic_html(diagnostic):
    code = (f'<span style="color: #c62828; font-weight: bold">error[{escape(diagnostic.code)}]</span>: '
            if diagnostic.code else "")
    parts = [f'<div style="margin-top: 8px">{code}<b>{escape(diagnostic.headline)}</b></div>']
    if diagnostic.where:
        parts.append(f'<div style="color: #555; white-space: pre-wrap; overflow-wrap: anywhere; {MONO}">'
                     f'--&gt; {escape(diagnostic.where)}</div>')
    if diagnostic.pointer:  # the line as the cell shows it, and the caret under the spot
        parts.append(f'<pre style="margin: 2px 0 2px 1.5em; overflow-x: auto; {MONO}">'
                     + "\n".join(escape(line) for line in diagnostic.pointer) + "</pre>")
    evidence = list(diagnostic.evidence)
    while evidence:
        line = evidence.pop(0)
        if line.startswith("wrong entries"):
            rows = []
            while evidence and GRID_ROW.match(evidence[0]):
                rows.append(evidence.pop(0).split())
            parts.append(_grid(line, rows))
        else:  # values in a fixed-width font, so that the expected and yours line up; prose as prose
            font = f"; {MONO}" if line.startswith(DATA_LINES) else ""
            parts.append(f'<div style="margin-left: 1.5em; white-space: pre-wrap; overflow-wrap: anywhere{font}">'
                         f'{escape(line)}</div>')
    if diagnostic.hint:
        parts.append(f'<div style="margin-left: 1.5em; overflow-wrap: anywhere">hint: <code>{escape(diagnostic.hint)}'
                     '</code></div>')
    return "\n".join(parts)


def _grid(title, rows):
    cells = "".join(
        "<tr>" + "".join(f'<td style="background: {WRONG if mark == "x" else RIGHT}; width: 1.4em; '
                         f'text-align: center; border: 1px solid #fff">{"&#x2717;" if mark == "x" else ""}</td>'
                         for mark in row) + "</tr>" for row in rows)
    return (f'<div style="margin-left: 1.5em; overflow-x: auto">{escape(title)}'
            f'<table class="grid" style="border-collapse: collapse; margin: 4px 0">{cells}</table></div>')


def _gradient(gradient):
    from ..checks.gradcheck import TOLERANCE
    from ..diagnose.gradient import gradient_diagnostic

    if gradient.skipped or not gradient.comparisons:
        return diagnostic_html(gradient_diagnostic(gradient))
    verdict = ("agrees with" if gradient.matches else "does not match")
    colour = "#2e7d32" if gradient.matches else "#c62828"
    rows = "".join(
        f'<tr><td style="{MONO}; padding: 0 8px">{escape(c.output)}</td>'
        f'<td style="{MONO}; padding: 0 8px; text-align: right; color: '
        f'{"#2e7d32" if c.relative_error < TOLERANCE else "#c62828"}">{c.relative_error:.1e}</td>'
        f'<td style="padding: 0 8px">{escape(c.problem)}</td></tr>' for c in gradient.comparisons)
    return (f'<div style="margin-top: 8px"><b style="color: {colour}">gradient check:</b> your '
            f'<code>{escape(gradient.backward)}</code> {verdict} the numerical derivative of your '
            f'<code>{escape(gradient.forward)}</code> on {escape(gradient.case)}'
            f'<table style="margin: 4px 1.5em; border-collapse: collapse"><tr><th>output</th>'
            f'<th>relative error</th><th></th></tr>{rows}</table>'
            f'<div style="margin-left: 1.5em; color: #555">a match is a relative error below {TOLERANCE:.0e}</div>'
            + ("" if gradient.matches else
               f'<div style="margin-left: 1.5em">hint: {escape(gradient_diagnostic(gradient).hint)}</div>')
            + "</div>")
