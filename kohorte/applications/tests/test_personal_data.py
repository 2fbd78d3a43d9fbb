"""Art. 15 and 17 GDPR from the applicant's side: see and download the data, ask for erasure."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from kohorte.applications import services
from kohorte.applications.models import Application
from kohorte.applications.personal_data import application_data_export
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f

from .test_journey import english_client

pytestmark = pytest.mark.django_db

MY_DATA = reverse("applications:my_data")


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two_people(personas):
    mine = f.make_application(
        personas.call, personas.applicant, submit=True,
        contact={"first_name": "Mira", "last_name": "Eigen", "phone": "0661 111"},
        motivation={"motivation": "Meine eigene Motivation für die Arbeit im Quartier Nord. " * 2},
        accessibility={"accessibility_needs": "Induktionsschleife", "accessibility_consent": True},
    )
    theirs = f.make_application(
        personas.call, personas.second_applicant, submit=True,
        contact={"first_name": "Theo", "last_name": "Fremd", "phone": "0611 999"},
        motivation={"motivation": "Fremde Motivation, die niemand sonst sehen darf, gar nicht. " * 2},
    )
    return mine, theirs


def _json(client):
    response = client.get(MY_DATA, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    return response, json.loads(response.content)


def test_the_json_download_holds_my_answers(personas, two_people):
    mine, _theirs = two_people
    _response, data = _json(english_client(personas.applicant))
    assert data["account"]["email"] == "applicant@example.org"
    [application] = data["applications"]
    assert application["reference"] == mine.reference
    assert application["first_name"] == "Mira" and application["last_name"] == "Eigen"
    assert application["phone"] == "0661 111"
    assert application["motivation"] == mine.motivation
    assert application["accessibility_needs"] == "Induktionsschleife"
    assert application["job_title"] == "Quartiersmanagerin"
    assert application["weekly_hours"] == "30.0"
    assert application["documents"][0]["name"] == "freistellung.pdf"
    assert application["eligibility"]["tier"]
    actions = [entry["action"] for entry in data["history"]]
    assert "application.start" in actions and "application.submit" in actions


def test_the_json_download_holds_nobody_elses_data(personas, two_people):
    _mine, theirs = two_people
    response, _data = _json(english_client(personas.applicant))
    text = response.content.decode()
    for foreign in ["Theo", "Fremd", "0611 999", "second@example.org", theirs.reference,
                    "Fremde Motivation"]:
        assert foreign not in text


def test_the_readable_page_shows_my_answers_and_not_others(personas, two_people):
    mine, theirs = two_people
    response = english_client(personas.applicant).get(MY_DATA)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mira Eigen" in html and "Induktionsschleife" in html
    assert "Meine eigene Motivation" in html and mine.reference in html
    assert "Theo" not in html and theirs.reference not in html
    assert reverse("applications:erasure_request", args=[mine.pk]) in html


def test_the_export_has_an_account_even_without_applications(db):
    person = f.make_applicant("ohne@example.org")
    data = application_data_export(user=person)
    assert data["account"]["email"] == "ohne@example.org"
    assert data["applications"] == [] and data["history"] == []


def test_my_data_needs_a_signed_in_person():
    response = Client().get(MY_DATA, {"format": "json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_asking_for_erasure_is_recorded_and_audited(personas, two_people):
    mine, _theirs = two_people
    client = english_client(personas.applicant)
    response = client.post(reverse("applications:erasure_request", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == MY_DATA
    mine.refresh_from_db()
    assert mine.erasure_requested_at is not None
    entry = AuditEntry.objects.get(action="application.erasure_request")
    assert entry.actor == personas.applicant and entry.object_id == str(mine.pk)
    page = client.get(MY_DATA).content.decode()
    assert "You asked for erasure on" in page
    # The request alone deletes nothing: coordinators decide (retention duties may apply).
    assert Application.objects.filter(pk=mine.pk).exists()


def test_asking_twice_keeps_the_first_date_and_one_audit_entry(personas, two_people):
    mine, _theirs = two_people
    first = services.application_erasure_request(application=mine, actor=personas.applicant)
    services.application_erasure_request(application=mine, actor=personas.applicant)
    mine.refresh_from_db()
    assert mine.erasure_requested_at == first.erasure_requested_at
    assert AuditEntry.objects.filter(action="application.erasure_request").count() == 1


def test_erasure_can_only_be_asked_by_post(personas, two_people):
    mine, _theirs = two_people
    client = english_client(personas.applicant)
    assert client.get(reverse("applications:erasure_request", args=[mine.pk])).status_code == 405
    mine.refresh_from_db()
    assert mine.erasure_requested_at is None
