"""The proof of use and the funder's dashboard in the browser (issue 6's proof, reporting).

Seeded: a programme whose closed call has ten submitted applications from Kreise in all
three Regierungsbezirke; seven accepted places make the cohort, whose course began in
the summer: attendance is recorded for every session held, three completions are
confirmed, everyone answered the competence self-assessment before and after (with the
look back) and the feedback of module 1 with a free text. The demo budget (the 2026
period, its plan, approved bookings, the one awaiting approval approved by the second
coordinator), and a draft final proof of use without texts. A coordinator, a second
coordinator and the funder.

- The funder crawls from the back office: the dashboard and the proof of use (list and
  page) are reached, every page passes axe; no page the funder reached, nor the proof's
  PDF, shows an applicant's or participant's name or e-mail address, or an answer; the
  funder never reaches a receipt, an application, a course or a survey.
- The coordinator crawls the proof's pages and the dashboard (axe), writes the texts by
  keyboard and submits the proof on its button: the page shows it submitted with its
  hashes, the texts can no longer be changed, and the PDF and the XLSX download, the
  XLSX's totals being the sums of the approved bookings.
- Printed, the dashboard hides the navigation and keeps each chart with its table.
"""

import io
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest
from django.utils import timezone, translation

from kohorte.applications.models import Application, Call
from kohorte.budget import selectors as budget_selectors
from kohorte.budget import services as budget_services
from kohorte.budget.demo import load_demo_budget
from kohorte.budget.models import Booking, PlanLine
from kohorte.core.tests import factories as f
from kohorte.courses.models import Attendance, Participant, Session
from kohorte.courses.services.attendance import Mark, attendance_record_list
from kohorte.courses.services.cohort import cohort_create
from kohorte.courses.services.completion import completion_confirm
from kohorte.courses.tests.world import accept, add_module_dates
from kohorte.evaluation.tests.report_world import (
    answer_competence,
    answer_feedback,
    competence_instrument,
    feedback_instrument,
)
from kohorte.reporting.models import ProofOfUse
from kohorte.reporting.services import proof_of_use_create

from .axe import assert_no_violations
from .crawl import crawl
from .flows import sign_in_staff, t
from .keyboard import follow, tab_to, type_into
from .test_every_page import _assert_clean

pytestmark = pytest.mark.browser

# The applicants: name, Kreis (name, kind), accepted. Unusual last names, so that a
# finding is a leak and not a word of the page; Kreise in all three Regierungsbezirke.
PEOPLE = [
    ("Lieselotte", "Brandhorst", ("Fulda", "Landkreis"), True),
    ("Mehmet", "Yildirimoglu", ("Kassel", "Kreisfreie Stadt"), True),
    ("Johanna", "Kowalczyk", ("Gießen", "Landkreis"), True),
    ("Friedhelm", "Oberländer", ("Marburg-Biedenkopf", "Landkreis"), True),
    ("Sabine", "Hufnagel", ("Darmstadt", "Kreisfreie Stadt"), True),
    ("Tobias", "Wendeborn", ("Wetteraukreis", "Landkreis"), True),
    ("Amira", "Haddadine", ("Offenbach", "Landkreis"), True),
    ("Konstantin", "Zabelberg", ("Vogelsbergkreis", "Landkreis"), False),
    ("Ilse", "Dannenmann", ("Werra-Meißner-Kreis", "Landkreis"), False),
    ("Paulina", "Achterberg", ("Bergstraße", "Landkreis"), False),
]
FEEDBACK = ["Kohlrabi-Notiz eins", "Kohlrabi-Notiz zwei", "Kohlrabi-Notiz drei",
            "Kohlrabi-Notiz vier", "Kohlrabi-Notiz fünf", "Kohlrabi-Notiz sechs",
            "Kohlrabi-Notiz sieben"]
TEXTS = {
    "goals": "Fachkräfte der Gemeinwesenarbeit in Hessen berufsbegleitend qualifizieren.",
    "activities": "Fünf Bausteine in Fulda und Wiesbaden; Praxisprojekte im Quartier.",
}
# Parts of a path the funder must never reach: receipts, applications, courses, surveys.
NOT_FOR_THE_FUNDER = re.compile(
    r"/beleg/|/bewerbungen/|^/bewerbungen|/kurse/|^/kurs/|/befragung|/befragungen/"
    r"|/anwesenheit|/projekte/|/zertifikat")


