"""The participant's own attendance, for their page's section
(``{% load course_attendance %}{% attendance_summary participant as summary %}``)."""

from django import template

from ..selectors.attendance import participant_attendance

register = template.Library()


@register.simple_tag
def attendance_summary(participant, now=None):
    """The participant's sessions with what is recorded, and their standing."""
    return participant_attendance(participant, now=now)
