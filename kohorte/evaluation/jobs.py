"""Scheduled jobs of the evaluation (named in settings.KOHORTE_SCHEDULED_JOBS).

Each takes ``now=`` and handles every due survey in its own transaction, so one failure
leaves the others done; running a job twice does nothing the second time.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Invitation, Survey
from .services_surveys import REMIND_DAYS_BEFORE, survey_close, survey_invite_due, survey_remind

log = logging.getLogger(__name__)


def surveys_invite_due(*, now=None) -> dict:
    """Send the invitations of the surveys released ahead of their opening time, now
    that it has come (``services_surveys.survey_open``)."""
    now = now or timezone.now()
    due = (Survey.objects.filter(state=Survey.State.OPEN, opens_at__lte=now, closes_at__gt=now)
           .exclude(pk__in=Invitation.objects.filter(sent_at__isnull=False).values("survey_id"))
           .order_by("opens_at", "pk"))
    invited = 0
    for survey in due:
        invited += survey_invite_due(survey=survey, now=now)
    return {"invited": invited}


def surveys_remind_due(*, now=None) -> dict:
    """Remind those who have not answered an open survey that closes within
    ``REMIND_DAYS_BEFORE`` days: once per person (the button may remind again)."""
    now = now or timezone.now()
    due = (Survey.objects.filter(state=Survey.State.OPEN, opens_at__lte=now, closes_at__gt=now,
                                 closes_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE))
           .filter(pk__in=Invitation.objects.filter(answered=False, reminded_at__isnull=True)
                   .values("survey_id"))
           .order_by("closes_at", "pk"))
    reminded = 0
    for survey in due:
        try:
            reminded += survey_remind(survey=survey, actor=None, now=now, only_unreminded=True)
        except ValidationError as error:
            log.warning("survey %s: no reminder: %s", survey.pk, error)
    return {"reminded": reminded}


def surveys_close_due(*, now=None) -> dict:
    """Close the open surveys whose closing time has passed."""
    now = now or timezone.now()
    closed = 0
    for survey in Survey.objects.filter(state=Survey.State.OPEN, closes_at__lte=now):
        survey_close(survey=survey, actor=None)
        closed += 1
    return {"closed": closed}
