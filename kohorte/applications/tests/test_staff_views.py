"""The staff back office of a call: call page, list, detail, override, download, export,
erasure. Every view also has its denied cases (the full grid is in
kohorte/core/tests/test_permission_matrix.py)."""

import csv
import io
from datetime import UTC, timedelta
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kohorte.applications import services
from kohorte.applications.models import Application, Call, CallModule, Eligibility
from kohorte.core import access
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _url(name, *args):
    return reverse(f"staff_applications:{name}", args=args)


@pytest.fixture
def world(personas):
    """Five applications of the personas' call, one of each kind the list must tell apart."""
    call, programme = personas.call, personas.programme
    year = call.funding_year
    w = personas
    w.tier1 = f.make_application(call, personas.applicant, submit=True,
                                 site=f.make_site(programme, funded_year=year, region_name="Fulda"),
                                 accessibility={"accessibility_needs": "Stufenloser Zugang bitte",
                                                "accessibility_consent": True})
    w.tier2 = f.make_application(call, personas.second_applicant, submit=True,
                                 site=f.make_site(None, region_name="Gießen"))
    w.ineligible = f.make_application(call, submit=True, employment_kind="volunteer",
                                      site=f.make_site(programme, funded_year=year,
                                                       region_name="Darmstadt-Dieburg"))
    w.draft = f.make_application(call)
    w.withdrawn = f.make_application(call, submit=True)
    services.application_withdraw(application=w.withdrawn, actor=w.withdrawn.applicant)
    return w


def _as(client, user):
    return f.login_staff(client, user)


# --- The call page, publish and close ------------------------------------------------

def _draft_call(programme):
    return f.make_call(programme, state=Call.State.DRAFT)


def test_the_call_page_offers_the_coordinator_to_publish_a_draft(client, personas):
    call = _draft_call(personas.programme)
    response = _as(client, personas.coordinator).get(_url("call_detail", call.pk))
    assert response.status_code == 200
    assert _url("call_publish", call.pk) in response.text
    assert _url("application_list", call.pk) in response.text


def test_a_reviewer_sees_the_call_page_without_its_actions(client, personas):
    call = _draft_call(personas.programme)
    response = _as(client, personas.reviewer).get(_url("call_detail", call.pk))
    assert response.status_code == 200
    assert _url("call_publish", call.pk) not in response.text
    assert _url("application_list", call.pk) not in response.text


def test_publishing_a_draft_call_is_audited(client, personas):
    call = _draft_call(personas.programme)
    response = _as(client, personas.coordinator).post(_url("call_publish", call.pk))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == Call.State.PUBLISHED
    entry = AuditEntry.objects.get(action="call.publish", object_id=str(call.pk))
    assert entry.actor == personas.coordinator


def test_a_call_without_module_dates_is_not_published_and_the_reason_is_shown(client, personas):
    call = _draft_call(personas.programme)
    CallModule.objects.filter(call=call).delete()
    response = _as(client, personas.coordinator).post(_url("call_publish", call.pk), follow=False)
    assert response.status_code == 409
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    call.refresh_from_db()
    assert call.state == Call.State.DRAFT
    assert not AuditEntry.objects.filter(action="call.publish").exists()


def test_closing_a_published_call_is_audited(client, personas):
    response = _as(client, personas.coordinator).post(_url("call_close", personas.call.pk))
    assert response.status_code == 302
    personas.call.refresh_from_db()
    assert personas.call.state == Call.State.CLOSED
    assert AuditEntry.objects.filter(action="call.close", actor=personas.coordinator).count() == 1


def test_closing_a_closed_call_again_is_refused(client, personas):
    services.call_close(call=personas.call, actor=personas.coordinator)
    response = _as(client, personas.coordinator).post(_url("call_close", personas.call.pk))
    assert response.status_code == 409
    assert AuditEntry.objects.filter(action="call.close").count() == 1


@pytest.mark.parametrize("role", ["reviewer", "funder", "admin", "outsider"])
def test_only_the_coordinator_may_publish_or_close(client, personas, role):
    call = _draft_call(personas.programme)
    _as(client, getattr(personas, role))
    assert client.post(_url("call_publish", call.pk)).status_code == 403
    assert client.post(_url("call_close", personas.call.pk)).status_code == 403
    call.refresh_from_db()
    personas.call.refresh_from_db()
    assert (call.state, personas.call.state) == (Call.State.DRAFT, Call.State.PUBLISHED)


def test_publishing_needs_a_post(client, personas):
    call = _draft_call(personas.programme)
    assert _as(client, personas.coordinator).get(_url("call_publish", call.pk)).status_code == 405


