"""Showing a proof-of-use snapshot and the dashboard's figures: dates, titles from the
templates' data, line states, funnel stages and effect sizes in German notation."""

from datetime import date
from types import SimpleNamespace

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kohorte.budget import rules
from kohorte.budget.templatetags.budget_format import line_state

from ..proof_templates import localised

register = template.Library()

STAGES = {
    "places": _("Places"),
    "submitted": _("Applications"),
    "eligible": _("Eligible"),
    "selected": _("Offered a place"),
    "accepted": _("Accepted"),
    "participants": _("Participants"),
    "completed": _("Completed"),
    "certificates": _("Certificates"),
}


@register.filter
def isodate(value):
    """"2026-03-02" -> a date, for the ``date`` filter."""
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


@register.filter
def loc(value):
    """A {"de": …, "en": …} title from a template, in the current language."""
    return localised(value)


@register.filter
def stage_label(key):
    return STAGES.get(key, key)


@register.filter
def state_words(state, overrun_percent):
    """An expense line's overrun state in words (the budget's own wording)."""
    if not state:
        return ""
    return line_state(SimpleNamespace(state=rules.LineState(state)),
                      SimpleNamespace(overrun_percent=overrun_percent or "0"))


@register.filter
def decimal_de(value, places=2):
    """0.8123 -> "0,81"; "–" for nothing."""
    if value is None or value == "":
        return "–"
    return f"{float(value):.{int(places)}f}".replace(".", ",").replace("-", "−")


@register.filter
def cell(value):
    """A count, or the mark of a withheld one (small-cell suppression) with its word for
    screen readers; ``reporting/_withheld_note.html`` under the table explains the mark."""
    if value is None:
        return format_html('<span aria-hidden="true">*</span><span class="kern-sr-only">{}</span>',
                           _("withheld"))
    return value


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)
