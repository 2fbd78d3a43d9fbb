"""The automatic eligibility pre-check, the coordinator's override and the daily re-check."""

import io
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from kohorte.applications import eligibility as rules
from kohorte.applications import services
from kohorte.applications.jobs import eligibility_recheck_due
from kohorte.applications.models import Application, Document, Eligibility
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f

from .test_journey import pdf_upload

TODAY = date(2026, 11, 10)
ELIGIBLE = rules.Facts(
    paid_staff=True, weekly_hours=Decimal("19.5"), min_weekly_hours=None,
    commits_to_all_modules=True, site_funded=True, release_present=True,
    release_due=date(2026, 11, 30), today=TODAY,
)


@pytest.fixture(autouse=True)
def _english_and_quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


def codes(result):
    return [code for code, _message in result.reasons]


# --- The pure rule ------------------------------------------------------------------

def test_staff_of_a_funded_site_are_tier_1():
    result = rules.assess(ELIGIBLE)
    assert result.tier == rules.TIER_1 and codes(result) == ["funded_site"]


def test_staff_elsewhere_are_tier_2():
    result = rules.assess(replace(ELIGIBLE, site_funded=False))
    assert result.tier == rules.TIER_2 and codes(result) == ["other_context"]


def test_volunteers_are_ineligible_with_a_reason():
    result = rules.assess(replace(ELIGIBLE, paid_staff=False))
    assert result.tier == rules.INELIGIBLE and codes(result) == ["volunteer"]
    assert "paid staff" in str(result.reasons[0][1])


@pytest.mark.parametrize("hours, minimum, tier", [
    (Decimal("19.5"), None, rules.TIER_1),       # no minimum: part-time is fine
    (Decimal("0.5"), None, rules.TIER_1),
    (Decimal("19.5"), Decimal("19.5"), rules.TIER_1),  # exactly the minimum
    (Decimal("19.4"), Decimal("19.5"), rules.INELIGIBLE),
    (None, Decimal("10"), rules.INELIGIBLE),
])
def test_weekly_hours_count_only_against_the_calls_minimum(hours, minimum, tier):
    result = rules.assess(replace(ELIGIBLE, weekly_hours=hours, min_weekly_hours=minimum))
    assert result.tier == tier
    if tier == rules.INELIGIBLE:
        assert codes(result) == ["hours"]
        assert str(minimum) in str(result.reasons[0][1])


def test_without_the_commitment_to_all_modules_the_application_is_ineligible():
    result = rules.assess(replace(ELIGIBLE, commits_to_all_modules=False))
    assert result.tier == rules.INELIGIBLE and codes(result) == ["commitment"]


def test_a_missing_release_is_pending_up_to_and_including_its_due_date():
    on_due_day = replace(ELIGIBLE, release_present=False, today=ELIGIBLE.release_due)
    result = rules.assess(on_due_day)
    assert result.tier == rules.TIER_1
    assert codes(result) == ["funded_site", "release_pending"]


def test_a_release_missing_after_its_due_date_makes_the_application_ineligible():
    day_after = replace(ELIGIBLE, release_present=False,
                        today=ELIGIBLE.release_due + timedelta(days=1))
    result = rules.assess(day_after)
    assert result.tier == rules.INELIGIBLE and codes(result) == ["release"]
    assert "30.11.2026" in str(result.reasons[0][1])


def test_a_call_without_release_due_date_never_makes_the_letter_overdue():
    result = rules.assess(replace(ELIGIBLE, release_present=False, release_due=None,
                                  today=date(2030, 1, 1)))
    assert result.tier == rules.TIER_1 and "release_pending" in codes(result)


def test_every_problem_is_named_at_once():
    result = rules.assess(replace(ELIGIBLE, paid_staff=False, commits_to_all_modules=False,
                                  weekly_hours=Decimal("5"), min_weekly_hours=Decimal("10"),
                                  release_present=False,
                                  today=ELIGIBLE.release_due + timedelta(days=1)))
    assert result.tier == rules.INELIGIBLE
    assert codes(result) == ["volunteer", "hours", "commitment", "release"]


# --- The service over real applications ---------------------------------------------

@pytest.mark.django_db
def test_a_site_funded_by_the_programme_in_the_calls_year_gives_tier_1(personas):
    site = f.make_site(personas.programme, funded_year=personas.call.funding_year)
    application = f.make_application(personas.call, personas.applicant, site=site, submit=True)
    assert application.eligibility.computed_tier == Eligibility.Tier.TIER_1
    entry = AuditEntry.objects.get(action="eligibility.assess", object_id=str(application.pk))
    assert entry.actor is None and entry.data == {"to": "tier1"}


