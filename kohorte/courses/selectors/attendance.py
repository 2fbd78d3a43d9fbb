"""How much of the course each participant attended (the completion rule's first half).

A participant is scheduled for the sessions between joining and leaving; a session's
hours count as attended when they were present or a make-up was recorded for an
(excused or unexcused) absence. Sessions not yet held are not counted in the rate; they
are what is still possible when we ask whether someone can still reach the rule.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from ..models import Attendance, Participant, Session


@dataclass(frozen=True)
class Rate:
    attended: Decimal
    scheduled: Decimal

    @property
    def percent(self) -> Decimal | None:
        """Attended hours as a percentage of scheduled hours; None before any session."""
        if not self.scheduled:
            return None
        return (self.attended * 100 / self.scheduled).quantize(Decimal("0.1"))


def _scheduled_for(participant, day) -> bool:
    """Whether the participant belongs to the course on ``day`` (joined, not yet left)."""
    if day < participant.joined_on:
        return False
    return not (participant.left_on and day >= participant.left_on)


def attendance_rates(cohort, *, now=None) -> dict[int, Rate]:
    """{participant id: Rate} for every participant of ``cohort`` (three queries)."""
    now = now or timezone.now()
    sessions = list(Session.objects.filter(module__cohort=cohort, starts_at__lte=now)
                    .values("id", "starts_at", "hours"))
    counted = {
        (row["session_id"], row["participant_id"])
        for row in Attendance.objects.filter(session__module__cohort=cohort)
        .filter(Q(status=Attendance.Status.PRESENT) | ~Q(makeup=""))
        .values("session_id", "participant_id")
    }
    rates = {}
    for participant in cohort.participants.all():
        attended = scheduled = Decimal(0)
        for session in sessions:
            if not _scheduled_for(participant, timezone.localdate(session["starts_at"])):
                continue
            scheduled += session["hours"]
            if (session["id"], participant.pk) in counted:
                attended += session["hours"]
        rates[participant.pk] = Rate(attended=attended, scheduled=scheduled)
    return rates


# --- One session: the lecturer's list -----------------------------------------------------

@dataclass
class SheetRow:
    participant: Participant
    attendance: Attendance | None


def session_sheet(session) -> list[SheetRow]:
    """Everyone scheduled for ``session`` (and anyone already recorded), by name, with
    their attendance row if there is one (two queries)."""
    day = timezone.localdate(session.starts_at)
    rows = {a.participant_id: a for a in
            Attendance.objects.filter(session=session).select_related("recorded_by")}
    people = (Participant.objects.filter(cohort_id=session.module.cohort_id)
              .select_related("application__organisation"))
    return [SheetRow(participant=p, attendance=rows.get(p.pk)) for p in people
            if p.pk in rows or _scheduled_for(p, day)]


@dataclass(frozen=True)
class SessionCount:
    present: int
    recorded: int
    scheduled: int

    @property
    def percent(self) -> Decimal | None:
        if not self.scheduled:
            return None
        return (Decimal(self.present) * 100 / self.scheduled).quantize(Decimal("0.1"))


# --- The cohort: overview with the warnings ------------------------------------------------

class Standing:
    OK = "ok"
    AT_RISK = "at_risk"  # below the rule now, but it can still be reached
    CANNOT_REACH = "cannot_reach"  # even attending everything left is not enough
    LEFT = "left"


@dataclass
class ParticipantStanding:
    participant: Participant
    attended: Decimal = Decimal(0)
    held: Decimal = Decimal(0)  # scheduled hours of sessions already started
    remaining: Decimal = Decimal(0)  # scheduled hours of sessions still to come
    required_percent: int = 80
    by_module: dict = field(default_factory=dict)  # module id -> Rate
    cells: list = field(default_factory=list)  # Rate or None per module shown, in order

    @property
    def rate(self) -> Rate:
        return Rate(attended=self.attended, scheduled=self.held)

    @property
    def total(self) -> Decimal:
        return self.held + self.remaining

    @property
    def required(self) -> Decimal:
        """Hours needed of all scheduled hours to meet the rule."""
        return (self.total * self.required_percent / 100).quantize(Decimal("0.01"))

    @property
    def still_possible(self) -> Decimal:
        return self.attended + self.remaining

    @property
    def missing(self) -> Decimal:
        """Hours short of the rule even when attending everything still to come."""
        return max(Decimal(0), self.required - self.still_possible)

    @property
    def standing(self) -> str:
        if self.participant.state == Participant.State.LEFT:
            return Standing.LEFT
        if self.still_possible < self.required:
            return Standing.CANNOT_REACH
        percent = self.rate.percent
        if percent is not None and percent < self.required_percent:
            return Standing.AT_RISK
        return Standing.OK


@dataclass
class CohortOverview:
    cohort: object
    modules: list
    sessions: list
    standings: list[ParticipantStanding]
    session_counts: dict[int, SessionCount]

    @property
    def session_rows(self):
        """(session, SessionCount) for the sessions shown."""
        return [(s, self.session_counts[s.pk]) for s in self.sessions]

    @property
    def cannot_reach(self):
        return [s for s in self.standings if s.standing == Standing.CANNOT_REACH]

    @property
    def at_risk(self):
        return [s for s in self.standings if s.standing == Standing.AT_RISK]


def cohort_overview(cohort, *, now=None, modules=None) -> CohortOverview:
    """Hours per participant and module, each one's standing against the cohort's rule,
    and per session the count of those present (four queries whatever the size).

    ``modules`` limits the columns (a lecturer sees the modules they teach); the
    standing is always over the whole course.
    """
    now = now or timezone.now()
    all_sessions = list(Session.objects.filter(module__cohort=cohort)
                        .select_related("module").order_by("starts_at", "id"))
    participants = list(Participant.objects.filter(cohort=cohort)
                        .select_related("application__organisation"))
    marks = {(a.session_id, a.participant_id): a for a in
             Attendance.objects.filter(session__module__cohort=cohort)}
    shown_modules = list(modules) if modules is not None else list(cohort.modules.all())
    shown_ids = {m.pk for m in shown_modules}
    standings, counts = [], {}
    for session in all_sessions:
        counts[session.pk] = [0, 0, 0]
    for participant in participants:
        standing = ParticipantStanding(participant=participant,
                                       required_percent=cohort.min_attendance_percent)
        per_module = {}
        for session in all_sessions:
            if not _scheduled_for(participant, timezone.localdate(session.starts_at)):
                continue
            mark = marks.get((session.pk, participant.pk))
            count = counts[session.pk]
            count[2] += 1
            if mark is not None:
                count[1] += 1
                count[0] += mark.status == Attendance.Status.PRESENT
            if session.starts_at > now:
                standing.remaining += session.hours
                continue
            standing.held += session.hours
            attended = session.hours if mark is not None and mark.counts else Decimal(0)
            standing.attended += attended
            done, held = per_module.get(session.module_id, (Decimal(0), Decimal(0)))
            per_module[session.module_id] = (done + attended, held + session.hours)
        standing.by_module = {
            module_id: Rate(attended=done, scheduled=held)
            for module_id, (done, held) in per_module.items() if module_id in shown_ids}
        standing.cells = [standing.by_module.get(m.pk) for m in shown_modules]
        standings.append(standing)
    return CohortOverview(
        cohort=cohort, modules=shown_modules,
        sessions=[s for s in all_sessions if s.module_id in shown_ids],
        standings=standings,
        session_counts={pk: SessionCount(present=c[0], recorded=c[1], scheduled=c[2])
                        for pk, c in counts.items()})


# --- One participant: their own page -------------------------------------------------------

@dataclass
class OwnSession:
    session: Session
    attendance: Attendance | None
    held: bool


@dataclass
class OwnAttendance:
    sessions: list[OwnSession]
    standing: ParticipantStanding


def participant_attendance(participant, *, now=None) -> OwnAttendance:
    """A participant's own sessions with what is recorded, and their standing."""
    now = now or timezone.now()
    cohort = participant.cohort
    marks = {a.session_id: a for a in Attendance.objects.filter(participant=participant)}
    standing = ParticipantStanding(participant=participant,
                                   required_percent=cohort.min_attendance_percent)
    own = []
    for session in (Session.objects.filter(module__cohort_id=participant.cohort_id)
                    .select_related("module").order_by("starts_at", "id")):
        mark = marks.get(session.pk)
        if mark is None and not _scheduled_for(participant,
                                               timezone.localdate(session.starts_at)):
            continue
        held = session.starts_at <= now
        if held:
            standing.held += session.hours
            if mark is not None and mark.counts:
                standing.attended += session.hours
        else:
            standing.remaining += session.hours
        own.append(OwnSession(session=session, attendance=mark, held=held))
    return OwnAttendance(sessions=own, standing=standing)


def participant_for_checkin(*, user, session) -> Participant | None:
    """The signed-in person's active place in the session's cohort, if any."""
    if not user.is_authenticated:
        return None
    return (Participant.objects.filter(user=user, cohort_id=session.module.cohort_id,
                                       state=Participant.State.ACTIVE).first())


def session_for_staff(*, pk) -> Session | None:
    return (Session.objects.filter(pk=pk)
            .select_related("module__cohort__call__programme").first())


def session_lecturers(session) -> list:
    return list(session.module.lecturers.order_by("display_name", "email"))
