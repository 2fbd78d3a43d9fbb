"""The "Postausgang": list with state filter, one mail, and sending a failed mail again."""

import pytest
from django.urls import reverse

from kohorte.accounts import services as account_services
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.notifications.services import mail_enqueue


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def mails(personas):
    """A delivered confirmation, a failed one (both about an application of the
    programme), a mail of another programme and a sign-in link (about no object)."""
    m = personas
    m.application = f.make_application(personas.call, personas.applicant, submit=True)
    m.delivered = OutboxMail.objects.get(template="application_submitted")
    OutboxMail.objects.filter(pk=m.delivered.pk).update(state=OutboxMail.State.SENT, attempts=1)
    m.failed = mail_enqueue(to="applicant@example.org", template="application_withdrawn",
                            context={"application": m.application, "call": personas.call},
                            about=m.application)
    OutboxMail.objects.filter(pk=m.failed.pk).update(
        state=OutboxMail.State.FAILED, attempts=8, last_error="550 mailbox unavailable")
    other_call = f.make_call(personas.other_programme)
    other = f.make_application(other_call, personas.second_applicant, submit=True)
    m.foreign = OutboxMail.objects.get(about_id=str(other.pk), template="application_submitted")
    account_services.login_link_request(email="new@example.org")
    m.login_link = OutboxMail.objects.get(template="login_link")
    return m


def _as(client, user):
    return f.login_staff(client, user)


def _shown(response):
    return {mail.pk for mail in response.context["page"]}


def test_the_outbox_lists_the_programmes_mails_and_the_sign_in_links(client, mails):
    response = _as(client, mails.coordinator).get(reverse("notifications:outbox"))
    assert response.status_code == 200
    assert _shown(response) == {mails.delivered.pk, mails.failed.pk, mails.login_link.pk}
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts == {"pending": 1, "sent": 1, "failed": 1}


def test_the_outbox_filters_by_state(client, mails):
    response = _as(client, mails.coordinator).get(reverse("notifications:outbox"),
                                                  {"state": "failed"})
    assert _shown(response) == {mails.failed.pk}


def test_an_unknown_state_is_refused_with_a_message(client, mails):
    response = _as(client, mails.coordinator).get(reverse("notifications:outbox"),
                                                  {"state": "lost"})
    assert response.status_code == 400
    assert response.context["form"].errors["state"]


def test_the_administrator_reads_the_outbox_too(client, mails):
    response = _as(client, mails.admin).get(reverse("notifications:outbox"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "funder"])
def test_the_outbox_is_denied_to_other_roles(client, mails, role):
    assert _as(client, getattr(mails, role)).get(reverse("notifications:outbox")).status_code == 403


def test_the_outbox_sends_applicants_away_and_strangers_to_the_sign_in(client, mails):
    anonymous = client.get(reverse("notifications:outbox"))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:staff_login"))
    client.force_login(mails.applicant)
    assert client.get(reverse("notifications:outbox")).status_code == 403


def test_a_mail_shows_its_text_and_delivery_state(client, mails):
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_detail", args=[mails.failed.pk]))
    assert response.status_code == 200
    assert mails.failed.subject in response.text
    assert "550 mailbox unavailable" in response.text
    assert mails.application.reference in response.text
    assert reverse("notifications:mail_retry", args=[mails.failed.pk]) in response.text


def test_a_delivered_mail_offers_no_retry(client, mails):
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_detail", args=[mails.delivered.pk]))
    assert reverse("notifications:mail_retry", args=[mails.delivered.pk]) not in response.text


def test_a_mail_of_another_programme_is_denied(client, mails):
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_detail", args=[mails.foreign.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "funder", "outsider"])
def test_a_mail_is_denied_to_other_roles(client, mails, role):
    response = _as(client, getattr(mails, role)).get(
        reverse("notifications:mail_detail", args=[mails.failed.pk]))
    assert response.status_code == 403


def test_a_sign_in_link_is_shown_while_no_mail_leaves_the_machine(client, mails, settings):
    settings.EMAIL_BACKEND = "kohorte.notifications.backends.RecordingBackend"
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_detail", args=[mails.login_link.pk]))
    assert "/konto/anmelden/link/" in response.text


def test_a_sign_in_link_is_hidden_once_mail_is_really_sent(client, mails, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_detail", args=[mails.login_link.pk]))
    assert response.status_code == 200
    assert "/konto/anmelden/link/" not in response.text


def test_a_failed_mail_is_queued_again_and_the_retry_is_audited(client, mails):
    response = _as(client, mails.coordinator).post(
        reverse("notifications:mail_retry", args=[mails.failed.pk]))
    assert response.status_code == 302
    mails.failed.refresh_from_db()
    assert mails.failed.state == OutboxMail.State.PENDING
    entry = AuditEntry.objects.get(action="mail.retry")
    assert (entry.actor, entry.object_id) == (mails.coordinator, str(mails.failed.pk))


def test_a_mail_that_has_not_failed_is_not_sent_again(client, mails):
    response = _as(client, mails.coordinator).post(
        reverse("notifications:mail_retry", args=[mails.delivered.pk]))
    assert response.status_code == 409
    mails.delivered.refresh_from_db()
    assert mails.delivered.state == OutboxMail.State.SENT
    assert not AuditEntry.objects.filter(action="mail.retry").exists()


@pytest.mark.parametrize("role", ["reviewer", "funder", "outsider"])
def test_retrying_is_denied_to_other_roles(client, mails, role):
    response = _as(client, getattr(mails, role)).post(
        reverse("notifications:mail_retry", args=[mails.failed.pk]))
    assert response.status_code == 403
    mails.failed.refresh_from_db()
    assert mails.failed.state == OutboxMail.State.FAILED


def test_retrying_needs_a_post(client, mails):
    response = _as(client, mails.coordinator).get(
        reverse("notifications:mail_retry", args=[mails.failed.pk]))
    assert response.status_code == 405


def test_a_missing_mail_is_404(client, mails):
    response = _as(client, mails.coordinator).get(reverse("notifications:mail_detail", args=[9999]))
    assert response.status_code == 404
