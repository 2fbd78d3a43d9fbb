"""Test set-up for reporting: a 2026 grant period with a plan (fees 5,000, rooms 3,000,
travel 2,000; income 10,000), approved bookings (one reversed), all through services."""

from datetime import date
from decimal import Decimal

from kohorte.budget import services as budget_services
from kohorte.budget.tests.world import book, make_period

from .. import services

TEXTS = {"goals": "Fachkräfte qualifizieren.", "activities": "Vier Bausteine durchgeführt."}


def money_world(personas):
    """``w.period`` with approved bookings: ``w.bookings`` (income and expenses), the
    reversal of a mistaken booking; nothing pending."""
    w = personas
    w.period = make_period(w.programme, w.coordinator2)
    rows = [
        ("10000.00", "state_funds", date(2026, 1, 15), "Land Hessen", "Landesmittel"),
        ("1680.00", "fees", date(2026, 2, 16), "Dr. Miriam Albers", "Honorar Modul 1"),
        ("840.50", "fees", date(2026, 3, 16), "Jonas Petersen", "Honorar Modul 2"),
        ("1490.55", "rooms", date(2026, 2, 13), "Tagungshaus Fulda", "Räume Modul 1"),
        ("2450.10", "travel", date(2026, 4, 20), "Deutsche Bahn", "Reisekosten"),
        ("300.00", "rooms", date(2026, 5, 4), "Haus der Begegnung", "Doppelt erfasst"),
    ]
    w.bookings = [book(w.period, w.coordinator2, amount=a, line_key=k, day=d, payee=p,
                       purpose=u, approver=w.coordinator) for a, k, d, p, u in rows]
    reversal = budget_services.booking_reverse(
        booking=w.bookings[-1], reason="Doppelt", booking_date=date(2026, 5, 6),
        actor=w.coordinator)
    w.reversal = budget_services.booking_approve(booking=reversal, actor=w.coordinator2)
    # Expenditure: 1680 + 840.50 + 1490.55 + 2450.10 + 300 − 300 = 6461.15
    w.expense_total = Decimal("6461.15")
    w.income_total = Decimal("10000.00")
    return w


def draft(w, *, texts=TEXTS, kind="final", year=None):
    proof = services.proof_of_use_create(period=w.period, kind=kind, year=year,
                                         actor=w.coordinator)
    if texts:
        proof = services.proof_of_use_update_texts(proof=proof, texts=texts, actor=w.coordinator)
    return proof
