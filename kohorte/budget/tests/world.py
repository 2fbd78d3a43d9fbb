"""Test set-up for the budget: a 2026 period with a plan, bookings made through services."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from kohorte.budget import services
from kohorte.budget.models import PlanLine

# A minimal PDF: what the content check looks for is the "%PDF-" signature.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

LINES = [
    ("state_funds", "Landesmittel", PlanLine.Kind.INCOME, "10000.00"),
    ("fees", "Honorare", PlanLine.Kind.EXPENSE, "5000.00"),
    ("rooms", "Räume und Verpflegung", PlanLine.Kind.EXPENSE, "3000.00"),
    ("travel", "Reisekosten", PlanLine.Kind.EXPENSE, "2000.00"),
]


def plan_lines(overrides=None):
    overrides = overrides or {}
    return [{"key": key, "title": title, "kind": kind,
             "amount": Decimal(overrides.get(key, amount)), "position": i}
            for i, (key, title, kind, amount) in enumerate(LINES)]


def make_period(programme, actor, *, title="2026", start=date(2026, 1, 1),
                end=date(2026, 12, 31), plan=True, **kwargs):
    period = services.funding_period_create(programme=programme, title=title, start=start,
                                            end=end, actor=actor, **kwargs)
    if plan:
        services.plan_version_create(period=period, lines=plan_lines(),
                                     reason="Bewilligter Plan", actor=actor)
    return period


def receipt(content=PDF, name="rechnung.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def book(period, actor, *, amount="100.00", line_key="fees", day=date(2026, 3, 2),
         payee="Dr. Petra Honorarkraft", purpose="Honorar Modul 1", approver=None, **kwargs):
    booking = services.booking_create(period=period, booking_date=day, payee=payee,
                                      purpose=purpose, amount=Decimal(amount),
                                      line_key=line_key, actor=actor, **kwargs)
    if approver is not None:
        booking = services.booking_approve(booking=booking, actor=approver)
    return booking
