"""Delivery by the worker: retries with exponential backoff, FAILED after the last attempt."""

import io
import smtplib
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications import services
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

T0 = f.aware(2026, 10, 1, 9, 0)
BACKENDS = "kohorte.notifications.tests.test_worker"


class RefusingBackend(BaseEmailBackend):
    """The server answers, but refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(451, "Requested action aborted: try again later")


class UnreachableBackend(BaseEmailBackend):
    """The server cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")

    def send_messages(self, email_messages):
        raise AssertionError("no message may be sent without a connection")


class FlakyBackend(BaseEmailBackend):
    """Refuses the first message it sees, then delivers (into django.core.mail.outbox)."""

    failures_left = 1

    def send_messages(self, email_messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        django_mail.outbox.extend(email_messages)
        return len(email_messages)


class PickyBackend(BaseEmailBackend):
    """Refuses one recipient, delivers the rest."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if "kaputt@example.org" in message.to:
                raise smtplib.SMTPRecipientsRefused({"kaputt@example.org": (550, b"unknown")})
        django_mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def queued(time_machine):
    """One mail written at T0 (the time of its first try)."""
    time_machine.move_to(T0, tick=False)
    return services.mail_enqueue(to="person@example.org", template="login_link",
                                 context={"token": "abc", "minutes": 30})


def _reload(mail):
    return OutboxMail.objects.get(pk=mail.pk)


def test_a_due_mail_is_delivered_and_marked_sent(queued):
    assert services.outbox_deliver_due(now=T0) == (1, 0)
    mail = _reload(queued)
    assert mail.state == OutboxMail.State.SENT and mail.attempts == 1 and mail.sent_at
    [message] = django_mail.outbox
    assert message.to == ["person@example.org"]
    assert message.subject == queued.subject and message.body == queued.body


def test_a_delivered_mail_is_not_sent_again(queued):
    services.outbox_deliver_due(now=T0)
    assert services.outbox_deliver_due(now=T0 + timedelta(days=1)) == (0, 0)
    assert len(django_mail.outbox) == 1


def test_a_mail_not_yet_due_waits(queued):
    OutboxMail.objects.filter(pk=queued.pk).update(next_attempt_at=T0 + timedelta(minutes=3))
    assert services.outbox_deliver_due(now=T0) == (0, 0)
    assert _reload(queued).state == OutboxMail.State.PENDING
    assert services.outbox_deliver_due(now=T0 + timedelta(minutes=3)) == (1, 0)


def test_a_refused_mail_is_retried_with_exponential_backoff(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusingBackend"
    now = T0
    for attempt, wait_minutes in enumerate([1, 2, 4, 8, 16], start=1):
        assert services.outbox_deliver_due(now=now) == (0, 1)
        mail = _reload(queued)
        assert mail.attempts == attempt and mail.state == OutboxMail.State.PENDING
        assert mail.next_attempt_at == now + timedelta(minutes=wait_minutes)
        assert "451" in mail.last_error
        # Not due a second earlier.
        assert services.outbox_deliver_due(now=mail.next_attempt_at - timedelta(seconds=1)) == (0, 0)
        now = mail.next_attempt_at


def test_the_backoff_is_capped_at_six_hours():
    assert services._backoff(1) == timedelta(minutes=1)
    assert services._backoff(9) == timedelta(minutes=256)
    assert services._backoff(10) == timedelta(hours=6)
    assert services._backoff(30) == timedelta(hours=6)


def test_a_mail_is_failed_after_the_last_attempt(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusingBackend"
    assert settings.OUTBOX_MAX_ATTEMPTS == 8
    now = T0
    for _attempt in range(settings.OUTBOX_MAX_ATTEMPTS):
        assert _reload(queued).state == OutboxMail.State.PENDING
        services.outbox_deliver_due(now=now)
        now = _reload(queued).next_attempt_at
    mail = _reload(queued)
    assert mail.state == OutboxMail.State.FAILED and mail.attempts == 8
    # A failed mail is left for a coordinator; the worker tries no more.
    assert services.outbox_deliver_due(now=now + timedelta(days=30)) == (0, 0)
    assert _reload(queued).attempts == 8


def test_an_unreachable_server_puts_the_batch_back_with_backoff(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.UnreachableBackend"
    second = services.mail_enqueue(to="zwei@example.org", template="login_link",
                                   context={"token": "def", "minutes": 30})
    assert services.outbox_deliver_due(now=T0) == (0, 2)
    for mail in (_reload(queued), _reload(second)):
        assert mail.state == OutboxMail.State.PENDING and mail.attempts == 1
        assert mail.next_attempt_at == T0 + timedelta(minutes=1)
        assert "refused" in mail.last_error


def test_a_retry_that_succeeds_delivers_the_mail_once(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.FlakyBackend"
    FlakyBackend.failures_left = 1
    assert services.outbox_deliver_due(now=T0) == (0, 1)
    assert services.outbox_deliver_due(now=T0 + timedelta(minutes=1)) == (1, 0)
    mail = _reload(queued)
    assert mail.state == OutboxMail.State.SENT and mail.attempts == 2 and mail.last_error == ""
    assert len(django_mail.outbox) == 1


def test_one_refused_recipient_does_not_hold_up_the_others(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.PickyBackend"
    broken = services.mail_enqueue(to="kaputt@example.org", template="login_link",
                                   context={"token": "x", "minutes": 30})
    assert services.outbox_deliver_due(now=T0) == (1, 1)
    assert _reload(queued).state == OutboxMail.State.SENT
    assert _reload(broken).state == OutboxMail.State.PENDING


def test_a_mail_claimed_by_a_worker_that_died_is_delivered_later(queued):
    # A worker claims the mail and dies before sending: the mail is not lost.
    services._deliver_batch(T0, 50)
    assert services.outbox_deliver_due(now=T0 + timedelta(minutes=1)) == (0, 0)
    assert services.outbox_deliver_due(now=T0 + timedelta(minutes=5)) == (1, 0)
    assert len(django_mail.outbox) == 1


def test_a_coordinator_puts_a_failed_mail_back_in_the_queue(queued, settings):
    staff = f.make_staff(email="koordination@example.org")
    OutboxMail.objects.filter(pk=queued.pk).update(state=OutboxMail.State.FAILED, attempts=8)
    services.outbox_retry(mail=_reload(queued), actor=staff)
    assert _reload(queued).state == OutboxMail.State.PENDING
    assert AuditEntry.objects.filter(action="mail.retry", actor=staff).exists()


def test_the_idempotency_key_means_one_delivered_confirmation(personas):
    from kohorte.applications import services as application_services

    application = f.make_application(personas.call, personas.applicant, submit=True)
    application_services.application_submit(application=application, actor=personas.applicant)
    services.outbox_deliver_due()
    confirmations = [m for m in django_mail.outbox if application.reference in m.subject]
    assert len(confirmations) == 1


# --- The worker command ------------------------------------------------------------------
# The command runs outside any transaction and closes stale connections each round, as in
# production; so these tests commit for real instead of running inside a test transaction.
worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run_once():
    out, err = io.StringIO(), io.StringIO()
    call_command("run_worker", "--once", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@worker_db
def test_run_worker_once_delivers_the_outbox_and_runs_the_jobs(queued):
    out, _err = _run_once()
    assert "outbox: 1 delivered, 0 failed" in out
    assert "retention_run" in out and "eligibility_recheck_due" in out
    assert _reload(queued).state == OutboxMail.State.SENT


@worker_db
def test_run_worker_records_a_failed_delivery_and_carries_on(queued, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.UnreachableBackend"
    out, _err = _run_once()
    assert "outbox: 0 delivered, 1 failed" in out
    assert _reload(queued).attempts == 1


def failing_job(*, now):
    raise RuntimeError("job broke")


def counting_job(*, now):
    return {"ran_at": now.isoformat()}


@worker_db
def test_a_broken_job_does_not_stop_the_worker(queued, settings):
    settings.KOHORTE_SCHEDULED_JOBS = [(f"{BACKENDS}.failing_job", 60),
                                       (f"{BACKENDS}.counting_job", 60)]
    out, err = _run_once()
    assert "failing_job: failed" in err
    assert "counting_job: {'ran_at':" in out
    assert _reload(queued).state == OutboxMail.State.SENT
