"""Bad input on the steps of the form: a clear message, status 400, nothing stored."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kohorte.applications.models import Application, Document
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f

from .test_journey import MOTIVATION, english_client, pdf_upload, step_posts, step_url

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def draft(personas):
    """A fresh draft with no answers yet, and its owner's client."""
    from kohorte.applications import services

    application = services.application_start(call=personas.call, applicant=personas.applicant)
    return application, english_client(personas.applicant)


def _snapshot(application):
    """Everything a refused step must leave as it was."""
    row = Application.objects.filter(pk=application.pk).values().get()
    row.pop("updated_at")
    return row, Document.objects.count(), AuditEntry.objects.count()


def _refused(client, application, step, data, *, field=None, message=None):
    before = _snapshot(application)
    response = client.post(step_url(application, step), data)
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert "kohorte-error-summary" in html
    if field:
        # The summary links to the field itself (the first option of a radio group).
        target = next(t for t in (f"id_{field}", f"id_{field}_0") if f'href="#{t}"' in html)
        assert f'id="{target}"' in html
    if message:
        assert message in html
    assert _snapshot(application) == before
    return html


@pytest.mark.parametrize("data, field, message", [
    ({"first_name": "", "last_name": "Muster"}, "first_name", "This field is required."),
    ({"first_name": "A" * 101, "last_name": "Muster"}, "first_name", "at most 100 characters"),
    ({"first_name": "Aylin", "last_name": "M" * 101}, "last_name", "at most 100 characters"),
    ({"first_name": "Ay\x1blin", "last_name": "Muster"}, "first_name", "control characters"),
    ({"first_name": "Aylin", "last_name": "Mus\x00ter"}, "last_name", "Null characters"),
    ({"first_name": "Aylin", "last_name": "Muster", "phone": "0661\x07"}, "phone",
     "control characters"),
])
def test_the_contact_step_refuses_bad_names(draft, data, field, message):
    application, client = draft
    _refused(client, application, "contact", data, field=field, message=message)


