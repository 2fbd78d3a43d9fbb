"""axe on every budget page that a coordinator and the funder reach.

Seeded: the demo budget (the 2026 period, its plan, 25 bookings, one reversed, one
awaiting approval), a second plan version, a funder's consent, a booking with a PDF
receipt, one awaiting approval with a receipt entered by the coordinator who signs in,
and an uploaded import file. The crawler follows the links from the budget of the
programme and the back office's home page, so pages added later are checked as soon as
something links to them. The funder sees the budget but never a receipt.
"""

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kohorte.budget import selectors, services
from kohorte.budget.demo import load_demo_budget
from kohorte.budget.models import Booking
from kohorte.budget.tests.world import PDF, book, receipt
from kohorte.core.tests import factories as f

from .axe import assert_no_violations
from .crawl import crawl
from .flows import sign_in_staff
from .test_every_page import _assert_clean

pytestmark = pytest.mark.browser

# The budget's pages reach into the rest of the back office through the navigation; a
# little more room than the default, so that the budget's own are all visited.
BUDGET_LIMIT = 80

CSV = ("Datum;Empfänger;Verwendungszweck;Betrag;Haushaltsposition;Belegnummer\n"
       "02.07.2026;Druckerei Parzeller;Reader Modul 5;245,10;materials;HF-2026-0230\n"
       "03.07.2026;Dr. Miriam Albers;Honorar Modul 5;1.680,00;fees;HF-2026-0231\n"
       "31.13.2026;Unbekannt;Kaputtes Datum;10,00;fees;HF-2026-0232\n").encode()


@pytest.fixture
def budget_world(open_call):
    programme = open_call.programme
    coordinator = f.make_staff("coordinator", programme, email="koordination@example.org",
                               name="Kim Koordination")
    coordinator2 = f.make_staff("coordinator", programme, email="leitung@example.org",
                                name="Lea Leitung")
    funder = f.make_staff("funder", programme, email="ministerium@example.org",
                          name="Frieda Fördergeber")
    period = load_demo_budget(programme, coordinator, coordinator2)
    lines = [{"key": line.key, "title": line.title, "kind": line.kind,
              "amount": line.amount + (Decimal("400.00") if line.key == "travel" else 0)
              - (Decimal("400.00") if line.key == "materials" else 0),
              "position": line.position}
             for line in selectors.current_lines(period=period)]
    services.plan_version_create(period=period, lines=lines, actor=coordinator,
                                 reason="Umschichtung von Sachmitteln zu Reisekosten")
    services.consent_record(period=period, line_key="travel", consent_date=date(2026, 6, 1),
                            reference="III 4 – 01.06.2026", up_to_amount=Decimal("4500.00"),
                            actor=coordinator)
    with_receipt = book(period, coordinator2, amount="312.40", line_key="materials",
                        day=date(2026, 6, 10), payee="Moderationsbedarf Neuland",
                        purpose="Pinnwandpapier", approver=coordinator, receipt=receipt())
    own_pending = book(period, coordinator, amount="96.00", line_key="travel",
                       day=date(2026, 6, 12), payee="Deutsche Bahn", purpose="Bahncard Probe",
                       receipt=receipt(name="fahrkarte.pdf"))
    upload = services.booking_import_upload(
        period=period, uploaded_file=SimpleUploadedFile("export.csv", CSV, "text/csv"),
        actor=coordinator)
    return {"programme": programme, "period": period, "coordinator": coordinator,
            "coordinator2": coordinator2, "funder": funder, "with_receipt": with_receipt,
            "own_pending": own_pending, "upload": upload}


def _paths(result):
    return {urlsplit(url).path for url in result.visited}


