"""The budget's services against the real database, with their audit entries."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from kohorte.budget import selectors, services
from kohorte.budget.models import Booking, PlanLine, PlanVersion
from kohorte.budget.rules import LineState
from kohorte.core.models import AuditEntry

from .world import PNG, book, make_period, plan_lines, receipt


@pytest.fixture(autouse=True)
def _english():
    # Messages are matched in their English source, whatever the translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def period(personas):
    return make_period(personas.programme, personas.coordinator)


def _actions(obj):
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower,
                                          object_id=str(obj.pk))
                .order_by("pk").values_list("action", flat=True))


# --- Periods and plan versions --------------------------------------------------------

def test_periods_of_one_programme_must_not_overlap(personas, period):
    with pytest.raises(ValidationError) as exc:
        services.funding_period_create(programme=personas.programme, title="2026b",
                                       start=date(2026, 12, 1), end=date(2027, 11, 30),
                                       actor=personas.coordinator)
    assert "start" in exc.value.message_dict


def test_each_plan_change_is_a_new_version_and_earlier_ones_stay(personas, period):
    first = selectors.current_version(period=period)
    second = services.plan_version_create(
        period=period, lines=plan_lines({"fees": "5500.00", "travel": "1500.00"}),
        reason="Umschichtung Reise zu Honorar", actor=personas.coordinator)
    assert (first.number, second.number) == (1, 2)
    assert {line.key: line.amount for line in first.lines.all()}["fees"] == D("5000.00")
    assert {line.key: line.amount for line in second.lines.all()}["fees"] == D("5500.00")
    assert selectors.current_version(period=period) == second
    assert _actions(second) == ["plan_version.create"]
    entry = AuditEntry.objects.get(action="plan_version.create", object_id=str(second.pk))
    assert entry.reason == "Umschichtung Reise zu Honorar"
    assert entry.data["lines"]["fees"]["amount"] == "5500.00"


def test_a_plan_version_needs_a_reason(personas, period):
    with pytest.raises(ValidationError) as exc:
        services.plan_version_create(period=period, lines=plan_lines(), reason="  ",
                                     actor=personas.coordinator)
    assert "reason" in exc.value.message_dict
    assert PlanVersion.objects.filter(period=period).count() == 1


@pytest.mark.parametrize(("lines", "problem"), [
    ([{"key": "Fees!", "title": "x", "kind": "expense", "amount": D("1")}], "key"),
    ([{"key": "fees", "title": "x", "kind": "expense", "amount": D("1")},
      {"key": "fees", "title": "y", "kind": "expense", "amount": D("1")}], "twice"),
    ([{"key": "fees", "title": "x", "kind": "expense", "amount": D("-1")}], "above zero"),
    ([{"key": "fees", "title": "x", "kind": "expense", "amount": D("1.001")}], "two decimals"),
    ([{"key": "fees", "title": "", "kind": "expense", "amount": D("1")}], "fill in"),
    ([{"key": "state_funds", "title": "x", "kind": "income", "amount": D("1")}], "expenditure"),
    ([{"key": "fees", "title": "x\u202e", "kind": "expense", "amount": D("1")}], "control"),
])
def test_a_bad_plan_is_refused_and_nothing_saved(personas, period, lines, problem):
    with pytest.raises(ValidationError) as exc:
        services.plan_version_create(period=period, lines=lines, reason="Test",
                                     actor=personas.coordinator)
    assert problem in " ".join(exc.value.messages)
    assert PlanVersion.objects.filter(period=period).count() == 1


def test_a_line_with_bookings_cannot_be_dropped_or_change_its_kind(personas, period):
    book(period, personas.coordinator, line_key="travel")
    without_travel = [line for line in plan_lines() if line["key"] != "travel"]
    with pytest.raises(ValidationError, match="has bookings"):
        services.plan_version_create(period=period, lines=without_travel, reason="x",
                                     actor=personas.coordinator)
    as_income = [dict(line, kind=PlanLine.Kind.INCOME) if line["key"] == "travel" else line
                 for line in plan_lines()]
    with pytest.raises(ValidationError, match="has bookings"):
        services.plan_version_create(period=period, lines=as_income, reason="x",
                                     actor=personas.coordinator)
    # A line without bookings may go.
    without_rooms = [line for line in plan_lines() if line["key"] != "rooms"]
    services.plan_version_create(period=period, lines=without_rooms, reason="x",
                                 actor=personas.coordinator)


# --- Bookings: entry, four eyes, approval ---------------------------------------------

def test_a_booking_is_entered_pending_and_audited_with_its_receipt(personas, period):
    booking = book(period, personas.coordinator, amount="1234.56", receipt=receipt())
    assert booking.state == Booking.State.PENDING
    assert booking.amount == D("1234.56")
    assert booking.receipt_type == "application/pdf"
    assert booking.receipt_name == "rechnung.pdf"
    entry = AuditEntry.objects.get(action="booking.create", object_id=str(booking.pk))
    assert entry.actor == personas.coordinator
    assert entry.data["amount"] == "1234.56"
    assert len(entry.data["receipt_sha256"]) == 64


@pytest.mark.parametrize(("field", "values"), [
    ("booking_date", {"booking_date": date(2025, 12, 31)}),
    ("booking_date", {"booking_date": date(2027, 1, 1)}),
    ("line_key", {"line_key": "catering"}),
    ("amount", {"amount": D("-5.00")}),
    ("amount", {"amount": D("0.00")}),
    ("amount", {"amount": D("5.001")}),
    ("payee", {"payee": ""}),
    ("payee", {"payee": "Firma\x07"}),
    ("purpose", {"purpose": "x" * 501}),
])
def test_a_bad_booking_is_refused_and_nothing_saved(personas, period, field, values):
    args = {"booking_date": date(2026, 3, 2), "payee": "Tagungshaus", "purpose": "Miete",
            "amount": D("10.00"), "line_key": "rooms", **values}
    with pytest.raises(ValidationError) as exc:
        services.booking_create(period=period, actor=personas.coordinator, **args)
    assert field in exc.value.message_dict
    assert not Booking.objects.exists()
    assert not AuditEntry.objects.filter(action="booking.create").exists()


@pytest.mark.parametrize(("content", "name", "ok"), [
    (PNG, "beleg.png", True),
    (b"MZ\x90\x00 not a receipt", "beleg.pdf", False),  # a program, named as PDF
    (b"", "leer.pdf", False),
])
def test_receipts_are_judged_by_their_content(personas, period, content, name, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        assert book(period, personas.coordinator, receipt=upload).receipt_type == "image/png"
    else:
        with pytest.raises(ValidationError) as exc:
            book(period, personas.coordinator, receipt=upload)
        assert "receipt" in exc.value.message_dict
        assert not Booking.objects.exists()


def test_a_receipt_over_ten_megabytes_is_refused(personas, period, settings):
    settings.KOHORTE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="10 MB"):
        book(period, personas.coordinator, receipt=receipt(b"%PDF-1.4" + b"0" * 200))


def test_the_person_who_entered_a_booking_cannot_approve_it(personas, period):
    booking = book(period, personas.coordinator)
    with pytest.raises(ValidationError, match="Four eyes"):
        services.booking_approve(booking=booking, actor=personas.coordinator)
    booking.refresh_from_db()
    assert booking.state == Booking.State.PENDING
    approved = services.booking_approve(booking=booking, actor=personas.coordinator2)
    assert approved.state == Booking.State.APPROVED
    assert approved.approved_by == personas.coordinator2
    assert _actions(booking) == ["booking.create", "booking.approve"]


def test_the_database_refuses_a_self_approved_booking(personas, period):
    booking = book(period, personas.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(approved_by=personas.coordinator)


def test_a_booking_is_approved_only_once(personas, period):
    booking = book(period, personas.coordinator, approver=personas.coordinator2)
    with pytest.raises(ValidationError, match="not awaiting approval"):
        services.booking_approve(booking=booking, actor=personas.funder)


def test_a_pending_booking_is_changed_only_by_whoever_entered_it(personas, period):
    booking = book(period, personas.coordinator)
    with pytest.raises(ValidationError, match="Only the person"):
        services.booking_update(booking=booking, actor=personas.coordinator2,
                                booking_date=date(2026, 3, 3), payee="X", purpose="Y",
                                amount=D("5.00"), line_key="fees")
    services.booking_update(booking=booking, actor=personas.coordinator,
                            booking_date=date(2026, 3, 3), payee="Neu", purpose="Korrigiert",
                            amount=D("150.00"), line_key="travel", receipt=receipt())
    booking.refresh_from_db()
    assert (booking.payee, booking.amount, booking.line_key) == ("Neu", D("150.00"), "travel")
    entry = AuditEntry.objects.get(action="booking.edit", object_id=str(booking.pk))
    assert entry.data["before"]["amount"] == "100.00"
    assert entry.data["after"]["amount"] == "150.00"


def test_an_approved_booking_can_be_neither_changed_nor_discarded(personas, period):
    booking = book(period, personas.coordinator, approver=personas.coordinator2)
    with pytest.raises(ValidationError, match="reversal"):
        services.booking_update(booking=booking, actor=personas.coordinator,
                                booking_date=date(2026, 3, 3), payee="X", purpose="Y",
                                amount=D("5.00"), line_key="fees")
    with pytest.raises(ValidationError, match="reversal"):
        services.booking_discard(booking=booking, actor=personas.coordinator)
    booking.refresh_from_db()
    assert booking.state == Booking.State.APPROVED


def test_a_pending_booking_is_discarded_audited_and_kept_out_of_the_sums(personas, period):
    booking = book(period, personas.coordinator, amount="300.00")
    services.booking_discard(booking=booking, actor=personas.coordinator, reason="doppelt")
    booking.refresh_from_db()
    assert booking.state == Booking.State.DISCARDED
    assert _actions(booking) == ["booking.create", "booking.discard"]
    report = selectors.plan_vs_actual(period=period)
    assert report.pending_total == D("0.00")


# --- Reversals ------------------------------------------------------------------------

def test_a_reversal_negates_the_original_and_both_stay(personas, period):
    original = book(period, personas.coordinator, amount="800.00", line_key="rooms",
                    approver=personas.coordinator2)
    reversal = services.booking_reverse(booking=original, reason="Falsche Position",
                                        booking_date=date(2026, 4, 1), actor=personas.coordinator)
    assert reversal.amount == D("-800.00")
    assert reversal.reverses == original
    assert reversal.line_key == "rooms"
    assert reversal.state == Booking.State.PENDING
    report = selectors.plan_vs_actual(period=period)
    rooms = next(row for row in report.expense if row.line.key == "rooms")
    assert (rooms.actual, rooms.pending) == (D("800.00"), D("-800.00"))
    services.booking_approve(booking=reversal, actor=personas.coordinator2)
    report = selectors.plan_vs_actual(period=period)
    rooms = next(row for row in report.expense if row.line.key == "rooms")
    assert rooms.actual == D("0.00")
    original.refresh_from_db()
    assert original.state == Booking.State.APPROVED and original.amount == D("800.00")
    assert _actions(original) == ["booking.create", "booking.approve", "booking.reverse"]
    assert _actions(reversal) == ["booking.create", "booking.approve"]


def test_a_booking_is_reversed_only_once_and_a_reversal_never(personas, period):
    original = book(period, personas.coordinator, approver=personas.coordinator2)
    reversal = services.booking_reverse(booking=original, reason="x", actor=personas.coordinator,
                                        booking_date=date(2026, 4, 1))
    with pytest.raises(ValidationError, match="already been reversed"):
        services.booking_reverse(booking=original, reason="y", actor=personas.coordinator,
                                 booking_date=date(2026, 4, 1))
    services.booking_approve(booking=reversal, actor=personas.coordinator2)
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        services.booking_reverse(booking=reversal, reason="z", actor=personas.coordinator,
                                 booking_date=date(2026, 4, 1))


def test_a_discarded_reversal_may_be_entered_again(personas, period):
    original = book(period, personas.coordinator, approver=personas.coordinator2)
    first = services.booking_reverse(booking=original, reason="x", actor=personas.coordinator,
                                     booking_date=date(2026, 4, 1))
    services.booking_discard(booking=first, actor=personas.coordinator)
    again = services.booking_reverse(booking=original, reason="y", actor=personas.coordinator,
                                     booking_date=date(2026, 4, 2))
    assert again.amount == -original.amount


@pytest.mark.parametrize("kind", ["pending", "date"])
def test_a_reversal_needs_an_approved_original_and_a_date_in_the_period(personas, period, kind):
    original = book(period, personas.coordinator,
                    approver=None if kind == "pending" else personas.coordinator2)
    day = date(2027, 1, 5) if kind == "date" else date(2026, 4, 1)
    with pytest.raises(ValidationError):
        services.booking_reverse(booking=original, reason="x", booking_date=day,
                                 actor=personas.coordinator)
    assert not Booking.objects.filter(reverses=original).exists()


def test_the_database_refuses_a_negative_booking_that_reverses_nothing(personas, period):
    booking = book(period, personas.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(amount=D("-1.00"))


# --- Plan vs. actual and consents -----------------------------------------------------

def test_plan_vs_actual_counts_approved_bookings_and_shows_pending_apart(personas, period):
    c, c2 = personas.coordinator, personas.coordinator2
    book(period, c, amount="2400.00", line_key="travel", approver=c2)  # +20 % exactly
    book(period, c, amount="0.01", line_key="travel")  # pending: does not count
    book(period, c, amount="1000.00", line_key="fees", approver=c2)
    report = selectors.plan_vs_actual(period=period)
    rows = {row.line.key: row for row in report.expense}
    assert rows["travel"].actual == D("2400.00")
    assert rows["travel"].pending == D("0.01")
    assert rows["travel"].verdict.state == LineState.OVER_OFFSET
    assert report.assessment.planned_total == D("10000.00")
    assert report.assessment.actual_total == D("3400.00")
    assert report.pending_total == D("0.01")
    assert [row.line.key for row in report.income] == ["state_funds"]


def test_a_line_beyond_twenty_percent_is_consented_once_the_funder_agreed(personas, period):
    c, c2 = personas.coordinator, personas.coordinator2
    book(period, c, amount="3000.00", line_key="travel", approver=c2)
    rows = {row.line.key: row for row in selectors.plan_vs_actual(period=period).expense}
    assert rows["travel"].verdict.state == LineState.NEEDS_CONSENT
    consent = services.consent_record(period=period, line_key="travel",
                                      consent_date=date(2026, 5, 12),
                                      reference="III 4 – 0815", up_to_amount=D("3200.00"),
                                      actor=c, now=None)
    rows = {row.line.key: row for row in selectors.plan_vs_actual(period=period).expense}
    assert rows["travel"].verdict.state == LineState.CONSENTED
    assert rows["travel"].consent == consent
    assert _actions(consent) == ["funder_consent.record"]


@pytest.mark.parametrize(("values", "field"), [
    ({"line_key": "state_funds"}, "line_key"),
    ({"line_key": "unknown"}, "line_key"),
    ({"reference": ""}, "reference"),
    ({"up_to_amount": D("-1")}, "up_to_amount"),
    ({"consent_date": date(2099, 1, 1)}, "consent_date"),
])
def test_a_bad_consent_is_refused(personas, period, values, field):
    args = {"line_key": "travel", "consent_date": date(2026, 1, 10), "reference": "Az. 1",
            "up_to_amount": D("3000.00"), **values}
    with pytest.raises(ValidationError) as exc:
        services.consent_record(period=period, actor=personas.coordinator, **args)
    assert field in exc.value.message_dict
    assert not period.consents.exists()


def test_a_period_without_a_plan_takes_no_bookings(personas):
    period = make_period(personas.programme, personas.coordinator, plan=False)
    with pytest.raises(ValidationError, match="no financing plan"):
        book(period, personas.coordinator)
    assert selectors.plan_vs_actual(period=period).version is None
