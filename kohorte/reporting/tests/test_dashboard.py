"""The funder's dashboard: counts, accessible charts, the n ≥ 5 rule, and no person on it
or on the proof of use."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kohorte.applications.models import Application
from kohorte.budget.tests.world import book, make_period
from kohorte.core.tests import factories as f
from kohorte.courses.models import Participant
from kohorte.courses.tests.world import course_world

from ..services import proof_of_use_submit
from .world import draft


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