# --- The list ---------------------------------------------------------------------------

def _counts(response):
    counts = response.context["counts"]
    return ({value: n for value, _label, n in counts["states"]},
            {value: n for value, _label, n in counts["tiers"]})


def test_the_list_shows_every_application_with_counts_per_state_and_tier(client, world):
    response = _as(client, world.coordinator).get(_url("application_list", world.call.pk))
    assert response.status_code == 200
    states, tiers = _counts(response)
    assert states == {"draft": 1, "submitted": 3, "withdrawn": 1}
    # The withdrawn one was tier 1 when it was checked; the draft has no check yet.
    assert tiers == {"tier1": 2, "tier2": 1, "ineligible": 1, "none": 1}
    assert world.tier1.reference in response.text
    assert "Aylin Muster" in response.text


@pytest.mark.parametrize(("query", "expected"), [
    ({"state": "submitted"}, {"tier1", "tier2", "ineligible"}),
    ({"tier": "tier2"}, {"tier2"}),
    ({"tier": "none"}, {"draft"}),
    ({"district": "Darmstadt"}, {"ineligible"}),
    ({"state": "submitted", "district": "Kassel"}, {"tier1"}),
])
def test_the_list_filters_from_the_query_string(client, world, query, expected):
    response = _as(client, world.coordinator).get(_url("application_list", world.call.pk), query)
    assert response.status_code == 200
    shown = {a.pk for a in response.context["page"]}
    assert shown == {getattr(world, name).pk for name in expected}
    states, _tiers = _counts(response)
    assert sum(states.values()) == len(expected)


def test_the_list_filters_by_kreis_and_by_traeger(client, world):
    _as(client, world.coordinator)
    by_region = client.get(_url("application_list", world.call.pk), {"region": world.tier2.region_id})
    assert {a.pk for a in by_region.context["page"]} == {world.tier2.pk}
    by_organisation = client.get(_url("application_list", world.call.pk),
                                 {"organisation": world.ineligible.organisation_id})
    assert {a.pk for a in by_organisation.context["page"]} == {world.ineligible.pk}


def test_the_list_finds_an_application_by_its_reference(client, world):
    response = _as(client, world.coordinator).get(_url("application_list", world.call.pk),
                                                  {"q": world.tier2.reference})
    assert [a.pk for a in response.context["page"]] == [world.tier2.pk]


def test_an_unknown_filter_value_is_refused_with_a_message(client, world):
    response = _as(client, world.coordinator).get(_url("application_list", world.call.pk),
                                                  {"state": "accepted", "tier": "tier1"})
    assert response.status_code == 400
    assert response.context["form"].errors["state"]
    assert 'href="#id_state"' in response.text


def test_the_list_is_paginated_and_keeps_its_filters_in_the_page_links(client, personas):
    for _ in range(27):
        f.make_application(personas.call, release=False)
    _as(client, personas.coordinator)
    first = client.get(_url("application_list", personas.call.pk), {"state": "draft"})
    assert len(first.context["page"]) == 25
    assert "?state=draft&amp;page=2" in first.text
    second = client.get(_url("application_list", personas.call.pk), {"state": "draft", "page": 2})
    assert len(second.context["page"]) == 2
    assert second.context["counts"]["total"] == 27


def test_the_list_of_30_applications_runs_a_fixed_number_of_queries(
        client, personas, django_assert_max_num_queries):
    year = personas.call.funding_year
    for n in range(30):
        site = f.make_site(personas.programme, funded_year=year if n % 2 else None,
                           region_name=["Fulda", "Gießen", "Wiesbaden"][n % 3]
                           if n % 3 != 2 else "Darmstadt-Dieburg")
        f.make_application(personas.call, site=site, release=False, submit=n % 4 != 0)
    _as(client, personas.coordinator)
    url = _url("application_list", personas.call.pk)
    client.get(url)  # warm up: session and translations
    with django_assert_max_num_queries(15):
        response = client.get(url, {"state": "submitted"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 22
    with django_assert_max_num_queries(15):
        client.get(url, {"page": 2})


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "funder", "admin",
                                  "outsider"])
def test_the_list_is_denied_to_everyone_but_the_coordinator(client, personas, role):
    response = _as(client, getattr(personas, role)).get(_url("application_list", personas.call.pk))
    assert response.status_code == 403


def test_an_applicant_gets_403_and_a_stranger_the_staff_sign_in(client, personas):
    url = _url("application_list", personas.call.pk)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:staff_login"))
    client.force_login(personas.applicant)
    assert client.get(url).status_code == 403


