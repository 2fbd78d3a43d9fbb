"""Signing in by one-time link, through the views: the link opens a page, the button signs in."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from kohorte.accounts.models import LoginToken, User
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    client = Client()
    # Messages are checked in their English source, whatever the German catalogue says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def link_path(email):
    """The sign-in path as the applicant reads it in the e-mail."""
    mail = OutboxMail.objects.filter(to=email, template="login_link").latest("id")
    match = re.search(re.escape(settings.SITE_URL) + r"(/konto/anmelden/link/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def request_link(client, email, **extra):
    return client.post(LOGIN, {"email": email, **extra})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_the_sign_in_page_asks_only_for_the_address(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'type="password"' not in html


def test_requesting_a_link_writes_the_mail_with_the_link_to_the_outbox(client):
    response = request_link(client, "neu@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_sent")
    mail = OutboxMail.objects.get(template="login_link")
    assert mail.to == "neu@example.org"
    assert link_path("neu@example.org") in mail.body
    sent = client.get(response["Location"])
    assert "neu@example.org" in sent.content.decode()


def test_an_invalid_address_is_refused_with_the_error_summary(client):
    response = request_link(client, "kein-e-mail")
    assert response.status_code == 400
    html = response.content.decode()
    assert "kohorte-error-summary" in html
    assert 'href="#id_email"' in html
    assert not LoginToken.objects.exists()


def test_opening_the_link_does_not_sign_in_and_does_not_use_it(client):
    request_link(client, "neu@example.org")
    path = link_path("neu@example.org")
    for _ in range(2):  # a mail scanner, then the person
        response = client.get(path)
        assert response.status_code == 200
        assert 'method="post"' in response.content.decode()
    assert signed_in_user_id(client) is None
    assert LoginToken.objects.get().used_at is None
    assert not User.objects.filter(email="neu@example.org").exists()


def test_pressing_the_button_signs_in_creates_the_account_and_keeps_the_session(client):
    request_link(client, "neu@example.org")
    response = client.post(link_path("neu@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:my_applications")
    user = User.objects.get(email="neu@example.org")
    assert signed_in_user_id(client) == str(user.pk)
    assert not user.has_usable_password()
    assert LoginToken.objects.get().used_at is not None
    assert not AccessLog.objects.exists()  # no log of address and browser
    # The session carries on to the next pages.
    assert client.get(reverse("applications:my_applications")).status_code == 200


def test_a_second_press_of_the_button_is_refused_with_a_message(client):
    request_link(client, "neu@example.org")
    path = link_path("neu@example.org")
    client.post(path)
    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = other.post(path)
    assert response.status_code in (400, 410)
    assert "expired or was already used" in response.content.decode()
    assert signed_in_user_id(other) is None
    assert client.get(path).status_code == 410


def test_an_expired_link_neither_opens_nor_signs_in(client, time_machine):
    start = f.aware(2026, 9, 1, 10, 0)
    time_machine.move_to(start, tick=False)
    request_link(client, "neu@example.org")
    path = link_path("neu@example.org")
    time_machine.move_to(start + timedelta(seconds=settings.LOGIN_LINK_MAX_AGE_SECONDS + 1),
                         tick=False)
    assert client.get(path).status_code == 410
    response = client.post(path)
    assert response.status_code in (400, 410)
    assert "expired" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="neu@example.org").exists()


def test_a_made_up_link_is_refused(client):
    assert client.get(reverse("accounts:login_confirm", args=["ausgedacht"])).status_code == 410
    assert client.post(reverse("accounts:login_confirm", args=["ausgedacht"])).status_code == 400
    assert signed_in_user_id(client) is None


def test_more_requests_than_the_hourly_rate_are_refused_with_a_message(client, settings):
    settings.LOGIN_LINK_RATE_PER_HOUR = 2
    assert request_link(client, "neu@example.org").status_code == 302
    assert request_link(client, "neu@example.org").status_code == 302
    response = request_link(client, "neu@example.org")
    assert response.status_code == 400
    assert "Too many sign-in links" in response.content.decode()
    assert OutboxMail.objects.filter(template="login_link").count() == 2


def _page_without(html, email):
    """The page with the address and the per-session CSRF token blanked."""
    html = html.replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _sent_page(email):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = request_link(client, email)
    page = client.get(response["Location"]).content.decode()
    return response, _page_without(page, email)


def test_a_staff_address_gets_no_link_and_the_answer_does_not_reveal_it():
    f.make_staff("coordinator", f.make_programme(), email="koordination@example.org")
    staff_response, staff_page = _sent_page("koordination@example.org")
    other_response, other_page = _sent_page("unbekannt@example.org")
    assert staff_response.status_code == other_response.status_code == 302
    assert staff_response["Location"] == other_response["Location"]
    assert staff_page == other_page
    assert not OutboxMail.objects.filter(to="koordination@example.org").exists()
    assert not LoginToken.objects.filter(email="koordination@example.org").exists()
    assert OutboxMail.objects.filter(to="unbekannt@example.org").exists()


@pytest.mark.parametrize("target", [
    "https://evil.example/phish",
    "//evil.example/phish",
    "http://evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
])
def test_a_foreign_next_address_is_refused(client, target):
    request_link(client, "neu@example.org", next=target)
    assert LoginToken.objects.get().next_url == ""
    response = client.post(link_path("neu@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:my_applications")


def test_a_foreign_next_address_in_a_stored_token_is_not_followed(client):
    request_link(client, "neu@example.org")
    LoginToken.objects.update(next_url="https://evil.example/")
    response = client.post(link_path("neu@example.org"))
    assert response["Location"] == reverse("applications:my_applications")


def test_a_local_next_address_is_followed_after_signing_in(client, personas):
    target = personas.call.get_absolute_url()
    request_link(client, "neu@example.org", next=target)
    response = client.post(link_path("neu@example.org"))
    assert response["Location"] == target


def test_signing_out_needs_a_post_and_ends_the_session(client):
    user = f.make_applicant()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(user.pk)
    client.post(reverse("accounts:logout"))
    assert signed_in_user_id(client) is None


def test_an_applicants_sign_in_leaves_the_staff_throttle_alone(client):
    # Axes counts failed password sign-ins (staff only); an e-mail-link sign-in has none
    # to reset. A failure typed into the staff form under an applicant's address stays
    # counted, and the sign-in asks nothing of axes' table.
    from axes.models import AccessAttempt
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AccessAttempt.objects.create(username="neu@example.org", ip_address="192.0.2.1",
                                 user_agent="x", failures_since_start=1)
    request_link(client, "neu@example.org")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(link_path("neu@example.org")).status_code == 302
    assert not [q for q in queries.captured_queries if "axes_" in q["sql"]]
    assert AccessAttempt.objects.filter(username="neu@example.org").count() == 1
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("accounts:logout"))
    assert not [q for q in queries.captured_queries if "axes_" in q["sql"]]
    assert signed_in_user_id(client) is None
