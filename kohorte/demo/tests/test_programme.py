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
    call = Call.objects.get()
    assert call.state == Call.State.PUBLISHED and call.places == 20
    assert timezone.localtime(call.closes_at).date() == date(2027, 11, 2)
    assert timezone.localtime(call.closes_at).time() == time(23, 59)
    assert call.modules.count() == 8
    assert call.programme.budget == 47500 and call.programme.funder.short_name == "HMAIJS"
    assert 35 <= Site.objects.count() <= 45 and Site.objects.filter(is_sample=False).count() == 0
    assert SiteFunding.objects.exists() and SiteFunding.objects.count() < Site.objects.count()
    submitted = Application.objects.filter(state=Application.State.SUBMITTED)
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
    assert again["applications_created"] == 0
    assert Call.objects.count() == 1 and Application.objects.count() == 60


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
