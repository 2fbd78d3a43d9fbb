"""The participant page's survey section gets its data here, so the page's view needs
nothing from this area: ``{% load evaluation_surveys %}{% open_surveys participant as s %}``.
"""

from django import template

from ..selectors_surveys import follow_up_consent_of, surveys_for_participant

register = template.Library()


@register.simple_tag
def open_surveys(participant):
    """The participant's open surveys, each {survey, answered, token}."""
    return surveys_for_participant(participant)


@register.simple_tag
def follow_up_consent(participant):
    """True, False, or None before the first survey opened (then nothing is asked yet)."""
    return follow_up_consent_of(participant)


@register.simple_tag(takes_context=True)
def cohort_page_url(context, cohort):
    """The course's page of ``cohort`` if the person may open it, else "" (the
    evaluation role may run a cohort's surveys without seeing the cohort's page)."""
    from django.urls import NoReverseMatch, reverse

    from kohorte.courses.selectors.schedule import may_view_cohort

    request = context.get("request")
    if request is None or not may_view_cohort(request.user, cohort):
        return ""
    try:
        return reverse("courses:cohort_detail", args=[cohort.pk])
    except NoReverseMatch:
        return ""
