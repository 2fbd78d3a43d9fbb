"""The participant page's project section gets its data here, so the page's view needs
nothing from this area: ``{% load course_projects %}{% project_summary participant as s %}``.
"""


from django import template
from django.utils import timezone

from ..selectors.completion import completion_of
from ..selectors.projects import project_of, project_status, waiting_for_feedback_count
from .course_format import hours

register = template.Library()


@register.simple_tag
def project_summary(participant):
    """The project's status (state, next due date in words) and the completion."""
    cohort = participant.cohort
    project = project_of(participant)
    return {
        "status": project_status(project, cohort, today=timezone.localdate()),
        "completion": completion_of(participant=participant),
        "cohort": cohort,
    }


@register.simple_tag
def projects_waiting(cohort):
    """How many plans and reports of the cohort wait for feedback (for the cohort page)."""
    return waiting_for_feedback_count(cohort=cohort)


# The shared hours format, kept under this library's name for its templates.
register.filter("hours", hours)
