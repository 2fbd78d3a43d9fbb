"""The budget in the browser, from a new funding period to plan vs. actual, with axe on
every page it reaches (issue 6's proof, budget part).

Seeded: a programme with two coordinators. Then: the first coordinator signs in, adds the
2026 funding period and enters the first financing plan (amounts for the lines offered,
with a reason); enters two bookings, each with a PDF receipt. Approving their own is
refused with the four-eyes message; the second coordinator approves both. The first
coordinator reverses one of them with a reason, the second approves the reversal. The
overview shows plan and actual in German amounts, the bookings and the booking's page
show the booking and its reversal, each pointing to the other, and the history records
the entry, the approval and the reversal. Form fields are reached by keyboard.

If the proof of use (kohorte/reporting) exists, the journey goes on: the coordinator
creates a draft and downloads its PDF and XLSX, which hold the bookings and their sum.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from kohorte.budget.models import Booking, FundingPeriod, PlanVersion
from kohorte.budget.tests.world import PDF
from kohorte.core.tests import factories as f

from .axe import assert_no_violations
from .flows import sign_in_staff, t
from .keyboard import follow, tab_to, type_date, type_into

pytestmark = pytest.mark.browser

# The lines the first plan offers, in their order, and what the coordinator plans.
PLAN = {"state_funds": "10.000,00", "own_funds": "0", "staff": "0", "fees": "5.000,00",
        "rooms": "3.000,00", "travel": "2.000,00", "materials": "0", "evaluation": "0",
        "overhead": "0"}
FEE = {"line": "fees", "day": date(2026, 3, 2), "payee": "Dr. Petra Honorarkraft",
       "purpose": "Honorar Modul 1, 26.–27.02.2026", "amount": "1.234,56"}
ROOMS = {"line": "rooms", "day": date(2026, 3, 6), "payee": "Tagungshaus Bonifatiushaus",
         "purpose": "Räume Modul 1", "amount": "765,44"}


def euro(text: str) -> str:
    """An amount as the page shows it, with its no-break space made plain."""
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def budget_people(open_call):
    programme = open_call.programme
    return {
        "programme": programme,
        "coordinator": f.make_staff("coordinator", programme, email="koordination@example.org",
                                    name="Kim Koordination"),
        "coordinator2": f.make_staff("coordinator", programme, email="leitung@example.org",
                                     name="Lea Leitung"),
    }


def _new_page(browser, base_url):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(15_000)
    return context.new_page()


def _submit_forged_approval(page, url):
    """Post to the approval address from the page, as a stale or hand-made form would
    (the page itself offers the person who entered the booking no such button)."""
    with page.expect_navigation():
        page.evaluate("""(url) => {
          const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
          const form = document.createElement("form");
          form.method = "post"; form.action = url;
          const input = document.createElement("input");
          input.type = "hidden"; input.name = "csrfmiddlewaretoken"; input.value = token;
          form.append(input); document.body.append(form); form.submit();
        }""", url)


def test_period_plan_bookings_four_eyes_reversal_and_plan_versus_actual(
        page, browser, base_url, budget_people, date_order):
    programme = budget_people["programme"]
    first, second = budget_people["coordinator"], budget_people["coordinator2"]

    def check(label, on=page):
        assert_no_violations(on, base_url, label=label)

    # --- The coordinator finds the budget from the back office. ---
    sign_in_staff(page, first)
    page.goto("/verwaltung/")
    check("back office")
    follow(page, page.get_by_role("link", name=t("Budget of %(name)s") % {
        "name": programme.name}))
    assert page.url.endswith(f"/verwaltung/haushalt/{programme.slug}/")
    check("budget of the programme, no period")

    # --- A funding period. ---
    follow(page, page.get_by_role("link", name=t("Add a funding period")))
    check("add a funding period")
    type_into(page, page.get_by_label(t("Title"), exact=True), "2026")
    type_date(page, page.get_by_label(t("Start"), exact=True), date(2026, 1, 1), order=date_order)
    type_date(page, page.get_by_label(t("End"), exact=True), date(2026, 12, 31),
              order=date_order)
    follow(page, page.get_by_role("button", name=t("Create the funding period")))
    period = FundingPeriod.objects.get(programme=programme)
    assert (period.title, period.start, period.end) == ("2026", date(2026, 1, 1),
                                                       date(2026, 12, 31))
    assert period.kind == FundingPeriod.Kind.GRANT and period.overrun_percent == 20
    assert page.url.endswith(f"/verwaltung/haushalt/zeitraum/{period.pk}/plan/")

    # --- Its financing plan: the lines offered, with amounts and a reason. ---
    check("financing plan, first version")
    keys = [page.locator(f"#id_lines-{i}-key").input_value() for i in range(len(PLAN))]
    assert keys == list(PLAN), keys
    for i, amount in enumerate(PLAN.values()):
        type_into(page, page.locator(f"#id_lines-{i}-amount"), amount)
    type_into(page, page.get_by_label(t("Reason for this version"), exact=True),
              "Bewilligter Finanzierungsplan vom 12.01.2026")
    follow(page, page.get_by_role("button", name=t("Save as a new version")))
    version = PlanVersion.objects.get(period=period)
    assert version.number == 1 and version.reason == "Bewilligter Finanzierungsplan vom 12.01.2026"
    amounts = {line.key: line.amount for line in version.lines.all()}
    assert amounts["fees"] == Decimal("5000.00") and amounts["state_funds"] == Decimal("10000.00")
    assert sum(a for k, a in amounts.items() if k != "state_funds") == Decimal("10000.00")
    assert page.url.endswith(f"/verwaltung/haushalt/zeitraum/{period.pk}/")
    assert euro(page.locator('[data-total="plan"]').inner_text()) == "10.000,00 €"
    assert euro(page.locator('[data-total="actual"]').inner_text()) == "0,00 €"
    check("overview with the plan")
    page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/plan/1/")
    check("plan version 1")
    page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/")

    # --- Two bookings, each with its receipt. ---
    def enter(booking, receipt_name):
        page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/")
        follow(page, page.get_by_role("link", name=t("Enter a booking")).first)
        check(f"enter a booking ({booking['line']})")
        type_date(page, page.get_by_label(t("Date of payment"), exact=True), booking["day"],
                  order=date_order)
        type_into(page, page.get_by_label(t("Payee"), exact=True), booking["payee"])
        type_into(page, page.get_by_label(t("Purpose"), exact=True), booking["purpose"])
        type_into(page, page.get_by_label(t("Amount"), exact=True), booking["amount"])
        line = page.get_by_label(t("Budget line"), exact=True)
        tab_to(page, line)
        line.select_option(booking["line"])
        receipt = page.get_by_label(t("Receipt"))
        tab_to(page, receipt)
        receipt.set_input_files({"name": receipt_name, "mimeType": "application/pdf",
                                 "buffer": PDF})
        follow(page, page.get_by_role("button", name=t("Enter the booking")))
        entered = Booking.objects.get(period=period, payee=booking["payee"], reverses=None)
        assert page.url.endswith(f"/verwaltung/haushalt/buchung/{entered.pk}/")
        assert entered.state == Booking.State.PENDING and entered.entered_by == first
        assert entered.line_key == booking["line"] and entered.booking_date == booking["day"]
        assert entered.receipt_name == receipt_name and entered.receipt_type == "application/pdf"
        check(f"booking entered ({booking['line']})")
        return entered

    fee = enter(FEE, "honorar-modul-1.pdf")
    assert fee.amount == Decimal("1234.56")
    rooms = enter(ROOMS, "rechnung-tagungshaus.pdf")
    assert rooms.amount == Decimal("765.44")
    download = page.request.get(f"/verwaltung/haushalt/buchung/{rooms.pk}/beleg/")
    assert download.ok and download.body() == PDF

    # --- Four eyes: the coordinator who entered it may not approve it. ---
    main = page.locator("main").inner_text()
    assert t("You entered this booking. Four eyes: a second person must approve it. Until "
             "then you can change or discard it.") in main
    assert page.get_by_role("button", name=t("Approve the booking")).count() == 0
    _submit_forged_approval(page, f"/verwaltung/haushalt/buchung/{rooms.pk}/freigeben/")
    alert = page.get_by_role("alert")
    assert t("Four eyes: you entered this booking yourself, so a second person must approve "
             "it.") in alert.inner_text()
    rooms.refresh_from_db()
    assert rooms.state == Booking.State.PENDING and rooms.approved_by is None
    check("own approval refused")

    # --- The second coordinator approves both. ---
    other = _new_page(browser, base_url)
    sign_in_staff(other, second)
    other.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/buchungen/?state=pending")
    check("bookings awaiting approval", on=other)
    for booking in (fee, rooms):
        other.goto(f"/verwaltung/haushalt/buchung/{booking.pk}/")
        check(f"booking to approve ({booking.line_key})", on=other)
        follow(other, other.get_by_role("button", name=t("Approve the booking")))
        booking.refresh_from_db()
        assert booking.state == Booking.State.APPROVED and booking.approved_by == second
        assert t("The booking has been approved.") in other.get_by_role("status").first.inner_text()
        check(f"booking approved ({booking.line_key})", on=other)

    page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/")
    assert euro(page.locator('[data-total="actual"]').inner_text()) == "2.000,00 €"

    # --- The rooms booking was wrong: reversed with a reason, the reversal approved. ---
    page.goto(f"/verwaltung/haushalt/buchung/{rooms.pk}/")
    follow(page, page.get_by_role("link", name=t("Reverse the booking")))
    assert page.url.endswith(f"/verwaltung/haushalt/buchung/{rooms.pk}/storno/")
    check("reverse the booking")
    type_into(page, page.get_by_label(t("Reason"), exact=True),
              "Rechnung doppelt erfasst, bereits über die Hochschule bezahlt")
    follow(page, page.get_by_role("button", name=t("Enter the reversal")))
    reversal = Booking.objects.get(reverses=rooms)
    assert reversal.amount == Decimal("-765.44") and reversal.state == Booking.State.PENDING
    assert reversal.line_key == "rooms" and reversal.entered_by == first
    assert page.url.endswith(f"/verwaltung/haushalt/buchung/{reversal.pk}/")
    check("reversal entered")
    other.goto(f"/verwaltung/haushalt/buchung/{reversal.pk}/")
    follow(other, other.get_by_role("button", name=t("Approve the booking")))
    reversal.refresh_from_db()
    assert reversal.state == Booking.State.APPROVED and reversal.approved_by == second
    check("reversal approved", on=other)

    # --- Plan vs. actual. ---
    page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/")
    check("overview, plan vs. actual")
    assert euro(page.locator('[data-total="plan"]').inner_text()) == "10.000,00 €"
    assert euro(page.locator('[data-total="actual"]').inner_text()) == "1.234,56 €"
    assert euro(page.locator('[data-total="pending"]').inner_text()) == "0,00 €"

    def row(key):
        return [euro(cell) for cell in page.locator(f'tr[data-line="{key}"] td').all_inner_texts()]

    fees_row, rooms_row = row("fees"), row("rooms")
    assert fees_row[:2] == ["5.000,00 €", "1.234,56 €"], fees_row
    assert rooms_row[:2] == ["3.000,00 €", "0,00 €"], rooms_row
    assert page.locator('tr[data-line="fees"]').get_attribute("data-state") == "within"
    remaining = t("Remaining of the total plan: %(remaining)s.") % {"remaining": "8.765,44 €"}
    assert remaining in euro(page.locator("main").inner_text())

    # --- The bookings and the history show the booking and its reversal. ---
    page.goto(f"/verwaltung/haushalt/zeitraum/{period.pk}/buchungen/")
    check("bookings with the reversal")
    assert page.locator(f'tr[data-booking="{rooms.pk}"]').get_by_role(
        "link", name=t("Reversed on %(date)s") % {"date": reversal.booking_date.strftime(
            "%d.%m.%Y")}).count() == 1
    reversal_row = page.locator(f'tr[data-booking="{reversal.pk}"]')
    assert "-765,44 €" in euro(reversal_row.inner_text())
    follow(page, page.locator(f'tr[data-booking="{rooms.pk}"] th a'))
    assert page.url.endswith(f"/verwaltung/haushalt/buchung/{rooms.pk}/")
    check("booking with its reversal and history")
    history = page.locator("#verlauf").locator("xpath=..").locator("tbody tr")
    actions = [history.nth(i).locator("td").nth(1).inner_text() for i in range(history.count())]
    assert actions == [t("Booking entered"), t("Booking approved"), t("Booking reversed")], actions
    reason_cells = history.nth(2).locator("td").nth(3).inner_text()
    assert "Rechnung doppelt erfasst" in reason_cells
    reversed_by = page.locator(f'main dd a[href$="/buchung/{reversal.pk}/"]')
    assert euro(reversed_by.inner_text()) == t("the reversal of %(date)s (%(amount)s)") % {
        "date": reversal.booking_date.strftime("%d.%m.%Y"), "amount": "-765,44 €"}
    follow(page, reversed_by)
    assert page.url.endswith(f"/verwaltung/haushalt/buchung/{reversal.pk}/")
    history = page.locator("#verlauf").locator("xpath=..").locator("tbody tr")
    actions = [history.nth(i).locator("td").nth(1).inner_text() for i in range(history.count())]
    assert actions == [t("Booking entered"), t("Booking approved")], actions
    reverses = page.locator(f'main dd a[href$="/buchung/{rooms.pk}/"]')
    assert euro(reverses.inner_text()) == t(
        "the booking of %(date)s to %(payee)s (%(amount)s)") % {
        "date": "06.03.2026", "payee": ROOMS["payee"], "amount": "765,44 €"}
    check("the reversal's page")

    _proof_of_use(page, base_url, period, check)
    other.context.close()


def _proof_of_use_exists() -> bool:
    try:
        reverse("backoffice:proof_list", args=["x"])
    except NoReverseMatch:
        return False
    return True


def _proof_of_use(page, base_url, period, check):
    """Only once the proof of use pages exist (kohorte/reporting, built in parallel)."""
    if not _proof_of_use_exists():
        return
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from kohorte.reporting.models import ProofOfUse
    from kohorte.reporting.proof_pdf import DOCUMENT_LANGUAGE

    programme = period.programme
    page.goto("/verwaltung/")
    follow(page, page.get_by_role("link", name=t("Proofs of use of %(name)s") % {
        "name": programme.name}))
    assert page.url.endswith(f"/verwaltung/nachweise/{programme.slug}/")
    check("proofs of use of the programme")
    assert page.get_by_label(t("Funding period"), exact=True).input_value() == str(period.pk)
    follow(page, page.get_by_role("button", name=t("Create the draft")))
    proof = ProofOfUse.objects.get(period=period)
    assert proof.kind == ProofOfUse.Kind.FINAL and not proof.is_submitted
    assert page.url.endswith(f"/verwaltung/nachweis/{proof.pk}/")
    check("proof of use, draft")
    main = euro(page.locator("main").inner_text())
    assert "1.234,56 €" in main and "10.000,00 €" in main

    pdf = page.request.get(page.get_by_role("link", name=t("Download as PDF")).get_attribute(
        "href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = euro(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages))
    assert "1.234,56" in text and "10.000,00" in text, text[:2000]
    assert ROOMS["payee"] in text and FEE["payee"] in text

    xlsx = page.request.get(page.get_by_role(
        "link", name=t("Download as spreadsheet (XLSX)")).get_attribute("href"))
    assert xlsx.ok
    book = load_workbook(io.BytesIO(xlsx.body()), data_only=True)
    with translation.override(DOCUMENT_LANGUAGE):
        payments = book[translation.gettext("List of payments")[:31]]
        total_label = translation.gettext("Total expenditure")
    rows = list(payments.iter_rows(min_row=2, values_only=True))
    entries = [row for row in rows if row[0] is not None]
    amounts = sorted(Decimal(str(row[5])).quantize(Decimal("0.01")) for row in entries)
    approved = Booking.objects.filter(period=period, state=Booking.State.APPROVED)
    assert amounts == sorted(b.amount for b in approved), amounts
    total = next(row for row in rows if row[4] == total_label)
    assert Decimal(str(total[5])).quantize(Decimal("0.01")) == sum(
        b.amount for b in approved) == Decimal("1234.56")