def _course_in_the_past(call, people, coordinator):
    """What ``make_cohort`` does, with named applicants from chosen Kreise and a course
    that began 20 weeks ago (so sessions have been held): applications, accepted places,
    the cohort."""
    call.modules.all().delete()
    first = timezone.localdate() - timedelta(weeks=20)
    add_module_dates(call, first=first)
    applications = []
    for first_name, last_name, (kreis, kind), _accepted in people:
        applicant = f.make_applicant(f"{last_name.lower()}@example.org")
        site = f.make_site(call.programme, funded_year=call.funding_year)
        site.region = f.region(kreis, kind)
        site.save(update_fields=["region"])
        applications.append(f.make_application(
            call, applicant, site=site, submit=True,
            contact={"first_name": first_name, "last_name": last_name}))
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    accept(call, [a for a, person in zip(applications, people, strict=True) if person[3]])
    cohort = cohort_create(call=call, actor=coordinator,
                           now=timezone.now() - timedelta(weeks=21))
    return cohort


def _attendance_and_completions(cohort, coordinator):
    """Every session held: everyone present but one person absent in turn; three
    completions confirmed."""
    participants = list(cohort.participants.order_by("pk"))
    held = Session.objects.filter(module__cohort=cohort, starts_at__lte=timezone.now())
    for index, session in enumerate(held.order_by("starts_at")):
        absent = participants[index % len(participants)]
        attendance_record_list(session=session, actor=coordinator, marks=[
            Mark(participant=p, status="absent" if p == absent else "present")
            for p in participants])
    for participant in participants[:3]:
        completion_confirm(participant=participant, actor=coordinator,
                           override_reason="Ersatzleistung vereinbart.")
    return participants


def _evaluation(cohort, programme):
    instrument = competence_instrument(programme)
    width = instrument.items.filter(column__isnull=False).count()
    people = cohort.participants.count()
    rng = np.random.default_rng(6)
    pre = rng.integers(1, 4, size=(people, width))
    post = np.clip(pre + rng.integers(0, 3, size=(people, width)), 1, 5)
    then = np.clip(pre - rng.integers(0, 2, size=(people, width)), 1, 5)
    answer_competence(cohort, instrument, pre=pre.tolist(), post=post.tolist(),
                      then=then.tolist())
    answer_feedback(cohort, cohort.modules.get(position=1), feedback_instrument(programme),
                    ratings=[4, 5, 3, 4, 5, 4, 3][:people], texts=FEEDBACK[:people])


@pytest.fixture
def reporting_world(open_call):
    call = open_call
    programme = call.programme
    coordinator = f.make_staff("coordinator", programme, email="koordination@example.org",
                               name="Kim Koordination")
    coordinator2 = f.make_staff("coordinator", programme, email="leitung@example.org",
                                name="Lea Leitung")
    funder = f.make_staff("funder", programme, email="ministerium@example.org",
                          name="Frieda Fördergeber")
    cohort = _course_in_the_past(call, PEOPLE, coordinator)
    participants = _attendance_and_completions(cohort, coordinator)
    _evaluation(cohort, programme)
    period = load_demo_budget(programme, coordinator, coordinator2)
    # The booking awaiting approval (entered by the first coordinator): the second
    # approves it, so that the proof can be submitted.
    for booking in Booking.objects.filter(period=period, state=Booking.State.PENDING):
        budget_services.booking_approve(booking=booking, actor=coordinator2)
    proof = proof_of_use_create(period=period, kind=ProofOfUse.Kind.FINAL, actor=coordinator)

    assert Application.objects.filter(call=call, state="submitted").count() == len(PEOPLE)
    assert len(participants) == 7 and Attendance.objects.filter(
        participant__cohort=cohort).exists()
    assert Participant.objects.filter(cohort=cohort,
                                      completion_confirmed_at__isnull=False).count() == 3
    return SimpleNamespace(programme=programme, call=call, cohort=cohort, period=period,
                           proof=proof, coordinator=coordinator, coordinator2=coordinator2,
                           funder=funder)


def _people_words():
    """What would name a person: "first last", the last name alone (at least 5 letters;
    the names seeded are no word a page uses otherwise) and the e-mail addresses; and the
    free answers of the feedback survey."""
    words = set()
    for application in Application.objects.select_related("applicant"):
        words |= {f"{application.first_name} {application.last_name}", application.email,
                  application.applicant.email}
        if len(application.last_name) >= 5:
            words.add(application.last_name)
    for participant in Participant.objects.all():
        words |= {f"{participant.first_name} {participant.last_name}", participant.email}
        if len(participant.last_name) >= 5:
            words.add(participant.last_name)
    words.discard("")
    return words | set(FEEDBACK)


def _named(text: str, words) -> list[str]:
    text = " ".join(text.replace("\u00a0", " ").split())
    return sorted(w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text))


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def _paths(result):
    return {urlsplit(url).path for url in result.visited}


