"""What a class run leaves behind: grades.csv, report.html, and each student's files to hand back.

Everything here is built from the records batch_run writes (plain JSON), so a merge of shards, or a
resumed run, produces exactly what a single run would.
"""
import csv
import io
import json
import os
import statistics
from collections import Counter
from dataclasses import dataclass
from html import escape

from ..report.charts import bar_chart, column_chart
from ..report.text import STATUS_STYLE

STATUS_LABELS = {status: label for status, (_, label) in STATUS_STYLE.items()}
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOP_MISTAKES = 15
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1, h2, h3 { line-height: 1.2; } table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; } pre { background: #f6f6f6; padding: 0.7em; overflow-x: auto; }
.chart .bar { fill: #4a78b5; } .chart text { font-size: 12px; fill: #222; } .chart .axis { stroke: #888; }
.chart .axis-title { font-size: 12px; fill: #555; } .muted { color: #666; }
.status-passed { color: #1a7f37; font-weight: bold; } .status-other { color: #b42318; font-weight: bold; }
"""


@dataclass(frozen=True)
class ClassSummary:
    exercises: tuple  # names, in the assignment's order
    scores: tuple  # the total of every graded student
    max_score: float
    pass_rates: tuple  # (exercise, passed, graded)
    mistakes: tuple  # (exercise, mistake id, headline, students), most frequent first within an exercise
    unexplained: tuple  # (exercise, headline, feedback, students): the same wrong outputs, no known mistake
    not_graded: tuple  # (student, reason)
    students: tuple  # (student, slug, score, source), by student


def summarise(records):
    """The class in one pass over its records (any iterable: a large class is read from disk as it goes)."""
    scores, max_score, seen, passed, graded = [], 100, set(), Counter(), 0
    mistakes, groups, not_graded, students = {}, {}, [], []
    for record in records:
        report = record["report"]
        students.append((record["student"], record["slug"], report["score"] if report else 0, record["source"]))
        if record["status"] != "graded":
            not_graded.append((record["student"], record.get("message", "")))
            continue
        graded += 1
        scores.append(report["score"])
        max_score = report["max_score"]
        for exercise in report["exercises"]:
            seen.add(exercise["name"])
            passed[exercise["name"]] += exercise["status"] == "passed"
            for mistake in exercise["mistakes"]:
                key = (exercise["name"], mistake["id"])
                mistakes.setdefault(key, [mistake["message"], []])[1].append(record["student"])
            fingerprint = record.get("fingerprints", {}).get(exercise["name"])
            if fingerprint:
                groups.setdefault((exercise["name"], fingerprint), [exercise["feedback"], []])[1].append(record["student"])
    exercises = _exercise_order(seen)
    order = {name: index for index, name in enumerate(exercises)}
    ranked_mistakes = sorted(((name, code, message, tuple(who)) for (name, code), (message, who) in mistakes.items()),
                             key=lambda m: (order.get(m[0], 99), -len(m[3]), m[1]))
    unexplained = sorted(((name, feedback.split("\n", 1)[0], feedback, tuple(who)) for (name, _), (feedback, who)
                          in groups.items() if len(who) > 1), key=lambda g: (-len(g[3]), order.get(g[0], 99)))
    return ClassSummary(tuple(exercises), tuple(scores), max_score,
                        tuple((name, passed[name], graded) for name in exercises), tuple(ranked_mistakes),
                        tuple(unexplained), tuple(not_graded), tuple(sorted(students)))


def _exercise_order(seen):
    from ..exercises import EXERCISES

    return [exercise.name for exercise in EXERCISES if exercise.name in seen]


def write_student_files(out, record, formats=(), only_missing=False):
    folder = os.path.join(out, "students", record["slug"])
    os.makedirs(folder, exist_ok=True)
    files = {"result.json": lambda: json.dumps(_result_document(record), indent=2),
             "feedback.txt": lambda: record["feedback"] + "\n",
             "feedback.html": lambda: feedback_html(record)}
    if "gradescope" in formats:
        from ..report.formats import gradescope_results

        files["results.json"] = lambda: json.dumps(gradescope_results(record["report"], record.get("message", "")),
                                                   indent=2)
    for name, make in files.items():
        path = os.path.join(folder, name)
        if not (only_missing and os.path.exists(path)):
            _write_text(path, make())


def _result_document(record):
    """The output contract's JSON document; a submission that could not be graded says why instead."""
    if record["report"] is not None:
        return record["report"]
    return {"submission": record["source"], "score": 0, "error": record.get("message", "")}


def write_class_outputs(out, read_records, skipped, run, formats=()):
    """read_records() gives the class's records afresh on each call, so that none has to stay in memory."""
    summary = summarise(read_records())
    _write_text(os.path.join(out, "grades.csv"), grades_csv(read_records(), summary.exercises))
    _write_text(os.path.join(out, "report.html"), report_html(summary, skipped, run))
    if "junit" in formats:
        from ..report.formats import junit_xml

        _write_text(os.path.join(out, "junit.xml"), junit_xml(read_records()))


def grades_csv(records, exercises):
    """One row per student: status, points per exercise, total; ready for a spreadsheet or an LMS import."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["student", "status", *exercises, "total", "max_score", "source"])
    for record in records:
        report = record["report"]
        points = {e["name"]: e["score"] for e in report["exercises"]} if report else {}
        status = "graded" if report else f"not graded: {record.get('message', '')}"
        writer.writerow([_cell(record["student"]), _cell(status), *(f"{points.get(name, 0):g}" for name in exercises),
                         f"{report['score'] if report else 0:g}", f"{report['max_score'] if report else 100:g}",
                         _cell(record["source"])])
    return text.getvalue()


def _cell(text):
    """Text a spreadsheet shows as text: a file name like `=cmd|...` must not become a formula."""
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def report_html(summary, skipped, run):
    scores = summary.scores
    bins = [0] * 10
    for score in scores:
        bins[min(9, int(10 * score / (summary.max_score or 1)))] += 1
    labels = [f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100" for i in range(10)]
    body = [f"<h1>Class report</h1><p>{len(summary.students)} students, {len(scores)} graded"
            + (f", mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g} of {summary.max_score:g}"
               if scores else "") + f'. <span class="muted">Seed {escape(str(run.get("seed")))} · grader '
            f'{escape(str(run.get("grader")))}</span></p>',
            "<h2>Score distribution</h2>",
            column_chart("score-distribution", "Number of students by total score", labels, bins,
                         f"total score (percent of {summary.max_score:g})", "students"),
            "<h2>Pass rate per exercise</h2>",
            bar_chart("pass-rate", "Share of graded students who passed each exercise",
                      [(name, round(100 * passed / graded, 1) if graded else 0, f"{name}: {passed} of {graded} passed")
                       for name, passed, graded in summary.pass_rates], maximum=100, unit="%"),
            _mistakes_section(summary), _unexplained_section(summary), _not_graded_section(summary),
            _skipped_section(skipped), _students_section(summary.students)]
    return _page("Class report", "".join(body))


def _mistakes_section(summary):
    if not summary.mistakes:
        return "<h2>Most common mistakes</h2><p>No known mistake was made.</p>"
    top = sorted(summary.mistakes, key=lambda m: -len(m[3]))[:TOP_MISTAKES]
    parts = ["<h2>Most common mistakes</h2>",
             bar_chart("common-mistakes", "Students making each of the most common known mistakes",
                       [(f"{code} {name}", len(students), f"{code}: {message} ({len(students)} students)")
                        for name, code, message, students in top])]
    for exercise in summary.exercises:
        rows = [m for m in summary.mistakes if m[0] == exercise]
        if rows:
            parts.append(f"<h3>{escape(exercise)}</h3><table><tr><th>mistake</th><th class=num>students</th>"
                         "<th>who</th></tr>" + "".join(
                             f"<tr><td><code>{escape(code)}</code> {escape(message)}</td><td class=num>{len(students)}"
                             f"</td><td>{_names(students)}</td></tr>" for _, code, message, students in rows)
                         + "</table>")
    return "".join(parts)


def _unexplained_section(summary):
    intro = ("<h2>Same wrong outputs, no known mistake</h2><p>Students whose function returned exactly the same "
             "wrong values on every case, by a mistake the grader has no name for: a misconception to look into.</p>")
    if not summary.unexplained:
        return intro + "<p>None: every wrong output shared by several students is a known mistake.</p>"
    rows = "".join(f"<tr><td>{escape(name)}</td><td class=num>{len(students)}</td><td>{escape(headline)}"
                   f"<details><summary>feedback of {escape(students[0])}</summary><pre>{escape(feedback)}</pre>"
                   f"</details></td><td>{_names(students)}</td></tr>"
                   for name, headline, feedback, students in summary.unexplained)
    return intro + f'<table id="unexplained"><tr><th>exercise</th><th class=num>students</th><th>what is wrong</th>' \
                   f"<th>who</th></tr>{rows}</table>"


def _not_graded_section(summary):
    if not summary.not_graded:
        return ""
    return "<h2>Could not be graded</h2><ul>" + "".join(
        f"<li>{escape(student)}: {escape(reason)}</li>" for student, reason in summary.not_graded) + "</ul>"


def _skipped_section(skipped):
    if not skipped:
        return ""
    return ("<h2>Skipped files</h2><table><tr><th>file</th><th>why</th></tr>"
            + "".join(f"<tr><td>{escape(s.shown)}</td><td>{escape(s.reason)}</td></tr>" for s in skipped) + "</table>")


def _students_section(students):
    rows = "".join(f'<tr><td><a href="students/{escape(slug)}/feedback.html">{escape(student)}</a></td>'
                   f'<td class=num>{score:g}</td><td>{escape(source)}</td></tr>'
                   for student, slug, score, source in students)
    return f"<h2>Students</h2><table><tr><th>student</th><th class=num>score</th><th>file</th></tr>{rows}</table>"


def _names(students, shown=12):
    text = ", ".join(escape(s) for s in students[:shown])
    return text + (f" and {len(students) - shown} more" if len(students) > shown else "")


def feedback_html(record):
    """A student's feedback as one self-contained page."""
    report = record["report"]
    title = f"Feedback for {record['student']}"
    if report is None:
        return _page(title, f"<h1>{escape(title)}</h1><p>{escape(record['source'])} could not be graded:</p>"
                            f"<pre>{escape(record.get('message', ''))}</pre>")
    rows = "".join(
        f"<tr><td>{escape(e['name'])}</td><td class='{'status-passed' if e['status'] == 'passed' else 'status-other'}'>"
        f"{STATUS_LABELS.get(e['status'], escape(e['status']))}</td><td class=num>{e['score']:g}/{e['max_score']:g}"
        f"</td></tr>" for e in report["exercises"])
    details = "".join(f"<h3>{escape(e['name'])}</h3><pre>{escape(e['feedback'])}</pre>"
                      for e in report["exercises"] if e["feedback"])
    notes = "".join(f"<li>{escape(note)}</li>" for note in report["notes"])
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(record['source'])}: <strong>{report['score']:g} of "
                        f"{report['max_score']:g} points</strong> <span class=muted>(seed {report['seed']})</span></p>"
                        + (f"<ul>{notes}</ul>" if notes else "")
                        + f"<table><tr><th>exercise</th><th>result</th><th class=num>points</th></tr>{rows}</table>"
                        + details)


def _page(title, body):
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{body}</body></html>\n")


def _write_text(path, text):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temporary, path)


class ConsoleProgress:
    """A progress bar on a terminal, a plain count every few percent otherwise; on the given stream."""

    def __init__(self, stream, is_terminal):
        self.stream, self.is_terminal = stream, is_terminal
        self.bar, self.shown = None, 0

    def __call__(self, done, total):
        if self.is_terminal:
            import click

            if self.bar is None:
                self.bar = click.progressbar(length=total, label="grading", file=self.stream, show_pos=True)
                self.bar.__enter__()
            self.bar.update(done - self.shown)
        elif done == total or done - self.shown >= max(1, total // 20) or self.shown == 0:
            print(f"graded {done}/{total}", file=self.stream, flush=True)
        else:
            return
        self.shown = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
