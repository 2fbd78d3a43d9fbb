"""The report's chart as inline SVG, drawn on the server.

One row per dimension on the 1–5 scale: before (open circle), looking back (grey
square), after (filled diamond) and the follow-up months later (open triangle), with a
line from before to after. Shapes and
fills differ, so nothing depends on colour, and it prints in black and white. The SVG is
an image with a title and a description (``role="img"``); the page puts the same
figures in a table next to it and says the result in words.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .report_format import SUPPRESSED, num

WIDTH = 760
LABEL_WIDTH = 300
PLOT_LEFT, PLOT_RIGHT = 330, 735
ROW_HEIGHT = 46
TOP = 62
FONT = "Fira Sans, DejaVu Sans, Liberation Sans, sans-serif"
LINE_CHARS = 38


def _x(value: float) -> float:
    return PLOT_LEFT + (value - 1) / 4 * (PLOT_RIGHT - PLOT_LEFT)


def _lines(text: str) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > LINE_CHARS:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current][:3]


def _circle(x, y):
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6.5" fill="#fff" stroke="#000" '
            f'stroke-width="2"/>')


def _square(x, y):
    return (f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="#bbb" '
            f'stroke="#333" stroke-width="1.5"/>')


def _triangle(x, y):
    return (f'<path d="M{x:.1f} {y - 8:.1f} L{x + 7.5:.1f} {y + 6:.1f} L{x - 7.5:.1f} '
            f'{y + 6:.1f} Z" fill="#fff" stroke="#000" stroke-width="2"/>')


def _diamond(x, y):
    return (f'<path d="M{x:.1f} {y - 8:.1f} L{x + 8:.1f} {y:.1f} L{x:.1f} {y + 8:.1f} '
            f'L{x - 8:.1f} {y:.1f} Z" fill="#1d3f73" stroke="#000" stroke-width="1"/>')


def _text(x, y, text, *, size=13, anchor="start", style=""):
    extra = f' font-style="{style}"' if style else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{extra}>{escape(text)}</text>')


def dimension_chart(rows, *, chart_id: str, title: str, description: str,
                    has_then: bool, has_follow_up: bool = False) -> str:
    """The SVG for ``rows`` (``report_format.ChartRow``)."""
    height = TOP + ROW_HEIGHT * len(rows) + 56
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kohorte-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'fill="#000">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    # Legend: each measurement by shape and by word.
    legend = [(_circle, _("before the course")), (_diamond, _("after the course"))]
    if has_then:
        legend.insert(1, (_square, _("looking back at the end")))
    if has_follow_up:
        legend.append((_triangle, _("follow-up")))
    x = PLOT_LEFT - 200
    for marker, label in legend:
        parts.append(marker(x, 18))
        parts.append(_text(x + 14, 23, label))
        x += 26 + 7.2 * len(label)
    # Grid and scale.
    bottom = TOP + ROW_HEIGHT * len(rows)
    for value in range(1, 6):
        gx = _x(value)
        parts.append(f'<line x1="{gx:.1f}" y1="{TOP - 8}" x2="{gx:.1f}" y2="{bottom}" '
                     f'stroke="#999" stroke-width="1" stroke-dasharray="3 3"/>')
        parts.append(_text(gx, bottom + 18, str(value), anchor="middle"))
    parts.append(_text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 40,
                       _("Scale mean (1 = not at all true, 5 = completely true)"),
                       anchor="middle", size=12))
    for index, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        lines = _lines(row.title)
        first = y - 8 * (len(lines) - 1) + 4
        for number, line in enumerate(lines):
            parts.append(_text(8, first + 16 * number, line))
        if index:
            parts.append(f'<line x1="8" y1="{y - ROW_HEIGHT / 2:.1f}" x2="{PLOT_RIGHT}" '
                         f'y2="{y - ROW_HEIGHT / 2:.1f}" stroke="#ddd" stroke-width="1"/>')
        if row.suppressed or row.pre is None or row.post is None:
            parts.append(_text(PLOT_LEFT, y + 4, str(SUPPRESSED), style="italic", size=12))
            continue
        parts.append(f'<line x1="{_x(row.pre):.1f}" y1="{y:.1f}" x2="{_x(row.post):.1f}" '
                     f'y2="{y:.1f}" stroke="#444" stroke-width="2.5"/>')
        if row.then is not None:
            parts.append(_square(_x(row.then), y))
        parts.append(_circle(_x(row.pre), y))
        parts.append(_diamond(_x(row.post), y))
        if row.follow is not None:
            parts.append(_triangle(_x(row.follow), y))
        if row.diff is not None:
            change = num(row.diff) if row.diff < 0 else f"+{num(row.diff)}"
            parts.append(_text((_x(row.pre) + _x(row.post)) / 2, y - 11, change, size=11,
                               anchor="middle"))
    parts.append("</svg>")
    # Everything inside is escaped above; the markup is our own.
    return mark_safe("".join(parts))  # noqa: S308
