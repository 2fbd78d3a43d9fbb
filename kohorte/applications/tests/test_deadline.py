"""The deadline: edits until it, submissions judged by the second they reach the server.

The call closes at 23:59 (Europe/Berlin); a submission counts up to and including
23:59:59 and is refused from 00:00:00. Time is moved with time_machine, never slept.
"""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kohorte.applications import services
from kohorte.applications.models import Application, Document
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from .test_journey import english_client, pdf_upload, step_url

pytestmark = pytest.mark.django_db

CLOSING_DAY = date(2026, 11, 2)
CLOSES_AT = f.day_time(CLOSING_DAY, time(23, 59))
LAST_SECOND = f.day_time(CLOSING_DAY, time(23, 59, 59))
FIRST_LATE_SECOND = f.day_time(CLOSING_DAY + timedelta(days=1), time(0, 0, 0))
BEFORE = CLOSES_AT - timedelta(days=3)
RELEASE_DUE = CLOSING_DAY + timedelta(days=28)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def call(personas):
    return f.make_call(personas.programme, now=BEFORE, opens_at=BEFORE - timedelta(days=30),
                       closes_at=CLOSES_AT, release_due_date=RELEASE_DUE)


def _complete(call, applicant, **kwargs):
    return f.make_application(call, applicant, now=BEFORE, **kwargs)


def _submit(client, application):
    return client.post(reverse("applications:apply_submit", args=[application.pk]))


def test_the_deadline_is_the_end_of_the_closing_minute(call):
    assert call.deadline == f.day_time(CLOSING_DAY, time(23, 59, 59, 999999))
    assert call.is_open(LAST_SECOND)
    assert not call.is_open(FIRST_LATE_SECOND)


def test_the_service_accepts_the_last_second_and_refuses_the_next(call, personas):
    on_time = _complete(call, personas.applicant)
    late = _complete(call, personas.second_applicant)
    services.application_submit(application=on_time, actor=personas.applicant, now=LAST_SECOND)
    with pytest.raises(services.ApplicationClosed):
        services.application_submit(application=late, actor=personas.second_applicant,
                                    now=FIRST_LATE_SECOND)
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.state == Application.State.SUBMITTED and on_time.submitted_at == LAST_SECOND
    assert late.state == Application.State.DRAFT and late.reference is None


def test_a_submission_at_23_59_59_reaches_the_submitted_page(call, personas, time_machine):
    application = _complete(call, personas.applicant)
    time_machine.move_to(LAST_SECOND, tick=False)
    response = _submit(english_client(personas.applicant), application)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:application_submitted",
                                           args=[application.pk])
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED


def test_a_submission_one_second_late_is_refused_with_409_and_a_message(call, personas,
                                                                           time_machine):
    application = _complete(call, personas.applicant)
    number_before = f.next_reference_number(call)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    response = _submit(english_client(personas.applicant), application)
    assert response.status_code == 409
    assert "The deadline has passed (02.11.2026 23:59)" in response.content.decode()
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None
    assert f.next_reference_number(call) == number_before
    assert not OutboxMail.objects.filter(template="application_submitted").exists()
    assert not AuditEntry.objects.filter(action="application.submit").exists()


def test_a_closed_call_refuses_submissions_even_before_its_date(call, personas, time_machine):
    application = _complete(call, personas.applicant)
    services.call_close(call=call, actor=personas.coordinator)
    time_machine.move_to(BEFORE, tick=False)
    assert _submit(english_client(personas.applicant), application).status_code == 409


def test_answers_can_be_changed_after_submission_until_the_deadline(call, personas,
                                                                   time_machine):
    application = _complete(call, personas.applicant, submit=True)
    time_machine.move_to(LAST_SECOND, tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "contact"),
                           {"first_name": "Ayla", "last_name": "Muster"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.first_name == "Ayla"
    edit = AuditEntry.objects.get(action="application.edit", object_id=str(application.pk))
    # Only which fields changed, never the answers themselves.
    assert edit.data == {"step": "contact", "fields": ["first_name"]}
    assert "Ayla" not in str(edit.data)


def test_a_change_after_submission_is_assessed_again(call, personas, time_machine):
    application = _complete(call, personas.applicant, submit=True)
    assert application.eligibility.tier == "tier1"
    time_machine.move_to(BEFORE, tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "commitment"), {"commits_to_all_modules": "no"})
    assert response.status_code == 302
    application.eligibility.refresh_from_db()
    assert application.eligibility.tier == "ineligible"
    assert "commitment" in [r["code"] for r in application.eligibility.reasons]


