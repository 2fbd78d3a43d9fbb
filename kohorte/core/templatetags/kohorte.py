from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from kohorte.core.dates import deadline_in_words
from kohorte.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text, top=2):
    """Safe Markdown; ``top`` is the level its first heading gets (2, or 3 in a section)."""
    return mark_safe(render_markdown(text, int(top)))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def deadline_words(deadline):
    return deadline_in_words(deadline, now=timezone.now())
