"""The figures across the stages of a call, for the Sachbericht and the funder's dashboard.

Counts only, never a person: applications by tier, Regierungsbezirk and Kreis, the funnel
(submitted → eligible → selected → accepted → participants → completed → certificates).
Anything about people's answers, attendance or results follows the n ≥ 5 rule
(``MIN_GROUP``, DOMAIN §3): a cohort's average attendance rests on at least five people,
an effect size on at least five pairs, or it is not shown (``suppressed``).

For whoever may not see the applications themselves (the funder), the counts by tier,
Regierungsbezirk and Kreis go through ``protect_applications``: small counts and their
complements are withheld (``None``), see ``disclosure``. The funnel's counts are the
call's totals per stage and stay.

Everything returned is plain JSON (strings for decimals), because the proof of use
freezes it into its snapshot as it is.
"""

import copy
import math
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from kohorte.applications.models import Application, Call, CallSnapshot, Eligibility
from kohorte.courses.models import Certificate, Cohort, Participant
from kohorte.courses.selectors.attendance import attendance_rates
from kohorte.evaluation.models import Instrument, Response
from kohorte.evaluation.selectors import MIN_GROUP, competence_report
from kohorte.programmes.models import Region
from kohorte.selection.models import Offer

from . import disclosure, selectors

FUNNEL = ("submitted", "eligible", "selected", "accepted", "participants", "completed",
          "certificates")
TIERS = tuple(Eligibility.Tier.values)


def calls_in_range(*, programme, start: date, end: date):
    """The programme's calls that belong to a reporting range: their funding year falls
    in it, they closed in it, or their course had a session in it."""
    return (Call.objects.filter(programme=programme)
            .filter(Q(funding_year__gte=start.year, funding_year__lte=end.year)
                    | Q(closes_at__date__gte=start, closes_at__date__lte=end)
                    | Q(cohort__modules__sessions__starts_at__date__gte=start,
                        cohort__modules__sessions__starts_at__date__lte=end))
            .exclude(state=Call.State.DRAFT)
            .distinct().order_by("closes_at", "pk"))


def programme_calls(*, programme):
    return (Call.objects.filter(programme=programme).exclude(state=Call.State.DRAFT)
            .order_by("-closes_at", "-pk"))


def applications_of(call) -> dict:
    """By tier, Regierungsbezirk and Kreis; from the anonymous snapshot once applications
    have been deleted (the snapshot has no tier per Regierungsbezirk)."""
    live = selectors.call_figures(call=call)
    snapshot = CallSnapshot.objects.filter(call=call).first()
    if snapshot and snapshot.data.get("submitted", 0) > live["total"]:
        data = snapshot.data
        tiers = {t: int(data.get("by_tier", {}).get(t, 0)) for t in TIERS}
        # The snapshot names a Kreis as Region.__str__ does, without its Regierungsbezirk.
        districts = {str(region): region.district for region in Region.objects.all()}
        return {
            "source": "snapshot", "total": int(data.get("submitted", 0)), "tiers": tiers,
            "districts": [{"name": "" if name == "unknown" else name, "counts": None,
                           "total": int(n)}
                          for name, n in sorted(data.get("by_district", {}).items())],
            "regions": [{"district": districts.get(name, ""),
                         "name": "" if name == "unknown" else name, "n": int(n)}
                        for name, n in sorted(data.get("by_region", {}).items())],
        }
    return {
        "source": "live", "total": live["total"],
        "tiers": dict(zip(TIERS, live["totals"], strict=True)),
        "districts": [{"name": d["name"], "counts": dict(zip(TIERS, d["counts"], strict=True)),
                       "total": d["total"]} for d in live["districts"]],
        "regions": live["regions"],
    }


def protect_applications(applications: dict, *, min_cell: int) -> dict:
    """``applications_of`` as shown to whoever may not see the applications: the counts
    by Regierungsbezirk and tier (a table with its row and column totals) and by Kreis
    (a group per Regierungsbezirk, whose total is shown) with their small counts and
    complements withheld as None. A Kreis that cannot be hidden from its Regierungsbezirk's
    total (the only one listed there) loses its name instead. Totals stay."""
    applications = copy.deepcopy(applications)
    districts = applications["districts"]
    if districts and all(d["counts"] is not None for d in districts):
        rows = [[d["counts"][tier] for tier in TIERS] for d in districts]
        for r, c in disclosure.protect_table(rows, min_cell=min_cell):
            districts[r]["counts"][TIERS[c]] = None
    groups = defaultdict(list)
    for region in applications["regions"]:
        groups[region["district"]].append(region)
    for regions in groups.values():
        # Only Kreise with applications are listed: each listed one is at least 1.
        group = disclosure.protect_group([r["n"] for r in regions], min_cell=min_cell, floor=1)
        for index in group.cells:
            regions[index]["n"] = None
            if not group.safe:
                regions[index]["name"] = None
    applications["min_cell"] = min_cell
    return applications


def _attendance(cohort, now) -> dict:
    rates = [rate.percent for rate in attendance_rates(cohort, now=now).values()
             if rate.percent is not None]
    if len(rates) < MIN_GROUP:
        return {"n": len(rates), "suppressed": True, "average": None}
    average = (sum(rates, Decimal(0)) / len(rates)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {"n": len(rates), "suppressed": False, "average": str(average)}


def _number(value, places=2):
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), places)