def test_a_step_posted_after_the_deadline_is_refused_and_nothing_is_stored(call, personas,
                                                                          time_machine):
    application = _complete(call, personas.applicant, submit=True)
    audit_before = AuditEntry.objects.count()
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "contact"),
                           {"first_name": "Spät", "last_name": "Muster"})
    assert response.status_code == 409
    assert "The answers can no longer be changed." in response.content.decode()
    application.refresh_from_db()
    assert application.first_name == "Aylin"
    assert AuditEntry.objects.count() == audit_before


def test_a_draft_step_posted_after_the_deadline_is_refused(call, personas, time_machine):
    application = _complete(call, personas.applicant)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    response = english_client(personas.applicant).post(
        step_url(application, "motivation"), {"motivation": "Neu " * 20})
    assert response.status_code == 409
    application.refresh_from_db()
    assert not application.motivation.startswith("Neu")


def test_after_the_deadline_the_answers_are_shown_read_only(call, personas, time_machine):
    application = _complete(call, personas.applicant, submit=True)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    client = english_client(personas.applicant)
    response = client.get(step_url(application, "contact"))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:application_detail",
                                           args=[application.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Aylin Muster" in detail
    assert "The deadline has passed; your answers can no longer be changed." in detail
    assert "?return_to=check" not in detail  # no "Change" links


def test_the_service_refuses_a_step_after_the_deadline(call, personas):
    application = _complete(call, personas.applicant)
    with pytest.raises(services.ApplicationClosed):
        services.application_save_step(application=application, step="contact",
                                       data={"first_name": "Spät"}, actor=personas.applicant,
                                       now=FIRST_LATE_SECOND)
    application.refresh_from_db()
    assert application.first_name == "Aylin"


# --- Withdrawal: at any time -------------------------------------------------------

def test_a_submitted_application_can_be_withdrawn_after_the_deadline(call, personas,
                                                                     time_machine):
    application = _complete(call, personas.applicant, submit=True)
    time_machine.move_to(FIRST_LATE_SECOND + timedelta(days=40), tick=False)
    client = english_client(personas.applicant)
    assert client.get(reverse("applications:application_withdraw",
                              args=[application.pk])).status_code == 200
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED  # the page alone changes nothing
    response = client.post(reverse("applications:application_withdraw", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN
    assert application.withdrawn_at == FIRST_LATE_SECOND + timedelta(days=40)
    mail = OutboxMail.objects.get(template="application_withdrawn")
    assert application.reference in mail.subject
    assert AuditEntry.objects.filter(action="application.withdraw").count() == 1


def test_a_draft_can_be_withdrawn_without_a_mail(call, personas):
    application = _complete(call, personas.applicant)
    services.application_withdraw(application=application, actor=personas.applicant, now=BEFORE)
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN
    assert not OutboxMail.objects.filter(template="application_withdrawn").exists()


def test_withdrawing_twice_changes_nothing_more(call, personas):
    application = _complete(call, personas.applicant, submit=True)
    services.application_withdraw(application=application, actor=personas.applicant, now=BEFORE)
    services.application_withdraw(application=application, actor=personas.applicant,
                                  now=BEFORE + timedelta(days=1))
    application.refresh_from_db()
    assert application.withdrawn_at == BEFORE
    assert OutboxMail.objects.filter(template="application_withdrawn").count() == 1
    assert AuditEntry.objects.filter(action="application.withdraw").count() == 1


def test_a_withdrawn_application_can_neither_be_changed_nor_submitted(call, personas,
                                                                      time_machine):
    application = _complete(call, personas.applicant)
    services.application_withdraw(application=application, actor=personas.applicant, now=BEFORE)
    time_machine.move_to(BEFORE, tick=False)
    client = english_client(personas.applicant)
    assert client.post(step_url(application, "contact"),
                       {"first_name": "Neu", "last_name": "Muster"}).status_code == 409
    assert _submit(client, application).status_code == 409
    with pytest.raises(ValidationError):
        services.application_submit(application=application, actor=personas.applicant, now=BEFORE)
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN and application.first_name == "Aylin"


# --- The employer release: later, until the call's due date, also after submission --

def test_the_release_can_be_handed_in_after_the_deadline_until_its_due_date(call, personas,
                                                                            time_machine):
    application = _complete(call, personas.applicant, release=False, submit=True)
    assert application.eligibility.tier == "tier1"
    time_machine.move_to(f.day_time(RELEASE_DUE, time(23, 0)), tick=False)
    client = english_client(personas.applicant)
    detail = client.get(reverse("applications:application_detail", args=[application.pk]))
    assert step_url(application, "release") in detail.content.decode()
    page = client.get(step_url(application, "release"))
    assert page.status_code == 200
    assert 'name="release_later"' not in page.content.decode()
    response = client.post(step_url(application, "release"), {"document": pdf_upload()})
    assert response.status_code == 302
    assert application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).count() == 1
    application.eligibility.refresh_from_db()
    assert "release_pending" not in [r["code"] for r in application.eligibility.reasons]


def test_after_the_deadline_the_release_step_takes_only_the_letter(call, personas, time_machine):
    application = _complete(call, personas.applicant, release=False, submit=True)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "release"), {"release_later": ""})
    assert response.status_code == 400
    assert "Upload the letter." in response.content.decode()
    application.refresh_from_db()
    assert application.release_later is True
    assert not application.documents.exists()