def test_every_budget_page_a_coordinator_reaches_passes_axe(page, base_url, budget_world):
    w = budget_world
    period, slug = w["period"].pk, w["programme"].slug
    reversed_booking = Booking.objects.get(period=period, reversals__isnull=False)
    sign_in_staff(page, w["coordinator"])
    own, upload = w["own_pending"].pk, w["upload"].pk
    mapping = "booking_date=0&payee=1&purpose=2&amount=3&line_key=4&external_reference=5"
    result = crawl(page, base_url, [
        f"/verwaltung/haushalt/{slug}/", "/verwaltung/",
        # not linked from a list: the coordinator's own booking awaiting approval (the
        # list shows the newest first) and the import preview (reached after the upload),
        # with its columns chosen
        f"/verwaltung/haushalt/buchung/{own}/", f"/verwaltung/haushalt/import/{upload}/",
        f"/verwaltung/haushalt/import/{upload}/?{mapping}",
        f"/verwaltung/haushalt/buchung/{reversed_booking.pk}/",
        # two booking pages are visited (one per kind of page): the reversal form of an
        # approved one directly
        f"/verwaltung/haushalt/buchung/{w['with_receipt'].pk}/storno/",
    ], limit=BUDGET_LIMIT)
    expected = {
        f"/verwaltung/haushalt/{slug}/", f"/verwaltung/haushalt/{slug}/zeitraeume/neu/",
        f"/verwaltung/haushalt/zeitraum/{period}/",
        f"/verwaltung/haushalt/zeitraum/{period}/plan/",
        f"/verwaltung/haushalt/zeitraum/{period}/plan/1/",
        f"/verwaltung/haushalt/zeitraum/{period}/plan/2/",
        f"/verwaltung/haushalt/zeitraum/{period}/zustimmungen/neu/",
        f"/verwaltung/haushalt/zeitraum/{period}/buchungen/",
        f"/verwaltung/haushalt/zeitraum/{period}/buchungen/neu/",
        f"/verwaltung/haushalt/zeitraum/{period}/import/",
        f"/verwaltung/haushalt/import/{upload}/",
        f"/verwaltung/haushalt/buchung/{own}/",
        f"/verwaltung/haushalt/buchung/{own}/bearbeiten/",
        f"/verwaltung/haushalt/buchung/{reversed_booking.pk}/",
        f"/verwaltung/haushalt/buchung/{w['with_receipt'].pk}/storno/",
        "/verwaltung/",
    }
    _assert_clean(result, expected=expected)
    assert any("/import/" in url and "amount=3" in url for url in result.visited)
    # The coordinator may download receipts: the link is there and works.
    page.goto(f"/verwaltung/haushalt/buchung/{w['with_receipt'].pk}/")
    assert_no_violations(page, base_url, label="approved booking with a receipt")
    link = page.locator(f'a[href$="/buchung/{w["with_receipt"].pk}/beleg/"]')
    assert link.count() == 1
    download = page.request.get(link.get_attribute("href"))
    assert download.ok and download.body() == PDF


def test_every_budget_page_the_funder_reaches_passes_axe_and_no_receipt(
        page, base_url, budget_world):
    w = budget_world
    period, slug = w["period"].pk, w["programme"].slug
    sign_in_staff(page, w["funder"])
    with_receipt = w["with_receipt"].pk
    result = crawl(page, base_url, [
        f"/verwaltung/haushalt/{slug}/", "/verwaltung/",
        f"/verwaltung/haushalt/buchung/{with_receipt}/"], limit=BUDGET_LIMIT)
    _assert_clean(result, expected={
        f"/verwaltung/haushalt/{slug}/", f"/verwaltung/haushalt/zeitraum/{period}/",
        f"/verwaltung/haushalt/zeitraum/{period}/plan/1/",
        f"/verwaltung/haushalt/zeitraum/{period}/plan/2/",
        f"/verwaltung/haushalt/zeitraum/{period}/buchungen/",
        f"/verwaltung/haushalt/buchung/{with_receipt}/",
    })
    visited = _paths(result)
    # Nothing that changes the budget, and never a receipt.
    for part in ("/neu/", "/plan/", "/import/", "/bearbeiten/", "/storno/", "/beleg/"):
        reached = {path for path in visited if path.endswith(part)}
        assert not reached, (part, reached)
    assert not any("/beleg/" in url for url in result.errors), result.errors
    page.goto(f"/verwaltung/haushalt/buchung/{with_receipt}/")
    assert page.locator('a[href*="/beleg/"]').count() == 0
    for booking in (w["with_receipt"], w["own_pending"]):
        refused = page.request.get(f"/verwaltung/haushalt/buchung/{booking.pk}/beleg/",
                                   max_redirects=0)
        assert refused.status == 403, (booking.pk, refused.status)
        assert PDF not in refused.body()