def test_staff_without_their_second_factor_are_sent_to_the_sign_in(client, personas):
    client.force_login(personas.coordinator)  # password only, not verified
    response = client.get(_url("application_list", personas.call.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:staff_login"))


def test_a_missing_call_is_404(client, personas):
    assert _as(client, personas.coordinator).get(_url("application_list", 99999)).status_code == 404


# --- The detail page ----------------------------------------------------------------------

def test_the_detail_shows_answers_documents_eligibility_and_history(client, world):
    a = world.tier1
    response = _as(client, world.coordinator).get(_url("application_detail", a.pk))
    assert response.status_code == 200
    text = response.text
    assert "Quartiersmanagerin" in text and "B.A. Soziale Arbeit" in text
    assert "freistellung.pdf" in text
    assert _url("document_download", a.pk, a.documents.get().pk) in text
    assert response.context["eligibility"].tier == Eligibility.Tier.TIER_1
    assert escape(a.eligibility.reasons[0]["message"]) in text
    actions = [entry.action for entry in response.context["history"]]
    assert "application.submit" in actions and "eligibility.assess" in actions
    # The applicant's own download address is never offered to staff.
    applicant_url = reverse("applications:document_download", args=[a.pk, a.documents.get().pk])
    assert f'href="{applicant_url}"' not in text


def test_the_coordinator_sees_the_accessibility_needs(client, world):
    response = _as(client, world.coordinator).get(_url("application_detail", world.tier1.pk))
    assert "Stufenloser Zugang bitte" in response.text


def test_a_role_allowed_to_read_applications_still_does_not_see_health_data(
        client, world, monkeypatch):
    """If the matrix ever lets reviewers read an application, the needs stay hidden."""
    widened = dict(access.matrix())
    widened[("application", "view")] = widened[("application", "view")] | {"reviewer"}
    monkeypatch.setattr(access, "matrix", lambda: widened)
    response = _as(client, world.reviewer).get(_url("application_detail", world.tier1.pk))
    assert response.status_code == 200
    assert "Stufenloser Zugang bitte" not in response.text


@pytest.mark.parametrize("role", ["reviewer", "funder", "admin", "outsider"])
def test_the_detail_is_denied_to_other_roles(client, world, role):
    response = _as(client, getattr(world, role)).get(_url("application_detail", world.tier1.pk))
    assert response.status_code == 403
    assert "Stufenloser Zugang bitte" not in response.text


def test_a_missing_application_is_404(client, personas):
    assert _as(client, personas.coordinator).get(_url("application_detail", 424242)).status_code == 404


# --- The eligibility override --------------------------------------------------------------

def test_an_override_needs_a_reason_and_nothing_changes_without_one(client, world):
    url = _url("eligibility_override", world.tier2.pk)
    response = _as(client, world.coordinator).post(url, {"tier": "tier1", "reason": "   "})
    assert response.status_code == 400
    assert response.context["override_form"].errors["reason"]
    world.tier2.eligibility.refresh_from_db()
    assert world.tier2.eligibility.tier == Eligibility.Tier.TIER_2
    assert not AuditEntry.objects.filter(action="eligibility.override").exists()


def test_an_override_with_its_reason_sets_the_tier_and_is_audited(client, world):
    url = _url("eligibility_override", world.tier2.pk)
    response = _as(client, world.coordinator).post(
        url, {"tier": "tier1", "reason": "Der Standort wird seit März gefördert."})
    assert response.status_code == 302
    check = Eligibility.objects.get(application=world.tier2)
    assert (check.tier, check.computed_tier, check.override_by) == (
        "tier1", "tier2", world.coordinator)
    entry = AuditEntry.objects.get(action="eligibility.override")
    assert entry.reason == "Der Standort wird seit März gefördert."
    assert entry.data == {"from": "tier2", "to": "tier1"}
    detail = client.get(_url("application_detail", world.tier2.pk))
    assert "Der Standort wird seit März gefördert." in detail.text


def test_an_override_with_an_unknown_tier_is_refused(client, world):
    response = _as(client, world.coordinator).post(
        _url("eligibility_override", world.tier2.pk), {"tier": "tier0", "reason": "Weil"})
    assert response.status_code == 400
    assert Eligibility.objects.get(application=world.tier2).override_tier == ""


def test_a_draft_has_no_eligibility_to_override(client, world):
    response = _as(client, world.coordinator).post(
        _url("eligibility_override", world.draft.pk), {"tier": "tier1", "reason": "Weil"})
    assert response.status_code == 400
    assert not Eligibility.objects.filter(application=world.draft).exists()


@pytest.mark.parametrize("role", ["reviewer", "admin", "outsider"])
def test_only_the_coordinator_may_override(client, world, role):
    response = _as(client, getattr(world, role)).post(
        _url("eligibility_override", world.tier2.pk), {"tier": "tier1", "reason": "Weil"})
    assert response.status_code == 403
    assert Eligibility.objects.get(application=world.tier2).override_tier == ""


# --- Documents ------------------------------------------------------------------------------

def test_the_coordinator_downloads_a_document_as_an_attachment(client, world):
    document = world.tier1.documents.get()
    response = _as(client, world.coordinator).get(
        _url("document_download", world.tier1.pk, document.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="freistellung.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == f.PDF_BYTES


@pytest.mark.parametrize("role", ["reviewer", "funder", "outsider", "admin"])
def test_a_document_is_denied_to_other_roles(client, world, role):
    document = world.tier1.documents.get()
    response = _as(client, getattr(world, role)).get(
        _url("document_download", world.tier1.pk, document.pk))
    assert response.status_code in (403, 404)


def test_a_document_is_not_found_under_another_application(client, world):
    document = world.tier1.documents.get()
    response = _as(client, world.coordinator).get(
        _url("document_download", world.tier2.pk, document.pk))
    assert response.status_code == 404


def test_an_applicant_cannot_use_the_staff_download(client, world):
    document = world.tier1.documents.get()
    client.force_login(world.applicant)
    assert client.get(_url("document_download", world.tier1.pk, document.pk)).status_code == 403


# --- Exports -----------------------------------------------------------------------------------

def _csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_export_holds_the_filtered_list_with_all_columns(client, world):
    response = _as(client, world.coordinator).get(
        _url("application_export", world.call.pk, "csv"), {"state": "submitted"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = _csv_rows(response)
    assert len(header) == 16
    assert {row[0] for row in rows} == {world.tier1.reference, world.tier2.reference,
                                        world.ineligible.reference}
    row = next(r for r in rows if r[0] == world.tier1.reference)
    assert row[2:5] == ["Aylin", "Muster", "applicant@example.org"]
    assert row[7].startswith("Fulda") and row[8] == "Kassel"
    assert row[9] == "Quartiersmanagerin"
    assert row[10] == "30,0"  # German decimal comma
    local = timezone.localtime(world.tier1.submitted_at)
    assert row[15] == local.strftime("%d.%m.%Y %H:%M")
    ineligible = next(r for r in rows if r[0] == world.ineligible.reference)
    assert "hauptamtlich" in ineligible[14]


def test_the_export_gives_submission_times_in_berlin_time(client, personas):
    summer = f.aware(2026, 7, 1, 9, 30)  # 07:30 UTC
    call = f.make_call(personas.programme, now=summer)
    a = f.make_application(call, now=summer, submit=True)
    response = _as(client, personas.coordinator).get(_url("application_export", call.pk, "csv"))
    _header, row = _csv_rows(response)
    assert a.submitted_at.astimezone(UTC).hour == 7
    assert row[15] == "01.07.2026 09:30"


def test_exports_defuse_values_a_spreadsheet_would_run_as_formulas(client, personas):
    f.make_application(personas.call, submit=True,
                       contact={"first_name": "=HYPERLINK(\"http://x\")", "last_name": "+49 123",
                                "phone": ""},
                       employment={"job_title": "@SUM(A1)"})
    _as(client, personas.coordinator)
    _header, row = _csv_rows(client.get(_url("application_export", personas.call.pk, "csv")))
    assert row[2] == "'=HYPERLINK(\"http://x\")"
    assert row[3] == "'+49 123"
    assert row[9] == "'@SUM(A1)"
    xlsx = client.get(_url("application_export", personas.call.pk, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for cell in sheet[2]]
    assert values[2] == "'=HYPERLINK(\"http://x\")"
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert values[9] == "'@SUM(A1)"


def test_the_xlsx_export_reads_back_with_numbers_and_times(client, world):
    response = _as(client, world.coordinator).get(
        _url("application_export", world.call.pk, "xlsx"), {"tier": "tier2"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == world.tier2.reference
    assert row[4] == "second@example.org"
    assert row[8] == "Gießen"
    assert float(row[10]) == 30.0
    expected = timezone.localtime(world.tier2.submitted_at).replace(tzinfo=None, microsecond=0)
    assert abs(row[15] - expected) < timedelta(seconds=1)


def test_an_export_is_audited_without_its_rows(client, world):
    _as(client, world.coordinator).get(_url("application_export", world.call.pk, "csv"),
                                       {"q": "Muster"})
    entry = AuditEntry.objects.get(action="application.export")
    assert entry.data == {"format": "csv", "rows": 5, "filters": ["q"]}
    assert "Muster" not in str(entry.data)


def test_an_unknown_export_format_is_404(client, world):
    response = _as(client, world.coordinator).get(_url("application_export", world.call.pk, "pdf"))
    assert response.status_code == 404


def test_an_export_with_a_bad_filter_is_refused_and_not_audited(client, world):
    response = _as(client, world.coordinator).get(
        _url("application_export", world.call.pk, "csv"), {"tier": "gold"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="application.export").exists()


@pytest.mark.parametrize("role", ["reviewer", "funder", "admin", "outsider"])
def test_the_export_is_denied_to_other_roles(client, world, role):
    response = _as(client, getattr(world, role)).get(
        _url("application_export", world.call.pk, "csv"))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="application.export").exists()


# --- Erasure -----------------------------------------------------------------------------------

def test_erasing_without_a_request_needs_a_reason_and_a_confirmation(client, world):
    url = _url("application_erase", world.withdrawn.pk)
    _as(client, world.coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reason", "confirm"}
    assert Application.objects.filter(pk=world.withdrawn.pk).exists()


def test_erasing_deletes_the_application_and_audits_the_reason(client, world):
    url = _url("application_erase", world.withdrawn.pk)
    response = _as(client, world.coordinator).post(
        url, {"reason": "Zurückgezogen, keine Aufbewahrungspflicht", "confirm": "on"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=world.withdrawn.pk).exists()
    entry = AuditEntry.objects.get(action="application.erase")
    assert entry.reason == "Zurückgezogen, keine Aufbewahrungspflicht"
    assert entry.actor == world.coordinator


def test_a_request_for_erasure_is_refused_only_with_the_retention_duty(client, world):
    services.application_erasure_request(application=world.tier2, actor=world.second_applicant)
    url = _url("application_erase", world.tier2.pk)
    _as(client, world.coordinator)
    refused = client.post(url, {"decision": "refuse", "reason": ""})
    assert refused.status_code == 400
    assert not OutboxMail.objects.filter(template="erasure_refused").exists()
    response = client.post(url, {"decision": "refuse",
                                 "reason": "Nachweis der Verwendung (5 Jahre)"})
    assert response.status_code == 302
    world.tier2.refresh_from_db()
    assert world.tier2.erasure_refused_at is not None
    assert OutboxMail.objects.filter(template="erasure_refused", to="second@example.org").exists()


def test_a_request_for_erasure_is_answered_by_erasing(client, world):
    services.application_erasure_request(application=world.tier2, actor=world.second_applicant)
    response = _as(client, world.coordinator).post(
        _url("application_erase", world.tier2.pk), {"decision": "erase"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=world.tier2.pk).exists()
    assert OutboxMail.objects.filter(template="erasure_done").exists()


@pytest.mark.parametrize("role", ["reviewer", "admin", "outsider"])
def test_erasing_is_denied_to_other_roles(client, world, role):
    response = _as(client, getattr(world, role)).post(
        _url("application_erase", world.withdrawn.pk), {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    assert Application.objects.filter(pk=world.withdrawn.pk).exists()


# --- Page structure (WCAG basics every back-office page must meet) -------------------------

class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.inline_scripts = 0
        self.styles = 0
        self.fields, self.labels = [], set()
        self.tables, self.captions = 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.h1 += tag == "h1"
        self.inline_scripts += tag == "script" and "src" not in attrs
        self.styles += "style" in attrs or tag == "style"
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
                "hidden", "submit"):
            self.fields.append(attrs.get("id"))


def _pages(w):
    a = w.tier1
    return [
        reverse("backoffice:home"),
        reverse("backoffice:call_figures", args=[w.call.pk]),
        _url("call_detail", w.call.pk),
        _url("application_list", w.call.pk),
        _url("application_detail", a.pk),
        _url("application_erase", a.pk),
        reverse("audit:log", args=[w.programme.slug]),
        reverse("notifications:outbox"),
        reverse("notifications:mail_detail", args=[OutboxMail.objects.first().pk]),
        reverse("accounts:staff_security"),
        reverse("accounts:staff_totp_setup"),
        reverse("accounts:staff_recovery_codes"),
        reverse("accounts:staff_password_change"),
    ]


def test_every_back_office_page_has_one_h1_labelled_fields_and_no_inline_code(client, world):
    _as(client, world.coordinator)
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        page = _Structure()
        page.feed(response.content.decode())
        assert page.h1 == 1, url
        assert page.inline_scripts == 0 and page.styles == 0, url
        assert all(field in page.labels for field in page.fields), (url, page.fields)
        assert page.captions == page.tables, url
