"""Demo data for the budget: the 2026 period of the demo programme with its plan of
47,500 EUR and some 25 bookings (most approved, one reversed, one pending).

``load_demo_budget`` is idempotent: a programme that already has a period titled "2026"
is left as it is. Everything goes through the services, so the audit log tells the story.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from . import services
from .models import FundingPeriod, PlanLine

PLAN = [
    ("state_funds", "Landesmittel", PlanLine.Kind.INCOME, "47500.00"),
    ("own_funds", "Eigenmittel der Hochschulen", PlanLine.Kind.INCOME, "0.00"),
    ("staff", "Personal (Koordination)", PlanLine.Kind.EXPENSE, "18000.00"),
    ("fees", "Honorare Lehrende", PlanLine.Kind.EXPENSE, "12600.00"),
    ("rooms", "Räume und Verpflegung", PlanLine.Kind.EXPENSE, "6400.00"),
    ("travel", "Reisekosten (HRKG)", PlanLine.Kind.EXPENSE, "3200.00"),
    ("materials", "Sachmittel und Material", PlanLine.Kind.EXPENSE, "1800.00"),
    ("evaluation", "Evaluation", PlanLine.Kind.EXPENSE, "3500.00"),
    ("overhead", "Verwaltungskostenpauschale", PlanLine.Kind.EXPENSE, "2000.00"),
]

# (date, payee, purpose, amount, line, reference)
BOOKINGS = [
    ("2026-01-30", "Hochschule Fulda, Personalabteilung", "Koordination Januar", "1500.00", "staff", "HF-2026-0012"),
    ("2026-02-27", "Hochschule Fulda, Personalabteilung", "Koordination Februar", "1500.00", "staff", "HF-2026-0047"),
    ("2026-03-31", "Hochschule Fulda, Personalabteilung", "Koordination März", "1500.00", "staff", "HF-2026-0091"),
    ("2026-04-30", "Hochschule Fulda, Personalabteilung", "Koordination April", "1500.00", "staff", "HF-2026-0133"),
    ("2026-05-29", "Hochschule Fulda, Personalabteilung", "Koordination Mai", "1500.00", "staff", "HF-2026-0178"),
    ("2026-02-16", "Dr. Miriam Albers", "Honorar Modul 1, 12.–13.02.2026", "1680.00", "fees", "HF-2026-0031"),
    ("2026-02-16", "Jonas Petersen", "Honorar Modul 1, Co-Leitung", "840.00", "fees", "HF-2026-0032"),
    ("2026-03-23", "Prof. Dr. Sevgi Kaya", "Honorar Modul 2, 19.–20.03.2026", "1680.00", "fees", "HF-2026-0085"),
    ("2026-04-27", "Dr. Miriam Albers", "Honorar Modul 3, 23.–24.04.2026", "1680.00", "fees", "HF-2026-0127"),
    ("2026-05-26", "Netzwerk Gemeinwesenarbeit Hessen e. V.", "Honorar Praxistag Modul 4", "1260.00", "fees", "HF-2026-0170"),
    ("2026-02-13", "Tagungshaus Bonifatiushaus Fulda", "Räume und Verpflegung Modul 1", "1490.50", "rooms", "HF-2026-0029"),
    ("2026-03-20", "Tagungshaus Bonifatiushaus Fulda", "Räume und Verpflegung Modul 2", "1512.80", "rooms", "HF-2026-0083"),
    ("2026-04-24", "Haus der Begegnung Wiesbaden", "Räume und Verpflegung Modul 3", "1398.00", "rooms", "HF-2026-0125"),
    ("2026-02-20", "Dr. Miriam Albers", "Reisekosten Modul 1 (Bahn, Übernachtung)", "412.60", "travel", "HF-2026-0038"),
    ("2026-03-27", "Prof. Dr. Sevgi Kaya", "Reisekosten Modul 2", "688.40", "travel", "HF-2026-0094"),
    ("2026-04-30", "Dr. Miriam Albers", "Reisekosten Modul 3", "398.20", "travel", "HF-2026-0136"),
    ("2026-05-29", "Jonas Petersen", "Reisekosten Regionaltreffen Kassel, Gießen, Darmstadt", "1346.80", "travel", "HF-2026-0181"),
    ("2026-06-05", "Dr. Miriam Albers", "Reisekosten Modul 4 und Praxisbesuche", "914.00", "travel", "HF-2026-0192"),
    ("2026-02-06", "Druckerei Parzeller", "Teilnahmeunterlagen und Reader Modul 1", "486.30", "materials", "HF-2026-0021"),
    ("2026-03-09", "Moderationsbedarf Neuland", "Moderationskoffer", "329.00", "materials", "HF-2026-0063"),
    ("2026-04-15", "Druckerei Parzeller", "Reader Module 2 und 3", "512.70", "materials", "HF-2026-0112"),
    ("2026-03-16", "Institut für Sozialforschung Kassel", "Evaluation, erste Rate", "1750.00", "evaluation", "HF-2026-0071"),
    ("2026-06-30", "Hochschule Fulda, Haushaltsabteilung", "Verwaltungskostenpauschale 1. Halbjahr", "1000.00", "overhead", "HF-2026-0210"),
]
# Booked to the wrong line by mistake, then reversed.
MISTAKE = ("2026-04-24", "Haus der Begegnung Wiesbaden", "Räume Modul 3 (doppelt erfasst)",
           "1398.00", "materials", "HF-2026-0126")
PENDING = ("2026-06-19", "Tagungshaus Bonifatiushaus Fulda", "Räume und Verpflegung Modul 4",
           "1530.00", "rooms", "HF-2026-0201")


def _book(period, row, actor, approver=None):
    day, payee, purpose, amount, line, reference = row
    booking = services.booking_create(
        period=period, booking_date=date.fromisoformat(day), payee=payee, purpose=purpose,
        amount=Decimal(amount), line_key=line, external_reference=reference, actor=actor)
    if approver is not None:
        booking = services.booking_approve(booking=booking, actor=approver)
    return booking


@transaction.atomic
def load_demo_budget(programme, coordinator, coordinator2) -> FundingPeriod:
    """The 2026 period with plan and bookings; entered by one coordinator, approved by
    the other (they take turns)."""
    existing = FundingPeriod.objects.filter(programme=programme, title="2026").first()
    if existing is not None:
        return existing
    period = services.funding_period_create(
        programme=programme, title="2026", start=date(2026, 1, 1), end=date(2026, 12, 31),
        kind=FundingPeriod.Kind.GRANT, actor=coordinator)
    services.plan_version_create(
        period=period, reason="Finanzierungsplan laut Zuwendungsbescheid", actor=coordinator,
        lines=[{"key": key, "title": title, "kind": kind, "amount": Decimal(amount),
                "position": i} for i, (key, title, kind, amount) in enumerate(PLAN)])
    _book(period, ("2026-01-15", "Land Hessen", "Landesmittel, erste Rate", "23750.00",
                   "state_funds", "HF-2026-0003"), coordinator, coordinator2)
    for i, row in enumerate(BOOKINGS):
        actor, approver = (coordinator, coordinator2) if i % 2 == 0 else (coordinator2,
                                                                          coordinator)
        _book(period, row, actor, approver)
    mistake = _book(period, MISTAKE, coordinator2, coordinator)
    reversal = services.booking_reverse(
        booking=mistake, reason="Doppelt erfasst, Rechnung bereits unter Räume gebucht",
        booking_date=date(2026, 5, 4), actor=coordinator)
    services.booking_approve(booking=reversal, actor=coordinator2)
    _book(period, PENDING, coordinator)
    return period
