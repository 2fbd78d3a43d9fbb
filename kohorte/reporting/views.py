from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kohorte.applications.models import Call, Eligibility
from kohorte.core.access import can, matrix, programmes_where, require, staff_required
from kohorte.core.extensions import links

from . import figures, selectors

# What the start page offers per programme, if the matrix allows it.
PROGRAMME_LINKS = [("application", "list"), ("aggregates", "view"), ("audit", "view"),
                   ("call", "edit"), ("reference_data", "edit"), ("roles", "manage")]


def _anywhere(kinds, obj, action) -> bool:
    return bool(kinds & matrix()[(obj, action)])


@staff_required
@require_GET
def home(request):
    """The staff start page: the calls of the person's programmes, with counts and links."""
    calls = selectors.calls_for_backoffice(user=request.user)
    programmes = {call.programme for call in calls}
    programmes.update(programmes_where(request.user, "audit", "view"))
    may = {
        programme.pk: {f"{obj}_{action}": can(request.user, programme, obj, action)
                       for obj, action in PROGRAMME_LINKS}
        for programme in programmes
    }
    # The person's roles in any programme, once (for the links that need one anywhere).
    kinds = set(request.user.roles.values_list("kind", flat=True))
    deadlines = selectors.open_deadlines_for_backoffice(user=request.user,
                                                        today=timezone.localdate())
    # Programmes with calls or funding periods: where proofs and the dashboard have content.
    reporting = sorted(programmes | {row["period"].programme for row in deadlines},
                       key=lambda p: p.name)
    for call in calls:
        call.may = may[call.programme_id]
        call.stage_links = links("KOHORTE_CALL_PAGE_LINKS", user=request.user, call=call)
    return render(request, "reporting/home.html", {
        "calls": calls,
        "audit_programmes": [p for p in sorted(programmes, key=lambda p: p.name)
                             if may[p.pk]["audit_view"]],
        "may_outbox": _anywhere(kinds, "outbox", "view"),
        "may_review": _anywhere(kinds, "review", "view_assigned"),
        "may_courses": _anywhere(kinds, "cohort", "view"),
        "may_evaluation": any(_anywhere(kinds, obj, action) for obj, action in [
            ("survey", "responses"), ("pseudonym_key", "manage"), ("evaluation_report", "view")]),
        "budget_programmes": programmes_where(request.user, "budget", "view"),
        "proof_programmes": [p for p in reporting if can(request.user, p, "proof_of_use", "view")],
        "dashboard_programmes": [p for p in reporting
                                 if can(request.user, p, "funder_dashboard", "view")],
        "proof_deadlines": deadlines,
        "may_admin": any(m["reference_data_edit"] or m["roles_manage"] or m["call_edit"]
                         for m in may.values()) or request.user.is_superuser,
    })


@staff_required
@require_GET
def call_figures(request, pk):
    """A call's counts by Regierungsbezirk, Kreis and tier: exact for the coordinators,
    small counts withheld for everyone else (the funder, reviewers, …)."""
    call = Call.objects.select_related("programme").filter(pk=pk).first()
    if call is None:
        raise Http404
    require(request.user, call.programme, "aggregates", "view")
    applications = figures.applications_of(call)
    min_cell = selectors.cell_threshold(user=request.user, programme=call.programme)
    if min_cell is not None:
        applications = figures.protect_applications(applications, min_cell=min_cell)
    return render(request, "reporting/call_figures.html", {
        "call": call, "figures": applications, "tiers": Eligibility.Tier.choices})