def test_names_of_exactly_100_characters_are_accepted(draft):
    application, client = draft
    response = client.post(step_url(application, "contact"),
                           {"first_name": "A" * 100, "last_name": "Ölçer-Muster"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.first_name == "A" * 100 and application.last_name == "Ölçer-Muster"


def test_line_breaks_and_tabs_are_allowed_in_long_text(draft):
    application, client = draft
    text = "Erste Zeile mit Gedanken zur Arbeit im Quartier.\r\n\tZweite Zeile, eingerückt, mit mehr."
    assert client.post(step_url(application, "motivation"), {"motivation": text}).status_code == 302
    application.refresh_from_db()
    assert "\tZweite" in application.motivation


@pytest.mark.parametrize("text, message", [
    ("x" * 3001, "at most 3000 characters"),
    ("zu kurz", "at least 50 characters"),
    ("", "This field is required."),
    ("Motivation " * 5 + "\x1b[2J", "control characters"),
])
def test_the_motivation_step_refuses_bad_text(draft, text, message):
    application, client = draft
    _refused(client, application, "motivation", {"motivation": text}, field="motivation",
             message=message)


def test_a_motivation_of_exactly_3000_characters_is_accepted(draft):
    application, client = draft
    assert client.post(step_url(application, "motivation"),
                       {"motivation": "m" * 3000}).status_code == 302
    application.refresh_from_db()
    assert len(application.motivation) == 3000


def test_the_employment_step_needs_a_site_or_a_named_place_employer_and_kreis(draft):
    application, client = draft
    data = step_posts(f.make_site())["employment"] | {"site": ""}
    html = _refused(client, application, "employment", data, field="site_other")
    assert 'href="#id_organisation_other"' in html and 'href="#id_region"' in html


def test_the_employment_step_shows_the_saved_site_and_kreis_without_reading_them_again(
        draft, django_assert_max_num_queries):
    application, client = draft
    site = f.make_site()
    assert client.post(step_url(application, "employment"),
                       step_posts(site)["employment"]).status_code == 302
    # Session, person, application, then the two lists: the saved site, Träger and
    # Kreis are not read one by one as well.
    with django_assert_max_num_queries(5):
        html = client.get(step_url(application, "employment")).content.decode()
    assert f'<option value="{site.pk}" selected>' in html
    assert f'<option value="{site.region_id}" selected>' in html


def test_the_employment_lists_name_each_site_and_kreis_as_their_objects_do(draft):
    # The lists are read as rows (forms.RowChoiceField), not as objects: same texts.
    from kohorte.applications.forms import EmploymentForm
    from kohorte.programmes.models import Region, Site

    application, _client = draft
    f.make_site()
    Region.objects.create(name="Kassel", kind="Landkreis", district="Kassel")
    form = EmploymentForm(call=application.call)
    sites = Site.objects.select_related("organisation").order_by("municipality", "name")
    assert list(form.fields["site"].choices)[1:] == [
        (site.pk, f"{site.municipality}: {site.name} ({site.organisation.name})")
        for site in sites]
    regions = form.fields["region"].queryset
    assert list(form.fields["region"].choices) == [("", "---------")] + [
        (region.pk, str(region)) for region in regions]
    assert any("(Landkreis)" in label for _pk, label in form.fields["region"].choices)
    assert len(form.fields["region"].choices) == regions.count() + 1


def test_a_step_is_saved_in_one_transaction_without_a_savepoint_inside(draft):
    # The test's own transaction makes the service's transaction a savepoint here: one,
    # not a second one for a transaction around it (two round trips each on PostgreSQL).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application, client = draft
    with CaptureQueriesContext(connection) as queries:
        response = client.post(step_url(application, "contact"),
                               {"first_name": "Aylin", "last_name": "Muster"})
    assert response.status_code == 302
    savepoints = [q["sql"] for q in queries.captured_queries
                  if q["sql"].upper().startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints


@pytest.mark.parametrize("hours", ["0", "60.5", "-3", "viel", "1e3"])
def test_the_employment_step_refuses_impossible_weekly_hours(draft, hours):
    application, client = draft
    data = step_posts(f.make_site())["employment"] | {"weekly_hours": hours}
    _refused(client, application, "employment", data, field="weekly_hours")


def test_the_employment_step_refuses_a_site_that_does_not_exist(draft):
    application, client = draft
    data = step_posts(f.make_site())["employment"] | {"site": "999999"}
    _refused(client, application, "employment", data, field="site")


def test_weekly_hours_are_read_with_a_german_decimal_comma(draft):
    application, _client = draft
    client = Client()  # German, the default
    client.force_login(application.applicant)
    data = step_posts(f.make_site())["employment"] | {"weekly_hours": "19,5"}
    assert client.post(step_url(application, "employment"), data).status_code == 302
    application.refresh_from_db()
    assert str(application.weekly_hours) == "19.5"


def test_the_commitment_step_needs_an_answer(draft):
    application, client = draft
    _refused(client, application, "commitment", {"commits_to_all_modules": "vielleicht"},
             field="commits_to_all_modules")
    _refused(client, application, "commitment", {}, field="commits_to_all_modules")


def test_answering_no_to_the_commitment_is_stored_as_a_no(draft):
    application, client = draft
    assert client.post(step_url(application, "commitment"),
                       {"commits_to_all_modules": "no"}).status_code == 302
    application.refresh_from_db()
    assert application.commits_to_all_modules is False
    assert "commitment" in application.steps_done


def test_the_privacy_step_needs_the_tick(draft):
    application, client = draft
    _refused(client, application, "privacy", {}, field="acknowledged")
    assert client.post(step_url(application, "privacy"), {"acknowledged": "on"}).status_code == 302
    application.refresh_from_db()
    assert application.privacy_acknowledged_at is not None


# --- The employer release: judged by content, at most 10 MB ---------------------------

def _upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("name, content", [
    ("freistellung.pdf", b"<html><script>alert(1)</script></html>"),
    ("freistellung.pdf", b"MZ\x90\x00\x03\x00\x00\x00 ein Programm"),
    ("freistellung.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("brief.docx", b"PK\x03\x04" + b"\x00" * 100),
    ("freistellung.jpg", b"Nur Text, kein Bild"),
])
def test_a_file_that_is_not_pdf_jpeg_or_png_by_content_is_refused(draft, tmp_path, name, content):
    application, client = draft
    _refused(client, application, "release", {"document": _upload(name, content)},
             message="Please upload a PDF, JPEG or PNG file.")
    assert not (tmp_path / "private" / "documents").exists() or not any(
        p.is_file() for p in (tmp_path / "private" / "documents").rglob("*"))


def test_a_file_one_byte_over_10_mb_is_refused(draft, tmp_path):
    application, client = draft
    content = f.PDF_BYTES + b"\x00" * (TEN_MB + 1 - len(f.PDF_BYTES))
    assert len(content) == TEN_MB + 1
    _refused(client, application, "release", {"document": _upload("gross.pdf", content)},
             message="larger than 10 MB")
    stored = tmp_path / "private" / "documents"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_a_file_of_exactly_10_mb_is_accepted(draft):
    application, client = draft
    content = f.PDF_BYTES + b"\x00" * (TEN_MB - len(f.PDF_BYTES))
    response = client.post(step_url(application, "release"),
                           {"document": _upload("genau.pdf", content)})
    assert response.status_code == 302
    document = application.documents.get()
    assert document.size == TEN_MB and document.content_type == "application/pdf"


def test_an_empty_file_is_refused(draft):
    application, client = draft
    _refused(client, application, "release", {"document": _upload("leer.pdf", b"")},
             field="document")


@pytest.mark.parametrize("name, content, expected", [
    ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64, "image/jpeg"),
    ("scan.png", f.PNG_BYTES, "image/png"),
    # The name does not matter either way: a PDF named .txt is still a PDF.
    ("brief.txt", f.PDF_BYTES, "application/pdf"),
])
def test_pdf_jpeg_and_png_are_recognised_by_their_content(draft, name, content, expected):
    application, client = draft
    response = client.post(step_url(application, "release"),
                           {"document": _upload(name, content, "application/octet-stream")})
    assert response.status_code == 302
    assert application.documents.get().content_type == expected


# --- Accessibility needs: only with explicit consent --------------------------------

def test_accessibility_needs_without_consent_are_refused(draft):
    application, client = draft
    _refused(client, application, "accessibility",
             {"accessibility_needs": "Gebärdensprachdolmetschung"},
             field="accessibility_consent", message="Please agree, or leave the field above empty.")


def test_accessibility_needs_with_consent_are_stored_with_the_time_of_consent(draft):
    application, client = draft
    response = client.post(step_url(application, "accessibility"),
                           {"accessibility_needs": "Gebärdensprachdolmetschung",
                            "accessibility_consent": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.accessibility_needs == "Gebärdensprachdolmetschung"
    assert application.accessibility_consent_at is not None


def test_no_accessibility_needs_need_no_consent_and_record_none(draft):
    application, client = draft
    assert client.post(step_url(application, "accessibility"),
                       {"accessibility_needs": ""}).status_code == 302
    application.refresh_from_db()
    assert application.accessibility_needs == ""
    assert application.accessibility_consent_at is None
    assert "accessibility" in application.steps_done


def test_removing_the_needs_also_removes_the_consent(draft):
    application, client = draft
    url = step_url(application, "accessibility")
    client.post(url, {"accessibility_needs": "Rollstuhl", "accessibility_consent": "on"})
    client.post(url, {"accessibility_needs": "", "accessibility_consent": "on"})
    application.refresh_from_db()
    assert application.accessibility_needs == "" and application.accessibility_consent_at is None


def test_the_service_also_refuses_needs_without_consent(draft):
    from django.core.exceptions import ValidationError

    from kohorte.applications import services

    application, _client = draft
    with pytest.raises(ValidationError):
        services.application_save_step(application=application, step="accessibility",
                                       data={"accessibility_needs": "Rollstuhl"},
                                       actor=application.applicant)
    application.refresh_from_db()
    assert application.accessibility_needs == "" and "accessibility" not in application.steps_done


def test_accessibility_needs_never_reach_mails_or_the_audit_log(personas):
    needs = "Gebärdensprachdolmetschung benötigt"
    application = f.make_application(
        personas.call, personas.applicant, submit=True,
        accessibility={"accessibility_needs": needs, "accessibility_consent": True})
    assert application.accessibility_needs == needs
    from kohorte.notifications.models import OutboxMail

    for mail in OutboxMail.objects.all():
        assert needs not in mail.body and needs not in mail.subject
    for entry in AuditEntry.objects.all():
        assert needs not in str(entry.data) and needs not in entry.reason


def test_a_step_posted_again_overwrites_the_draft(draft):
    application, client = draft
    url = step_url(application, "motivation")
    client.post(url, {"motivation": MOTIVATION})
    client.post(url, {"motivation": MOTIVATION + " Und mehr."})
    application.refresh_from_db()
    assert application.motivation.endswith("Und mehr.")
    assert application.steps_done.count("motivation") == 1


def test_a_refused_upload_in_a_valid_step_leaves_the_draft_as_it_was(draft):
    application, client = draft
    client.post(step_url(application, "release"), {"document": pdf_upload()})
    before = application.documents.count()
    _refused(client, application, "release",
             {"document": _upload("x.pdf", b"<html></html>"), "release_later": "on"})
    assert application.documents.count() == before


def test_the_german_form_is_the_default(draft):
    application, _client = draft
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(application.applicant)
    response = client.get(step_url(application, "contact"))
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()
    assert settings.LANGUAGE_CODE == "de"


def test_the_step_pages_need_a_signed_in_person(draft):
    application, _client = draft
    response = Client().get(step_url(application, "contact"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
