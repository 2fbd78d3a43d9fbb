from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from kohorte.applications import services
from kohorte.applications.models import Application
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
    assert application.reference in mail.subject


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
