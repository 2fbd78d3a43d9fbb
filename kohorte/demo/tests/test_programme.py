"""The demo programme: what `make run` loads for a newcomer."""

from datetime import date, time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from kohorte.accounts.models import Role, User
from kohorte.applications.models import Application, Call
from kohorte.demo import programme
from kohorte.programmes.models import Site, SiteFunding


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_next_second_of_november_is_this_year_until_it_has_passed():
    assert programme.next_november_second(date(2026, 11, 1)) == date(2026, 11, 2)
    assert programme.next_november_second(date(2026, 11, 2)) == date(2026, 11, 2)
    assert programme.next_november_second(date(2026, 11, 25)) == date(2027, 11, 2)


@pytest.mark.django_db
def test_the_demo_loads_the_gwa_call_sites_applications_and_staff_once():
    first = programme.load(today=date(2026, 11, 25))
    call = Call.objects.get(state=Call.State.PUBLISHED)
    assert call.state == Call.State.PUBLISHED and call.places == 20
    assert timezone.localtime(call.closes_at).date() == date(2027, 11, 2)
    assert timezone.localtime(call.closes_at).time() == time(23, 59)
    assert call.modules.count() == 8
    assert call.programme.budget == 47500 and call.programme.funder.short_name == "HMAIJS"
    assert 35 <= Site.objects.count() <= 45 and Site.objects.filter(is_sample=False).count() == 0
    assert SiteFunding.objects.exists() and SiteFunding.objects.count() < Site.objects.count()
    submitted = Application.objects.filter(call=call, state=Application.State.SUBMITTED)
    assert first["applications_created"] == 60 and submitted.count() >= 40
    tiers = set(submitted.values_list("eligibility__computed_tier", flat=True))
    assert {"tier1", "tier2"} <= tiers
    districts = set(submitted.values_list("region__district", flat=True))
    assert districts == {"Darmstadt", "Gießen", "Kassel"}
    assert Role.objects.filter(kind="coordinator").count() == 2
    assert set(Role.objects.values_list("kind", flat=True)) == {
        "coordinator", "reviewer", "lecturer", "evaluator", "funder", "admin"}
    assert all(u.totpdevice_set.filter(confirmed=True).exists()
               for u in User.objects.filter(is_staff=True))

    again = programme.load(today=date(2026, 11, 25))
    assert again["applications_created"] == 0 and again["course"] == "exists"
    assert Call.objects.count() == 2 and Application.objects.filter(call=call).count() == 60


@pytest.mark.django_db
def test_the_demo_never_loads_into_a_production_configuration(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        call_command("load_demo")
    assert not Call.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_the_demo_logins_print_every_staff_account_and_the_code_command(capsys):
    call_command("demo_logins")
    out = capsys.readouterr().out
    for email, *_rest in programme.STAFF:
        assert email in out
    assert "demo_totp" in out


@pytest.mark.django_db
def test_the_demo_course_is_last_years_cohort_taught_through_the_year():
    """Today 25 Nov 2026: the 2025/26 course's eight modules are over, every held session
    has its attendance, projects are mostly accepted, completions and six certificates."""
    from kohorte.courses.models import Attendance, Certificate, Cohort, PracticeProject, Session
    from kohorte.courses.selectors.attendance import attendance_rates

    result = programme.load(today=date(2026, 11, 25))
    cohort = Cohort.objects.get()
    assert cohort.call.state == Call.State.CLOSED and cohort.call.funding_year == 2025
    assert result["participants"] == cohort.participants.count() == 16
    sessions = Session.objects.filter(module__cohort=cohort)
    assert sessions.count() == 32
    assert Attendance.objects.filter(session__module__cohort=cohort).count() == 16 * 32
    assert all(m.lecturers.exists() for m in cohort.modules.all())
    assert PracticeProject.objects.filter(state="accepted").count() >= 10
    rates = attendance_rates(cohort)
    assert min(rate.percent for rate in rates.values()) < cohort.min_attendance_percent
    assert Certificate.objects.filter(participant__cohort=cohort).count() == 6
    assert 0 < result["completed"] < 16
