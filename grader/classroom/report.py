"""What a class run leaves behind: grades.csv, report.html, and each student's files to hand back.

Everything here is built from the records classroom/run.py writes (plain JSON), so a merge of shards, or a
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
.wrap { white-space: pre-wrap; overflow-wrap: anywhere; } code { overflow-wrap: anywhere; }
section.exercise { border-left: 4px solid; padding: 0.1em 0.8em 0.6em; margin: 1.2em 0; overflow-x: auto; }
section.exercise h2 { font-size: 1.1em; margin: 0.4em 0; }
@media (max-width: 600px) { body { margin: 0.5em auto; font-size: 14px; } th, td { padding: 0.25em 0.35em; } }
"""


STUDENT_STATUS_TEXT = {"graded": "graded", "empty": "empty", "no_graded_function": "no graded function",
                       "cannot_grade": "could not be graded", "grader_failed": "the grader failed"}
COUNT_TEXT = {**STUDENT_STATUS_TEXT, "no_graded_function": "with no graded function",
              "grader_failed": "on which the grader failed"}
PROBLEM_STATUSES = ("error", "timeout")  # an exercise that crashed or hung: the report lists who


@dataclass(frozen=True)
class ClassSummary:
    exercises: tuple  # names, in the assignment's order
    scores: tuple  # the total of every graded student
    max_score: float
    pass_rates: tuple  # (exercise, passed, graded)
    mistakes: tuple  # (exercise, mistake id, headline, students), most frequent first within an exercise
    unexplained: tuple  # (exercise, headline, feedback, students): the same wrong outputs, no known mistake
    not_graded: tuple  # (student, reason)
    students: tuple  # (student, slug, score, source, status, notes), by student
    counts: tuple = ()  # (student status, how many), in STUDENT_STATUS_TEXT's order, the zero ones left out
    problems: tuple = ()  # (exercise, "error" or "timeout", students)
    advice: str = ""  # said once for the class: the course profile most students' notebooks fit

    @property
    def graded(self):
        return dict(self.counts).get("graded", 0)

    def count_text(self):
        """The one count of the class, as the CLI and report.html both say it."""
        total = sum(n for _, n in self.counts)
        parts = [f"{n} {COUNT_TEXT[status]}" for status, n in self.counts]
        return f"{total} student{'s' if total != 1 else ''}: " + (", ".join(parts) if parts else "none")


def student_status(record):
    """graded, empty, no_graded_function (the report's status: model.GradeReport.status), cannot_grade or
    grader_failed (no report)."""
    report = record.get("report")
    return report.get("status", "graded") if record["status"] == "graded" and report else record["status"]


def student_notes(record, status):
    """A few words on what went wrong besides wrong values: the table's notes column."""
    if status in ("cannot_grade", "grader_failed"):
        return record.get("message", "")
    if status == "empty":
        return "the file has no code"
    report = record["report"]
    if status == "no_graded_function":
        return "none of the exercises' functions is defined"
    notes = [f"{kind} in {', '.join(e['name'] for e in report['exercises'] if e['status'] == kind)}"
             for kind in PROBLEM_STATUSES if any(e["status"] == kind for e in report["exercises"])]
    notes += [note.split("\n", 1)[0] for note in report["notes"] if "SyntaxError" in note]
    return "; ".join(notes)


def summarise(records):
    """The class in one pass over its records (any iterable: a large class is read from disk as it goes)."""
    scores, max_score, seen, passed, graded = [], 100, set(), Counter(), 0
    mistakes, groups, not_graded, students, counts = {}, {}, [], [], Counter()
    problems, suggested = {}, Counter()
    for record in records:
        report = record["report"]
        status = student_status(record)
        counts[status] += 1
        students.append((record["student"], record["slug"], report["score"] if report else 0, record["source"],
                         status, student_notes(record, status)))
        if record["status"] != "graded":
            not_graded.append((record["student"], record.get("message", "")))
            continue
        if status != "graded":
            continue
        graded += 1
        scores.append(report["score"])
        max_score = report["max_score"]
        if report.get("suggested_course"):
            suggested[report["suggested_course"]] += 1
        for exercise in report["exercises"]:
            seen.add(exercise["name"])
            passed[exercise["name"]] += exercise["status"] == "passed"
            if exercise["status"] in PROBLEM_STATUSES:
                problems.setdefault((exercise["name"], exercise["status"]), []).append(record["student"])
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
                        tuple(unexplained), tuple(not_graded), tuple(sorted(students)),
                        tuple((status, counts[status]) for status in STUDENT_STATUS_TEXT if counts[status]),
                        tuple((name, kind, tuple(who)) for (name, kind), who in
                              sorted(problems.items(), key=lambda p: (order.get(p[0][0], 99), p[0][1]))),
                        _advice(suggested, graded))


