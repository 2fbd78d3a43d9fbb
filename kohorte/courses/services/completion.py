"""Completing the course: the cohort's rule, and the coordinator's confirmation.

Meeting the rule does not complete the course by itself: a coordinator confirms, one
by one or everyone who meets it at once, because the certificate rests on that
decision. Confirming someone who does not meet the rule is possible with a reason
(a make-up the system does not know of); undoing a confirmation needs a reason too and
is refused while a valid certificate exists (revoke that first). All of it is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record

from ..models import Cohort, Participant
from ..selectors.completion import completion_of, completion_overview, has_valid_certificate


@transaction.atomic
def cohort_completion_rule_set(*, cohort: Cohort, min_attendance_percent: int,
                               requires_project: bool, actor) -> Cohort:
    """Change the cohort's completion rule. Confirmations already given stay."""
    if not 0 <= min_attendance_percent <= 100:
        raise ValidationError({"min_attendance_percent": _(
            "Please enter a percentage from 0 to 100.")}, code="range")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = {"min_attendance_percent": cohort.min_attendance_percent,
              "requires_project": cohort.requires_project}
    cohort.min_attendance_percent, cohort.requires_project = (min_attendance_percent,
                                                              requires_project)
    cohort.save(update_fields=["min_attendance_percent", "requires_project"])
    audit_record(actor=actor, action="cohort.completion_rule_set", obj=cohort, data={
        "before": before, "after": {"min_attendance_percent": min_attendance_percent,
                                    "requires_project": requires_project}})
    return cohort


def _locked(participant) -> Participant:
    return Participant.objects.select_for_update().select_related("cohort").get(pk=participant.pk)


def _confirm(participant, *, actor, now, override_reason, completion):
    participant.completion_confirmed_at, participant.completion_confirmed_by = now, actor
    participant.save(update_fields=["completion_confirmed_at", "completion_confirmed_by"])
    audit_record(actor=actor, action="participant.completion_confirmed", obj=participant,
                 reason=override_reason, data={
                     "meets_rule": completion.meets, "override": bool(override_reason),
                     "unmet": completion.reasons,
                     "attended_hours": str(completion.rate.attended),
                     "scheduled_hours": str(completion.rate.scheduled),
                     "project_state": completion.project.state})


@transaction.atomic
def completion_confirm(*, participant: Participant, actor, override_reason: str = "",
                       now=None) -> Participant:
    """Confirm that ``participant`` completed the course.

    Refused for someone who left, and a second time. Someone who does not meet the
    rule is confirmed only with an explicit reason for the exception.
    """
    now = now or timezone.now()
    override_reason = (override_reason or "").strip()
    participant = _locked(participant)
    if participant.state == Participant.State.LEFT:
        raise ValidationError(_("%(name)s left the course and cannot complete it."),
                              code="left", params={"name": participant.full_name})
    if participant.completion_confirmed_at is not None:
        raise ValidationError(_("The completion of %(name)s is already confirmed."),
                              code="confirmed", params={"name": participant.full_name})
    completion = completion_of(participant=participant, now=now)
    if not completion.meets and not override_reason:
        raise ValidationError({"override_reason": _(
            "%(name)s does not meet the completion rule. To confirm anyway, please give "
            "the reason for the exception.") % {"name": participant.full_name}},
            code="override_required")
    _confirm(participant, actor=actor, now=now,
             override_reason=override_reason if not completion.meets else "",
             completion=completion)
    return participant


@transaction.atomic
def completion_confirm_all(*, cohort: Cohort, actor, now=None) -> list[Participant]:
    """Confirm everyone taking part who meets the rule and is not confirmed yet."""
    now = now or timezone.now()
    # Lock the cohort so that two clicks confirm each person once; read its rule afresh.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    confirmed = []
    for completion in completion_overview(cohort=cohort, now=now):
        participant = completion.participant
        if completion.meets and not completion.left and not completion.confirmed:
            _confirm(participant, actor=actor, now=now, override_reason="",
                     completion=completion)
            confirmed.append(participant)
    return confirmed


@transaction.atomic
def completion_undo(*, participant: Participant, reason: str, actor) -> Participant:
    """Take back a confirmation (with the reason), as long as no valid certificate
    rests on it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason.")}, code="required")
    participant = _locked(participant)
    if participant.completion_confirmed_at is None:
        raise ValidationError(_("The completion of %(name)s is not confirmed."),
                              code="not_confirmed", params={"name": participant.full_name})
    if has_valid_certificate(participant):
        raise ValidationError(_("%(name)s has a valid certificate. Please revoke it before "
                                "taking back the confirmation."), code="certificate",
                              params={"name": participant.full_name})
    before = participant.completion_confirmed_at
    participant.completion_confirmed_at = participant.completion_confirmed_by = None
    participant.save(update_fields=["completion_confirmed_at", "completion_confirmed_by"])
    audit_record(actor=actor, action="participant.completion_undone", obj=participant,
                 reason=reason, data={"confirmed_at": before.isoformat()})
    return participant
