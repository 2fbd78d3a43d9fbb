from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from kohorte.applications import services
from kohorte.applications.models import Application, Call
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail


def test_a_complete_application_is_submitted_with_reference_audit_and_mail(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    assert application.state == Application.State.SUBMITTED
    assert application.reference.startswith("GWA-")
    assert AuditEntry.objects.filter(action="application.submit", object_id=str(application.pk)).count() == 1
    mail = OutboxMail.objects.get(template="application_submitted")
    assert mail.to == "applicant@example.org"
    assert mail.subject == f"Bewerbung eingegangen: {application.reference}"
    assert f"Ihre Bewerbungsnummer lautet {application.reference}." in mail.body
    # The pre-check's audit entry is made before the number is taken; it names it too.
    entries = AuditEntry.objects.filter(object_id=str(application.pk),
                                        action__in=["application.submit", "eligibility.assess"])
    assert sorted(entries.values_list("action", "object_repr")) == [
        ("application.submit", application.reference),
        ("eligibility.assess", application.reference)]


def test_submitting_twice_creates_no_second_mail(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    again = services.application_submit(application=application, actor=personas.applicant)
    assert again.reference == application.reference
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1


def test_it_accepts_the_last_second_and_refuses_the_next(personas):
    call = personas.call
    last_second = call.closes_at.replace(second=59, microsecond=0)
    early = call.closes_at - timedelta(days=1)
    first = f.make_application(call, personas.applicant, now=early)
    services.application_submit(application=first, actor=personas.applicant, now=last_second)
    second = f.make_application(call, personas.second_applicant, now=early)
    with pytest.raises(ValidationError):
        services.application_submit(application=second, actor=personas.second_applicant,
                                    now=last_second + timedelta(seconds=1))
    second.refresh_from_db()
    assert second.state == Application.State.DRAFT and second.reference is None


def test_a_stale_copy_is_submitted_with_the_answers_stored_under_the_lock(personas):
    stale = f.make_application(personas.call, personas.applicant)
    services.application_save_step(application=stale, step="contact", actor=personas.applicant,
                                   data={"first_name": "Ayla", "last_name": "Muster"})
    submitted = services.application_submit(application=stale, actor=personas.applicant)
    assert submitted.full_name == "Ayla Muster"
    assert "Guten Tag Ayla Muster," in OutboxMail.objects.get(template="application_submitted").body
    assert stale.state == Application.State.DRAFT  # the caller's object is left alone


def test_a_stale_copy_of_a_call_closed_meanwhile_is_refused(personas):
    draft = f.make_application(personas.call, personas.applicant)
    # Loaded with its call before the call is closed, as the view loads it.
    application = Application.objects.select_related("call").get(pk=draft.pk)
    services.call_close(call=Call.objects.get(pk=personas.call.pk), actor=personas.coordinator)
    with pytest.raises(services.ApplicationClosed):
        services.application_submit(application=application, actor=personas.applicant)
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None


def test_the_submit_audits_the_pre_check_and_then_the_submission(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    entries = AuditEntry.objects.filter(object_id=str(application.pk),
                                        action__in=["eligibility.assess", "application.submit"])
    assert [e.action for e in entries.order_by("id")] == ["eligibility.assess",
                                                          "application.submit"]
    assert entries.get(action="application.submit").actor == personas.applicant
    assert entries.get(action="eligibility.assess").actor is None


def test_the_submit_reads_under_the_lock_takes_the_number_and_writes_at_once(personas):
    """The form's submit: the locked read (which checks the owner), the counter and the
    writes (pre-check, application, audit entries, e-mail), which on PostgreSQL go as
    one statement (core.prepared.Batch)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kohorte.applications.models import Eligibility

    # Not the first submit of the prefix and year: on PostgreSQL that one makes the
    # sequence of the numbers first (services/references.py).
    f.make_application(personas.call, f.make_applicant(), submit=True)
    draft = f.make_application(personas.call, personas.applicant)
    assert services.application_submit_own(pk=draft.pk, user=personas.second_applicant) is None
    with CaptureQueriesContext(connection) as queries:
        submitted = services.application_submit_own(pk=draft.pk, user=personas.applicant)
    # (The test's own transaction makes the submit's a savepoint.)
    statements = [q["sql"][:80] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == (3 if connection.vendor == "postgresql" else 6), statements
    stored = Application.objects.get(pk=draft.pk)
    assert stored.state == Application.State.SUBMITTED and stored.reference == submitted.reference
    assert Eligibility.objects.get(application=stored).computed_tier
    assert sorted(AuditEntry.objects.filter(object_id=str(stored.pk))
                  .filter(action__in=["application.submit", "eligibility.assess"])
                  .values_list("action", "object_repr")) == [
        ("application.submit", stored.reference), ("eligibility.assess", stored.reference)]
    assert OutboxMail.objects.get(template="application_submitted",
                                  about_id=str(stored.pk)).to == stored.email
