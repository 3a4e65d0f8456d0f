"""Stage 5, report: the grade as text for people (coloured on a terminal) or as one JSON document."""
import json

STATUS_STYLE = {"passed": ("green", "PASS"), "failed": ("red", "FAIL"), "error": ("red", "ERROR"),
                "timeout": ("red", "TIMEOUT"), "missing": ("yellow", "MISSING"),
                "not_attempted": ("yellow", "TODO")}


def diagnostic_lines(diagnostic):
    head = f"error[{diagnostic.code}]: {diagnostic.headline}" if diagnostic.code else diagnostic.headline
    lines = [head]
    if diagnostic.where:
        lines.append(f"  --> {diagnostic.where}")
    lines += [f"  {line}" for line in diagnostic.pointer]
    lines += [f"   = {line}" if not line.startswith(("  ", "wrong entries")) else f"   | {line}"
              for line in diagnostic.evidence]
    if diagnostic.hint:
        lines.append(f"   = hint: {diagnostic.hint}")
    return lines


def feedback_text(result):
    return "\n".join(line for diagnostic in result.diagnostics for line in diagnostic_lines(diagnostic))


def to_dict(report):
    return {
        "submission": report.submission,
        "status": report.status,
        "score": report.score,
        "max_score": report.max_score,
        "seed": report.seed,
        "course": report.course,
        "suggested_course": report.suggested_course,
        "notes": list(report.notes),
        "exercises": [{
            "name": result.name, "status": result.status, "score": result.score, "max_score": result.max_score,
            "feedback": feedback_text(result),
            "mistakes": [{"id": d.code, "message": d.headline} for d in result.mistakes],
            "diagnostics": [{"headline": d.headline, "code": d.code, "where": d.where, "evidence": list(d.evidence),
                             "hint": d.hint} for d in result.diagnostics],
        } for result in report.exercises],
    }


def render_json(report):
    return json.dumps(to_dict(report), indent=2)


GRID_ROW = "   |   "


def _coloured_grid(line, style):
    """A row of the wrong-entries picture with wrong entries in red and right ones in green."""
    if not line.startswith(GRID_ROW):
        return line
    cells = line[len(GRID_ROW):].split(" ")
    return GRID_ROW + " ".join(style(cell, fg="red" if cell == "x" else "green", bold=cell == "x") for cell in cells)


def render_text(report, style):
    """style(text, fg=None, bold=False) colours text; pass an identity function for plain output."""
    out = [style(f"Grading {report.submission}", bold=True)
           + ("" if report.course == "ours" else f"   (course {report.course})")]
    out += [f"note: {note}" for note in report.notes]
    if report.status == "no_graded_function":
        out.append("note: none of the exercises' functions is defined: check their names against `grade --list`")
    width = max(len(result.name) for result in report.exercises)
    for result in report.exercises:
        colour, label = STATUS_STYLE[result.status]
        score = f"{result.score:g}/{result.max_score:g}"
        out.append(f"{style(label.ljust(7), fg=colour, bold=True)} {result.name.ljust(width)}  {score:>7}")
        if result.status != "passed" or result.diagnostics:
            for diagnostic in result.diagnostics:
                lines = diagnostic_lines(diagnostic)
                first = style(lines[0], fg="red" if diagnostic.code else None, bold=bool(diagnostic.code))
                out += ["    " + first] + ["    " + _coloured_grid(line, style) for line in lines[1:]]
    out.append(style(f"Score: {report.score:g}/{report.max_score:g}", bold=True)
               + f"   (seed {report.seed}: `--seed {report.seed}` repeats these cases)")
    return "\n".join(out)