def test_the_funder_reaches_the_dashboard_and_the_proof_of_use_and_never_a_person(
        page, base_url, reporting_world):
    w = reporting_world
    slug, proof = w.programme.slug, w.proof
    sign_in_staff(page, w.funder)
    result = crawl(page, base_url, ["/verwaltung/"])
    dashboard = f"/verwaltung/geldgeber/{slug}/"
    proofs = f"/verwaltung/nachweise/{slug}/"
    detail = f"/verwaltung/nachweis/{proof.pk}/"
    _assert_clean(result, expected={"/verwaltung/", dashboard, proofs, detail})

    visited = _paths(result)
    forbidden = sorted(p for p in visited | set(result.errors) if NOT_FOR_THE_FUNDER.search(
        urlsplit(p).path))
    assert not forbidden, f"the funder reached {forbidden}"
    assert f"/verwaltung/nachweis/{proof.pk}/texte/" not in visited
    assert f"/verwaltung/nachweis/{proof.pk}/einreichen/" not in visited

    # Every page again, read as text and as markup: no name, no address, no answer.
    people = _people_words()
    assert "Lieselotte Brandhorst" in people and "brandhorst@example.org" in people
    found = {}
    for url in result.visited:
        page.goto(url)
        named = _named(page.locator("body").inner_text(), people) + _named(page.content(),
                                                                            people)
        if named:
            found[url] = sorted(set(named))
    page.goto(detail)
    pdf = page.request.get(page.get_by_role("link", name=t("Download as PDF")).get_attribute(
        "href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_text = _pdf_text(pdf.body())
    assert "Tagungshaus Bonifatiushaus Fulda" in " ".join(pdf_text.split()), pdf_text[:1000]
    named = _named(pdf_text, people)
    if named:
        found["the proof's PDF"] = named
    assert not found, f"the funder saw people: {found}"

    # The dashboard has the figures: counts, the attendance and the effect sizes (n ≥ 5).
    page.goto(dashboard)
    main = " ".join(page.locator("main").inner_text().split())
    assert "Darmstadt" in main and "Gießen" in main and "Kassel" in main
    average = t("Average attendance of the cohort: %(rate)s of the scheduled hours "
                "(%(n)s participants).").split("%(rate)s")[0]
    assert average in main, main[:3000]
    assert re.search(r"d\s*z = -?\d", main), "no effect size on the dashboard"


def test_the_coordinator_writes_the_texts_submits_and_downloads_the_frozen_proof(
        page, base_url, reporting_world):
    from openpyxl import load_workbook

    from kohorte.reporting.proof_pdf import DOCUMENT_LANGUAGE

    w = reporting_world
    slug, proof = w.programme.slug, w.proof
    detail = f"/verwaltung/nachweis/{proof.pk}/"
    texts_url, submit_url = f"{detail}texte/", f"{detail}einreichen/"
    sign_in_staff(page, w.coordinator)
    result = crawl(page, base_url, [f"/verwaltung/nachweise/{slug}/", detail, texts_url,
                                    submit_url, f"/verwaltung/geldgeber/{slug}/"], limit=12)
    _assert_clean(result, expected={f"/verwaltung/nachweise/{slug}/", detail, texts_url,
                                    submit_url, f"/verwaltung/geldgeber/{slug}/"})

    # --- The texts, by keyboard. ---
    page.goto(detail)
    follow(page, page.get_by_role("link", name=t("Edit the texts")))
    assert page.url.endswith(texts_url)
    for key, text in TEXTS.items():
        type_into(page, page.locator(f"#id_{key}"), text)
    follow(page, page.get_by_role("button", name=t("Save the texts")))
    assert page.url.endswith(detail)
    proof.refresh_from_db()
    assert {k: proof.texts[k] for k in TEXTS} == TEXTS
    assert_no_violations(page, base_url, label="draft with its texts")
    assert TEXTS["goals"] in page.locator("main").inner_text()

    # --- Check and submit, on its button. ---
    follow(page, page.get_by_role("link", name=t("Check and submit")))
    assert page.url.endswith(submit_url)
    assert_no_violations(page, base_url, label="check and submit")
    confirm = page.get_by_role("checkbox")
    tab_to(page, confirm)
    page.keyboard.press("Space")
    assert confirm.is_checked()
    follow(page, page.get_by_role("button", name=t("Submit the proof of use")))
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.SUBMITTED and proof.submitted_by == w.coordinator
    assert page.url.endswith(detail)
    assert_no_violations(page, base_url, label="submitted proof")
    main = page.locator("main").inner_text()
    for digest in (proof.snapshot_sha256, proof.pdf_sha256, proof.xlsx_sha256):
        assert re.fullmatch(r"[0-9a-f]{64}", digest) and digest in main
    assert main.count(t("verified")) == 3 and t("does NOT match") not in main
    assert page.get_by_role("link", name=t("Edit the texts")).count() == 0
    assert page.get_by_role("link", name=t("Check and submit")).count() == 0
    again = page.request.get(texts_url, max_redirects=0)
    assert again.status in (302, 303, 403, 404), again.status
    if again.status in (302, 303):
        assert again.headers["location"].endswith(detail)
    page.goto(texts_url)
    assert page.url.endswith(detail)
    assert page.locator("textarea").count() == 0

    # --- The frozen files: the stored ones, byte for byte. ---
    pdf = page.request.get(page.get_by_role("link", name=t("Download as PDF")).get_attribute(
        "href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    with proof.pdf.open("rb") as handle:
        assert pdf.body() == handle.read()
    # The PDF prints the snapshot's hash (perhaps wrapped over two lines).
    assert proof.snapshot_sha256 in "".join(_pdf_text(pdf.body()).split())
    xlsx = page.request.get(page.get_by_role(
        "link", name=t("Download as spreadsheet (XLSX)")).get_attribute("href"))
    assert xlsx.ok
    with proof.xlsx.open("rb") as handle:
        assert xlsx.body() == handle.read()

    kinds = {line.key: line.kind for line in budget_selectors.current_lines(period=w.period)}
    approved = list(Booking.objects.filter(period=w.period, state=Booking.State.APPROVED))
    assert not Booking.objects.filter(period=w.period, state=Booking.State.PENDING).exists()
    expense = sum((b.amount for b in approved if kinds[b.line_key] == PlanLine.Kind.EXPENSE),
                  Decimal("0.00"))
    income = sum((b.amount for b in approved if kinds[b.line_key] == PlanLine.Kind.INCOME),
                 Decimal("0.00"))
    assert expense > 0 and income == Decimal("23750.00")
    book = load_workbook(io.BytesIO(xlsx.body()), data_only=True)

    def money(value):
        return Decimal(str(value)).quantize(Decimal("0.01"))

    with translation.override(DOCUMENT_LANGUAGE):
        payments = book[translation.gettext("List of payments")[:31]]
        financial = book[translation.gettext("Financial statement")[:31]]
        labels = {key: translation.gettext(key) for key in (
            "Total expenditure", "Total income", "Total", "Income", "Expenditure", "Actual")}
    rows = list(payments.iter_rows(min_row=2, values_only=True))
    entries = [row for row in rows if row[0] is not None]
    assert sorted(money(row[5]) for row in entries) == sorted(b.amount for b in approved)
    totals = {row[4]: money(row[5]) for row in rows if row[0] is None and row[4]}
    assert totals[labels["Total expenditure"]] == expense
    assert totals[labels["Total income"]] == income
    # The financial statement: the "Total" rows of income and of expenditure, actual
    # in the fourth column (title, plan, actual, …).
    statement = list(financial.iter_rows(values_only=True))
    heads = [i for i, row in enumerate(statement)
             if row[0] in (labels["Income"], labels["Expenditure"])]
    assert len(heads) == 2, statement[:5]
    actual = {}
    for head in heads:
        actual_column = [str(c) for c in statement[head]].index(labels["Actual"])
        total_row = next(row for row in statement[head + 1:] if row[0] == labels["Total"])
        actual[statement[head][0]] = money(total_row[actual_column])
    assert actual == {labels["Income"]: income, labels["Expenditure"]: expense}


def test_the_printed_dashboard_has_no_navigation_and_each_chart_its_table(
        page, base_url, reporting_world):
    w = reporting_world
    sign_in_staff(page, w.funder)
    page.goto(f"/verwaltung/geldgeber/{w.programme.slug}/")
    charts = page.locator("main figure.kohorte-chart")
    count = charts.count()
    assert count == 4, count  # the funnel, Regierungsbezirke, Kreise and the burn-down
    page.emulate_media(media="print")
    assert page.locator("nav.kohorte-nav").is_hidden()
    assert page.locator("header.kohorte-header").is_hidden()
    assert page.locator("main nav").first.is_hidden()  # the breadcrumbs
    assert page.locator("main form").first.is_hidden()  # the period's filter
    for index in range(count):
        chart = charts.nth(index)
        assert chart.locator("svg[role=img]").is_visible(), index
        title = chart.locator("svg title").text_content()
        # The figure's data: the table that follows it, with its caption, printed too.
        table = chart.locator("xpath=following-sibling::*[1]//table")
        assert table.count() == 1, f"chart {title!r} has no table after it"
        assert table.is_visible() and table.locator("caption").inner_text().strip(), title
        assert table.locator("tbody tr").count() >= 1, title
