"""Inline SVG bar charts for the class report: no script, no network, readable without colour."""
from html import escape

WIDTH = 640
BAR = 22
LABEL_WIDTH = 230


def column_chart(chart_id, title, labels, counts, x_title, y_title):
    """Vertical bars, one per label (a histogram); each bar's count printed above it."""
    height, top, bottom, left = 260, 30, 50, 40
    plot_height = height - top - bottom
    step = (WIDTH - left - 10) / max(1, len(labels))
    highest = max(counts, default=0) or 1
    parts = []
    for index, (label, count) in enumerate(zip(labels, counts)):
        bar_height = plot_height * count / highest
        x, y = left + index * step + 2, top + plot_height - bar_height
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{bar_height:.1f}">'
                     f'<title>{escape(label)}: {count}</title></rect>')
        parts.append(f'<text x="{x + (step - 4) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + (step - 4) / 2:.1f}" y="{top + plot_height + 16}" text-anchor="middle" '
                     f'class="tick">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - 10}" y2="{top + plot_height}" class="axis"/>')
    parts.append(f'<text x="{WIDTH / 2}" y="{height - 8}" text-anchor="middle" class="axis-title">{escape(x_title)}</text>')
    parts.append(f'<text x="12" y="{top + plot_height / 2}" text-anchor="middle" class="axis-title" '
                 f'transform="rotate(-90 12 {top + plot_height / 2})">{escape(y_title)}</text>')
    return _svg(chart_id, title, height, parts)


def bar_chart(chart_id, title, rows, maximum=None, unit=""):
    """Horizontal bars: rows of (label, value, tooltip); values scaled to maximum (default: the largest)."""
    top = 10
    height = top + len(rows) * (BAR + 6) + 10
    maximum = maximum or max((value for _, value, _ in rows), default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - 70
    parts = []
    for index, (label, value, tooltip) in enumerate(rows):
        y = top + index * (BAR + 6)
        width = plot_width * value / maximum
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.1f}" text-anchor="end">{escape(_short(label))}</text>')
        parts.append(f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}">'
                     f'<title>{escape(tooltip)}</title></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR * 0.7:.1f}">{escape(shown)}</text>')
    return _svg(chart_id, title, height, parts)


def _svg(chart_id, title, height, parts):
    return (f'<svg id="{escape(chart_id)}" class="chart" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
            f'<title>{escape(title)}</title>{"".join(parts)}</svg>')


def _short(label, limit=34):
    return label if len(label) <= limit else label[:limit - 1] + "…"
