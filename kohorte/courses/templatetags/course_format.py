"""Formatting shared by the course's pages."""

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def hours(value):
    """Hours without trailing zeros and without rounding, in the locale's format:
    10,5 – 14 – 3,25 ("–" for none)."""
    if value is None or value == "":
        return "–"
    normalized = Decimal(value).normalize()
    if normalized == normalized.to_integral():
        normalized = normalized.quantize(Decimal(1))
    return formats.number_format(normalized)
