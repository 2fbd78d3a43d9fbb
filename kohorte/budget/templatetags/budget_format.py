"""Amounts, percentages and line states in German words and figures, and the burn chart."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from kohorte.budget import rules

register = template.Library()


@register.filter
def euro(amount):
    """1234.5 -> "1.234,50 €" (German notation, always two decimals)."""
    if amount is None or amount == "":
        return "–"
    return rules.format_eur(amount)


@register.filter
def percent(value):
    return rules.format_percent(value)


@register.simple_tag
def line_state(verdict, period):
    """The line's state in words (never by colour alone)."""
    limit = rules.format_percent(format(Decimal(period.overrun_percent).normalize(), "f"))
    words = {
        rules.LineState.WITHIN: _("Within plan"),
        rules.LineState.OVER_OFFSET: _("Over plan by up to %(limit)s, offset by savings"),
        rules.LineState.OVER_NOT_OFFSET: _("Over plan without offset"),
        rules.LineState.NEEDS_CONSENT: _("Over plan by more than %(limit)s: the funder's "
                                         "consent is needed"),
        rules.LineState.CONSENTED: _("Consented by the funder"),
    }
    return words[verdict.state] % {"limit": limit}


# The chart's geometry (SVG user units).
CHART_WIDTH, LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 640, 200, 34, 18


@register.inclusion_tag("budget/_burn_chart.html")
def burn_chart(report):
    """Horizontal bars: each line's approved spending against its plan (the plan is the
    outline, spending the filled bar, capped at 150 % of the plan for the drawing)."""
    rows = report.expense
    scale_max = max([row.line.amount for row in rows] + [row.actual for row in rows]
                    + [Decimal("0.01")])
    span = CHART_WIDTH - LABEL_WIDTH - 90
    bars = []
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT + 8
        plan_w = float(row.line.amount / scale_max) * span
        actual_w = float(row.actual / scale_max) * span
        bars.append({"title": row.line.title, "y": y, "text_y": y + BAR_HEIGHT - 4,
                     "plan_w": round(plan_w, 1), "actual_w": round(actual_w, 1),
                     "over": row.actual > row.line.amount,
                     "label_x": LABEL_WIDTH + round(max(plan_w, actual_w), 1) + 6,
                     "used": rules.format_percent(row.verdict.used_percent)})
    return {"bars": bars, "width": CHART_WIDTH, "label_width": LABEL_WIDTH,
            "height": len(rows) * ROW_HEIGHT + 16, "bar_height": BAR_HEIGHT, "report": report}


@register.filter
def line_title(key, titles):
    """The line's title for a key ({key: title}); the key itself if unknown."""
    return titles.get(key, key) if titles else key
