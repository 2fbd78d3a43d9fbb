"""The public pages: start page with Leichte Sprache and DGS, calls, legal texts, language."""

from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kohorte.applications.models import Call
from kohorte.core.models import AccessibilityFeedback, AuditEntry, SiteText
from kohorte.core.tests import factories as f

pytestmark = pytest.mark.django_db

NOW = f.day_time(date(2026, 10, 30), time(12, 0))
CLOSES_AT = f.day_time(date(2026, 11, 2), time(23, 59))  # a Monday


def english_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def call(time_machine):
    time_machine.move_to(NOW, tick=False)
    return f.make_call(now=NOW, opens_at=NOW - timedelta(days=20), closes_at=CLOSES_AT,
                       title="Qualifizierung Gemeinwesenarbeit 2026/27",
                       description="## Worum es geht\n\nAcht **Bausteine** in Fulda und Wiesbaden.")


def _german_catalogue_translates(msgid):
    """Whether the compiled German catalogue has this text (it is translated separately)."""
    with translation.override("de"):
        return translation.gettext(msgid) != msgid


# --- Start page ------------------------------------------------------------------------

def test_the_start_page_has_the_leichte_sprache_section_and_a_place_for_the_dgs_video(call):
    response = Client().get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="leichte-sprache"' in html and "Leichte Sprache" in html
    assert "Die Weiterbildung kostet für Sie nichts." in html
    assert 'id="gebaerdensprache"' in html
    assert "<video" not in html  # no video yet: the place says one will come


def test_the_start_page_shows_the_sign_language_video_once_it_is_set(call):
    SiteText.objects.filter(key=SiteText.Key.EASY_LANGUAGE).update(
        sign_language_video="/static/video/dgs.mp4")
    html = Client().get(reverse("core:home")).content.decode()
    assert '<video controls preload="none" src="/static/video/dgs.mp4"' in html


def test_the_start_page_lists_open_calls_only(call):
    draft = f.make_call(now=NOW, state=Call.State.DRAFT, title="Noch nicht veröffentlicht")
    html = Client().get(reverse("core:home")).content.decode()
    assert call.title in html
    assert draft.title not in html


def test_the_leichte_sprache_stays_german_in_the_english_interface(call):
    html = english_client().get(reverse("core:home")).content.decode()
    assert '<section aria-labelledby="leichte-sprache" class="kohorte-section" lang="de">' in html
    assert "Die Weiterbildung kostet für Sie nichts." in html


# --- Calls ----------------------------------------------------------------------------------

def test_the_call_list_shows_published_and_closed_calls_but_no_drafts(call):
    closed = f.make_call(now=NOW - timedelta(days=400), state=Call.State.CLOSED,
                         title="Durchgang 2025/26")
    draft = f.make_call(now=NOW, state=Call.State.DRAFT, title="Entwurf")
    html = english_client().get(reverse("applications:call_list")).content.decode()
    assert call.title in html and closed.title in html
    assert draft.title not in html


