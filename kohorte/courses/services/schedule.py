"""Changing a cohort's modules and sessions.

The participants plan their working weeks around the schedule (their employer releases
them for these days), so every change of a session's time or place is told to every
active participant by e-mail, in the transaction of the change. Each such change raises
the session's calendar SEQUENCE (its UID stays), so calendar apps update the event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kohorte.accounts.models import Role
from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from ..models import Attendance, Cohort, Module, Participant, Session
from ..models.common import new_secret

SESSION_FIELDS = ("starts_at", "ends_at", "hours", "place", "address", "room", "online_url")
# A change of these is a move: participants are told, calendars update.
MOVE_FIELDS = ("starts_at", "ends_at", "place", "address", "room", "online_url")


def _tell_participants(*, cohort, template, context, key):
    for participant in cohort.participants.filter(state=Participant.State.ACTIVE):
        mail_enqueue(to=participant.email, template=template,
                     context={**context, "participant": participant, "cohort": cohort},
                     about=participant, idempotency_key=f"{key}:{participant.pk}")


def _check_times(starts_at, ends_at):
    if ends_at <= starts_at:
        raise ValidationError({"end": _("The session must end after it starts.")},
                              code="order")


@transaction.atomic
def module_update(*, module, actor, title: str, aims: str, lecturers) -> Module:
    """Change a module's title, aims and lecturers. Lecturers must hold the lecturer
    role in the cohort's programme (they may belong to any partner institution)."""
    module = Module.objects.select_for_update().select_related("cohort__call").get(pk=module.pk)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the module a title.")}, code="required")
    programme_id = module.cohort.call.programme_id
    lecturers = list(lecturers)
    allowed = set(Role.objects.filter(programme_id=programme_id, kind=Role.Kind.LECTURER,
                                      user__in=lecturers).values_list("user_id", flat=True))
    if any(user.pk not in allowed for user in lecturers):
        raise ValidationError({"lecturers": _("Only people with the lecturer role in this "
                                              "programme can teach a module.")},
                              code="lecturer")
    before = sorted(module.lecturers.values_list("pk", flat=True))
    module.title, module.aims = title, aims or ""
    module.save(update_fields=["title", "aims"])
    module.lecturers.set(lecturers)
    audit_record(actor=actor, action="module.edit", obj=module,
                 data={"lecturers_before": before,
                       "lecturers": sorted(user.pk for user in lecturers)})
    return module


@transaction.atomic
def session_add(*, module, actor, starts_at, ends_at, hours, place="", address="", room="",
                online_url="", now=None) -> Session:
    """Add a session to a module and tell the active participants."""
    _check_times(starts_at, ends_at)
    session = Session.objects.create(module=module, starts_at=starts_at, ends_at=ends_at,
                                     hours=hours, place=place, address=address, room=room,
                                     online_url=online_url)
    _tell_participants(cohort=module.cohort, template="course_session_added",
                       context={"session": session, "module": module},
                       key=f"session-added:{session.uid}")
    audit_record(actor=actor, action="session.add", obj=session,
                 data={"module": module.pk, "starts_at": starts_at.isoformat()})
    return session


@transaction.atomic
def session_update(*, session, actor, now=None, **changes) -> Session:
    """Change a session. A change of time or place is a move: the SEQUENCE grows by one
    and every active participant gets the old and the new time and place by e-mail.
    Changing only the hours counted is a correction nobody needs to be told about."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"session_update got unknown fields {sorted(unknown)}")
    session = (Session.objects.select_for_update()
               .select_related("module", "module__cohort").get(pk=session.pk))
    old = {name: getattr(session, name) for name in SESSION_FIELDS}
    new = {**old, **changes}
    _check_times(new["starts_at"], new["ends_at"])
    changed = [name for name in SESSION_FIELDS if new[name] != old[name]]
    if not changed:
        return session
    for name in changed:
        setattr(session, name, new[name])
    moved = any(name in MOVE_FIELDS for name in changed)
    if moved:
        session.sequence += 1
    session.save(update_fields=changed + (["sequence"] if moved else []))
    if moved:
        _tell_participants(
            cohort=session.module.cohort, template="course_session_moved",
            context={"session": session, "module": session.module,
                     "old_starts_at": old["starts_at"], "old_ends_at": old["ends_at"],
                     "old_place": ", ".join(p for p in (old["place"], old["address"],
                                                        old["room"]) if p),
                     "old_online_url": old["online_url"]},
            key=f"session-moved:{session.uid}:{session.sequence}")
    audit_record(actor=actor, action="session.move" if moved else "session.edit",
                 obj=session,
                 data={name: {"old": str(old[name]), "new": str(new[name])} for name in changed})
    return session


@transaction.atomic
def session_remove(*, session, actor, now=None) -> None:
    """Remove a session, and tell the active participants. Refused once attendance is
    recorded for it: the record of who was there must not lose its session."""
    session = (Session.objects.select_for_update()
               .select_related("module", "module__cohort").get(pk=session.pk))
    if Attendance.objects.filter(session=session).exists():
        raise ValidationError(_("Attendance is already recorded for this session, so it "
                                "cannot be removed. Move it instead."), code="attended")
    module = session.module
    _tell_participants(cohort=module.cohort, template="course_session_removed",
                       context={"session": session, "module": module},
                       key=f"session-removed:{session.uid}")
    audit_record(actor=actor, action="session.remove", obj=session,
                 data={"module": module.pk, "starts_at": session.starts_at.isoformat(),
                       "ends_at": session.ends_at.isoformat(), "uid": str(session.uid)})
    session.delete()


@transaction.atomic
def participant_feed_renew(*, participant, actor) -> Participant:
    """A new private calendar address for a participant; the old one stops working
    (for a link that was passed on or leaked)."""
    participant.feed_token = new_secret()
    participant.save(update_fields=["feed_token"])
    audit_record(actor=actor, action="participant.feed_renew", obj=participant)
    return participant


@transaction.atomic
def cohort_feed_renew(*, cohort, actor) -> Cohort:
    """A new address for the cohort's calendar; the old one stops working."""
    cohort.feed_token = new_secret()
    cohort.save(update_fields=["feed_token"])
    audit_record(actor=actor, action="cohort.feed_renew", obj=cohort)
    return cohort
