"""Geometry of the dashboard's charts (inline SVG, drawn by templates in
``reporting/charts/``). Each chart has a title, a description that reads its figures,
and a table beside it with the same numbers; series differ by pattern and by label,
never by colour alone, so they survive a black-and-white print.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

# Fill patterns per series (defined in the chart templates): solid, hatched, dotted.
PATTERNS = ("solid", "hatch", "dots", "cross")

WIDTH, LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 640, 190, 30, 18


def stacked_bars(*, chart_id: str, rows: list[tuple[str, list[int | None], int | None]],
                 series: list[str]) -> dict:
    """Horizontal bars, one per row (label, values, total or None for their sum), stacked
    from its series; the total stands after the bar, each segment wide enough carries its
    own number.

    A withheld value (None, small-cell suppression) has no segment of its own: what a
    bar's withheld values add up to (its total minus the shown ones) is one grey segment
    without a number. A bar whose total is withheld is not drawn, only marked."""
    span = WIDTH - LABEL_WIDTH - 60
    totals = [_total(values, total) for _label, values, total in rows]
    largest = max([total for total in totals if total is not None] + [1])
    bars, withheld = [], False
    for index, ((label, values, _given), total) in enumerate(zip(rows, totals, strict=True)):
        y = index * ROW_HEIGHT + 6
        parts = []  # (series or None for the withheld rest, value, pattern)
        if total is not None:
            parts = [(series[position], value, _pattern(chart_id, position))
                     for position, value in enumerate(values) if value is not None]
            if None in values:
                withheld = True
                parts.append((None, total - sum(value for _n, value, _p in parts),
                              f"{chart_id}-withheld"))
        x, segments = LABEL_WIDTH, []
        for name, value, pattern in parts:
            width = round(value / largest * span, 1)
            segments.append({"x": x, "width": width, "value": value, "pattern": pattern,
                             "series": name, "show": name and value and width >= 22,
                             "text_x": round(x + width / 2, 1)})
            x = round(x + width, 1)
        bars.append({"label": label, "y": y, "text_y": y + BAR_HEIGHT - 4, "segments": segments,
                     "total": total, "total_x": x + 6})
    names = [(name, _pattern(chart_id, i)) for i, name in enumerate(series)]
    if withheld:
        names.append((_("withheld"), f"{chart_id}-withheld"))
    top = len(rows) * ROW_HEIGHT + 12
    # Two entries to a line, so that long names ("Ineligible" in German) stay in the drawing.
    legend = [{"series": name, "pattern": pattern, "x": LABEL_WIDTH + i % 2 * 225,
               "y": top + i // 2 * 20}
              for i, (name, pattern) in enumerate(names)] if len(names) > 1 else []
    return {"id": chart_id, "desc": describe(rows, series), "bars": bars, "width": WIDTH, "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "legend": legend,
            "height": top + (28 + (len(legend) - 1) // 2 * 20 if legend else 0)}


def _pattern(chart_id, position):
    return f"{chart_id}-{PATTERNS[position % len(PATTERNS)]}"


def _total(values, total):
    if total is not None:
        return total
    return None if None in values else sum(values)


def _number(value):
    return _("withheld") if value is None else value


def describe(rows, series) -> str:
    """The chart's figures in words: "Darmstadt: 5 (Tier 1: 3, Tier 2: 2). …"."""
    parts = []
    for label, values, total in rows:
        text = f"{label}: {_number(_total(values, total))}"
        if len(series) > 1:
            text += " (" + ", ".join(f"{name}: {_number(value)}"
                                     for name, value in zip(series, values, strict=True)) + ")"
        parts.append(text)
    return ". ".join(parts) + ("." if parts else "")


def burndown(*, chart_id: str, data: dict) -> dict:
    """Two lines over the months: what is left of the plan (solid, round markers) and
    what would be left at an even pace (dashed, no markers)."""
    rows = data["rows"]
    left, right, top, bottom = 70, WIDTH - 20, 16, 210
    planned = data["planned"] or Decimal("1")
    values = [planned] + [r["remaining"] for r in rows if r["remaining"] is not None]
    low = min([Decimal(0)] + values)
    high = max(values)
    spread = (high - low) or Decimal(1)
    step = (right - left) / max(len(rows), 1)

    def y(value):
        return round(bottom - float((value - low) / spread) * (bottom - top), 1)

    def x(index):
        return round(left + step * (index + 1), 1)

    even = [(left, y(planned))] + [(x(i), y(r["even"])) for i, r in enumerate(rows)]
    actual = [(left, y(planned))] + [(x(i), y(r["remaining"])) for i, r in enumerate(rows)
                                     if r["remaining"] is not None]
    ticks = [{"x": x(i), "label": f"{r['month']:%m/%y}"} for i, r in enumerate(rows)]
    return {
        "id": chart_id, "width": WIDTH, "height": bottom + 60, "left": left, "right": right,
        "top": top, "bottom": bottom, "zero_y": y(Decimal(0)), "plan_y": y(planned),
        "even": " ".join(f"{a},{b}" for a, b in even),
        "actual": " ".join(f"{a},{b}" for a, b in actual),
        "points": actual[1:], "ticks": ticks, "last": actual[-1] if len(actual) > 1 else None,
        "legend_y": bottom + 48,
    }
