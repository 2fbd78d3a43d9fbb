from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kohorte.applications.models import Call
from kohorte.core.access import can, programmes_where, require, staff_required
from kohorte.core.extensions import links

from . import selectors

# What the start page offers per programme, if the matrix allows it.
PROGRAMME_LINKS = [("application", "list"), ("aggregates", "view"), ("audit", "view"),
                   ("call", "edit"), ("reference_data", "edit"), ("roles", "manage")]


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
    for call in calls:
        call.may = may[call.programme_id]
        call.stage_links = links("KOHORTE_CALL_PAGE_LINKS", user=request.user, call=call)
    return render(request, "reporting/home.html", {
        "calls": calls,
        "audit_programmes": [p for p in sorted(programmes, key=lambda p: p.name)
                             if may[p.pk]["audit_view"]],
        "may_outbox": programmes_where(request.user, "outbox", "view").exists(),
        "may_review": programmes_where(request.user, "review", "view_assigned").exists(),
        "may_courses": programmes_where(request.user, "cohort", "view").exists(),
        "budget_programmes": programmes_where(request.user, "budget", "view"),
        "may_admin": any(m["reference_data_edit"] or m["roles_manage"] or m["call_edit"]
                         for m in may.values()) or request.user.is_superuser,
    })


@staff_required
@require_GET
def call_figures(request, pk):
    """The funder's view of a call: counts by Regierungsbezirk, Kreis and tier."""
    call = Call.objects.select_related("programme").filter(pk=pk).first()
    if call is None:
        raise Http404
    require(request.user, call.programme, "aggregates", "view")
    return render(request, "reporting/call_figures.html",
                  {"call": call, "figures": selectors.call_figures(call=call)})
