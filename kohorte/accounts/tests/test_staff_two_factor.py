"""Staff sign-in with password and second factor; the staff's own security pages."""

import re
from base64 import b32encode
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohorte.accounts.views_staff import PENDING_KEY
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f

LOGIN = reverse("accounts:staff_login")
SECURITY = reverse("accounts:staff_security")
SETUP = reverse("accounts:staff_totp_setup")
CODES = reverse("accounts:staff_recovery_codes")
PASSWORD = reverse("accounts:staff_password_change")
MOMENT = f.aware(2026, 3, 2, 10, 0, 5)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def _code(key_hex, at=MOMENT):
    with time_machine.travel(at, tick=False):
        return f"{totp(bytes.fromhex(key_hex)):06d}"


def _sign_in(client, email, code, password=f.PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password, "otp_token": code})


def _verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


# --- Signing in -----------------------------------------------------------------------

def test_staff_sign_in_with_password_and_the_apps_code(client, personas, frozen):
    response = _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY))
    assert response.status_code == 302
    assert response.url == reverse("backoffice:home")
    assert _verified(client)
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_a_wrong_code_is_refused_even_with_the_right_password(client, personas, frozen):
    response = _sign_in(client, "coordinator@example.org", "000000")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_code_works_only_once(client, personas, frozen):
    code = _code(f.TOTP_KEY)
    assert _sign_in(client, "coordinator@example.org", code).status_code == 302
    client.logout()
    assert _sign_in(client, "coordinator@example.org", code).status_code == 400


def test_a_recovery_code_signs_in_once(client, personas, frozen):
    assert _sign_in(client, "coordinator@example.org", "recovery-1").status_code == 302
    assert _verified(client)
    client.logout()
    assert _sign_in(client, "coordinator@example.org", "recovery-1").status_code == 400
    assert not StaticToken.objects.filter(device__user=personas.coordinator).exists()


def test_applicants_cannot_use_the_staff_sign_in(client, personas, frozen):
    response = _sign_in(client, "applicant@example.org", "123456", password="")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_after_the_failure_limit_even_the_right_credentials_are_refused(client, personas, frozen):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY), password="falsch-falsch")
    response = _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY))
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("backoffice:home")).status_code == 302


def test_only_failures_are_kept_for_the_throttle_and_no_log_of_sign_ins(client, personas, frozen):
    _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY), password="falsch-falsch")
    assert AccessAttempt.objects.filter(username="coordinator@example.org").count() == 1
    assert _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY)).status_code == 302
    # A success ends the failures; address and browser of sign-ins are not logged.
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()


def test_wrong_security_codes_count_towards_the_failure_limit(client, personas, frozen):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "coordinator@example.org", "000000")
    response = _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY))
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_one_failure_less_than_the_limit_still_lets_the_right_credentials_in(
        client, personas, frozen):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "coordinator@example.org", "000000", password="falsch-falsch")
    assert _sign_in(client, "coordinator@example.org", _code(f.TOTP_KEY)).status_code == 302


# --- The security overview ----------------------------------------------------------------

def test_the_overview_counts_the_recovery_codes_left(client, personas):
    response = f.login_staff(client, personas.coordinator).get(SECURITY)
    assert response.status_code == 200
    assert response.context["codes_left"] == 1
    assert response.context["has_app"] is True


