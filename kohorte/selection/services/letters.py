"""Letters of the selection: editable per call, rendered safely, written to the outbox.

A letter is a ``MessageTemplate`` of the call (created from the defaults below on first
use). Its text may hold the placeholders of ``PLACEHOLDERS`` and nothing else; it is
rendered with ``str.format_map`` on plain strings, never as a Django template, so a
coordinator's text cannot reach code or data beyond those values.
"""

import calendar
import string
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kohorte.applications.models import Application
from kohorte.applications.retention import application_schedule_erasure
from kohorte.core.audit import audit_record
from kohorte.notifications.models import OutboxMail
from kohorte.notifications.services import mail_enqueue

from ..models import MessageTemplate

PLACEHOLDERS = ("name", "reference", "call", "deadline", "position", "reason", "link")
# Unsuccessful applications are kept this long after the letter (DOMAIN.md §5).
ERASURE_MONTHS = 6
LETTER_LANGUAGE = "de"

_KIND_REGARDS = gettext_lazy("Kind regards")

# key -> (subject, body). English source, German through the translation catalogue.
DEFAULTS = {
    MessageTemplate.Key.OFFER: (
        gettext_lazy("Offer of a place: {call}"),
        gettext_lazy(
            "Hello {name},\n\n"
            "we are pleased to offer you a place in \"{call}\" (application {reference}).\n\n"
            "Why: {reason}\n\n"
            "Please accept or decline the place by {deadline}. Open this page and use its "
            "buttons:\n{link}\n\n"
            "If we have no answer by then, the place goes to the next person on the waiting "
            "list."),
    ),
    MessageTemplate.Key.REMINDER: (
        gettext_lazy("Reminder: please answer our offer by {deadline}"),
        gettext_lazy(
            "Hello {name},\n\n"
            "we have not yet had your answer to our offer of a place in \"{call}\" "
            "(application {reference}). The offer is open until {deadline}.\n\n"
            "Please accept or decline it on this page:\n{link}"),
    ),
    MessageTemplate.Key.ACCEPTED: (
        gettext_lazy("Your place in {call} is confirmed"),
        gettext_lazy(
            "Hello {name},\n\n"
            "thank you: you have accepted your place in \"{call}\" (application {reference}). "
            "We will write to you about the first module in good time.\n\n{link}"),
    ),
    MessageTemplate.Key.DECLINED: (
        gettext_lazy("You have declined the place in {call}"),
        gettext_lazy(
            "Hello {name},\n\n"
            "you have declined the place in \"{call}\" (application {reference}). The place "
            "now goes to the next person on the waiting list. Thank you for letting us know."),
    ),
    MessageTemplate.Key.EXPIRED: (
        gettext_lazy("Your offer for {call} has expired"),
        gettext_lazy(
            "Hello {name},\n\n"
            "we had no answer to our offer of a place in \"{call}\" (application {reference}) "
            "by {deadline}. The offer has therefore expired and the place goes to the next "
            "person on the waiting list."),
    ),
    MessageTemplate.Key.WAITING: (
        gettext_lazy("Waiting list for {call}: position {position}"),
        gettext_lazy(
            "Hello {name},\n\n"
            "thank you for your application {reference} to \"{call}\". We cannot offer you a "
            "place yet: you are number {position} on the waiting list.\n\n"
            "Why: {reason}\n\n"
            "If a place becomes free, we will write to you at once. You can see your current "
            "position here:\n{link}"),
    ),
    MessageTemplate.Key.REJECTION: (
        gettext_lazy("Your application to {call}"),
        gettext_lazy(
            "Hello {name},\n\n"
            "thank you for your application {reference} to \"{call}\". We are sorry that we "
            "cannot offer you a place.\n\n"
            "Why: {reason}\n\n"
            "Your application will be deleted six months after this letter.\n\n{link}"),
    ),
}


def months_after(moment, months: int):
    """The same wall-clock moment ``months`` calendar months later (31 Aug + 6 = 28 Feb)."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- Rendering -------------------------------------------------------------------------

class _Values(dict):
    """Placeholders without a value stay as written, so a letter never fails to render."""

    def __missing__(self, key):
        return "{" + key + "}"


def _fields(text: str):
    """The placeholders of a text as (name, format spec, conversion); ValueError if a
    brace is left open."""
    return [(name, spec, conversion) for _literal, name, spec, conversion
            in string.Formatter().parse(text) if name is not None]


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with a letter text's placeholders (empty if nothing)."""
    try:
        fields = _fields(text)
    except ValueError:
        return [_("A brace is not closed. Write {{ and }} for a brace in the text.")]
    return [
        _("Unknown placeholder {%(name)s}. Allowed: %(allowed)s.") % {
            "name": name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""),
            "allowed": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
        for name, spec, conversion in fields
        if name not in PLACEHOLDERS or spec or conversion
    ]


def render_text(text: str, values: dict) -> str:
    """Fill the placeholders; ``values`` are turned into plain strings first.

    Only plain names are filled (an unknown one stays as written); a text with an
    attribute, index, format or conversion in a placeholder, which the forms refuse,
    is sent as written rather than interpreted.
    """
    try:
        fields = _fields(text)
    except ValueError:
        return text
    if any(spec or conversion or not name.isidentifier() for name, spec, conversion in fields):
        return text
    return text.format_map(_Values({key: str(value) for key, value in values.items()}))


