"""One-time sign-in links for applicants: the services, with injected time."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kohorte.accounts import services
from kohorte.accounts.models import LoginToken, User
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

T0 = f.aware(2026, 9, 1, 10, 0)


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked in their English source, whatever the German catalogue says.
    with translation.override("en"):
        yield


def _token_from_outbox(email):
    mail = OutboxMail.objects.filter(to=email, template="login_link").latest("id")
    return re.search(r"/konto/anmelden/link/([^/\s]+)/", mail.body).group(1)


def test_a_requested_link_is_mailed_through_the_outbox_with_the_token():
    login = services.login_link_request(email="  Neu@Example.org ", now=T0)
    mail = OutboxMail.objects.get(template="login_link")
    assert mail.to == "neu@example.org"
    assert login.email == "neu@example.org"
    token = _token_from_outbox("neu@example.org")
    assert f"/konto/anmelden/link/{token}/" in mail.body
    assert mail.state == OutboxMail.State.PENDING


def test_only_the_hash_of_the_token_is_stored():
    services.login_link_request(email="neu@example.org", now=T0)
    token = _token_from_outbox("neu@example.org")
    stored = LoginToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


def test_a_link_expires_after_the_configured_age(settings):
    settings.LOGIN_LINK_MAX_AGE_SECONDS = 1800
    services.login_link_request(email="neu@example.org", now=T0)
    token = _token_from_outbox("neu@example.org")
    assert services.login_token_peek(token=token, now=T0 + timedelta(seconds=1800)) is not None
    assert services.login_token_peek(token=token, now=T0 + timedelta(seconds=1801)) is None
    with pytest.raises(ValidationError):
        services.login_token_redeem(token=token, now=T0 + timedelta(seconds=1801))
    assert LoginToken.objects.get().used_at is None
    assert not User.objects.filter(email="neu@example.org").exists()


def test_looking_at_a_link_does_not_use_it():
    services.login_link_request(email="neu@example.org", now=T0)
    token = _token_from_outbox("neu@example.org")
    for _ in range(3):
        assert services.login_token_peek(token=token, now=T0) is not None
    assert LoginToken.objects.get().used_at is None


def test_the_first_use_creates_an_account_without_password_and_audits_it():
    services.login_link_request(email="neu@example.org", now=T0)
    token = _token_from_outbox("neu@example.org")
    user, next_url = services.login_token_redeem(token=token, now=T0 + timedelta(minutes=1))
    assert user.email == "neu@example.org"
    assert not user.has_usable_password()
    assert not user.is_staff
    assert next_url == ""
    actions = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert actions == {"user.create", "user.login_link"}


def test_an_existing_applicant_signs_in_to_the_same_account():
    applicant = f.make_applicant("da@example.org")
    services.login_link_request(email="DA@example.org", now=T0)
    user, _next = services.login_token_redeem(token=_token_from_outbox("da@example.org"), now=T0)
    assert user.pk == applicant.pk
    assert User.objects.filter(email__iexact="da@example.org").count() == 1


def test_a_link_works_only_once():
    services.login_link_request(email="neu@example.org", now=T0)
    token = _token_from_outbox("neu@example.org")
    services.login_token_redeem(token=token, now=T0)
    with pytest.raises(ValidationError) as error:
        services.login_token_redeem(token=token, now=T0)
    assert "already used" in error.value.messages[0]
    assert services.login_token_peek(token=token, now=T0) is None


def test_an_unknown_token_is_refused():
    with pytest.raises(ValidationError):
        services.login_token_redeem(token="nicht-vorhanden", now=T0)


def test_more_links_than_the_hourly_rate_are_refused(settings):
    settings.LOGIN_LINK_RATE_PER_HOUR = 3
    for minute in range(3):
        services.login_link_request(email="neu@example.org", now=T0 + timedelta(minutes=minute))
    with pytest.raises(services.RateLimited) as error:
        services.login_link_request(email="NEU@example.org", now=T0 + timedelta(minutes=10))
    assert "Too many sign-in links" in error.value.messages[0]
    assert LoginToken.objects.count() == 3
    assert OutboxMail.objects.filter(template="login_link").count() == 3


def test_the_rate_limit_counts_per_address_and_per_hour(settings):
    settings.LOGIN_LINK_RATE_PER_HOUR = 2
    services.login_link_request(email="a@example.org", now=T0)
    services.login_link_request(email="a@example.org", now=T0 + timedelta(minutes=1))
    # Another address is not affected.
    assert services.login_link_request(email="b@example.org", now=T0 + timedelta(minutes=2))
    # An hour after the first link, one slot is free again.
    assert services.login_link_request(email="a@example.org",
                                       now=T0 + timedelta(hours=1, seconds=1)) is not None


def test_staff_addresses_get_no_link_and_no_mail():
    staff = f.make_staff("coordinator", f.make_programme(), email="koordination@example.org")
    assert services.login_link_request(email=staff.email.upper(), now=T0) is None
    assert not LoginToken.objects.exists()
    assert not OutboxMail.objects.exists()


def test_inactive_accounts_get_no_link():
    User.objects.create_user("weg@example.org", is_active=False)
    assert services.login_link_request(email="weg@example.org", now=T0) is None
    assert not OutboxMail.objects.exists()


def test_a_link_of_someone_who_became_staff_meanwhile_is_refused():
    applicant = f.make_applicant("wechsel@example.org")
    services.login_link_request(email=applicant.email, now=T0)
    token = _token_from_outbox(applicant.email)
    User.objects.filter(pk=applicant.pk).update(is_staff=True)
    with pytest.raises(ValidationError):
        services.login_token_redeem(token=token, now=T0)
    assert not AuditEntry.objects.filter(action="user.login_link").exists()


def test_the_link_keeps_the_page_to_return_to():
    services.login_link_request(email="neu@example.org", next_url="/ausschreibungen/x/",
                                now=timezone.now())
    _user, next_url = services.login_token_redeem(token=_token_from_outbox("neu@example.org"))
    assert next_url == "/ausschreibungen/x/"