def _advice(suggested, graded):
    """One line when most graded students import the course's backward helpers, naming the profile to use."""
    if not suggested or 2 * sum(suggested.values()) <= graded:
        return ""
    profile, _ = suggested.most_common(1)[0]
    return (f"{sum(suggested.values())} of {graded} graded students import relu_backward and sigmoid_backward from "
            f"the course's helper module, as the course's own assignment does: grade with --course {profile}")


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
    """read_records() gives the class's records afresh on each call, so that none has to stay in memory.
    Returns the ClassSummary, the one count the CLI reports too."""
    summary = summarise(read_records())
    _write_text(os.path.join(out, "grades.csv"), grades_csv(read_records(), summary.exercises), CSV_ENCODING)
    _write_text(os.path.join(out, "status.csv"), status_csv(read_records(), summary.exercises), CSV_ENCODING)
    _write_text(os.path.join(out, "report.html"), report_html(summary, skipped, run))
    if "junit" in formats:
        from ..report.formats import junit_xml

        _write_text(os.path.join(out, "junit.xml"), junit_xml(read_records()))
    return summary


CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: Excel then reads "Jörg Müller" right


def grades_csv(records, exercises):
    """One row per student: status, points per exercise, total; ready for a spreadsheet or an LMS import."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["student", "status", *exercises, "total", "max_score", "source"])
    for record in records:
        report = record["report"]
        points = {e["name"]: e["score"] for e in report["exercises"]} if report else {}
        status = student_status(record)
        shown = f"not graded: {record.get('message', '')}" if not report else STUDENT_STATUS_TEXT[status]
        writer.writerow([_cell(record["student"]), _cell(shown), *(f"{points.get(name, 0):g}" for name in exercises),
                         f"{report['score'] if report else 0:g}", f"{report['max_score'] if report else 100:g}",
                         _cell(record["source"])])
    return text.getvalue()


def status_csv(records, exercises):
    """grades.csv's companion: the status of every exercise of every student (passed, failed, error, timeout,
    missing, not_attempted; "not graded" when the submission has no result), and the notes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["student", "status", *exercises, "notes", "source"])
    for record in records:
        report = record["report"]
        statuses = {e["name"]: e["status"] for e in report["exercises"]} if report else {}
        status = student_status(record)
        writer.writerow([_cell(record["student"]), STUDENT_STATUS_TEXT[status],
                         *(statuses.get(name, "not graded") for name in exercises),
                         _cell(student_notes(record, status)), _cell(record["source"])])
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
    course = f' · course {escape(str(run["course"]))}' if run.get("course") else ""
    body = [f'<h1>Class report</h1><p id="counts">{escape(summary.count_text())}'
            + (f"; mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g} of {summary.max_score:g}"
               if scores else "") + f'. <span class="muted">Seed {escape(str(run.get("seed")))}{course} · grader '
            f'{escape(str(run.get("grader")))}</span></p>',
            f'<p id="advice"><strong>{escape(summary.advice)}</strong></p>' if summary.advice else "",
            "<h2>Score distribution</h2>",
            column_chart("score-distribution", "Number of students by total score", labels, bins,
                         f"total score (percent of {summary.max_score:g})", "students"),
            "<h2>Pass rate per exercise</h2>",
            bar_chart("pass-rate", "Share of graded students who passed each exercise",
                      [(name, round(100 * passed / graded, 1) if graded else 0, f"{name}: {passed} of {graded} passed")
                       for name, passed, graded in summary.pass_rates], maximum=100, unit="%"),
            _problems_section(summary), _mistakes_section(summary), _unexplained_section(summary),
            _not_graded_section(summary), _skipped_section(skipped), _students_section(summary.students)]
    return _page("Class report", "".join(body) + SORT_SCRIPT)


