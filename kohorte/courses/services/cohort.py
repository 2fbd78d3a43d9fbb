"""Forming the cohort from the accepted places, and its changes over the year.

The cohort is made once per call from the accepted offers; a place accepted later (a
refill from the waiting list) joins with ``cohort_add_accepted``. Leaving is a state
with a date and a reason, never a deletion, because attendance and the proof of use
rest on who took part when.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.core.dates import local_datetime
from kohorte.selection.models import Offer

from ..models import Cohort, Module, Participant, Session

# A module day has two half-day sessions (the unit of attendance).
DEFAULT_HALF_DAYS = ((time(9, 0), time(12, 30)), (time(13, 30), time(17, 0)))
DEFAULT_SESSION_HOURS = Decimal("3.5")


def _accepted_applications(call):
    return [offer.application for offer in
            Offer.objects.filter(call=call, state=Offer.State.ACCEPTED)
            .select_related("application").order_by("application__last_name", "pk")]


def _participant_for(cohort, application, *, now) -> Participant:
    return Participant.objects.create(
        cohort=cohort, application=application, user_id=application.applicant_id,
        first_name=application.first_name, last_name=application.last_name,
        email=application.email, joined_on=timezone.localdate(now))


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@transaction.atomic
def cohort_create(*, call, actor, title="", now=None) -> Cohort:
    """Make the call's cohort: everyone with an accepted place, and the module dates the
    call published, each day split into two half-day sessions at the call's places.

    Refused while nobody has accepted a place, and a second time for the same call (the
    database's one-to-one keeps a double click from making two).
    """
    now = now or timezone.now()
    applications = _accepted_applications(call)
    if not applications:
        raise ValidationError(_("Nobody has accepted a place yet, so there is no one to "
                                "form a cohort with."), code="empty")
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(call=call, title=title or call.title,
                                           created_by=actor if actor and actor.pk else None,
                                           created_at=now)
    except IntegrityError:
        raise ValidationError(_("This call already has a cohort."), code="exists") from None
    for call_module in call.modules.order_by("position"):
        module = Module.objects.create(cohort=cohort, position=call_module.position,
                                       title=call_module.title)
        for day in _days(call_module.start_date, call_module.end_date):
            for start, end in DEFAULT_HALF_DAYS:
                Session.objects.create(module=module, starts_at=local_datetime(day, start),
                                       ends_at=local_datetime(day, end),
                                       hours=DEFAULT_SESSION_HOURS, place=call_module.place)
    for application in applications:
        _participant_for(cohort, application, now=now)
    audit_record(actor=actor, action="cohort.create", obj=cohort,
                 data={"participants": len(applications), "call": call.pk})
    return cohort


@transaction.atomic
def cohort_add_accepted(*, cohort, actor, now=None) -> list[Participant]:
    """Add the people who accepted a place after the cohort was made (refills)."""
    now = now or timezone.now()
    known = set(cohort.participants.values_list("application_id", flat=True))
    added = [_participant_for(cohort, application, now=now)
             for application in _accepted_applications(cohort.call)
             if application.pk not in known]
    for participant in added:
        audit_record(actor=actor, action="participant.join", obj=participant,
                     data={"cohort": cohort.pk})
    return added


@transaction.atomic
def participant_leave(*, participant, left_on: date, reason: str, actor) -> Participant:
    """Record that someone left the course: from that day on they are no longer
    scheduled; their attendance until then stays. The reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason.")}, code="required")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.state == Participant.State.LEFT:
        raise ValidationError(_("%(name)s has already left the course."), code="state",
                              params={"name": participant.full_name})
    if left_on < participant.joined_on:
        raise ValidationError({"left_on": _("The day of leaving cannot be before the day "
                                            "of joining.")}, code="invalid")
    participant.state, participant.left_on, participant.left_reason = (
        Participant.State.LEFT, left_on, reason)
    participant.save(update_fields=["state", "left_on", "left_reason"])
    audit_record(actor=actor, action="participant.leave", obj=participant, reason=reason,
                 data={"left_on": left_on.isoformat()})
    return participant
