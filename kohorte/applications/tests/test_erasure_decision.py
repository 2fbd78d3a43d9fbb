import pytest
from django.core.exceptions import ValidationError

from kohorte.applications import services
from kohorte.applications.models import Application
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail


def _requested(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    return services.application_erasure_request(application=application, actor=personas.applicant)


def test_erasing_on_request_removes_the_application_and_answers_the_person(personas):
    application = _requested(personas)
    services.erasure_request_decide(application=application, actor=personas.coordinator, erase=True)
    assert not Application.objects.filter(pk=application.pk).exists()
    answer = OutboxMail.objects.get(template="erasure_done")
    assert answer.to == "applicant@example.org"
    assert AuditEntry.objects.filter(action="application.erase").exists()
    # The confirmation of the submission no longer holds the person's address.
    assert not OutboxMail.objects.filter(template="application_submitted", to="applicant@example.org").exists()


def test_a_refusal_needs_the_retention_duty_as_reason(personas):
    application = _requested(personas)
    with pytest.raises(ValidationError):
        services.erasure_request_decide(application=application, actor=personas.coordinator,
                                        erase=False, reason="  ")
    assert not OutboxMail.objects.filter(template="erasure_refused").exists()
    services.erasure_request_decide(application=application, actor=personas.coordinator,
                                    erase=False, reason="Belege zum Verwendungsnachweis: 5 Jahre")
    application.refresh_from_db()
    assert application.erasure_refused_at is not None
    assert "5 Jahre" in OutboxMail.objects.get(template="erasure_refused").body
    assert AuditEntry.objects.filter(action="application.erasure_refuse",
                                     reason__contains="5 Jahre").exists()


def test_nothing_is_decided_without_a_request(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    with pytest.raises(ValidationError):
        services.erasure_request_decide(application=application, actor=personas.coordinator, erase=True)
    assert Application.objects.filter(pk=application.pk).exists()


def test_the_answer_to_an_erasure_keeps_the_address_only_until_it_is_delivered(personas):
    from kohorte.notifications.services import outbox_deliver_due

    application = _requested(personas)
    services.erasure_request_decide(application=application, actor=personas.coordinator, erase=True)
    outbox_deliver_due()
    answer = OutboxMail.objects.get(template="erasure_done")
    assert answer.state == OutboxMail.State.SENT
    assert answer.erased and answer.to != "applicant@example.org"
    assert "applicant@example.org" not in answer.body


def test_mails_erased_before_delivery_are_never_sent(personas):
    from kohorte.applications.retention import application_erase
    from kohorte.notifications.services import outbox_deliver_due

    application = f.make_application(personas.call, personas.applicant, submit=True)
    application_erase(application=application, actor=personas.coordinator, reason="test")
    delivered, failed = outbox_deliver_due()
    confirmation = OutboxMail.objects.get(template="application_submitted")
    assert confirmation.erased
    assert confirmation.state == OutboxMail.State.FAILED and confirmation.sent_at is None
    assert delivered == 0
