"""The cross-stage figures: the funnel, the n ≥ 5 rule for attendance and evaluation, and
the small counts withheld for the funder."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kohorte.applications.models import CallSnapshot
from kohorte.core.tests import factories as f
from kohorte.courses.models import Attendance, Session
from kohorte.courses.tests.world import course_world, make_cohort
from kohorte.evaluation.tests.report_world import (
    answer_competence,
    answered_cohort,
    competence_instrument,
)

from .. import figures
from ..proof_templates import TEMPLATE_DIR, add_months, deadlines, proof_template


def test_the_funnel_counts_each_stage_of_a_call(personas):
    f.make_application(personas.call)  # a draft does not count
    w = course_world(personas, others=2)
    summary = figures.call_summary(w.call)
    assert summary["funnel"] == {"submitted": 3, "eligible": 3, "selected": 3, "accepted": 3,
                                 "participants": 3, "completed": 0, "certificates": 0}
    assert summary["applications"]["tiers"]["tier1"] == 3
    assert summary["places"] == 20


def _applications(kassel, giessen, regions):
    return {"source": "live", "total": sum(kassel) + sum(giessen),
            "tiers": dict(zip(figures.TIERS, [a + b for a, b in zip(kassel, giessen, strict=True)], strict=True)),
            "districts": [{"name": name, "counts": dict(zip(figures.TIERS, counts, strict=True)),
                           "total": sum(counts)}
                          for name, counts in (("Gießen", giessen), ("Kassel", kassel))],
            "regions": [{"district": d, "name": name, "n": n} for d, name, n in regions]}


def test_protected_counts_withhold_small_cells_with_their_complements_and_keep_totals():
    exact = _applications([4, 1, 0], [0, 3, 0], [
        ("Gießen", "Gießen (Landkreis)", 3),
        ("Kassel", "Fulda (Landkreis)", 4), ("Kassel", "Schwalm-Eder-Kreis (Landkreis)", 1)])
    shown = figures.protect_applications(exact, min_cell=3)
    assert [d["counts"] for d in shown["districts"]] == [
        {"tier1": None, "tier2": None, "ineligible": 0},
        {"tier1": None, "tier2": None, "ineligible": 0}]
    assert [d["total"] for d in shown["districts"]] == [3, 5]
    assert shown["tiers"] == exact["tiers"] and shown["total"] == 8
    assert [(r["name"], r["n"]) for r in shown["regions"]] == [
        ("Gießen (Landkreis)", 3), ("Fulda (Landkreis)", None),
        ("Schwalm-Eder-Kreis (Landkreis)", None)]
    assert shown["min_cell"] == 3
    assert exact["districts"][1]["counts"]["tier2"] == 1  # the exact figures stay as they were


def test_a_kreis_alone_in_its_regierungsbezirk_loses_its_name_not_only_its_count():
    exact = _applications([2, 0, 0], [5, 0, 0], [
        ("Gießen", "Gießen (Landkreis)", 5), ("Kassel", "Fulda (Landkreis)", 2)])
    regions = figures.protect_applications(exact, min_cell=3)["regions"]
    assert regions == [{"district": "Gießen", "name": "Gießen (Landkreis)", "n": 5},
                       {"district": "Kassel", "name": None, "n": None}]


def test_the_anonymous_snapshot_knows_the_regierungsbezirk_of_each_kreis(personas):
    CallSnapshot.objects.create(call=personas.call, data={
        "submitted": 3, "by_tier": {"tier1": 3}, "by_district": {"Kassel": 3},
        "by_region": {"Fulda (Landkreis)": 2, "Schwalm-Eder-Kreis (Landkreis)": 1}})
    exact = figures.applications_of(personas.call)
    assert exact["source"] == "snapshot"
    assert {(r["district"], r["name"], r["n"]) for r in exact["regions"]} == {
        ("Kassel", "Fulda (Landkreis)", 2), ("Kassel", "Schwalm-Eder-Kreis (Landkreis)", 1)}
    shown = figures.protect_applications(exact, min_cell=3)
    assert [r["n"] for r in shown["regions"]] == [None, None]
    assert shown["districts"] == exact["districts"]  # totals only: nothing to withhold


def test_attendance_is_not_shown_for_fewer_than_five_people(personas):
    w = course_world(personas, others=2)
    attendance = figures.call_summary(w.call)["course"]["attendance"]
    assert attendance["suppressed"] is True and attendance["average"] is None


def test_attendance_is_the_cohort_average_for_five_or_more(personas):
    call = f.make_call(personas.programme)
    call.modules.all().delete()  # the course took place in the past
    cohort = make_cohort(call, others=6, first=timezone.localdate() - timedelta(days=120))
    sessions = list(Session.objects.filter(module__cohort=cohort,
                                           starts_at__lte=timezone.now()).order_by("starts_at"))
    assert sessions
    cohort.participants.update(joined_on=timezone.localdate() - timedelta(days=200))
    people = list(cohort.participants.order_by("pk"))
    # Everyone attends everything, but one person attends nothing: 5 of 6 at 100 %.
    for session in sessions:
        for person in people[1:]:
            Attendance.objects.create(session=session, participant=person,
                                      status=Attendance.Status.PRESENT)
    attendance = figures.call_summary(call)["course"]["attendance"]
    assert attendance["suppressed"] is False and attendance["n"] == 6
    assert Decimal(attendance["average"]) == Decimal("83.3")


def test_effect_sizes_are_shown_for_five_pairs_and_suppressed_below(personas):
    cohort, _instrument, _pre, _post, _then = answered_cohort(f.make_call(personas.programme),
                                                              people=6)
    (evaluation,) = figures.call_summary(cohort.call)["course"]["evaluation"]
    first = evaluation["dimensions"][0]["pre_post"]
    assert first["suppressed"] is False and first["n"] == 6 and first["dz"] is not None
    assert first["ci_low"] <= first["dz"] <= first["ci_high"]

    small = make_cohort(f.make_call(personas.programme), others=6)
    instrument = competence_instrument(personas.programme)
    width = instrument.items.filter(column__isnull=False).count()
    answer_competence(small, instrument, pre=[[2] * width] * 6, post=[[4] * width] * 6,
                      answering=3)
    (evaluation,) = figures.call_summary(small.call)["course"]["evaluation"]
    assert all(d["pre_post"] == {"suppressed": True} for d in evaluation["dimensions"])


def test_the_burndown_runs_over_every_month_of_the_period(personas):
    from kohorte.budget.tests.world import book, make_period

    period = make_period(personas.programme, personas.coordinator2)
    book(period, personas.coordinator2, amount="1000.00", day=date(2026, 2, 10),
         approver=personas.coordinator)
    data = figures.budget_burndown(period=period, today=date(2026, 3, 15))
    assert len(data["rows"]) == 12
    assert data["planned"] == Decimal("10000.00")
    february, march, april = data["rows"][1:4]
    assert february["remaining"] == Decimal("9000.00") and march["spent"] == Decimal("0.00")
    assert april["remaining"] is None
    assert data["rows"][-1]["even"] == Decimal("0.00")


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 12, 31), 6, date(2027, 6, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2025, 12, 31), 4, date(2026, 4, 30)),
])
def test_months_are_added_to_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_every_stored_template_is_valid():
    keys = [path.stem for path in TEMPLATE_DIR.glob("*.json")]
    assert set(keys) >= {"grant", "commission"}
    for key in keys:
        template = proof_template(key)
        assert template.sections and "report" in template.parts


def test_a_multi_year_period_owes_an_interim_report_per_year_before_the_last(personas):
    from kohorte.budget.tests.world import make_period

    period = make_period(personas.programme, personas.coordinator, title="2025–27",
                         start=date(2025, 7, 1), end=date(2027, 6, 30))
    owed = [(d.kind, d.year, d.due_on) for d in deadlines(period)]
    assert owed == [("interim", 2025, date(2026, 4, 30)), ("interim", 2026, date(2027, 4, 30)),
                    ("final", None, date(2027, 12, 30))]