def test_the_release_is_refused_after_its_due_date(call, personas, time_machine):
    application = _complete(call, personas.applicant, release=False, submit=True)
    time_machine.move_to(f.day_time(RELEASE_DUE + timedelta(days=1), time(0, 0)), tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "release"), {"document": pdf_upload()})
    assert response.status_code == 409
    assert not application.documents.exists()
    with pytest.raises(services.ApplicationClosed):
        services.document_upload(application=application, kind=Document.Kind.EMPLOYER_RELEASE,
                                 uploaded_file=pdf_upload(), actor=personas.applicant,
                                 now=f.day_time(RELEASE_DUE + timedelta(days=1), time(0, 0)))
    assert not application.documents.exists()


def test_a_draft_gets_no_release_after_the_deadline(call, personas, time_machine):
    application = _complete(call, personas.applicant, release=False)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    response = english_client(personas.applicant).post(step_url(application, "release"),
                                                       {"document": pdf_upload()})
    assert response.status_code == 409
    assert not application.documents.exists()


def test_after_the_deadline_no_other_step_opens_for_the_release(call, personas, time_machine):
    application = _complete(call, personas.applicant, release=False, submit=True)
    time_machine.move_to(FIRST_LATE_SECOND, tick=False)
    client = english_client(personas.applicant)
    assert client.post(step_url(application, "employment"), {}).status_code == 409


def test_a_withdrawn_application_shows_no_change_links(call, personas, time_machine):
    application = _complete(call, personas.applicant, submit=True)
    services.application_withdraw(application=application, actor=personas.applicant, now=BEFORE)
    time_machine.move_to(BEFORE, tick=False)
    client = english_client(personas.applicant)
    for name in ["application_detail", "apply_check"]:
        html = client.get(reverse(f"applications:{name}", args=[application.pk])).content.decode()
        assert "Aylin Muster" in html
        assert "?return_to=check" not in html
    before = client.get(reverse("applications:application_detail", args=[application.pk]))
    assert reverse("applications:application_withdraw", args=[application.pk]) not in (
        before.content.decode())


def test_the_release_can_be_handed_in_after_submission_before_the_deadline(call, personas,
                                                                            time_machine):
    application = _complete(call, personas.applicant, release=False, submit=True)
    assert "release_pending" in [r["code"] for r in application.eligibility.reasons]
    time_machine.move_to(BEFORE + timedelta(hours=1), tick=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "release"), {"document": pdf_upload()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert application.documents.count() == 1
    application.eligibility.refresh_from_db()
    assert [r["code"] for r in application.eligibility.reasons] == ["funded_site"]
    assert AuditEntry.objects.filter(action="document.upload",
                                     object_id=str(application.pk)).count() == 1