def test_the_call_page_says_the_deadline_in_words(call):
    response = english_client().get(call.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 days left" in html
    assert "Monday, 2. November 2026, 23:59" in html
    assert "<h2>Worum es geht</h2>" not in html and "<h3>Worum es geht</h3>" in html
    assert "<strong>Bausteine</strong>" in html
    assert html.count("Baustein ") >= 8  # the module dates


def test_the_call_page_names_the_partners_lists_the_modules_in_order_and_links_ones_own_application(
        call, django_assert_num_queries):
    from kohorte.programmes.models import Institution

    programme = call.programme
    programme.partners.add(Institution.objects.create(name="Hochschule RheinMain"))
    html = english_client().get(call.get_absolute_url()).content.decode()
    lead = programme.lead_institution.name
    assert f"{lead}, Hochschule RheinMain</dd>" in html  # the lead once, then the partners
    modules = list(call.modules.order_by("position"))
    assert len(modules) >= 2
    positions = [html.index(f"{m.position}. {m.title}</th>") for m in modules]
    assert positions == sorted(positions)
    person = f.make_applicant()
    application = f.make_application(call, person)
    client = english_client()
    client.force_login(person)
    # Session with the person, the call with its programme, the modules, the
    # partners, the person's application.
    with django_assert_num_queries(5):
        html = client.get(call.get_absolute_url()).content.decode()
    assert reverse("applications:application_detail", args=[application.pk]) in html
    assert reverse("applications:apply_start", args=[call.slug]) not in html


def test_the_employer_release_template_is_downloaded_from_a_public_call_only(call):
    from django.core.files.base import ContentFile

    url = reverse("applications:call_release_template", args=[call.slug])
    assert Client().get(url).status_code == 404  # the call has no template
    call.release_template.save("vorlage.pdf", ContentFile(f.PDF_BYTES), save=False)
    call.release_template_name = "Freistellung-Vorlage.pdf"
    call.save(update_fields=["release_template", "release_template_name"])
    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF_BYTES
    assert 'filename="Freistellung-Vorlage.pdf"' in response["Content-Disposition"]
    Call.objects.filter(pk=call.pk).update(state=Call.State.DRAFT)
    assert Client().get(url).status_code == 404


@pytest.mark.skipif(not _german_catalogue_translates("Deadline"),
                    reason="the German catalogue has no translation of the call page yet")
def test_in_german_the_call_page_says_noch_3_tage(call):
    html = Client().get(call.get_absolute_url()).content.decode()
    assert "noch 3 Tage" in html


def test_the_call_page_of_a_past_deadline_says_so_and_offers_no_application(call,
                                                                            time_machine):
    time_machine.move_to(CLOSES_AT + timedelta(minutes=1), tick=False)
    html = english_client().get(call.get_absolute_url()).content.decode()
    assert "The deadline has passed." in html
    assert reverse("applications:apply_start", args=[call.slug]) not in html


def test_draft_and_unknown_calls_are_not_found(call):
    draft = f.make_call(now=NOW, state=Call.State.DRAFT)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert Client().get(reverse("applications:call_detail", args=["gibt-es-nicht"])).status_code == 404


def test_coordinator_markdown_on_the_call_page_cannot_run_scripts(call):
    call.description = "Hallo <script>alert(1)</script> [Link](javascript:alert(2))"
    call.save(update_fields=["description"])
    html = Client().get(call.get_absolute_url()).content.decode()
    assert "alert(1)" not in html and "javascript:" not in html


# --- Legal texts and the accessibility feedback ----------------------------------------

@pytest.mark.parametrize("name, german, english", [
    ("core:privacy", "Wer ist verantwortlich?", "Who is responsible?"),
    ("core:imprint", "Angaben zum Anbieter", None),
    ("core:accessibility", "WCAG", None),
])
def test_the_legal_pages_show_their_texts(db, name, german, english):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    assert german in response.content.decode()
    if english:
        assert english in english_client().get(reverse(name)).content.decode()


def test_the_accessibility_statement_has_a_feedback_form_that_stores_feedback(db):
    client = english_client()
    page = client.get(reverse("core:accessibility")).content.decode()
    assert 'name="message"' in page and "within six weeks" in page
    response = client.post(reverse("core:accessibility"), {
        "page": "/ausschreibungen/", "message": "Der Kontrast der Buttons ist zu schwach.",
        "email": "hinweis@example.org"})
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "Der Kontrast der Buttons ist zu schwach."
    assert feedback.page == "/ausschreibungen/" and feedback.email == "hinweis@example.org"
    assert AuditEntry.objects.filter(action="accessibility_feedback.receive").count() == 1
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you. We have received your message." in thanks


def test_feedback_without_e_mail_is_welcome(db):
    response = english_client().post(reverse("core:accessibility"),
                                      {"message": "Bilder ohne Alternativtext."})
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().email == ""


@pytest.mark.parametrize("data", [
    {"message": ""},
    {"message": "x" * 5001},
    {"message": "Text\x1b[2J"},
    {"message": "Text", "email": "keine-adresse"},
])
def test_bad_feedback_is_refused_with_the_error_summary_and_not_stored(db, data):
    response = english_client().post(reverse("core:accessibility"), data)
    assert response.status_code == 400
    assert "kohorte-error-summary" in response.content.decode()
    assert not AccessibilityFeedback.objects.exists()


# --- Language: German first, English one click away -----------------------------------------

def test_pages_are_german_even_when_the_browser_asks_for_english(call):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    response = client.get(call.get_absolute_url())
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    # Django's own German month and day names show the active language.
    assert "Montag, 2. November 2026" in html
    assert "Monday" not in html


def test_english_is_chosen_through_setlang_and_kept(call):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = client.post("/i18n/setlang/", {"language": "en", "next": call.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(call.get_absolute_url())
    html = page.content.decode()
    assert page["Content-Language"] == "en" and '<html lang="en">' in html
    assert "Monday, 2. November 2026" in html
    assert "3 days left" in html
    # And back to German.
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert '<html lang="de">' in client.get(reverse("core:home")).content.decode()


def test_setlang_refuses_a_foreign_next_address(db):
    response = Client().post("/i18n/setlang/", {"language": "en",
                                                "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_an_unknown_language_cookie_falls_back_to_german(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("core:home"))
    assert response["Content-Language"] == "de"


def test_every_page_offers_the_language_switch(db):
    html = Client().get(reverse("core:home")).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
