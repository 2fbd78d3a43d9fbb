"""The funder's dashboard of a programme: counts only, and the n ≥ 5 rule for anything
about people's attendance or answers. No page here shows a person. Small counts by tier
and region are withheld for everyone but the coordinators (``selectors.cell_threshold``)."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kohorte.applications.models import Eligibility
from kohorte.budget.models import FundingPeriod
from kohorte.core.access import abilities, require, staff_required
from kohorte.programmes.models import Programme

from . import charts, figures, selectors
from .forms import DashboardFilterForm
from .templatetags.reporting_format import STAGES

STAGES_SHOWN = ("submitted", "eligible", "selected", "accepted", "completed")


def _call_charts(index, summary):
    funnel = charts.stacked_bars(
        chart_id=f"trichter-{index}",
        rows=[(str(STAGES[s]), [summary["funnel"][s]], None) for s in STAGES_SHOWN],
        series=[_("People")])
    applications = summary["applications"]
    tiers = Eligibility.Tier.choices
    if applications["source"] == "live":
        district_rows = [(d["name"] or _("not stated"), [d["counts"][t] for t, _l in tiers],
                          d["total"]) for d in applications["districts"]]
        series = [str(label) for _v, label in tiers]
    else:
        district_rows = [(d["name"] or _("not stated"), [d["total"]], None)
                         for d in applications["districts"]]
        series = [_("Applications")]
    districts = charts.stacked_bars(chart_id=f"bezirke-{index}", rows=district_rows,
                                    series=series)
    regions = charts.stacked_bars(
        chart_id=f"kreise-{index}",
        rows=[(_region_label(r), [r["n"]], None) for r in applications["regions"]],
        series=[_("Applications")])
    return {"funnel": funnel, "districts": districts, "regions": regions}


def _region_label(region):
    if region["name"] is None:
        return _("Kreis not shown (%(district)s)") % {
            "district": region["district"] or _("not stated")}
    return region["name"] or _("not stated")


@staff_required
@require_GET
def dashboard(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    require(request.user, programme, "funder_dashboard", "view")
    now = timezone.now()
    today = timezone.localdate(now)
    min_cell = selectors.cell_threshold(user=request.user, programme=programme)
    summaries = [figures.call_summary(call, now=now, min_cell=min_cell)
                 for call in figures.programme_calls(programme=programme)]
    calls = [{"summary": s, "charts": _call_charts(i, s)} for i, s in enumerate(summaries)]
    periods = FundingPeriod.objects.filter(programme=programme).order_by("-start")
    form = DashboardFilterForm(request.GET or None, periods=periods)
    period = None
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
    if period is None:
        period = periods.filter(start__lte=today).first() or periods.last()
    burndown = chart = None
    if period is not None:
        burndown = figures.budget_burndown(period=period, today=today)
        chart = charts.burndown(chart_id="verbrauch", data=burndown)
    return render(request, "reporting/dashboard/dashboard.html", {
        "programme": programme, "calls": calls, "stages": STAGES_SHOWN,
        "tiers": Eligibility.Tier.choices, "min_group": figures.MIN_GROUP, "min_cell": min_cell,
        "form": form,
        "period": period, "burndown": burndown, "burndown_chart": chart,
        "may": abilities(request.user, programme, (("proof_of_use", "view"),
                                                   ("budget", "view"))),
    }, status=400 if form.is_bound and form.errors else 200)