def _comparison(result: dict) -> dict:
    if result.get("suppressed") or not result.get("n"):
        return {"suppressed": True}
    return {"suppressed": False, "n": int(result["n"]), "dz": _number(result.get("dz")),
            "ci_low": _number(result.get("dz_ci_low")),
            "ci_high": _number(result.get("dz_ci_high"))}


def _evaluation(cohort) -> list[dict]:
    """Effect sizes d_z with their confidence interval per dimension, per instrument."""
    instruments = (Instrument.objects.filter(purpose=Instrument.Purpose.COMPETENCE,
                                             surveys__cohort=cohort)
                   .distinct().order_by("created_at", "pk"))
    result = []
    for instrument in instruments:
        if not Response.objects.filter(survey__cohort=cohort,
                                       survey__instrument=instrument).exists():
            continue
        report = competence_report(cohorts=[cohort], instrument=instrument)
        result.append({
            "instrument": instrument.title_de,
            "draft": instrument.is_draft,
            "respondents": int(report["n_respondents"]),
            "conf_level": report.get("conf_level"),
            "comparisons": list(report["comparisons"]),
            "dimensions": [
                {"name": entry["dimension"],
                 **{c: _comparison(entry[c]) for c in report["comparisons"]}}
                for entry in report["dimensions"]],
        })
    return result


def _course(cohort, now) -> dict:
    participants = Participant.objects.filter(cohort=cohort)
    return {
        "cohort": cohort.title,
        "participants": participants.count(),
        "left": participants.filter(state=Participant.State.LEFT).count(),
        "completed": participants.filter(completion_confirmed_at__isnull=False).count(),
        "certificates": Certificate.objects.filter(participant__cohort=cohort,
                                                   revoked_at__isnull=True).count(),
        "attendance": _attendance(cohort, now),
        "evaluation": _evaluation(cohort),
    }


def call_summary(call, *, now=None, min_cell=None) -> dict:
    """One call through all its stages, as counts (and n ≥ 5 aggregates); with
    ``min_cell``, the counts by tier and region protected (``protect_applications``)."""
    applications = applications_of(call)
    eligible = applications["tiers"].get(Eligibility.Tier.TIER_1, 0) + applications["tiers"].get(
        Eligibility.Tier.TIER_2, 0)
    selected = (Offer.objects.filter(call=call).values("application").distinct().count())
    accepted = (Application.objects.filter(call=call)
                .filter(Q(offers__state=Offer.State.ACCEPTED) | Q(participant__isnull=False))
                .distinct().count())
    cohort = Cohort.objects.filter(call=call).first()
    course = _course(cohort, now) if cohort else None
    funnel = {
        "submitted": applications["total"], "eligible": eligible, "selected": selected,
        "accepted": accepted,
        "participants": course["participants"] if course else 0,
        "completed": course["completed"] if course else 0,
        "certificates": course["certificates"] if course else 0,
    }
    if min_cell is not None:
        applications = protect_applications(applications, min_cell=min_cell)
    return {"call": call.title, "call_id": call.pk, "places": call.places,
            "applications": applications, "funnel": funnel, "course": course}


def figures_for_range(*, programme, start: date, end: date, now=None, min_cell=None) -> dict:
    """Every call of the range with its figures, and the totals over them."""
    calls = [call_summary(call, now=now, min_cell=min_cell)
             for call in calls_in_range(programme=programme, start=start, end=end)]
    totals = {stage: sum(c["funnel"][stage] for c in calls) for stage in FUNNEL}
    totals["places"] = sum(c["places"] for c in calls)
    return {"calls": calls, "totals": totals, "min_group": MIN_GROUP, "min_cell": min_cell}


def budget_burndown(*, period, today: date) -> dict:
    """Per month of the period: approved expenditure, what is left of the planned total,
    and what would be left if it were spent evenly. Months still to come have no actual."""
    from django.db.models.functions import TruncMonth

    from kohorte.budget import selectors as budget
    from kohorte.budget.models import Booking, PlanLine

    lines = budget.current_lines(period=period)
    expense_keys = [line.key for line in lines if line.kind == PlanLine.Kind.EXPENSE]
    planned = sum((line.amount for line in lines if line.kind == PlanLine.Kind.EXPENSE),
                  Decimal("0.00"))
    spent = {row["month"].date() if hasattr(row["month"], "date") else row["month"]:
             Decimal(row["total"]).quantize(Decimal("0.01"))
             for row in Booking.objects.filter(period=period, state=Booking.State.APPROVED,
                                               line_key__in=expense_keys)
             .annotate(month=TruncMonth("booking_date")).values("month")
             .annotate(total=Sum("amount")).order_by()}
    months = []
    day = date(period.start.year, period.start.month, 1)
    while day <= period.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    rows, cumulative = [], Decimal("0.00")
    for index, month in enumerate(months, start=1):
        even = (planned - planned * index / len(months)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if month > today:
            rows.append({"month": month, "spent": None, "cumulative": None, "remaining": None,
                         "even": even})
            continue
        cumulative += spent.get(month, Decimal("0.00"))
        rows.append({"month": month, "spent": spent.get(month, Decimal("0.00")),
                     "cumulative": cumulative, "remaining": planned - cumulative, "even": even})
    return {"planned": planned, "spent": cumulative, "rows": rows}