def _problems_section(summary):
    """Exercises that raised, crashed or hung, and whole submissions without a score: nothing hides in a 0."""
    intro = "<h2>Errors and timeouts</h2>"
    if not summary.problems:
        return intro + '<p id="problems">No exercise raised an error, crashed or ran out of time.</p>'
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(kind)}</td><td class=num>{len(students)}</td>"
                   f"<td>{_names(students)}</td></tr>" for name, kind, students in summary.problems)
    return (intro + "<p>Exercises that raised an error, stopped their process or ran out of time (0 points, "
            'not a wrong answer).</p><table id="problems" class="sortable"><thead><tr><th>exercise</th>'
            f"<th>what happened</th><th class=num>students</th><th>who</th></tr></thead><tbody>{rows}</tbody></table>")


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
                   f'<td class=num>{score:g}</td><td class="{"status-passed" if status == "graded" else "status-other"}'
                   '">'
                   f'{escape(STUDENT_STATUS_TEXT.get(status, status))}</td><td>{escape(notes)}</td>'
                   f'<td>{escape(source)}</td></tr>' for student, slug, score, source, status, notes in students)
    return ('<h2>Students</h2><p class="muted">Click a column\'s title to sort by it.</p><table id="students" '
            'class="sortable"><thead><tr><th>student</th><th class=num>score</th><th>status</th><th>notes</th>'
            f"<th>file graded</th></tr></thead><tbody>{rows}</tbody></table>")


# Sorting by a column's title, for tables of class="sortable"; without scripts the table reads as it is.
SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    th.style.cursor = "pointer"; th.title = "sort by " + th.textContent;
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows), up = th.dataset.order !== "up";
      var key = function (row) { var text = row.cells[column].textContent.trim(), n = parseFloat(text);
                                 return isNaN(n) ? text.toLowerCase() : n; };
      rows.sort(function (a, b) { var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1); });
      table.querySelectorAll("thead th").forEach(function (other) { delete other.dataset.order; });
      th.dataset.order = up ? "up" : "down";
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
</script>"""


def _names(students, shown=12):
    text = ", ".join(escape(s) for s in students[:shown])
    return text + (f" and {len(students) - shown} more" if len(students) > shown else "")


def feedback_html(record):
    """A student's feedback as one self-contained page, rendered as the notebook's check() renders it: each
    exercise's headline, the student's line, the coloured grid of wrong entries, the smallest case, the hint."""
    from ..report.html import STATUS_COLOURS, diagnostic_html
    from ..model import Diagnostic

    report = record["report"]
    title = f"Feedback for {record['student']}"
    graded_file = f'<p class="file">graded file: <code>{escape(record["source"])}</code></p>'
    if report is None:
        return _page(title, f"<h1>{escape(title)}</h1>{graded_file}<p class=status-other>It could not be graded:</p>"
                            f"<p class=wrap>{escape(record.get('message', ''))}</p>")
    rows = "".join(
        f"<tr><td><a href='#{escape(e['name'])}'>{escape(e['name'])}</a></td><td class='"
        f"{'status-passed' if e['status'] == 'passed' else 'status-other'}'>"
        f"{STATUS_LABELS.get(e['status'], escape(e['status']))}"
        f"</td><td class=num>{e['score']:g}/{e['max_score']:g}</td></tr>" for e in report["exercises"])
    sections = []
    for exercise in report["exercises"]:
        diagnostics = [Diagnostic(d["headline"], tuple(d["evidence"]), d["hint"], d["code"], d["where"])
                       for d in exercise.get("diagnostics", ())]
        if not diagnostics and not exercise["feedback"]:
            continue
        colour = STATUS_COLOURS.get(exercise["status"], "#c62828")
        body = ("".join(diagnostic_html(d) for d in diagnostics) if diagnostics
                else f"<p class=wrap>{escape(exercise['feedback'])}</p>")  # a record of an older grader
        sections.append(f'<section id="{escape(exercise["name"])}" class="exercise" '
                        f'style="border-left-color: {colour}">'
                        f'<h2><span style="color: {colour}">{STATUS_LABELS.get(exercise["status"], "")}</span> '
                        f'<code>{escape(exercise["name"])}</code> {exercise["score"]:g}/{exercise["max_score"]:g}</h2>'
                        f"{body}</section>")
    notes = "".join(f"<li class=wrap>{escape(note)}</li>" for note in report["notes"])
    return _page(title, f"<h1>{escape(title)}</h1>{graded_file}<p class=total><strong>{report['score']:g} of "
                        f"{report['max_score']:g} points</strong> <span class=muted>(seed {report['seed']})</span></p>"
                        + (f"<ul class=notes>{notes}</ul>" if notes else "")
                        + f"<table><tr><th>exercise</th><th>result</th><th class=num>points</th></tr>{rows}</table>"
                        + "".join(sections))


def _page(title, body):
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{body}</body></html>\n")


def _write_text(path, text, encoding="utf-8"):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding=encoding, newline="") as handle:
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
