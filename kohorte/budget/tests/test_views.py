"""The budget's pages: what each role sees and may do, and refusals without change."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kohorte.budget.demo import load_demo_budget
from kohorte.budget.models import Booking, FunderConsent, FundingPeriod, PlanVersion
from kohorte.core.tests.factories import login_staff

from .world import PDF, book, make_period, receipt


def _url(name, *args):
    return reverse(f"budget:{name}", args=args)


@pytest.fixture
def period(personas):
    return make_period(personas.programme, personas.coordinator)


def test_the_overview_shows_plan_actual_totals_and_states_in_words(client, personas, period):
    book(period, personas.coordinator, amount="2400.00", line_key="travel",
         approver=personas.coordinator2)
    book(period, personas.coordinator, amount="1234.56", line_key="fees")
    login_staff(client, personas.funder)
    response = client.get(_url("overview", period.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-plan-version="1"' in html
    assert "2.400,00\u00a0€" in html
    assert "10.000,00\u00a0€" in html  # total plan
    assert "1.234,56\u00a0€" in html  # pending, shown apart
    assert 'data-state="over_offset"' in html
    assert "<svg" in html and 'role="img"' in html
    # The funder reads, but is offered no action.
    assert f'href="{_url("booking_create", period.pk)}"' not in html
    assert f'href="{_url("plan_edit", period.pk)}"' not in html


def test_the_programme_page_lists_its_periods(client, personas, period):
    login_staff(client, personas.coordinator)
    response = client.get(_url("programme", personas.programme.slug))
    assert response.status_code == 200
    assert _url("overview", period.pk) in response.content.decode()


def test_a_coordinator_creates_a_period_and_its_first_plan(client, personas):
    login_staff(client, personas.coordinator)
    response = client.post(_url("period_create", personas.programme.slug), {
        "title": "2027", "start": "2027-01-01", "end": "31.12.2027", "kind": "grant",
        "overrun_percent": "20"})
    period = FundingPeriod.objects.get(title="2027")
    assert response.url == _url("plan_edit", period.pk)
    page = client.get(_url("plan_edit", period.pk))
    assert page.status_code == 200 and "state_funds" in page.content.decode()
    data = {"lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0", "reason": "Erster Plan",
            "lines-0-key": "state_funds", "lines-0-title": "Landesmittel",
            "lines-0-kind": "income", "lines-0-amount": "47.500,00",
            "lines-1-key": "fees", "lines-1-title": "Honorare", "lines-1-kind": "expense",
            "lines-1-amount": "12.600", "lines-2-key": "staff", "lines-2-title": "Personal",
            "lines-2-kind": "expense", "lines-2-amount": "34900.00",
            "lines-3-kind": "expense"}
    response = client.post(_url("plan_edit", period.pk), data)
    assert response.status_code == 302, response.content.decode()
    version = PlanVersion.objects.get(period=period)
    assert {line.key: line.amount for line in version.lines.all()} == {
        "state_funds": D("47500.00"), "fees": D("12600.00"), "staff": D("34900.00")}


def test_a_plan_without_a_reason_is_refused_with_an_error_summary(client, personas, period):
    login_staff(client, personas.coordinator)
    data = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "reason": "",
            "lines-0-key": "fees", "lines-0-title": "Honorare", "lines-0-kind": "expense",
            "lines-0-amount": "1,005"}
    response = client.post(_url("plan_edit", period.pk), data)
    assert response.status_code == 400
    assert 'id="fehler"' in response.content.decode()
    assert PlanVersion.objects.filter(period=period).count() == 1


def test_a_booking_is_entered_with_a_german_amount_and_a_receipt(client, personas, period):
    login_staff(client, personas.coordinator)
    response = client.post(_url("booking_create", period.pk), {
        "booking_date": "02.03.2026", "payee": "Tagungshaus", "purpose": "Miete Modul 1",
        "amount": "1.234,56", "line_key": "rooms",
        "receipt": SimpleUploadedFile("beleg.pdf", PDF)})
    booking = Booking.objects.get()
    assert response.url == _url("booking_detail", booking.pk)
    assert booking.amount == D("1234.56") and booking.receipt_type == "application/pdf"


@pytest.mark.parametrize(("field", "value"), [
    ("amount", "12,345"), ("amount", "-5"), ("amount", "zwölf"),
    ("booking_date", "2027-01-02"), ("line_key", "catering"), ("payee", "A\x1bB"),
])
def test_a_bad_booking_is_refused_with_its_field_marked(client, personas, period, field, value):
    login_staff(client, personas.coordinator)
    data = {"booking_date": "2026-03-02", "payee": "Tagungshaus", "purpose": "Miete",
            "amount": "10,00", "line_key": "rooms", field: value}
    response = client.post(_url("booking_create", period.pk), data)
    assert response.status_code == 400
    assert f'href="#id_{field}"' in response.content.decode()
    assert not Booking.objects.exists()


def test_approving_ones_own_booking_is_refused_with_the_four_eyes_message(client, personas,
                                                                          period):
    booking = book(period, personas.coordinator)
    login_staff(client, personas.coordinator)
    detail = client.get(_url("booking_detail", booking.pk)).content.decode()
    assert _url("booking_approve", booking.pk) not in detail  # not offered
    response = client.post(_url("booking_approve", booking.pk))
    assert response.status_code == 409
    assert "kern-alert--danger" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == Booking.State.PENDING
    login_staff(client, personas.coordinator2)
    assert _url("booking_approve", booking.pk) in client.get(
        _url("booking_detail", booking.pk)).content.decode()
    assert client.post(_url("booking_approve", booking.pk)).status_code == 302
    booking.refresh_from_db()
    assert booking.state == Booking.State.APPROVED


def test_only_the_enterer_may_change_or_discard_a_pending_booking(client, personas, period):
    booking = book(period, personas.coordinator)
    login_staff(client, personas.coordinator2)
    assert client.get(_url("booking_edit", booking.pk)).status_code == 302
    assert client.post(_url("booking_discard", booking.pk)).status_code == 409
    login_staff(client, personas.coordinator)
    response = client.post(_url("booking_edit", booking.pk), {
        "booking_date": "2026-03-05", "payee": "Neu", "purpose": "Korrektur",
        "amount": "99,99", "line_key": "fees"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.amount == D("99.99")
    assert client.post(_url("booking_discard", booking.pk), {"reason": "doppelt"}).status_code \
        == 302
    booking.refresh_from_db()
    assert booking.state == Booking.State.DISCARDED


def test_a_reversal_is_entered_and_both_bookings_link_each_other(client, personas, period):
    original = book(period, personas.coordinator, approver=personas.coordinator2)
    login_staff(client, personas.coordinator)
    assert client.get(_url("booking_reverse", original.pk)).status_code == 200
    response = client.post(_url("booking_reverse", original.pk),
                           {"booking_date": "2026-04-01", "reason": "Falsche Position"})
    reversal = Booking.objects.get(reverses=original)
    assert response.url == _url("booking_detail", reversal.pk)
    assert _url("booking_detail", reversal.pk) in client.get(
        _url("booking_detail", original.pk)).content.decode()
    listing = client.get(_url("booking_list", period.pk)).content.decode()
    assert _url("booking_detail", original.pk) in listing
    assert "-100,00\u00a0€" in listing


def test_a_reversal_without_a_reason_changes_nothing(client, personas, period):
    original = book(period, personas.coordinator, approver=personas.coordinator2)
    login_staff(client, personas.coordinator)
    response = client.post(_url("booking_reverse", original.pk),
                           {"booking_date": "2026-04-01", "reason": ""})
    assert response.status_code == 400
    assert not Booking.objects.filter(reverses=original).exists()


def test_the_booking_list_filters_by_line_state_and_month(client, personas, period):
    book(period, personas.coordinator, line_key="fees", day=date(2026, 3, 2), payee="März")
    book(period, personas.coordinator, line_key="rooms", day=date(2026, 4, 2), payee="April",
         approver=personas.coordinator2)
    login_staff(client, personas.funder)
    html = client.get(_url("booking_list", period.pk), {"month": "2026-04"}).content.decode()
    assert "April" in html and "März" not in html
    html = client.get(_url("booking_list", period.pk), {"line": "fees"}).content.decode()
    assert "März" in html and "April" not in html
    html = client.get(_url("booking_list", period.pk), {"state": "approved"}).content.decode()
    assert "April" in html and "März" not in html
    response = client.get(_url("booking_list", period.pk), {"month": "April"})
    assert response.status_code == 400
    fragment = client.get(_url("booking_list", period.pk), HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content


def test_receipts_download_for_coordinators_only(client, personas, period):
    booking = book(period, personas.coordinator, receipt=receipt())
    login_staff(client, personas.coordinator2)
    response = client.get(_url("receipt_download", booking.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    login_staff(client, personas.funder)
    assert client.get(_url("receipt_download", booking.pk)).status_code == 403
    detail = client.get(_url("booking_detail", booking.pk))
    assert detail.status_code == 200
    assert _url("receipt_download", booking.pk) not in detail.content.decode()


def test_a_booking_without_receipt_has_no_download(client, personas, period):
    booking = book(period, personas.coordinator)
    login_staff(client, personas.coordinator)
    assert client.get(_url("receipt_download", booking.pk)).status_code == 404


def test_a_consent_is_recorded_through_its_form(client, personas, period):
    login_staff(client, personas.coordinator)
    assert client.get(_url("consent_create", period.pk)).status_code == 200
    response = client.post(_url("consent_create", period.pk), {
        "line_key": "travel", "consent_date": "2026-01-10", "reference": "Az. III 4",
        "up_to_amount": "3.000,00"})
    assert response.status_code == 302
    assert FunderConsent.objects.get().up_to_amount == D("3000.00")
    login_staff(client, personas.funder)
    assert client.get(_url("consent_create", period.pk)).status_code == 403


def test_the_import_goes_from_upload_over_mapping_and_preview_to_pending_bookings(
        client, personas, period):
    csv = ("Datum;Empfänger;Verwendungszweck;Betrag;Haushaltsposition;Belegnummer\n"
           "16.02.2026;Dr. Albers;Honorar Modul 1;1.680,00;fees;B-1\n"
           "16.02.2026;Dr. Albers;Honorar Modul 1;1.680,00;unbekannt;B-2\n").encode()
    login_staff(client, personas.coordinator)
    response = client.post(_url("import_upload", period.pk),
                           {"file": SimpleUploadedFile("export.csv", csv)})
    preview_url = response.url
    page = client.get(preview_url)
    assert page.status_code == 200
    # The column names were recognised: the mapping is preselected.
    mapping = {"booking_date": "0", "payee": "1", "purpose": "2", "amount": "3",
               "line_key": "4", "external_reference": "5"}
    html = page.content.decode()
    assert '<option value="4" selected>' in html
    html = client.get(preview_url, mapping).content.decode()
    assert 'data-ok="1"' in html and 'data-ok="0"' in html
    response = client.post(preview_url, mapping)
    assert response.status_code == 302
    assert Booking.objects.get().state == Booking.State.PENDING


def test_the_same_column_cannot_hold_two_things(client, personas, period):
    login_staff(client, personas.coordinator)
    response = client.post(_url("import_upload", period.pk), {"file": SimpleUploadedFile(
        "export.csv", b"A;B;C;D;E\n01.03.2026;x;y;1,00;fees\n")})
    page = client.get(response.url, {"booking_date": "0", "payee": "0", "purpose": "2",
                                      "amount": "3", "line_key": "4"})
    assert page.status_code == 400


def test_another_programmes_coordinator_cannot_see_the_upload(client, personas, period):
    login_staff(client, personas.coordinator)
    response = client.post(_url("import_upload", period.pk), {"file": SimpleUploadedFile(
        "export.csv", b"A;B;C;D;E\n01.03.2026;x;y;1,00;fees\n")})
    login_staff(client, personas.outsider)
    assert client.get(response.url).status_code == 403
    assert client.post(response.url.rstrip("/") + "/verwerfen/").status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "admin", "outsider"])
def test_staff_without_a_budget_role_see_no_budget_page(client, personas, period, role):
    booking = book(period, personas.coordinator)
    login_staff(client, getattr(personas, role))
    for url in [_url("programme", personas.programme.slug), _url("overview", period.pk),
                _url("booking_list", period.pk), _url("booking_detail", booking.pk),
                _url("plan_version", period.pk, 1)]:
        assert client.get(url).status_code == 403, url


def test_the_demo_budget_is_plausible_and_loads_only_once(client, personas):
    period = load_demo_budget(personas.programme, personas.coordinator, personas.coordinator2)
    assert load_demo_budget(personas.programme, personas.coordinator,
                            personas.coordinator2) == period
    bookings = Booking.objects.filter(period=period)
    assert 24 <= bookings.count() <= 30
    assert bookings.filter(state=Booking.State.PENDING).count() == 1
    assert bookings.filter(reverses__isnull=False, state=Booking.State.APPROVED).count() == 1
    lines = period.plan_versions.get().lines.filter(kind="expense")
    assert sum(line.amount for line in lines) == D("47500.00")
    login_staff(client, personas.coordinator)
    html = client.get(_url("overview", period.pk)).content.decode()
    assert 'data-state="over_offset"' in html  # travel, 17.5 % over, offset


def test_every_form_page_opens_for_a_coordinator(client, personas, period):
    booking = book(period, personas.coordinator)
    login_staff(client, personas.coordinator)
    for url in [_url("period_create", personas.programme.slug),
                _url("booking_create", period.pk), _url("booking_edit", booking.pk),
                _url("import_upload", period.pk), _url("plan_version", period.pk, 1),
                _url("booking_list", period.pk), _url("booking_detail", booking.pk)]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'<h1 class="kern-heading-x-large">' in response.content, url


def test_the_overrun_limit_is_said_as_a_plain_percentage(client, personas, period):
    book(period, personas.coordinator, amount="2100.00", line_key="travel",
         approver=personas.coordinator2)
    login_staff(client, personas.coordinator)
    html = client.get(_url("overview", period.pk)).content.decode()
    assert "20\u00a0%" in html
    assert "E+" not in html