@pytest.mark.django_db
@pytest.mark.parametrize("funding", ["other_year", "other_programme", "none"])
def test_a_site_not_funded_by_the_programme_that_year_gives_tier_2(personas, funding):
    call = personas.call
    site = {
        "other_year": lambda: f.make_site(call.programme, funded_year=call.funding_year - 1),
        "other_programme": lambda: f.make_site(personas.other_programme,
                                               funded_year=call.funding_year),
        "none": lambda: f.make_site(),
    }[funding]()
    application = f.make_application(call, personas.applicant, site=site, submit=True)
    assert application.eligibility.computed_tier == Eligibility.Tier.TIER_2


@pytest.mark.django_db
def test_a_volunteer_below_the_minimum_hours_is_ineligible_with_both_reasons(personas):
    call = personas.call
    call.min_weekly_hours = Decimal("15")
    call.save(update_fields=["min_weekly_hours"])
    application = f.make_application(call, personas.applicant, employment_kind="volunteer",
                                     weekly_hours=Decimal("4"), submit=True)
    assert application.eligibility.tier == Eligibility.Tier.INELIGIBLE
    assert [r["code"] for r in application.eligibility.reasons] == ["volunteer", "hours"]
    assert all(r["message"] for r in application.eligibility.reasons)


@pytest.mark.django_db
def test_a_draft_has_no_pre_check_yet(personas):
    application = f.make_application(personas.call, personas.applicant)
    assert not Eligibility.objects.filter(application=application).exists()


