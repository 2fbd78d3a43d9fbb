"""Who meets the cohort's completion rule, and why (not).

The rule is the cohort's (``min_attendance_percent``, ``requires_project``; by default
80 % of the scheduled hours and the practice project accepted). Attendance comes from
``attendance_rates`` (sessions held so far); the reasons are said in words, because the
coordinator confirms on them and may have to explain a refusal.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from ..models import Participant, PracticeProject
from .attendance import Rate, attendance_rates
from .projects import project_of


@dataclass(frozen=True)
class Completion:
    participant: Participant
    rate: Rate
    project: PracticeProject
    meets: bool
    reasons: list[str]  # why the rule is not met (empty when it is)
    met: list[str]  # what of the rule is met, in words

    @property
    def confirmed(self) -> bool:
        return self.participant.completion_confirmed_at is not None

    @property
    def left(self) -> bool:
        return self.participant.state == Participant.State.LEFT


def _percent(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1 if value % 1 else 0)


def completion_check(*, cohort, participant, rate: Rate, project) -> tuple[bool, list[str], list[str]]:
    """(meets, reasons it is not met, what is met) for one participant under the rule."""
    reasons, met = [], []
    if participant.state == Participant.State.LEFT:
        reasons.append(_("Left the course on %(date)s.") % {
            "date": formats.date_format(participant.left_on, "j. F Y")})
    required = Decimal(cohort.min_attendance_percent)
    percent = rate.percent
    if percent is None:
        if required > 0:
            reasons.append(_("No sessions have taken place yet."))
    elif percent < required:
        reasons.append(_("Attended %(percent)s %% of the hours; %(required)s %% are required.") % {
            "percent": _percent(percent), "required": _percent(required)})
    else:
        met.append(_("Attended %(percent)s %% of the hours (%(required)s %% required).") % {
            "percent": _percent(percent), "required": _percent(required)})
    if cohort.requires_project:
        if project.state == PracticeProject.State.ACCEPTED:
            met.append(_("The practice project is accepted."))
        else:
            reasons.append(_("The practice project is not accepted yet (%(state)s).") % {
                "state": project.get_state_display()})
    return not reasons, reasons, met


def completion_overview(*, cohort, now=None) -> list[Completion]:
    """Every participant of the cohort with their attendance, project and the verdict."""
    rates = attendance_rates(cohort, now=now)
    participants = (cohort.participants.select_related("project", "completion_confirmed_by")
                    .prefetch_related("certificates")
                    .order_by("state", "last_name", "first_name", "pk"))
    rows = []
    for participant in participants:
        rate = rates.get(participant.pk, Rate(Decimal(0), Decimal(0)))
        project = project_of(participant)
        meets, reasons, met = completion_check(cohort=cohort, participant=participant,
                                               rate=rate, project=project)
        rows.append(Completion(participant=participant, rate=rate, project=project,
                               meets=meets, reasons=reasons, met=met))
    return rows


def completion_of(*, participant, now=None) -> Completion:
    """One participant's row (the rates are computed for the cohort: two queries)."""
    cohort = participant.cohort
    rate = attendance_rates(cohort, now=now).get(participant.pk, Rate(Decimal(0), Decimal(0)))
    project = project_of(participant)
    meets, reasons, met = completion_check(cohort=cohort, participant=participant, rate=rate,
                                           project=project)
    return Completion(participant=participant, rate=rate, project=project, meets=meets,
                      reasons=reasons, met=met)


def has_valid_certificate(participant) -> bool:
    return participant.certificates.filter(revoked_at__isnull=True).exists()
