"""Nobody reaches another person's application, and forged requests store nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from kohorte.accounts.models import LoginToken
from kohorte.applications.models import Application, Document
from kohorte.core.models import AccessibilityFeedback, AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from .test_journey import english_client, pdf_upload, step_posts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def victim(personas):
    """The second applicant's submitted application, with its letter."""
    return f.make_application(personas.call, personas.second_applicant, submit=True)


def state_of_everything():
    """Counts and contents that a refused request must leave exactly as they were."""
    return (
        list(Application.objects.order_by("pk").values()),
        Document.objects.count(),
        AuditEntry.objects.count(),
        OutboxMail.objects.count(),
        LoginToken.objects.count(),
    )


def _urls_of(application):
    pk = application.pk
    document = application.documents.first()
    return {
        "detail": reverse("applications:application_detail", args=[pk]),
        "step": reverse("applications:apply_step", args=[pk, "contact"]),
        "release": reverse("applications:apply_step", args=[pk, "release"]),
        "check": reverse("applications:apply_check", args=[pk]),
        "submit": reverse("applications:apply_submit", args=[pk]),
        "submitted": reverse("applications:application_submitted", args=[pk]),
        "withdraw": reverse("applications:application_withdraw", args=[pk]),
        "document": reverse("applications:document_download", args=[pk, document.pk]),
        "erasure": reverse("applications:erasure_request", args=[pk]),
    }


@pytest.mark.parametrize("name", ["detail", "step", "release", "check", "submitted",
                                  "withdraw", "document"])
def test_another_persons_application_is_not_found_on_reading(personas, victim, name):
    client = english_client(personas.applicant)
    before = state_of_everything()
    response = client.get(_urls_of(victim)[name])
    assert response.status_code == 404
    assert victim.first_name.encode() not in response.content
    assert state_of_everything() == before


@pytest.mark.parametrize("name, data", [
    ("step", {"first_name": "Gefälscht", "last_name": "X"}),
    ("release", {"document": "upload"}),
    ("submit", {}),
    ("withdraw", {}),
    ("erasure", {}),
])
def test_another_persons_application_is_not_found_on_changing(personas, victim, name, data):
    # The attacker has an application too, so that a mix-up would show.
    f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    if data.get("document") == "upload":
        data = {"document": pdf_upload()}
    before = state_of_everything()
    response = client.post(_urls_of(victim)[name], data)
    assert response.status_code == 404
    assert state_of_everything() == before


def test_a_document_of_another_application_is_not_found_under_my_own(personas, victim):
    mine = f.make_application(personas.call, personas.applicant)
    theirs = victim.documents.get()
    client = english_client(personas.applicant)
    url = reverse("applications:document_download", args=[mine.pk, theirs.pk])
    assert client.get(url).status_code == 404


def test_staff_are_not_applicants_on_the_applicant_pages(personas, victim):
    client = english_client()
    f.login_staff(client, personas.coordinator)
    assert client.get(_urls_of(victim)["detail"]).status_code == 404
    assert client.post(_urls_of(victim)["withdraw"]).status_code == 404
    victim.refresh_from_db()
    assert victim.state == Application.State.SUBMITTED


@pytest.mark.parametrize("name", ["detail", "step", "check", "document"])
def test_anonymous_visitors_are_sent_to_sign_in(personas, victim, name):
    response = Client().get(_urls_of(victim)[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_missing_application_is_not_found(personas):
    client = english_client(personas.applicant)
    assert client.get(reverse("applications:application_detail", args=[999999])).status_code == 404


# --- CSRF: a forged form from another site stores nothing -----------------------------

def _csrf_client(user=None):
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def test_a_step_without_csrf_token_is_forbidden_and_stores_nothing(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = _csrf_client(personas.applicant)
    before = state_of_everything()
    response = client.post(reverse("applications:apply_step", args=[application.pk, "contact"]),
                           {"first_name": "Gefälscht", "last_name": "X"})
    assert response.status_code == 403
    assert state_of_everything() == before


def test_a_step_with_a_tampered_csrf_token_is_forbidden(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = _csrf_client(personas.applicant)
    url = reverse("applications:apply_step", args=[application.pk, "contact"])
    client.get(url)  # sets the CSRF cookie
    before = state_of_everything()
    response = client.post(url, {"first_name": "Gefälscht", "last_name": "X",
                                 "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert state_of_everything() == before


def test_a_step_with_the_real_csrf_token_is_saved(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = _csrf_client(personas.applicant)
    url = reverse("applications:apply_step", args=[application.pk, "contact"])
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"first_name": "Echt", "last_name": "Muster",
                                 "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.first_name == "Echt"


@pytest.mark.parametrize("action", ["submit", "withdraw", "erasure", "start"])
def test_forged_actions_without_csrf_token_are_forbidden(personas, action):
    application = f.make_application(personas.call, personas.applicant)
    if action == "start":
        application.delete()
        url = reverse("applications:apply_start", args=[personas.call.slug])
    else:
        url = {"submit": reverse("applications:apply_submit", args=[application.pk]),
               "withdraw": reverse("applications:application_withdraw", args=[application.pk]),
               "erasure": reverse("applications:erasure_request", args=[application.pk])}[action]
    client = _csrf_client(personas.applicant)
    before = state_of_everything()
    assert client.post(url).status_code == 403
    assert state_of_everything() == before


def test_a_forged_sign_in_request_is_forbidden(db):
    before = state_of_everything()
    response = _csrf_client().post(reverse("accounts:login"), {"email": "opfer@example.org"})
    assert response.status_code == 403
    assert state_of_everything() == before


def test_a_forged_press_of_the_sign_in_button_is_forbidden(db):
    from kohorte.accounts import services

    services.login_link_request(email="opfer@example.org")
    body = OutboxMail.objects.get().body
    path = "/konto/anmelden/link/" + body.split("/konto/anmelden/link/")[1].split("/")[0] + "/"
    client = _csrf_client()
    response = client.post(path)
    assert response.status_code == 403
    assert LoginToken.objects.get().used_at is None


def test_a_forged_accessibility_feedback_is_forbidden(db):
    response = _csrf_client().post(reverse("core:accessibility"), {"message": "Spam"})
    assert response.status_code == 403
    assert not AccessibilityFeedback.objects.exists()


def test_an_upload_without_csrf_token_leaves_no_document(personas, tmp_path):
    application = f.make_application(personas.call, personas.applicant, release=False)
    client = _csrf_client(personas.applicant)
    response = client.post(reverse("applications:apply_step", args=[application.pk, "release"]),
                           step_posts(f.make_site())["release"])
    assert response.status_code == 403
    assert not application.documents.exists()
    stored = tmp_path / "private" / "documents"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
