"""The audit log page: per programme, who/when/what/why, filtered and paginated."""

import pytest
from django.urls import reverse

from kohorte.applications import services
from kohorte.core.audit import audit_record
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.notifications.services import outbox_retry


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def log(personas):
    """An application with an override in the programme, one in another programme."""
    p = personas
    p.application = f.make_application(personas.call, personas.applicant, submit=True)
    services.eligibility_override(application=p.application, tier="tier2",
                                  reason="Träger nicht im Landesprogramm", actor=personas.coordinator)
    other_call = f.make_call(personas.other_programme)
    p.foreign = f.make_application(other_call, personas.second_applicant, submit=True)
    services.call_close(call=other_call, actor=personas.outsider)
    return p


def _url(programme):
    return reverse("audit:log", args=[programme.slug])


def _as(client, user):
    return f.login_staff(client, user)


def test_the_log_shows_who_did_what_when_and_why(client, log):
    response = _as(client, log.coordinator).get(_url(log.programme))
    assert response.status_code == 200
    entries = list(response.context["page"])
    override = next(e for e in entries if e.action == "eligibility.override")
    assert override.actor == log.coordinator
    assert "coordinator@example.org" in response.text
    assert "Träger nicht im Landesprogramm" in response.text
    assert log.application.reference in response.text
    assert {"application.submit", "application.start", "eligibility.assess"} <= {
        e.action for e in entries}


def test_the_log_shows_only_the_programmes_own_entries(client, log):
    response = _as(client, log.coordinator).get(_url(log.programme))
    object_ids = {(e.object_type, e.object_id) for e in response.context["page"]}
    assert ("applications.application", str(log.foreign.pk)) not in object_ids
    assert not any(e.action == "call.close" for e in response.context["page"])


def test_a_mail_retry_appears_in_the_log_of_the_mails_programme(client, log):
    mail = OutboxMail.objects.get(about_id=str(log.application.pk))
    outbox_retry(mail=mail, actor=log.coordinator)
    response = _as(client, log.coordinator).get(_url(log.programme), {"action": "mail.retry"})
    assert [e.object_id for e in response.context["page"]] == [str(mail.pk)]


def test_the_log_filters_by_action(client, log):
    response = _as(client, log.coordinator).get(_url(log.programme),
                                                {"action": "eligibility.override"})
    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["eligibility.override"]


def test_the_log_filters_by_object(client, log):
    _as(client, log.coordinator)
    by_reference = client.get(_url(log.programme), {"object": log.application.reference})
    assert {e.object_id for e in by_reference.context["page"]} == {str(log.application.pk)}
    by_kind = client.get(_url(log.programme), {"object_type": "applications.call"})
    assert all(e.object_type == "applications.call" for e in by_kind.context["page"])


def test_an_unknown_action_in_the_filter_is_refused_with_a_message(client, log):
    response = _as(client, log.coordinator).get(_url(log.programme), {"action": "hack"})
    assert response.status_code == 400
    assert response.context["form"].errors["action"]


def test_the_log_is_paginated(client, log):
    for n in range(60):
        audit_record(actor=log.coordinator, action="call.publish", obj=log.call,
                     data={"n": n})
    _as(client, log.coordinator)
    first = client.get(_url(log.programme))
    assert len(first.context["page"]) == 50
    assert first.context["page"].has_next()
    second = client.get(_url(log.programme), {"page": 2})
    total = AuditEntry.objects.filter(object_type__in=[
        "applications.application", "applications.call"]).exclude(
        object_id__in=[str(log.foreign.pk), str(log.foreign.call_id)]).count()
    assert len(second.context["page"]) == total - 50


def test_the_administrator_reads_the_log(client, log):
    assert _as(client, log.admin).get(_url(log.programme)).status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "funder", "outsider"])
def test_the_log_is_denied_to_other_roles(client, log, role):
    response = _as(client, getattr(log, role)).get(_url(log.programme))
    assert response.status_code == 403
    assert "Träger nicht im Landesprogramm" not in response.text


def test_the_log_sends_applicants_away_and_strangers_to_the_sign_in(client, log):
    anonymous = client.get(_url(log.programme))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:staff_login"))
    client.force_login(log.applicant)
    assert client.get(_url(log.programme)).status_code == 403


def test_an_unknown_programme_is_404(client, log):
    response = _as(client, log.coordinator).get(reverse("audit:log", args=["gibt-es-nicht"]))
    assert response.status_code == 404


def test_the_index_leads_to_the_only_programme_and_is_denied_without_one(client, log):
    response = _as(client, log.coordinator).get(reverse("audit:index"))
    assert response.status_code == 302
    assert response.url == _url(log.programme)
    client.logout()
    assert _as(client, log.reviewer).get(reverse("audit:index")).status_code == 403