@pytest.mark.django_db
def test_an_unchanged_assessment_writes_no_new_audit_entry(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    before = AuditEntry.objects.filter(action="eligibility.assess").count()
    services.eligibility_assess(application=application)
    assert AuditEntry.objects.filter(action="eligibility.assess").count() == before


# --- The coordinator's override -------------------------------------------------------

@pytest.mark.django_db
def test_a_coordinator_overrides_with_a_reason_and_it_is_audited(personas):
    application = f.make_application(personas.call, personas.applicant,
                                     employment_kind="volunteer", submit=True)
    assert application.eligibility.tier == Eligibility.Tier.INELIGIBLE
    check = services.eligibility_override(
        application=application, tier=Eligibility.Tier.TIER_2,
        reason="Honorarkraft mit Vertrag, faktisch hauptamtlich", actor=personas.coordinator)
    assert check.tier == Eligibility.Tier.TIER_2
    assert check.computed_tier == Eligibility.Tier.INELIGIBLE  # the pre-check stays visible
    assert check.override_by == personas.coordinator and check.override_at is not None
    entry = AuditEntry.objects.get(action="eligibility.override")
    assert entry.actor == personas.coordinator
    assert entry.reason == "Honorarkraft mit Vertrag, faktisch hauptamtlich"
    assert entry.data == {"from": "ineligible", "to": "tier2"}


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_an_override_without_reason_is_refused_and_changes_nothing(personas, reason):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    with pytest.raises(ValidationError) as error:
        services.eligibility_override(application=application, tier=Eligibility.Tier.TIER_2,
                                      reason=reason, actor=personas.coordinator)
    assert "reason" in error.value.messages[0]
    check = Eligibility.objects.get(application=application)
    assert check.override_tier == "" and check.override_by is None
    assert not AuditEntry.objects.filter(action="eligibility.override").exists()


@pytest.mark.django_db
def test_an_override_to_an_unknown_tier_is_refused(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    with pytest.raises(ValidationError):
        services.eligibility_override(application=application, tier="tier0",
                                      reason="Sonderfall", actor=personas.coordinator)
    assert Eligibility.objects.get(application=application).override_tier == ""


@pytest.mark.django_db
def test_the_database_refuses_an_override_without_reason(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Eligibility.objects.filter(application=application).update(override_tier="tier2")


@pytest.mark.django_db
def test_an_override_survives_a_new_assessment(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    services.eligibility_override(application=application, tier=Eligibility.Tier.INELIGIBLE,
                                  reason="Doppelbewerbung", actor=personas.coordinator)
    services.application_save_step(application=application, step="commitment",
                                   data={"commits_to_all_modules": False},
                                   actor=personas.applicant)
    check = Eligibility.objects.get(application=application)
    assert check.computed_tier == Eligibility.Tier.INELIGIBLE
    assert check.override_tier == Eligibility.Tier.INELIGIBLE
    assert check.override_reason == "Doppelbewerbung"


# --- The daily re-check when the release due date passes ----------------------------

DUE = date(2026, 11, 30)


@pytest.fixture
def overdue_setup(personas):
    call = personas.call
    call.release_due_date = DUE
    call.save(update_fields=["release_due_date"])
    submit_time = f.day_time(DUE - timedelta(days=20), time(12, 0))
    call.opens_at = submit_time - timedelta(days=10)
    call.closes_at = submit_time + timedelta(days=5)
    call.save(update_fields=["opens_at", "closes_at"])
    without = f.make_application(call, personas.applicant, release=False, submit=True,
                                 now=submit_time)
    with_letter = f.make_application(call, personas.second_applicant, submit=True,
                                     now=submit_time)
    return without, with_letter


@pytest.mark.django_db
def test_the_scheduled_recheck_is_registered_with_the_worker():
    paths = [path for path, _every in settings.KOHORTE_SCHEDULED_JOBS]
    assert "kohorte.applications.jobs.eligibility_recheck_due" in paths


@pytest.mark.django_db
def test_nothing_changes_on_the_due_day_itself(overdue_setup):
    without, _with_letter = overdue_setup
    result = eligibility_recheck_due(now=f.day_time(DUE, time(23, 59, 59)))
    assert result == {"rechecked": 0, "ineligible": 0}
    without.eligibility.refresh_from_db()
    assert without.eligibility.tier == Eligibility.Tier.TIER_1


@pytest.mark.django_db
def test_the_day_after_the_due_date_a_missing_release_makes_the_application_ineligible(
        overdue_setup):
    without, with_letter = overdue_setup
    result = eligibility_recheck_due(now=f.day_time(DUE + timedelta(days=1), time(0, 0, 1)))
    assert result == {"rechecked": 1, "ineligible": 1}
    without.eligibility.refresh_from_db()
    assert without.eligibility.tier == Eligibility.Tier.INELIGIBLE
    assert [r["code"] for r in without.eligibility.reasons] == ["release"]
    entry = AuditEntry.objects.filter(action="eligibility.assess",
                                      object_id=str(without.pk)).latest("id")
    assert entry.data == {"from": "tier1", "to": "ineligible"} and entry.actor is None
    with_letter.eligibility.refresh_from_db()
    assert with_letter.eligibility.tier == Eligibility.Tier.TIER_1


@pytest.mark.django_db
def test_the_recheck_runs_once_per_application(overdue_setup):
    later = f.day_time(DUE + timedelta(days=1), time(1, 0))
    eligibility_recheck_due(now=later)
    audit_count = AuditEntry.objects.count()
    assert eligibility_recheck_due(now=later + timedelta(days=1)) == {"rechecked": 0,
                                                                      "ineligible": 0}
    assert AuditEntry.objects.count() == audit_count


@pytest.mark.django_db
def test_the_recheck_keeps_a_coordinators_override_in_force(overdue_setup, personas):
    without, _with_letter = overdue_setup
    services.eligibility_override(application=without, tier=Eligibility.Tier.TIER_1,
                                  reason="Brief liegt per Post vor", actor=personas.coordinator)
    eligibility_recheck_due(now=f.day_time(DUE + timedelta(days=1), time(1, 0)))
    check = Eligibility.objects.get(application=without)
    assert check.computed_tier == Eligibility.Tier.INELIGIBLE
    assert check.tier == Eligibility.Tier.TIER_1


@pytest.mark.django_db
def test_the_recheck_leaves_withdrawn_applications_alone(overdue_setup):
    without, _with_letter = overdue_setup
    services.application_withdraw(application=without, actor=without.applicant,
                                  now=f.day_time(DUE, time(9, 0)))
    result = eligibility_recheck_due(now=f.day_time(DUE + timedelta(days=1), time(1, 0)))
    assert result["rechecked"] == 0
    assert Eligibility.objects.get(application=without).tier == Eligibility.Tier.TIER_1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_the_recheck(overdue_setup, time_machine):
    without, _with_letter = overdue_setup
    time_machine.move_to(f.day_time(DUE + timedelta(days=2), time(3, 0)), tick=False)
    out = io.StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert "eligibility_recheck_due: {'rechecked': 1, 'ineligible': 1}" in out.getvalue()
    without.eligibility.refresh_from_db()
    assert without.eligibility.tier == Eligibility.Tier.INELIGIBLE


@pytest.mark.django_db
def test_a_release_handed_in_on_the_due_day_keeps_the_tier(overdue_setup):
    without, _with_letter = overdue_setup
    services.document_upload(application=without, kind=Document.Kind.EMPLOYER_RELEASE,
                             uploaded_file=pdf_upload(), actor=without.applicant,
                             now=f.day_time(DUE, time(22, 0)))
    result = eligibility_recheck_due(now=f.day_time(DUE + timedelta(days=1), time(1, 0)))
    assert result["rechecked"] == 0
    without.eligibility.refresh_from_db()
    assert without.eligibility.tier == Eligibility.Tier.TIER_1
    assert [r["code"] for r in without.eligibility.reasons] == ["funded_site"]
    assert Application.objects.get(pk=without.pk).state == Application.State.SUBMITTED
