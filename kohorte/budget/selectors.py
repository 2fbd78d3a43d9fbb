"""Reads of the budget: periods, the current plan, plan vs. actual, bookings."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from kohorte.core.audit import audit_entries_for

from . import rules
from .models import Booking, BookingImport, FunderConsent, FundingPeriod, PlanLine, PlanVersion

ZERO = Decimal("0.00")


def periods_for_programme(*, programme):
    return FundingPeriod.objects.filter(programme=programme).order_by("-start")


def period_for_staff(*, pk) -> FundingPeriod | None:
    return FundingPeriod.objects.select_related("programme").filter(pk=pk).first()


def current_version(*, period) -> PlanVersion | None:
    return (PlanVersion.objects.filter(period=period).select_related("created_by")
            .prefetch_related("lines").order_by("-number").first())


def plan_versions(*, period):
    return (PlanVersion.objects.filter(period=period).select_related("created_by")
            .prefetch_related("lines").order_by("-number"))


def current_lines(*, period) -> list[PlanLine]:
    version = current_version(period=period)
    return list(version.lines.all()) if version else []


def latest_consents(*, period) -> dict[str, FunderConsent]:
    """{line key: the most recent consent}: a later consent replaces an earlier one."""
    result = {}
    for consent in FunderConsent.objects.filter(period=period).order_by(
            "line_key", "-consent_date", "-pk"):
        result.setdefault(consent.line_key, consent)
    return result


def _sums(period, state) -> dict[str, Decimal]:
    rows = (Booking.objects.filter(period=period, state=state)
            .values("line_key").annotate(total=Sum("amount")))
    return {row["line_key"]: row["total"] for row in rows}


@dataclass
class LineRow:
    line: PlanLine
    actual: Decimal
    pending: Decimal
    verdict: rules.Verdict | None = None
    consent: FunderConsent | None = None


@dataclass
class PlanVsActual:
    version: PlanVersion | None
    expense: list[LineRow] = field(default_factory=list)
    income: list[LineRow] = field(default_factory=list)
    assessment: rules.Assessment | None = None
    pending_total: Decimal = ZERO
    income_planned: Decimal = ZERO
    income_actual: Decimal = ZERO
    # Bookings on keys no longer in the plan (cannot normally happen; shown, never hidden).
    unplanned: dict[str, Decimal] = field(default_factory=dict)

    @property
    def problems(self) -> list[LineRow]:
        return [row for row in self.expense if row.verdict.state in rules.PROBLEM_STATES]


def plan_vs_actual(*, period) -> PlanVsActual:
    """Plan against approved bookings per line and in total; pending ones apart."""
    version = current_version(period=period)
    result = PlanVsActual(version=version)
    if version is None:
        return result
    approved = _sums(period, Booking.State.APPROVED)
    pending = _sums(period, Booking.State.PENDING)
    consents = latest_consents(period=period)
    lines = list(version.lines.all())
    keys = {line.key for line in lines}
    for line in lines:
        row = LineRow(line=line, actual=approved.get(line.key, ZERO),
                      pending=pending.get(line.key, ZERO), consent=consents.get(line.key))
        (result.expense if line.kind == PlanLine.Kind.EXPENSE else result.income).append(row)
    result.assessment = rules.assess(
        [rules.Line(key=row.line.key, planned=row.line.amount, actual=row.actual,
                    consented_up_to=row.consent.up_to_amount if row.consent else None)
         for row in result.expense],
        overrun_percent=period.overrun_percent)
    for row, verdict in zip(result.expense, result.assessment.verdicts, strict=True):
        row.verdict = verdict
    result.pending_total = sum((row.pending for row in result.expense), ZERO)
    result.income_planned = sum((row.line.amount for row in result.income), ZERO)
    result.income_actual = sum((row.actual for row in result.income), ZERO)
    result.unplanned = {key: total for key, total in approved.items() if key not in keys}
    return result


def booking_list(*, period, line_key="", state="", month=None):
    """The period's bookings, filtered; reversals and their originals come along."""
    bookings = (Booking.objects.filter(period=period)
                .select_related("entered_by", "approved_by", "reverses")
                .prefetch_related("reversals")
                .order_by("-booking_date", "-pk"))
    if line_key:
        bookings = bookings.filter(line_key=line_key)
    if state:
        bookings = bookings.filter(state=state)
    else:
        bookings = bookings.exclude(state=Booking.State.DISCARDED)
    if month:
        bookings = bookings.filter(booking_date__year=month.year, booking_date__month=month.month)
    return bookings


def booking_for_staff(*, pk) -> Booking | None:
    return (Booking.objects.select_related("period__programme", "entered_by", "approved_by",
                                           "reverses").filter(pk=pk).first())


def booking_history(*, booking):
    """The booking's audit entries (entered, changed, approved, reversed), oldest first."""
    return audit_entries_for(booking).order_by("created_at", "pk")


def booking_reversals(*, booking):
    return booking.reversals.exclude(state=Booking.State.DISCARDED).select_related(
        "entered_by", "approved_by")


def line_titles(*, period) -> dict[str, str]:
    """{key: title} over all plan versions, the newest title winning."""
    titles = {}
    for key, title in (PlanLine.objects.filter(version__period=period)
                       .order_by("version__number").values_list("key", "title")):
        titles[key] = title
    return titles


def duplicates_of(*, period, external_references, signatures):
    """Existing bookings that an import would duplicate: by external reference, or by
    (date, amount, payee, purpose). Discarded bookings do not count."""
    live = Booking.objects.filter(period=period).exclude(state=Booking.State.DISCARDED)
    refs = set(live.filter(external_reference__in=[r for r in external_references if r])
               .values_list("external_reference", flat=True))
    sigs = set()
    if signatures:
        dates = {s[0] for s in signatures}
        for row in live.filter(booking_date__in=dates).values_list(
                "booking_date", "amount", "payee", "purpose"):
            sigs.add((row[0], row[1], row[2].strip().casefold(), row[3].strip().casefold()))
    return refs, sigs


def import_for_staff(*, pk) -> BookingImport | None:
    return BookingImport.objects.select_related("period__programme").filter(pk=pk).first()


def pending_count(*, period) -> int:
    return Booking.objects.filter(period=period, state=Booking.State.PENDING).count()


def bookings_on_keys(*, period, keys) -> set[str]:
    """Which of ``keys`` have bookings that count (pending or approved)."""
    return set(Booking.objects.filter(period=period, line_key__in=keys)
               .filter(~Q(state=Booking.State.DISCARDED))
               .values_list("line_key", flat=True).distinct())
