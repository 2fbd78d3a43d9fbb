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