def format_deadline(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y, %H:%M")


def absolute_url(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def values_for(application: Application, **extra) -> dict:
    """The placeholder values every letter about ``application`` has."""
    values = {"name": application.full_name, "reference": application.reference or "",
              "call": application.call.title, "deadline": "", "position": "", "reason": "",
              "link": absolute_url("selection:application_status", application.pk)}
    values.update({key: value for key, value in extra.items() if value is not None})
    return values


# --- Templates -------------------------------------------------------------------------

def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _default_for(call, key) -> tuple[str, str]:
    subject, body = DEFAULTS[key]
    with translation.override(LETTER_LANGUAGE):
        signature = f"\n\n{_KIND_REGARDS}\n{_escape_braces(call.programme.lead_institution.name)}"
        return str(subject), str(body) + signature


def message_templates_for_call(*, call) -> dict:
    """{key: MessageTemplate} for every letter, the missing ones created from the defaults."""
    existing = {t.key: t for t in MessageTemplate.objects.filter(call=call)}
    for key in MessageTemplate.Key:
        if key not in existing:
            subject, body = _default_for(call, key)
            existing[key], _created = MessageTemplate.objects.get_or_create(
                call=call, key=key, defaults={"subject": subject, "body": body})
    return {key: existing[key] for key in MessageTemplate.Key}


def message_template_for(*, call, key) -> MessageTemplate:
    template = MessageTemplate.objects.filter(call=call, key=key).first()
    if template is None:
        subject, body = _default_for(call, key)
        template, _created = MessageTemplate.objects.get_or_create(
            call=call, key=key, defaults={"subject": subject, "body": body})
    return template


@transaction.atomic
def message_template_update(*, template: MessageTemplate, subject: str, body: str, actor):
    """A coordinator rewrites a letter; only the known placeholders are accepted."""
    subject, body = " ".join(subject.split()), body.strip()
    errors = placeholder_errors(subject) + placeholder_errors(body)
    if errors:
        raise ValidationError(errors)
    if not subject or not body:
        raise ValidationError(_("A letter needs a subject and a text."))
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if (template.subject, template.body) == (subject, body):
        return template
    template.subject, template.body = subject, body
    template.save(update_fields=["subject", "body", "updated_at"])
    audit_record(actor=actor, action="letter.edit", obj=template.call,
                 data={"letter": template.key})
    return template


# --- Sending ---------------------------------------------------------------------------

def _enqueue(*, application, template_name, subject, body, idempotency_key):
    return mail_enqueue(to=application.email, template=template_name,
                        context={"subject": " ".join(subject.split()), "body": body},
                        about=application, language=LETTER_LANGUAGE,
                        idempotency_key=idempotency_key)


def letter_send(*, application: Application, key: str, values: dict, idempotency_key: str,
                appendix: str = ""):
    """Write letter ``key`` to ``application``'s person into the outbox (call it inside
    the transaction of the change it reports)."""
    template = message_template_for(call=application.call, key=key)
    body = render_text(template.body, values)
    if appendix:
        body = f"{body}\n\n{appendix}"
    return _enqueue(application=application, template_name=key,
                    subject=render_text(template.subject, values), body=body,
                    idempotency_key=idempotency_key)


def rejection_send(*, application: Application, reason: str, legal_remedies: str, actor, now):
    """The rejection letter with its reasons; the six-month deletion clock starts with it.

    Where the call is an administrative act, its notice of legal remedies is appended.
    """
    mail = letter_send(application=application, key=MessageTemplate.Key.REJECTION,
                       values=values_for(application, reason=reason),
                       idempotency_key=f"rejection-{application.pk}",
                       appendix=legal_remedies.strip())
    if mail is not None:
        application_schedule_erasure(
            application=application, at=months_after(now, ERASURE_MONTHS), actor=actor,
            reason="6 months after the rejection letter")
    return mail


# --- Messages to a group ---------------------------------------------------------------

def new_group_token() -> str:
    return uuid.uuid4().hex


@transaction.atomic
def group_message_send(*, call, group: str, label, recipients, subject: str, body: str,
                       token: str, actor) -> int:
    """Write one message to every person of a group (waiting list, open offers …).

    ``recipients`` are (application, placeholder values) pairs. The preview's token
    makes a second click send nothing twice; it returns the number of messages in the
    outbox for that token.
    """
    errors = placeholder_errors(subject) + placeholder_errors(body)
    if errors:
        raise ValidationError(errors)
    prefix = f"group-{token}-"
    already = OutboxMail.objects.filter(idempotency_key__startswith=prefix).count()
    if already:
        return already
    count = 0
    for application, values in recipients:
        mail = _enqueue(application=application, template_name="group_message",
                        subject=render_text(subject, values), body=render_text(body, values),
                        idempotency_key=f"{prefix}{application.pk}")
        count += mail is not None
    audit_record(actor=actor, action="selection.group_message", obj=call,
                 data={"group": group, "label": str(label), "count": count,
                       "subject": subject[:200]})
    return count
