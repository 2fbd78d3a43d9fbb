"""Reads for the back-office start page and the figures of a call (aggregates only)."""

from collections import defaultdict

from django.db.models import Count, Q

from kohorte.applications.models import Application, Call, Eligibility
from kohorte.applications.selectors_staff import effective_tier
from kohorte.core.access import can, programmes_where

SUBMITTED = Q(applications__state=Application.State.SUBMITTED)


def _tier(value):
    return (Q(applications__eligibility__override_tier=value)
            | Q(applications__eligibility__override_tier="",
                applications__eligibility__computed_tier=value))


def calls_for_backoffice(*, user):
    """The calls of the person's programmes, each with its counts, in one query."""
    return list(
        Call.objects.filter(programme__in=programmes_where(user, "call", "view"))
        .select_related("programme", "cohort")
        .annotate(
            n_submitted=Count("applications", filter=SUBMITTED),
            n_drafts=Count("applications",
                           filter=Q(applications__state=Application.State.DRAFT)),
            n_withdrawn=Count("applications",
                              filter=Q(applications__state=Application.State.WITHDRAWN)),
            n_tier1=Count("applications", filter=SUBMITTED & _tier(Eligibility.Tier.TIER_1)),
            n_tier2=Count("applications", filter=SUBMITTED & _tier(Eligibility.Tier.TIER_2)),
            n_ineligible=Count("applications",
                               filter=SUBMITTED & _tier(Eligibility.Tier.INELIGIBLE)),
        )
        .order_by("programme__name", "-closes_at")
    )


def cell_threshold(*, user, programme) -> int | None:
    """The threshold below which ``user`` sees the programme's counts withheld: none
    (exact counts) for whoever may list the applications anyway, the programme's
    ``min_cell`` for everyone else, the funder above all (docs/reporting.md)."""
    return None if can(user, programme, "application", "list") else programme.min_cell


def call_figures(*, call) -> dict:
    """Submitted applications by Regierungsbezirk and tier, and by Kreis: no person."""
    rows = (Application.objects.filter(call=call, state=Application.State.SUBMITTED)
            .annotate(tier=effective_tier())
            .values_list("region__district", "region__name", "region__kind", "tier")
            .annotate(n=Count("id")).order_by())
    tiers = Eligibility.Tier.values
    by_district = defaultdict(lambda: dict.fromkeys(tiers, 0))
    by_region = defaultdict(int)
    for district, name, kind, tier, n in rows:
        if tier in tiers:
            by_district[district or ""][tier] += n
        label = f"{name} ({kind})" if kind else (name or "")
        by_region[(district or "", label)] += n
    districts = [
        {"name": name, "counts": [counts[t] for t in tiers], "total": sum(counts.values())}
        for name, counts in sorted(by_district.items())
    ]
    totals = [sum(d["counts"][i] for d in districts) for i in range(len(tiers))]
    return {
        "tiers": Eligibility.Tier.choices,
        "districts": districts,
        "totals": totals,
        "total": sum(totals),
        "regions": [{"district": d, "name": r, "n": n}
                    for (d, r), n in sorted(by_region.items())],
    }


# --- Proof of use ----------------------------------------------------------------------------

def proof_for_staff(*, pk):
    from .models import ProofOfUse

    return (ProofOfUse.objects.select_related("period__programme", "submitted_by")
            .filter(pk=pk).first())


def deadlines_for_programme(*, programme, periods=None) -> list[dict]:
    """Every report the programme's periods owe, with its proof if one exists (two queries)."""
    from kohorte.budget.models import FundingPeriod

    from .models import ProofOfUse
    from .proof_templates import TemplateError, deadlines

    if periods is None:
        periods = list(FundingPeriod.objects.filter(programme=programme).order_by("start"))
    proofs = {(p.period_id, p.kind, p.year): p
              for p in ProofOfUse.objects.filter(period__in=periods)}
    rows = []
    for period in periods:
        try:
            owed = deadlines(period)
        except TemplateError:
            continue
        for deadline in owed:
            rows.append({"deadline": deadline, "period": period,
                         "proof": proofs.get((period.pk, deadline.kind, deadline.year))})
    return sorted(rows, key=lambda row: row["deadline"].due_on)


def open_deadlines_for_backoffice(*, user, today) -> list[dict]:
    """The reports not yet submitted in the person's programmes (``proof_of_use view``),
    by due date, for the start page (three queries)."""
    from kohorte.budget.models import FundingPeriod

    programmes = programmes_where(user, "proof_of_use", "view")
    periods = list(FundingPeriod.objects.filter(programme__in=programmes)
                   .select_related("programme").order_by("start"))
    if not periods:
        return []
    rows = deadlines_for_programme(programme=None, periods=periods)
    return [dict(row, days_left=(row["deadline"].due_on - today).days) for row in rows
            if not (row["proof"] and row["proof"].is_submitted)]
