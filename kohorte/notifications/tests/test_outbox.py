"""The outbox: mails are written in the transaction of the change that causes them."""

import pytest
from django.db import IntegrityError, connection, transaction

from kohorte.applications import services
from kohorte.applications.models import Application
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.notifications.services import mail_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Boom(Exception):
    pass


def test_the_first_line_of_the_template_is_the_subject(settings):
    settings.SITE_URL = "https://kohorte.example"
    mail = mail_enqueue(to="a@example.org", template="login_link",
                        context={"token": "abc", "minutes": 30})
    assert mail.subject and "\n" not in mail.subject
    assert "https://kohorte.example/konto/anmelden/link/abc/" in mail.body
    assert mail.state == OutboxMail.State.PENDING and mail.attempts == 0
    assert mail.about_type == "" and mail.about_id == ""


def test_a_mail_about_an_object_names_it_for_later_erasure(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    mail = OutboxMail.objects.get(template="application_submitted")
    assert mail.about_type == "applications.application"
    assert mail.about_id == str(application.pk)
    assert mail.idempotency_key == f"application-submitted-{application.pk}"


def test_the_same_idempotency_key_never_writes_a_second_mail():
    first = mail_enqueue(to="a@example.org", template="login_link",
                         context={"token": "abc", "minutes": 30}, idempotency_key="k-1")
    second = mail_enqueue(to="a@example.org", template="login_link",
                          context={"token": "abc", "minutes": 30}, idempotency_key="k-1")
    assert first is not None and second is None
    assert OutboxMail.objects.count() == 1


def test_a_key_the_caller_vouches_for_is_still_guarded_by_the_unique_index():
    # key_is_new skips the look-up (the submit's row lock rules a second mail out);
    # were the caller wrong, the insert fails and its transaction writes nothing.
    mail_enqueue(to="a@example.org", template="login_link",
                 context={"token": "abc", "minutes": 30}, idempotency_key="k-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        mail_enqueue(to="a@example.org", template="login_link",
                     context={"token": "abc", "minutes": 30}, idempotency_key="k-1",
                     key_is_new=True)
    assert OutboxMail.objects.count() == 1


def test_without_idempotency_key_each_call_writes_a_mail():
    for _ in range(2):
        mail_enqueue(to="a@example.org", template="login_link",
                     context={"token": "abc", "minutes": 30})
    assert OutboxMail.objects.count() == 2


def test_mails_are_written_in_german_whatever_the_language_of_the_request(personas):
    from datetime import time, timedelta

    from django.utils import translation

    closes_at = f.day_time(f.aware(2026, 12, 15).date(), time(23, 59))
    now = closes_at - timedelta(days=2)
    call = f.make_call(personas.programme, now=now, closes_at=closes_at)
    with translation.override("en"):
        f.make_application(call, personas.applicant, now=now, submit=True)
    body = OutboxMail.objects.get(template="application_submitted").body
    # Django's own German month names show the language the mail was rendered in.
    assert "15. Dezember 2026, 23:59" in body
    assert "December" not in body


def test_a_rolled_back_submission_leaves_neither_the_change_nor_the_mail(personas):
    f.make_application(personas.call, personas.second_applicant, submit=True)
    application = f.make_application(personas.call, personas.applicant)
    with pytest.raises(Boom), transaction.atomic():
        services.application_submit(application=application, actor=personas.applicant)
        assert OutboxMail.objects.filter(about_id=str(application.pk)).exists()
        raise Boom
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None
    assert not OutboxMail.objects.filter(about_id=str(application.pk)).exists()
    assert not AuditEntry.objects.filter(action="application.submit",
                                         object_id=str(application.pk)).exists()
    # SQLite counts in the transaction: the number is given again. PostgreSQL's sequence
    # is not undone: the number stays unused, a gap (services/references.py).
    gap = 1 if connection.vendor == "postgresql" else 0
    assert f.next_reference_number(personas.call) == 2 + gap


def test_a_failure_while_writing_the_mail_undoes_the_submission(personas, monkeypatch):
    application = f.make_application(personas.call, personas.applicant)

    def failing_enqueue(**kwargs):
        raise Boom

    monkeypatch.setattr("kohorte.applications.services.submission.mail_enqueue", failing_enqueue)
    with pytest.raises(Boom):
        services.application_submit(application=application, actor=personas.applicant)
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None
    assert not AuditEntry.objects.filter(action="application.submit").exists()
    assert not OutboxMail.objects.exists()


def test_a_failure_after_the_mail_undoes_the_mail_too(personas, monkeypatch):
    application = f.make_application(personas.call, personas.applicant, submit=True)

    def failing_audit(**kwargs):
        raise Boom

    # The withdrawal writes its mail, then the audit entry fails: nothing may remain.
    monkeypatch.setattr("kohorte.applications.services.submission.audit_record", failing_audit)
    with pytest.raises(Boom):
        services.application_withdraw(application=application, actor=personas.applicant)
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert not OutboxMail.objects.filter(template="application_withdrawn").exists()


def test_a_rolled_back_sign_in_request_leaves_no_mail_and_no_token():
    from kohorte.accounts import services as account_services
    from kohorte.accounts.models import LoginToken

    with pytest.raises(Boom), transaction.atomic():
        account_services.login_link_request(email="neu@example.org")
        raise Boom
    assert not OutboxMail.objects.exists()
    assert not LoginToken.objects.exists()


def test_a_repeated_idempotency_key_is_refused_before_rendering(monkeypatch):
    context = {"token": "abc", "minutes": 30}
    assert mail_enqueue(to="a@example.org", template="login_link", context=context,
                        idempotency_key="k-1") is not None
    monkeypatch.setattr("kohorte.notifications.services.render_to_string",
                        lambda *args, **kwargs: pytest.fail("rendered a mail it will not write"))
    assert mail_enqueue(to="a@example.org", template="login_link", context=context,
                        idempotency_key="k-1") is None


def test_many_mails_are_written_in_one_insert_as_one_by_one_would_write_them(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kohorte.notifications.services import mail_enqueue_many

    settings.SITE_URL = "https://kohorte.example"
    single = mail_enqueue(to="a@example.org", template="login_link",
                          context={"token": "abc", "minutes": 30})
    with CaptureQueriesContext(connection) as queries:
        mails = mail_enqueue_many([
            {"to": f"p{n}@example.org", "template": "login_link",
             "context": {"token": f"t{n}", "minutes": 30}, "about": single,
             "idempotency_key": f"many-{n}"} for n in range(3)])
    assert [q["sql"].startswith("INSERT") for q in queries.captured_queries].count(True) == 1
    assert len(queries.captured_queries) == 2  # the keys looked up once, one insert
    assert [m.to for m in mails] == ["p0@example.org", "p1@example.org", "p2@example.org"]
    stored = OutboxMail.objects.get(to="p1@example.org")
    assert stored.subject == single.subject
    assert "https://kohorte.example/konto/anmelden/link/t1/" in stored.body
    assert stored.about_type == "notifications.outboxmail" and stored.about_id == str(single.pk)
    assert stored.idempotency_key == "many-1" and stored.state == OutboxMail.State.PENDING


def test_many_mails_skip_a_key_already_written_or_given_twice():
    from kohorte.notifications.services import mail_enqueue_many

    mail_enqueue(to="a@example.org", template="login_link",
                 context={"token": "abc", "minutes": 30}, idempotency_key="k-1")
    mails = mail_enqueue_many([
        {"to": "b@example.org", "template": "login_link",
         "context": {"token": "b", "minutes": 30}, "idempotency_key": key}
        for key in ("k-1", "k-2", "k-2")] + [
        {"to": "c@example.org", "template": "login_link",
         "context": {"token": "c", "minutes": 30}}])
    assert [m.idempotency_key for m in mails] == ["k-2", None]
    assert OutboxMail.objects.count() == 3
    assert mail_enqueue_many([]) == []
