"""Letters: editable per call, created from the defaults on first use, rendered with
the known placeholders only; messages to a group, written once however often sent."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.notifications.models import OutboxMail

from ..models import MessageTemplate
from ..services import letters
from . import selection_world as w


def test_placeholders_are_filled_and_unknown_ones_stay_as_written():
    text = "Hallo {name}, Platz {position}. {{geschweift}} {unbekannt}"
    assert letters.render_text(text, {"name": "Aylin", "position": 3}) == (
        "Hallo Aylin, Platz 3. {geschweift} {unbekannt}")


def test_a_text_cannot_reach_attributes_or_formats_of_its_values():
    assert letters.placeholder_errors("{name.__class__}")
    assert letters.placeholder_errors("{name!r}")
    assert letters.placeholder_errors("{name:>99999999}")
    assert letters.placeholder_errors("{0}")
    assert letters.placeholder_errors("offene { Klammer")
    assert letters.placeholder_errors("{name} {reference} {call} {deadline} {position} {reason} {link}") == []
    # A text that slipped past the check (edited elsewhere) is sent as written, not run.
    assert letters.render_text("{name.__class__}", {"name": "x"}) == "{name.__class__}"


def test_months_are_calendar_months_and_end_of_month_is_kept_in_the_month():
    assert letters.months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert letters.months_after(date(2026, 1, 15), 6) == date(2026, 7, 15)
    moment = timezone.make_aware(datetime(2026, 11, 25, 9, 30))
    later = letters.months_after(moment, 6)
    assert timezone.localtime(later).replace(tzinfo=None) == datetime(2027, 5, 25, 9, 30)


@pytest.mark.django_db
def test_every_letter_is_created_from_the_defaults_on_first_use(personas):
    assert not MessageTemplate.objects.exists()
    templates = letters.message_templates_for_call(call=personas.call)
    assert set(templates) == set(MessageTemplate.Key.values)
    assert MessageTemplate.objects.filter(call=personas.call).count() == len(MessageTemplate.Key)
    lead = personas.programme.lead_institution.name
    for template in templates.values():
        assert letters.placeholder_errors(template.subject + template.body) == []
        assert template.body.endswith(lead)
    assert "{position}" in templates[MessageTemplate.Key.WAITING].body
    assert "{link}" in templates[MessageTemplate.Key.OFFER].body
    letters.message_templates_for_call(call=personas.call)
    assert MessageTemplate.objects.count() == len(MessageTemplate.Key)


@pytest.mark.django_db
def test_a_coordinator_rewrites_a_letter_and_the_change_is_audited(personas):
    template = letters.message_template_for(call=personas.call, key=MessageTemplate.Key.OFFER)
    letters.message_template_update(template=template, subject="Ihr Platz: {call}",
                                    body="Liebe*r {name},\nbitte bis {deadline}: {link}",
                                    actor=personas.coordinator)
    template.refresh_from_db()
    assert template.subject == "Ihr Platz: {call}"
    entry = AuditEntry.objects.get(action="letter.edit")
    assert entry.data == {"letter": "offer"} and entry.actor == personas.coordinator


@pytest.mark.django_db
def test_a_letter_with_an_unknown_placeholder_is_refused(personas):
    template = letters.message_template_for(call=personas.call, key=MessageTemplate.Key.OFFER)
    with pytest.raises(ValidationError):
        letters.message_template_update(template=template, subject="{call}", body="{geheim}",
                                        actor=personas.coordinator)
    assert not AuditEntry.objects.filter(action="letter.edit").exists()


@pytest.mark.django_db
def test_a_letter_uses_the_calls_own_text(personas):
    application = w.make_reviewed(personas.call, 4)
    template = letters.message_template_for(call=personas.call, key=MessageTemplate.Key.WAITING)
    letters.message_template_update(template=template, subject="Warteliste {reference}",
                                    body="Sie sind auf Platz {position}.", actor=personas.coordinator)
    letters.letter_send(application=application, key=MessageTemplate.Key.WAITING,
                        values=letters.values_for(application, position=2),
                        idempotency_key="probe")
    mail = OutboxMail.objects.get(template="waiting_list")
    assert mail.subject == f"Warteliste {application.reference}"
    assert mail.body == "Sie sind auf Platz 2.\n"
    assert mail.about_id == str(application.pk)  # so that erasing the application blanks it


@pytest.mark.django_db
def test_a_message_to_a_group_is_written_once_per_person_and_audited(personas):
    people = [w.make_reviewed(personas.call, 4) for _ in range(3)]
    recipients = [(a, letters.values_for(a, position=n)) for n, a in enumerate(people, start=1)]
    token = letters.new_group_token()
    sent = letters.group_message_send(call=personas.call, group="waiting", label="Warteliste",
                                      recipients=recipients, subject="Neuigkeiten {reference}",
                                      body="Platz {position}", token=token,
                                      actor=personas.coordinator)
    again = letters.group_message_send(call=personas.call, group="waiting", label="Warteliste",
                                       recipients=recipients, subject="Neuigkeiten {reference}",
                                       body="Platz {position}", token=token,
                                       actor=personas.coordinator)
    assert sent == again == 3
    mails = OutboxMail.objects.filter(template="group_message")
    assert mails.count() == 3
    assert {m.body for m in mails} == {"Platz 1\n", "Platz 2\n", "Platz 3\n"}
    entry = AuditEntry.objects.get(action="selection.group_message")
    assert entry.data["count"] == 3 and entry.data["group"] == "waiting"
