"""Reminders of the reports due: four weeks and one week before, once each, to the
programme's coordinators; none once the report is submitted."""

from datetime import date

from kohorte.budget.tests.world import book, make_period
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from ..jobs import proof_deadlines_remind_due
from ..services import proof_of_use_submit
from .world import draft


def _mails():
    return list(OutboxMail.objects.filter(template="proof_deadline").order_by("pk")
                .values_list("to", flat=True))


def test_coordinators_are_reminded_four_weeks_and_one_week_before_once_each(personas):
    make_period(personas.programme, personas.coordinator)  # final proof due 30.06.2027
    assert proof_deadlines_remind_due(now=f.aware(2027, 5, 1)) == {"reminded": 0}
    assert proof_deadlines_remind_due(now=f.aware(2027, 6, 2, 9)) == {"reminded": 2}
    assert sorted(_mails()) == ["coordinator2@example.org", "coordinator@example.org"]
    assert proof_deadlines_remind_due(now=f.aware(2027, 6, 10, 9)) == {"reminded": 0}
    assert proof_deadlines_remind_due(now=f.aware(2027, 6, 23, 9)) == {"reminded": 2}
    assert proof_deadlines_remind_due(now=f.aware(2027, 6, 24, 9)) == {"reminded": 0}
    assert proof_deadlines_remind_due(now=f.aware(2027, 7, 1, 9)) == {"reminded": 0}
    mail = OutboxMail.objects.filter(template="proof_deadline").first()
    assert "30.06.2027" in mail.subject
    assert f"/verwaltung/nachweise/{personas.programme.slug}/" in mail.body


def test_a_submitted_report_is_not_reminded(personas):
    w = personas
    w.period = make_period(w.programme, w.coordinator2)
    book(w.period, w.coordinator2, approver=w.coordinator)
    proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    assert proof_deadlines_remind_due(now=f.aware(2027, 6, 2, 9)) == {"reminded": 0}


def test_interim_reports_are_reminded_too(personas):
    make_period(personas.programme, personas.coordinator, title="2025/26",
                start=date(2025, 7, 1), end=date(2026, 12, 31))  # interim 2025 due 30.04.2026
    assert proof_deadlines_remind_due(now=f.aware(2026, 4, 25, 9)) == {"reminded": 2}
    assert "2025" in OutboxMail.objects.filter(template="proof_deadline").first().subject
