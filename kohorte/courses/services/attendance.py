"""Recording attendance: the lecturer's list, the self check-in and the make-up.

The lecturer's list is authoritative: it records anyone not yet recorded and overrides a
self check-in. Changing a recorded status is a correction and needs a reason; every
change is kept in the audit log with the old and the new value. The self check-in only
ever adds a row (present, source qr); it never changes one.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kohorte.core.audit import audit_record

from .. import checkin
from ..models import Attendance, Participant, Session


def _snapshot(attendance) -> dict:
    return {"status": attendance.status, "excuse_reason": attendance.excuse_reason,
            "source": attendance.source}


# --- Self check-in -----------------------------------------------------------------------

CHECKIN_REFUSALS = {
    checkin.CodeCheck.EXPIRED: (
        "expired", gettext_noop("This code has expired. Please scan the code shown in the room again.")),
    checkin.CodeCheck.WRONG: (
        "wrong", gettext_noop("This is not a valid check-in code for this session.")),
    checkin.CodeCheck.CLOSED: (
        "closed", gettext_noop("Check-in for this session is not open: it opens 15 minutes before "
                    "the start and closes at the end.")),
}


def checkin_refusal(*, session, code, now) -> ValidationError | None:
    """The error to show for ``code`` at ``now``, or None when it is valid."""
    result = checkin.check_code(secret=session.checkin_secret, session_id=session.pk,
                                code=code, starts_at=session.starts_at,
                                ends_at=session.ends_at, now=now)
    if result == checkin.CodeCheck.VALID:
        return None
    error_code, message = CHECKIN_REFUSALS[result]
    # Translated at the time of the request, not at import.
    return ValidationError(_(message), code=error_code)


@transaction.atomic
def attendance_check_in(*, session, participant, code, actor, now=None
                        ) -> tuple[Attendance, bool]:
    """Record the participant as present by the code shown in the room.

    The code must be the current or the previous one and the session's check-in window
    open. One check-in per person and session: a second one (or one after the lecturer
    recorded them) changes nothing and returns the existing row with ``False``.
    """
    now = now or timezone.now()
    if (participant.cohort_id != session.module.cohort_id
            or participant.state != Participant.State.ACTIVE):
        raise PermissionDenied
    refusal = checkin_refusal(session=session, code=code, now=now)
    if refusal is not None:
        raise refusal
    attendance, created = Attendance.objects.get_or_create(
        session=session, participant=participant,
        defaults={"status": Attendance.Status.PRESENT, "source": Attendance.Source.QR,
                  "checked_in_at": now, "recorded_at": now,
                  "recorded_by": actor if actor and actor.pk else None})
    if created:
        audit_record(actor=actor, action="attendance.check_in", obj=attendance,
                     data={"session": session.pk, "participant": participant.pk,
                           "at": now.isoformat()})
    return attendance, created


# --- The lecturer's list -----------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """One line of the list: a status (or "" for not recorded) and an excuse."""

    participant: Participant
    status: str
    excuse_reason: str = ""


@dataclass(frozen=True)
class ListResult:
    created: int
    changed: int
    unchanged: int


@transaction.atomic
def attendance_record_list(*, session, marks: list[Mark], actor, correction_reason="",
                           now=None) -> ListResult:
    """Save the lecturer's list of one session.

    A line without a status records nothing. An excused absence needs its reason.
    Changing a recorded status needs ``correction_reason`` (kept in the audit log with
    the old and the new value); the whole list is refused otherwise, so that nothing
    is half-saved. Nobody is marked for a session that has not begun (the list opens
    when the check-in does), so that the hours counted are hours held.
    """
    now = now or timezone.now()
    correction_reason = (correction_reason or "").strip()
    session = Session.objects.select_related("module").get(pk=session.pk)
    opens = session.starts_at - checkin.OPENS_BEFORE_START
    if now < opens:
        raise ValidationError(
            _("This session has not begun yet: attendance can be recorded from %(time)s."),
            code="early",
            params={"time": timezone.localtime(opens).strftime("%d.%m.%Y %H:%M")})
    existing = {a.participant_id: a for a in
                Attendance.objects.select_for_update().filter(session=session)}
    errors, to_create, to_change = {}, [], []
    for mark in marks:
        if mark.participant.cohort_id != session.module.cohort_id:
            raise PermissionDenied
        if not mark.status:
            continue
        if mark.status not in Attendance.Status.values:
            errors[f"status_{mark.participant.pk}"] = _("Please choose one of the options.")
            continue
        excuse = (mark.excuse_reason or "").strip() if mark.status == "excused" else ""
        if mark.status == Attendance.Status.EXCUSED and not excuse:
            errors[f"excuse_{mark.participant.pk}"] = _(
                "Please give the reason for the excused absence of %(name)s.") % {
                "name": mark.participant.full_name}
            continue
        row = existing.get(mark.participant.pk)
        if row is None:
            to_create.append(Attendance(
                session=session, participant=mark.participant, status=mark.status,
                excuse_reason=excuse, source=Attendance.Source.LIST, recorded_at=now,
                recorded_by=actor if actor and actor.pk else None))
        elif (row.status, row.excuse_reason) != (mark.status, excuse):
            to_change.append((row, mark.status, excuse))
    if any(row.status != status for row, status, _excuse in to_change) and not correction_reason:
        errors["correction_reason"] = _("You are changing a recorded status: please give "
                                        "the reason for the correction.")
    if errors:
        raise ValidationError(errors)
    for row in to_create:
        row.save()
    if to_create:
        audit_record(actor=actor, action="attendance.record", obj=session,
                     data={"recorded": {str(row.participant_id): row.status
                                        for row in to_create}})
    for row, status, excuse in to_change:
        old = _snapshot(row)
        row.status, row.excuse_reason, row.source = status, excuse, Attendance.Source.LIST
        row.recorded_at, row.recorded_by = now, actor if actor and actor.pk else None
        row.save(update_fields=["status", "excuse_reason", "source", "recorded_at",
                                "recorded_by"])
        audit_record(actor=actor, action="attendance.correct", obj=row,
                     reason=correction_reason,
                     data={"session": session.pk, "participant": row.participant_id,
                           "old": old, "new": _snapshot(row)})
    return ListResult(created=len(to_create), changed=len(to_change),
                      unchanged=len(marks) - len(to_create) - len(to_change))


# --- The make-up (Ersatzleistung) --------------------------------------------------------

@transaction.atomic
def attendance_makeup_record(*, session, participant, text, actor, now=None) -> Attendance:
    """Record what a participant did to make up a missed session (coordinator only).

    With a make-up, the session's hours count as attended for completion. Only for an
    absence: a session without a record is recorded as absent at the same time. An
    existing make-up is replaced; the audit log keeps the old text.
    """
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Please describe what was done to make up for "
                                         "the session.")}, code="required")
    if participant.cohort_id != session.module.cohort_id:
        raise PermissionDenied
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session, participant=participant,
        defaults={"status": Attendance.Status.ABSENT, "source": Attendance.Source.LIST,
                  "recorded_at": now, "recorded_by": actor if actor and actor.pk else None})
    if attendance.status == Attendance.Status.PRESENT:
        raise ValidationError(_("%(name)s was present at this session; a make-up is only "
                                "for an absence.") % {"name": participant.full_name},
                              code="present")
    old = attendance.makeup
    attendance.makeup, attendance.makeup_recorded_at = text, now
    attendance.makeup_recorded_by = actor if actor and actor.pk else None
    attendance.save(update_fields=["makeup", "makeup_recorded_at", "makeup_recorded_by"])
    audit_record(actor=actor, action="attendance.makeup", obj=attendance,
                 data={"session": session.pk, "participant": participant.pk,
                       "old": old, "new": text, "absence_recorded": created})
    return attendance
