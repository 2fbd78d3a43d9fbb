"""The applicant's whole way, driven through the views as a browser would.

Also home of the valid answers per step (``step_posts``) that the other view tests use.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kohorte.accounts.models import User
from kohorte.applications import services
from kohorte.applications.models import Application, Document
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

MOTIVATION = ("Ich möchte Beteiligung im Quartier methodisch sicherer gestalten und "
              "Netzwerke mit Trägern und Verwaltung besser moderieren.")


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def english_client(user=None, **kwargs):
    """A client that reads the English source texts (the German catalogue may change)."""
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def pdf_upload(name="freistellung.pdf"):
    return SimpleUploadedFile(name, f.PDF_BYTES, content_type="application/pdf")


def step_posts(site, **overrides):
    """Valid form data for every step, as the browser posts it."""
    posts = {
        "contact": {"first_name": "Aylin", "last_name": "Muster", "phone": "0661 12345"},
        "employment": {"site": str(site.pk), "site_other": "", "organisation_other": "",
                       "region": "", "job_title": "Quartiersmanagerin", "weekly_hours": "19.5",
                       "employment_kind": "paid", "employed_since": "2022-03-01"},
        "qualification": {"qualification": "social_work",
                          "qualification_detail": "B.A. Soziale Arbeit"},
        "motivation": {"motivation": MOTIVATION},
        "commitment": {"commits_to_all_modules": "yes"},
        "release": {"document": pdf_upload()},
        "accessibility": {"accessibility_needs": "Stufenloser Zugang zu den Räumen",
                          "accessibility_consent": "on"},
        "privacy": {"acknowledged": "on"},
    }
    for step, data in overrides.items():
        posts[step] = {**posts[step], **data}
    return posts


def step_url(application, step):
    return reverse("applications:apply_step", args=[application.pk, step])


def fill_in_all_steps(client, application, site, **overrides):
    for step, data in step_posts(site, **overrides).items():
        response = client.post(step_url(application, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])


def test_the_whole_way_from_the_sign_in_link_to_the_reference_number(personas):
    call = personas.call
    site = f.make_site(call.programme, funded_year=call.funding_year)
    client = english_client()

    # The call page invites to sign in, and brings the person back afterwards.
    page = client.get(call.get_absolute_url())
    assert page.status_code == 200
    assert reverse("accounts:login") in page.content.decode()

    response = client.post(reverse("accounts:login"),
                           {"email": "Neue.Bewerberin@example.org", "next": call.get_absolute_url()})
    assert response.status_code == 302
    mail = OutboxMail.objects.get(template="login_link", to="neue.bewerberin@example.org")
    link = re.search(r"/konto/anmelden/link/[^/\s]+/", mail.body).group(0)

    assert client.get(link).status_code == 200
    assert client.session.get(SESSION_KEY) is None
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    person = User.objects.get(email="neue.bewerberin@example.org")

    response = client.post(reverse("applications:apply_start", args=[call.slug]))
    application = Application.objects.get(call=call, applicant=person)
    assert response["Location"] == step_url(application, "contact")
    assert application.state == Application.State.DRAFT

    # Each step is saved as a draft and leads on to the next one.
    order = list(step_posts(site))
    for index, (step, data) in enumerate(step_posts(site).items()):
        assert client.get(step_url(application, step)).status_code == 200
        response = client.post(step_url(application, step), data)
        assert response.status_code == 302, step
        expected = (step_url(application, order[index + 1]) if index + 1 < len(order)
                    else reverse("applications:apply_check", args=[application.pk]))
        assert response["Location"] == expected
        application.refresh_from_db()
        assert step in application.steps_done

    check = client.get(reverse("applications:apply_check", args=[application.pk]))
    html = check.content.decode()
    assert check.status_code == 200
    assert "Aylin Muster" in html and "Quartiersmanagerin" in html and "freistellung.pdf" in html
    assert reverse("applications:apply_submit", args=[application.pk]) in html

    response = client.post(reverse("applications:apply_submit", args=[application.pk]))
    assert response["Location"] == reverse("applications:application_submitted",
                                           args=[application.pk])
    application.refresh_from_db()
    year = timezone.localtime(call.closes_at).year
    assert application.state == Application.State.SUBMITTED
    assert application.reference == f"GWA-{year}-0001"
    submitted = client.get(response["Location"])
    assert application.reference in submitted.content.decode()

    confirmation = OutboxMail.objects.get(template="application_submitted")
    assert confirmation.to == "neue.bewerberin@example.org"
    assert application.reference in confirmation.subject
    assert "Aylin Muster" in confirmation.body
    assert application.eligibility.tier == "tier1"
    # The answers arrived as typed, converted to their types.
    assert str(application.weekly_hours) == "19.5"
    assert application.employed_since.isoformat() == "2022-03-01"
    assert application.organisation == site.organisation and application.region == site.region
    assert application.accessibility_consent_at is not None
    assert application.documents.get().content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="application.submit",
                                     object_id=str(application.pk)).count() == 1


def test_the_reference_number_counts_up_per_prefix_and_year(personas):
    call = personas.call
    year = timezone.localtime(call.closes_at).year
    services.reference_next_number_set(call, 42)
    first = f.make_application(call, personas.applicant, submit=True)
    second = f.make_application(call, personas.second_applicant, submit=True)
    assert first.reference == f"GWA-{year}-0042"
    assert second.reference == f"GWA-{year}-0043"


def test_a_place_of_work_outside_the_list_is_accepted_with_employer_and_kreis(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    region = f.region()
    response = client.post(step_url(application, "employment"), {
        "site": "", "site_other": "Nordstadt, Projekt Treffpunkt",
        "organisation_other": "Verein Nachbarschaft e.V.", "region": str(region.pk),
        "job_title": "Gemeinwesenarbeiter", "weekly_hours": "30",
        "employment_kind": "paid", "employed_since": "2021-01-15"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.site is None and application.organisation is None
    assert application.site_other == "Nordstadt, Projekt Treffpunkt"
    assert application.region == region


def test_choosing_a_listed_site_takes_over_its_employer_and_kreis(personas):
    application = f.make_application(personas.call, personas.applicant)
    site = f.make_site(region_name="Fulda")
    client = english_client(personas.applicant)
    data = step_posts(site)["employment"] | {"site_other": "wird verworfen",
                                             "organisation_other": "wird verworfen"}
    assert client.post(step_url(application, "employment"), data).status_code == 302
    application.refresh_from_db()
    assert application.site == site and application.organisation == site.organisation
    assert application.site_other == "" and application.organisation_other == ""


def test_the_release_may_be_handed_in_later(personas):
    application = f.make_application(personas.call, personas.applicant, release=False)
    assert application.release_later and not application.documents.exists()
    submitted = f.make_application(personas.call, personas.second_applicant, release=False,
                                   submit=True)
    assert submitted.state == Application.State.SUBMITTED
    reasons = [r["code"] for r in submitted.eligibility.reasons]
    assert "release_pending" in reasons


def test_the_release_step_without_letter_or_later_is_refused(personas):
    application = f.make_application(personas.call, personas.applicant, release=False)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "release"), {"release_later": ""})
    assert response.status_code == 400
    assert "Upload the letter or tick" in response.content.decode()


def test_an_uploaded_release_can_be_downloaded_by_its_owner(personas):
    application = f.make_application(personas.call, personas.applicant)
    document = application.documents.get()
    client = english_client(personas.applicant)
    response = client.get(reverse("applications:document_download",
                                  args=[application.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_a_new_upload_replaces_the_shown_letter(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    png = SimpleUploadedFile("scan.png", f.PNG_BYTES, content_type="image/png")
    assert client.post(step_url(application, "release"), {"document": png}).status_code == 302
    page = client.get(step_url(application, "release")).content.decode()
    assert "scan.png" in page
    assert application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).count() == 2


def test_the_release_step_reads_the_letter_once(personas, django_assert_num_queries):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    client.get(reverse("applications:my_applications"))
    # Session with person, application with call, the letter (for the form and the page).
    with django_assert_num_queries(3):
        page = client.get(step_url(application, "release")).content.decode()
    assert "freistellung.pdf" in page and "Upload a new file to replace it." in page


def test_the_check_page_lists_missing_steps_and_offers_no_submit(personas):
    application = f.make_application(personas.call, personas.applicant)
    Application.objects.filter(pk=application.pk).update(privacy_acknowledged_at=None,
                                                         motivation="")
    client = english_client(personas.applicant)
    html = client.get(reverse("applications:apply_check", args=[application.pk])).content.decode()
    assert "Some answers are still missing" in html
    assert step_url(application, "privacy") in html and step_url(application, "motivation") in html
    assert reverse("applications:apply_submit", args=[application.pk]) not in html
    response = client.post(reverse("applications:apply_submit", args=[application.pk]))
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None
    assert not OutboxMail.objects.filter(template="application_submitted").exists()


def test_returning_from_the_check_page_leads_back_to_it(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    response = client.post(step_url(application, "contact"),
                           {"first_name": "Ayla", "last_name": "Muster", "return_to": "check"})
    assert response["Location"] == reverse("applications:apply_check", args=[application.pk])


def test_the_answers_are_shown_again_when_a_step_is_reopened(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    html = client.get(step_url(application, "contact")).content.decode()
    assert 'value="Aylin"' in html
    html = client.get(step_url(application, "commitment")).content.decode()
    assert re.search(r'value="yes"[^>]*checked', html)


def test_an_unknown_step_is_not_found(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    assert client.get(step_url(application, "geheim")).status_code == 404


def test_starting_twice_opens_the_same_application(personas):
    client = english_client(personas.applicant)
    url = reverse("applications:apply_start", args=[personas.call.slug])
    first = client.post(url)
    second = client.post(url)
    assert first["Location"] == second["Location"]
    assert Application.objects.filter(applicant=personas.applicant).count() == 1


def test_starting_needs_a_signed_in_person(personas):
    response = Client().post(reverse("applications:apply_start", args=[personas.call.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Application.objects.exists()


def test_a_call_not_yet_open_takes_no_application(personas):
    call = f.make_call(personas.programme, opens_at=timezone.now() + timezone.timedelta(days=1),
                       closes_at=timezone.now() + timezone.timedelta(days=20))
    client = english_client(personas.applicant)
    response = client.post(reverse("applications:apply_start", args=[call.slug]))
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert not Application.objects.filter(call=call).exists()


def test_my_applications_lists_only_my_own(personas):
    mine = f.make_application(personas.call, personas.applicant, submit=True)
    other_call = f.make_call(personas.programme)
    theirs = f.make_application(other_call, personas.second_applicant, submit=True)
    html = english_client(personas.applicant).get(
        reverse("applications:my_applications")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html


@pytest.mark.parametrize("release", [True, False], ids=["uploaded", "later"])
def test_the_check_page_shows_site_employer_kreis_and_release_in_few_queries(
        personas, release, django_assert_max_num_queries):
    site = f.make_site(personas.call.programme, funded_year=personas.call.funding_year,
                       region_name="Vogelsbergkreis")
    application = f.make_application(personas.call, personas.applicant, site=site,
                                     release=release)
    client = english_client(personas.applicant)
    client.get(reverse("applications:my_applications"))  # the session is read once cold
    # Session with person, the application with its call, site with Träger and Kreis
    # in one, the documents: not one query per name shown.
    with django_assert_max_num_queries(4):
        html = client.get(reverse("applications:apply_check",
                                  args=[application.pk])).content.decode()
    assert f"{site.municipality}: {site.name}" in html
    assert site.organisation.name in html and "Vogelsbergkreis" in html
    if release:
        assert "freistellung.pdf" in html and "Some answers are still missing" not in html
    else:
        assert "will be handed in later" in html
    assert reverse("applications:apply_submit", args=[application.pk]) in html
    # The application's page: the same reads, then the pre-check and the later stages'
    # links (offer, selection, course).
    with django_assert_max_num_queries(8):
        detail = client.get(reverse("applications:application_detail", args=[application.pk]))
    assert site.organisation.name in detail.content.decode()


def test_the_check_page_with_a_place_not_in_the_list(personas):
    application = f.make_application(personas.call, personas.applicant)
    Application.objects.filter(pk=application.pk).update(
        site=None, organisation=None, site_other="Nordstadt, Kassel",
        organisation_other="Verein Nachbarschaft e. V.")
    client = english_client(personas.applicant)
    html = client.get(reverse("applications:apply_check", args=[application.pk])).content.decode()
    assert "Nordstadt, Kassel" in html and "Verein Nachbarschaft e. V." in html
