"""The proof-of-use pages: list with deadlines, new draft, texts, check and submit,
downloads; and who may do what."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kohorte.budget.tests.world import make_period
from kohorte.core.tests import factories as f

from ..models import ProofOfUse
from .world import draft, money_world


@pytest.fixture
def w(personas):
    return money_world(personas)


def _as(client, user):
    return f.login_staff(client, user)


def _url(name, *args):
    return reverse(f"backoffice:{name}", args=args)


def test_the_list_shows_what_is_due_and_creates_a_draft(client, w):
    _as(client, w.coordinator)
    response = client.get(_url("proof_list", w.programme.slug))
    assert response.status_code == 200
    assert "30.06.2027" in response.text
    response = client.post(_url("proof_list", w.programme.slug),
                           {"period": w.period.pk, "kind": "final"})
    proof = ProofOfUse.objects.get()
    assert response.status_code == 302 and response.url == _url("proof_detail", proof.pk)


def test_a_new_interim_report_without_a_year_is_refused_with_a_message(client, w):
    _as(client, w.coordinator)
    response = client.post(_url("proof_list", w.programme.slug),
                           {"period": w.period.pk, "kind": "interim"})
    assert response.status_code == 400
    assert 'href="#id_year"' in response.text
    response = client.post(_url("proof_list", w.programme.slug),
                           {"period": w.period.pk, "kind": "interim", "year": "2026"})
    assert response.status_code == 400
    assert ProofOfUse.objects.count() == 0


def test_the_draft_shows_the_figures_and_what_is_missing(client, w):
    proof = draft(w, texts=None)
    response = _as(client, w.coordinator).get(_url("proof_detail", proof.pk))
    assert response.status_code == 200
    assert "6.461,15" in response.text
    assert "Dr. Miriam Albers" in response.text
    assert len(response.context["problems"]) == 2


def test_the_texts_are_edited_and_bad_input_is_shown_at_the_field(client, w):
    proof = draft(w, texts=None)
    _as(client, w.coordinator)
    url = _url("proof_texts", proof.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"goals": "Ziele\u202e", "activities": "Bausteine"})
    assert response.status_code == 400
    assert 'href="#id_goals"' in response.text
    response = client.post(url, {"goals": "Ziele", "activities": "Bausteine"})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.texts["goals"] == "Ziele"


def test_submitting_needs_the_confirmation_then_freezes(client, w):
    proof = draft(w)
    _as(client, w.coordinator)
    url = _url("proof_submit", proof.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 400
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.DRAFT
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.SUBMITTED
    detail = client.get(_url("proof_detail", proof.pk))
    assert proof.snapshot_sha256 in detail.text
    assert detail.context["verified"] == {"snapshot": True, "pdf": True, "xlsx": True}
    # The texts page no longer edits it.
    response = client.post(_url("proof_texts", proof.pk), {"goals": "Neu", "activities": "x"})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.texts["goals"] != "Neu"


def test_an_incomplete_proof_is_not_submitted_and_says_why(client, w):
    proof = draft(w, texts=None)
    response = _as(client, w.coordinator).post(_url("proof_submit", proof.pk), {"confirm": "on"})
    assert response.status_code == 400
    assert "fehler" in response.text
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.DRAFT


def test_the_downloads_of_a_submitted_proof_are_the_frozen_files(client, w):
    from ..services import proof_of_use_submit

    proof = proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    _as(client, w.funder)
    pdf = client.get(_url("proof_pdf", proof.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with proof.pdf.open("rb") as handle:
        assert b"".join(pdf.streaming_content) == handle.read()
    xlsx = client.get(_url("proof_xlsx", proof.pk))
    content = b"".join(xlsx.streaming_content)
    assert load_workbook(io.BytesIO(content)).sheetnames[2]


def test_a_draft_can_be_downloaded_as_spreadsheet(client, w):
    proof = draft(w)
    response = _as(client, w.coordinator).get(_url("proof_xlsx", proof.pk))
    assert response.status_code == 200
    assert "entwurf-" in response["Content-Disposition"]
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 3


def test_the_funder_reads_but_does_not_edit_or_submit(client, w):
    proof = draft(w)
    _as(client, w.funder)
    assert client.get(_url("proof_detail", proof.pk)).status_code == 200
    assert client.get(_url("proof_list", w.programme.slug)).status_code == 200
    assert client.get(_url("proof_texts", proof.pk)).status_code == 403
    assert client.post(_url("proof_submit", proof.pk), {"confirm": "on"}).status_code == 403
    assert client.post(_url("proof_list", w.programme.slug),
                       {"period": w.period.pk, "kind": "final"}).status_code == 403


def test_outsiders_applicants_and_strangers_are_refused(client, w):
    proof = draft(w)
    urls = [_url("proof_detail", proof.pk), _url("proof_pdf", proof.pk),
            _url("proof_list", w.programme.slug)]
    _as(client, w.outsider)
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.logout()
    client.force_login(w.applicant)
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.logout()
    assert all(client.get(u).url.startswith(reverse("accounts:staff_login")) for u in urls)
    _as(client, w.coordinator)
    assert client.get(_url("proof_detail", 99999)).status_code == 404


def test_the_back_office_home_shows_the_reports_due(client, personas):
    make_period(personas.programme, personas.coordinator, start=date(2026, 1, 1),
                end=date(2026, 12, 31))
    response = _as(client, personas.coordinator).get(_url("home"))
    assert response.status_code == 200
    (row,) = response.context["proof_deadlines"]
    assert row["deadline"].due_on == date(2027, 6, 30)
    assert "30.06.2027" in response.text
    assert _url("funder_dashboard", personas.programme.slug) in response.text
