"""How much of the course each participant attended (the completion rule's first half).

A participant is scheduled for the sessions between joining and leaving; a session's
hours count as attended when they were present or a make-up was recorded for an
(excused or unexcused) absence. Sessions not yet held are not counted.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from ..models import Attendance, Session


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


def attendance_rates(cohort, *, now=None) -> dict[int, Rate]:
    """{participant id: Rate} for every participant of ``cohort`` (two queries)."""
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
            day = timezone.localdate(session["starts_at"])
            if day < participant.joined_on or (participant.left_on and day >= participant.left_on):
                continue
            scheduled += session["hours"]
            if (session["id"], participant.pk) in counted:
                attended += session["hours"]
        rates[participant.pk] = Rate(attended=attended, scheduled=scheduled)
    return rates
