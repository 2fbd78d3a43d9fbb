"""The funder's dashboard: counts, accessible charts, the n ≥ 5 rule, small counts
withheld from the funder (on the dashboard and in the proof of use), and no person on it
or on the proof of use."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kohorte.applications.models import Application, Call
from kohorte.budget.tests.world import book, make_period
from kohorte.core.tests import factories as f
from kohorte.courses.models import Participant
from kohorte.courses.tests.world import course_world

from ..services import proof_of_use_submit
from .html_tables import small_counts
from .world import draft

# The captions of the tables by tier and region (German, as the pages are).
BY_REGION = ("Bewerbungen nach", "Eingegangene Bewerbungen nach")


@pytest.fixture
def w(personas):
    w = course_world(personas, others=3)
    w.period = make_period(w.programme, w.coordinator2)
    book(w.period, w.coordinator2, amount="1234.56", approver=w.coordinator)
    return w


def _url(w, **query):
    url = reverse("backoffice:funder_dashboard", args=[w.programme.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_funder_sees_the_funnel_the_regions_and_the_budget(client, w):
    response = f.login_staff(client, w.funder).get(_url(w))
    assert response.status_code == 200
    (item,) = response.context["calls"]
    assert item["summary"]["funnel"]["submitted"] == 4
    assert item["summary"]["funnel"]["accepted"] == 4
    assert str(response.context["burndown"]["spent"]) == "1234.56"
    text = response.text
    # Charts: SVG images with a title and a description, and a table beside each.
    assert text.count('role="img"') == 4
    assert text.count("<title id=") == 4 and text.count("<desc id=") == 4
    assert "Fulda (Landkreis): 4" in text
    assert 'media="print"' in text
    # Four participants: attendance and evaluation are not shown.
    assert item["summary"]["course"]["attendance"]["suppressed"] is True


def test_no_person_appears_on_the_dashboard_or_the_proof_of_use(client, w):
    proof = proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    people = set()
    for application in Application.objects.all():
        people |= {application.first_name, application.last_name, application.email,
                   application.applicant.email}
    for participant in Participant.objects.all():
        people |= {participant.first_name, participant.last_name, participant.email}
    people.discard("")
    assert "applicant@example.org" in people and "Muster" in people
    f.login_staff(client, w.funder)
    pages = [client.get(_url(w)).text,
             client.get(reverse("backoffice:proof_detail", args=[proof.pk])).text,
             client.get(reverse("backoffice:proof_list", args=[w.programme.slug])).text]
    with proof.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pages.append(" ".join(page.extract_text() for page in reader.pages))
    for page in pages:
        for value in people:
            assert not re.search(rf"\b{re.escape(value)}\b", page), value


def _apply(w, kreis, n, *, funded=True):
    """``n`` more submitted applications from a site in ``kreis`` (tier 1 if the site is
    funded, else tier 2), as if they had come before the call closed."""
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.PUBLISHED)
    for _ in range(n):
        site = f.make_site(w.programme if funded else None, funded_year=w.call.funding_year,
                           region_name=kreis)
        f.make_application(w.call, submit=True, site=site)
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.CLOSED)


def test_the_funder_sees_no_count_below_the_threshold_the_coordinator_sees_them_all(client, w):
    # Kassel: Fulda 4 (the cohort), Schwalm-Eder 1. Gießen: Gießen 2, Marburg 5, Lahn-Dill 6.
    _apply(w, "Schwalm-Eder-Kreis", 1)
    _apply(w, "Gießen", 2, funded=False)
    _apply(w, "Marburg-Biedenkopf", 5, funded=False)
    _apply(w, "Lahn-Dill-Kreis", 6, funded=False)
    coordinator = f.login_staff(client, w.coordinator).get(_url(w))
    assert coordinator.context["min_cell"] is None
    exact = {(r["name"], r["n"]) for r in coordinator.context["calls"][0]["summary"]
             ["applications"]["regions"]}
    assert {("Schwalm-Eder-Kreis (Landkreis)", 1), ("Gießen (Landkreis)", 2)} <= exact
    assert len(small_counts(coordinator.text, below=3, captions=BY_REGION)) == 2
    assert "statistischen Geheimhaltung" not in coordinator.text

    funder = f.login_staff(client, w.funder).get(_url(w))
    assert funder.context["min_cell"] == 3
    summary = funder.context["calls"][0]["summary"]
    shown = {(r["name"], r["n"]) for r in summary["applications"]["regions"]}
    # Each small Kreis with the smallest other of its Regierungsbezirk; Lahn-Dill stays.
    assert shown == {("Fulda (Landkreis)", None), ("Schwalm-Eder-Kreis (Landkreis)", None),
                     ("Gießen (Landkreis)", None), ("Marburg-Biedenkopf (Landkreis)", None),
                     ("Lahn-Dill-Kreis (Landkreis)", 6)}
    assert summary["funnel"]["submitted"] == 18  # the totals stay
    text = funder.text
    assert small_counts(text, below=3, captions=BY_REGION) == []
    assert "Schwalm-Eder-Kreis (Landkreis): gesperrt" in text  # the chart's description
    assert "Lahn-Dill-Kreis (Landkreis): 6" in text
    assert text.count("statistischen Geheimhaltung") == 2  # under both tables


def test_the_threshold_is_the_programmes_own(client, w):
    w.programme.min_cell = 5
    w.programme.save(update_fields=["min_cell"])
    text = f.login_staff(client, w.funder).get(_url(w)).text
    # Fulda's 4 are all Kassel has: with a threshold of 5 the Kreis is not named.
    assert "Fulda (Landkreis)" not in text
    assert "Kreis nicht genannt (Kassel): gesperrt" in text
    assert "Fulda (Landkreis)" in f.login_staff(client, w.coordinator).get(_url(w)).text


def test_the_proof_of_use_withholds_small_counts_in_its_page_pdf_and_spreadsheet(client, w):
    # Kassel: 4 tier 1 (the cohort) and 1 tier 2; Gießen: 3 tier 2.
    _apply(w, "Schwalm-Eder-Kreis", 1, funded=False)
    _apply(w, "Gießen", 3, funded=False)
    proof = proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    (call,) = proof.snapshot["figures"]["calls"]
    assert proof.snapshot["figures"]["min_cell"] == 3
    assert {d["name"]: d["counts"] for d in call["applications"]["districts"]} == {
        "Kassel": {"tier1": None, "tier2": None, "ineligible": 0},
        "Gießen": {"tier1": None, "tier2": None, "ineligible": 0}}
    assert call["applications"]["tiers"] == {"tier1": 4, "tier2": 4, "ineligible": 0}
    # The coordinators see what the funder receives.
    for user in (w.coordinator, w.funder):
        page = f.login_staff(client, user).get(
            reverse("backoffice:proof_detail", args=[proof.pk])).text
        assert small_counts(page, below=3, captions=BY_REGION) == []
        assert "statistischen Geheimhaltung" in page
    with proof.pdf.open("rb") as handle:
        pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Kassel * * 0 5" in pdf and "statistischen Geheimhaltung" in pdf
    with proof.xlsx.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    rows = [[cell.value for cell in row][:5] for row in sheet.iter_rows()]
    assert ["Kassel", "*", "*", 0, 5] in rows and ["Gießen", "*", "*", 0, 3] in rows


def test_a_period_can_be_chosen_and_a_bad_choice_is_refused(client, w):
    f.login_staff(client, w.funder)
    assert client.get(_url(w, period=w.period.pk)).status_code == 200
    response = client.get(_url(w, period=99999))
    assert response.status_code == 400
    assert 'href="#id_period"' in response.text


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "admin", "outsider"])
def test_only_the_coordinator_and_the_funder_see_the_dashboard(client, w, role):
    assert f.login_staff(client, getattr(w, role)).get(_url(w)).status_code == 403


def test_applicants_and_strangers_are_refused(client, w):
    anonymous = client.get(_url(w))
    assert anonymous.url.startswith(reverse("accounts:staff_login"))
    client.force_login(w.applicant)
    assert client.get(_url(w)).status_code == 403
    client.logout()
    response = f.login_staff(client, w.coordinator).get(
        reverse("backoffice:funder_dashboard", args=["gibt-es-nicht"]))
    assert response.status_code == 404
