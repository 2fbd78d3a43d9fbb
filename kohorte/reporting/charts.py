"""Geometry of the dashboard's charts (inline SVG, drawn by templates in
``reporting/charts/``). Each chart has a title, a description that reads its figures,
and a table beside it with the same numbers; series differ by pattern and by label,
never by colour alone, so they survive a black-and-white print.
"""

from decimal import Decimal

# Fill patterns per series (defined in the chart templates): solid, hatched, dotted.
PATTERNS = ("solid", "hatch", "dots", "cross")

WIDTH, LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 640, 190, 30, 18


def stacked_bars(*, chart_id: str, rows: list[tuple[str, list[int]]], series: list[str]) -> dict:
    """Horizontal bars, one per row, stacked from its series; the total stands after the
    bar, each segment wide enough carries its own number."""
    span = WIDTH - LABEL_WIDTH - 60
    largest = max([sum(values) for _label, values in rows] + [1])
    bars = []
    for index, (label, values) in enumerate(rows):
        y = index * ROW_HEIGHT + 6
        x, segments = LABEL_WIDTH, []
        for position, value in enumerate(values):
            width = round(value / largest * span, 1)
            segments.append({"x": x, "width": width, "value": value,
                             "pattern": f"{chart_id}-{PATTERNS[position % len(PATTERNS)]}",
                             "series": series[position], "show": value and width >= 22,
                             "text_x": round(x + width / 2, 1)})
            x = round(x + width, 1)
        bars.append({"label": label, "y": y, "text_y": y + BAR_HEIGHT - 4, "segments": segments,
                     "total": sum(values), "total_x": x + 6})
    legend = [{"series": name, "pattern": f"{chart_id}-{PATTERNS[i % len(PATTERNS)]}",
               "x": LABEL_WIDTH + i * 150}
              for i, name in enumerate(series)] if len(series) > 1 else []
    top = len(rows) * ROW_HEIGHT + 12
    return {"id": chart_id, "desc": describe(rows, series), "bars": bars, "width": WIDTH, "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "legend": legend, "legend_y": top,
            "height": top + (28 if legend else 0)}


def describe(rows, series) -> str:
    """The chart's figures in words: "Darmstadt: 5 (Tier 1: 3, Tier 2: 2). …"."""
    parts = []
    for label, values in rows:
        text = f"{label}: {sum(values)}"
        if len(series) > 1:
            text += " (" + ", ".join(f"{name}: {value}"
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