@pytest.mark.parametrize("url", [SECURITY, SETUP, CODES, PASSWORD])
def test_the_security_pages_are_for_signed_in_staff_only(client, personas, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(LOGIN)
    client.force_login(personas.applicant)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


# --- Setting up the authenticator app ----------------------------------------------------------

def test_the_setup_page_shows_a_qr_code_and_the_key_to_type_in(client, personas):
    response = f.login_staff(client, personas.coordinator).get(SETUP)
    assert response.status_code == 200
    assert re.search(r'<svg role="img"[^>]*>\s*<title>', response.text)
    key = client.session[PENDING_KEY]
    assert response.context["secret"].replace(" ", "") == (
        b32encode(bytes.fromhex(key)).decode().rstrip("="))
    assert 'style="' not in response.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    # Reloading keeps the same key, so a scan in progress stays valid.
    assert client.get(SETUP).context["secret"] == response.context["secret"]


def test_a_code_from_the_new_app_replaces_the_old_one(client, personas, frozen):
    user = personas.coordinator
    f.login_staff(client, user)
    client.get(SETUP)
    key = client.session[PENDING_KEY]
    response = client.post(SETUP, {"token": _code(key)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.key == key and device.confirmed
    assert PENDING_KEY not in client.session
    assert AuditEntry.objects.filter(action="user.totp_confirm", object_id=str(user.pk)).exists()
    # The session goes on with the new device; the old key no longer signs in.
    assert client.get(reverse("backoffice:home")).status_code == 200
    client.logout()
    later = MOMENT + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert _sign_in(client, user.email, _code(f.TOTP_KEY, later)).status_code == 400
    # django-otp pauses a device briefly after a wrong code.
    later += timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        assert _sign_in(client, user.email, _code(key, later)).status_code == 302


def test_a_wrong_code_keeps_the_old_app(client, personas, frozen):
    f.login_staff(client, personas.coordinator)
    client.get(SETUP)
    right = _code(client.session[PENDING_KEY])
    response = client.post(SETUP, {"token": "000000" if right != "000000" else "111111"})
    assert response.status_code == 400
    assert response.context["form"].errors["token"]
    assert TOTPDevice.objects.get(user=personas.coordinator).key == f.TOTP_KEY


def test_a_code_that_is_not_six_digits_is_refused_with_a_message(client, personas):
    f.login_staff(client, personas.coordinator)
    client.get(SETUP)
    response = client.post(SETUP, {"token": "12ab"})
    assert response.status_code == 400
    assert 'href="#id_token"' in response.text


def test_a_confirmation_without_a_started_setup_starts_it_anew(client, personas):
    response = f.login_staff(client, personas.coordinator).post(SETUP, {"token": "123456"})
    assert response.status_code == 400
    assert PENDING_KEY in client.session
    assert TOTPDevice.objects.get(user=personas.coordinator).key == f.TOTP_KEY


# --- Recovery codes -------------------------------------------------------------------------------

def test_new_recovery_codes_are_shown_once_and_replace_the_old_ones(client, personas, frozen):
    user = personas.coordinator
    f.login_staff(client, user)
    response = client.post(CODES)
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.text for code in codes)
    assert "no-store" in response["Cache-Control"]
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert AuditEntry.objects.filter(action="user.recovery_codes_regenerate").count() == 1
    again = client.get(CODES)
    assert again.context["codes"] is None
    assert not any(code in again.text for code in codes)
    client.logout()
    assert _sign_in(client, user.email, "recovery-1").status_code == 400
    frozen.shift(timedelta(seconds=5))  # django-otp pauses a device after a wrong code
    assert _sign_in(client, user.email, codes[3]).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_an_administrator_issues_codes_with_which_a_new_colleague_signs_in(client, personas,
                                                                           frozen):
    newcomer = f.make_staff(email="neu@example.org")
    TOTPDevice.objects.filter(user=newcomer).delete()
    f.login_staff(client, personas.admin)
    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "issue_recovery_codes", "_selected_action": [newcomer.pk]})
    assert response.status_code == 200
    code = response.context["codes"][0]
    assert code in response.text
    client.logout()
    assert _sign_in(client, "neu@example.org", code).status_code == 302


# --- Password -------------------------------------------------------------------------------

def test_the_password_is_changed_with_the_current_one_and_the_session_stays(client, personas,
                                                                          frozen):
    user = personas.coordinator
    f.login_staff(client, user)
    response = client.post(PASSWORD, {"old_password": f.PASSWORD,
                                      "new_password1": "Neues-Passwort-2026!",
                                      "new_password2": "Neues-Passwort-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-2026!")
    assert client.get(reverse("backoffice:home")).status_code == 200
    assert AuditEntry.objects.filter(action="user.password_change", actor=user).exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"old_password": "falsch", "new_password1": "Neues-Passwort-2026!",
      "new_password2": "Neues-Passwort-2026!"}, "old_password"),
    ({"old_password": f.PASSWORD, "new_password1": "kurz", "new_password2": "kurz"},
     "new_password2"),
    ({"old_password": f.PASSWORD, "new_password1": "Neues-Passwort-2026!",
      "new_password2": "Anderes-Passwort-2026!"}, "new_password2"),
])
def test_a_bad_password_change_is_refused_and_nothing_changes(client, personas, data, field):
    user = personas.coordinator
    response = f.login_staff(client, user).post(PASSWORD, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    user.refresh_from_db()
    assert user.check_password(f.PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_the_admin_password_form_leads_to_the_staff_page(client, personas):
    response = f.login_staff(client, personas.admin).get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response.url == PASSWORD
