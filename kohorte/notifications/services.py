"""Writing e-mails to the outbox and delivering them."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from kohorte.core.prepared import Prepared, PreparedInsert

from .models import OutboxMail

log = logging.getLogger(__name__)

ERASED_ADDRESS = "erased@invalid"
ERASED_TEXT = "[gelöscht]"


# Asked by every state change that writes a mail (the final submit among them): built
# once per process (core.prepared).
_MAIL_WRITTEN = Prepared(
    lambda key: OutboxMail.objects.filter(idempotency_key=key).values_list("pk")[:1], key=str)
_INSERT = PreparedInsert(OutboxMail)


def mail_enqueue(*, to, template, context, about=None, language="de", idempotency_key=None,
                 erase_after_delivery=False, key_is_new=False, batch=None):
    """Render ``notifications/mail/<template>.txt`` and write it to the outbox.

    Call it inside the transaction of the state change it reports. The first line of
    the rendered template is the subject. The same ``idempotency_key`` never writes
    a second mail: a mail with that key already written returns None. A caller whose
    own lock rules such a mail out (the submit, under the draft's row lock) passes
    ``key_is_new=True`` and saves the look-up; the unique index still refuses a second.
    With a ``batch`` (``core.prepared.Batch``) the mail is written when it runs.
    """
    if idempotency_key and not key_is_new and _MAIL_WRITTEN.exists(key=idempotency_key):
        return None
    with translation.override(language):
        rendered = render_to_string(
            f"notifications/mail/{template}.txt",
            {**context, "SITE_URL": settings.SITE_URL},
        )
    subject, _, body = rendered.strip().partition("\n")
    (mail,) = _INSERT.insert([OutboxMail(
        to=to,
        subject=subject.strip()[:250],
        body=body.strip() + "\n",
        template=template,
        about_type=about._meta.label_lower if about is not None else "",
        about_id=str(about.pk) if about is not None else "",
        idempotency_key=idempotency_key,
        erase_after_delivery=erase_after_delivery,
    )], batch=batch)
    return mail


def mail_enqueue_many(mails: list[dict]) -> list[OutboxMail]:
    """Write several mails to the outbox in one INSERT; each dict takes the keyword
    arguments of ``mail_enqueue`` (``to``, ``template``, ``context``, optional ``about``,
    ``language``, ``idempotency_key``, ``erase_after_delivery``).

    For services that report many changes in one transaction (a certificate batch):
    the same mails as ``mail_enqueue`` one by one would write, at a fraction of the
    statements. A key already in the outbox, or given twice, writes no second mail.
    Returns the mails written.
    """
    keys = [mail["idempotency_key"] for mail in mails if mail.get("idempotency_key")]
    seen = set(OutboxMail.objects.filter(idempotency_key__in=keys)
               .values_list("idempotency_key", flat=True)) if keys else set()
    templates, rows = {}, []
    for mail in mails:
        key = mail.get("idempotency_key")
        if key:
            if key in seen:
                continue
            seen.add(key)
        name = f"notifications/mail/{mail['template']}.txt"
        if name not in templates:
            templates[name] = get_template(name)
        with translation.override(mail.get("language", "de")):
            rendered = templates[name].render(
                {**mail["context"], "SITE_URL": settings.SITE_URL})
        subject, _, body = rendered.strip().partition("\n")
        about = mail.get("about")
        rows.append(OutboxMail(
            to=mail["to"],
            subject=subject.strip()[:250],
            body=body.strip() + "\n",
            template=mail["template"],
            about_type=about._meta.label_lower if about is not None else "",
            about_id=str(about.pk) if about is not None else "",
            idempotency_key=key or None,
            erase_after_delivery=mail.get("erase_after_delivery", False),
        ))
    return OutboxMail.objects.bulk_create(rows)


def _backoff(attempts):
    # 1, 2, 4, 8 ... minutes, at most 6 hours.
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _claim(now, limit):
    """Pick due mails; on PostgreSQL, concurrent workers skip each other's rows."""
    # Erased mails are never sent: their address and text are gone.
    qs = OutboxMail.objects.filter(state=OutboxMail.State.PENDING, next_attempt_at__lte=now,
                                   erased=False)
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.order_by("next_attempt_at", "id")[:limit])


def outbox_deliver_due(*, now=None, limit=50):
    """Deliver the due mails once; returns (delivered, failed) counts."""
    now = now or timezone.now()
    delivered = failed = 0
    batch = _deliver_batch(now, limit)
    if not batch:
        return delivered, failed
    smtp = get_connection()
    try:
        smtp.open()
    except Exception as exc:  # server unreachable: the whole batch waits with backoff
        log.warning("outbox: cannot connect: %s", exc)
        for mail in batch:
            _mark_failed(mail, str(exc), now)
        return delivered, len(batch)
    try:
        for mail in batch:
            message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL,
                                   [mail.to], connection=smtp)
            try:
                message.send()
            except Exception as exc:  # any transport error: retry later
                log.warning("outbox %s: delivery failed: %s", mail.pk, exc)
                _mark_failed(mail, str(exc), now)
                failed += 1
            else:
                done = {"state": OutboxMail.State.SENT, "sent_at": timezone.now(),
                        "attempts": mail.attempts + 1, "last_error": ""}
                if mail.erase_after_delivery:
                    done.update(to=ERASED_ADDRESS, subject=ERASED_TEXT, body=ERASED_TEXT, erased=True)
                OutboxMail.objects.filter(pk=mail.pk).update(**done)
                delivered += 1
    finally:
        smtp.close()
    return delivered, failed


def _deliver_batch(now, limit):
    with transaction.atomic():
        batch = _claim(now, limit)
        # Push them out of the due window while this worker sends them, so a second
        # worker on SQLite (no SKIP LOCKED) does not pick them up too.
        OutboxMail.objects.filter(pk__in=[m.pk for m in batch]).update(
            next_attempt_at=now + timedelta(minutes=5)
        )
    return batch


def _mark_failed(mail, error, now):
    attempts = mail.attempts + 1
    give_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMail.objects.filter(pk=mail.pk).update(
        attempts=attempts,
        last_error=error[:2000],
        state=OutboxMail.State.FAILED if give_up else OutboxMail.State.PENDING,
        next_attempt_at=now + _backoff(attempts),
    )


@transaction.atomic
def outbox_retry(*, mail, actor):
    """Put a failed mail back in the queue (coordinator's action)."""
    from kohorte.core.audit import audit_record

    mail.state = OutboxMail.State.PENDING
    mail.next_attempt_at = timezone.now()
    mail.save(update_fields=["state", "next_attempt_at"])
    audit_record(actor=actor, action="mail.retry", obj=mail)
