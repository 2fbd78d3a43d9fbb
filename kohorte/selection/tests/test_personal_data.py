"""Offers and priority consents are part of "Your data" (Art. 15 GDPR)."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from kohorte.applications.personal_data import application_data_export
from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import accept
from kohorte.selection.models import PriorityClaim

pytestmark = pytest.mark.django_db


def test_the_export_and_the_page_hold_the_offer_and_the_priority_consent(client, personas):
    mine = f.make_application(personas.call, personas.applicant, submit=True)
    theirs = f.make_application(personas.call, personas.second_applicant, submit=True)
    accept(personas.call, [mine, theirs])
    PriorityClaim.objects.create(programme=personas.programme, user=personas.applicant,
                                 from_call=personas.call)
    with translation.override("de"):
        data = application_data_export(user=personas.applicant)["selection"]
    assert [offer["reference"] for offer in data["offers"]] == [mine.reference]
    assert data["offers"][0]["state"] == "Angenommen"
    assert [claim["programme"] for claim in data["priority_consents"]] == [personas.programme.name]
    client.force_login(personas.applicant)
    html = client.get(reverse("applications:my_data")).content.decode()
    assert "Auswahl" in html and mine.reference in html and theirs.reference not in html
    download = json.loads(client.get(reverse("applications:my_data"), {"format": "json"}).content)
    assert [offer["reference"] for offer in download["selection"]["offers"]] == [mine.reference]


def test_without_offers_or_consents_there_is_no_selection_part(personas):
    f.make_application(personas.call, personas.applicant, submit=True)
    assert "selection" not in application_data_export(user=personas.applicant)


def test_submitted_reviews_are_shown_with_scores_and_comments_but_not_the_reviewers(
        client, personas):
    from kohorte.selection.models import Candidate
    from kohorte.selection.tests import reviewing as r

    mine = f.make_application(personas.call, personas.applicant, submit=True)
    theirs = f.make_application(personas.call, personas.second_applicant, submit=True)
    call = r.close(personas.call)
    r.make_criteria(call)
    first = r.make_reviewer(personas.programme, "gutachterin@example.org", name="Gisela Gut")
    second = r.make_reviewer(personas.programme, "zweiter@example.org", name="Zacharias Zwei")
    r.review(r.assign(mine, first), {"Praxisbezug": 4, "Motivation": 5, "Transferpotenzial": None},
             comment="Klare Praxisbeispiele.")
    r.review(r.assign(mine, second), {"Praxisbezug": 1}, comment="Entwurf", submit=False)
    r.review(r.assign(theirs, first), {"Praxisbezug": 2, "Motivation": 2,
                                       "Transferpotenzial": 2}, comment="Fremde Bewertung")
    Candidate.objects.create(application=mine, excluded=True, reason="Doppelt beworben")
    Candidate.objects.create(application=theirs, pinned=True, reason="Nicht meine Sache")

    data = application_data_export(user=personas.applicant)["selection"]
    (review,) = data["reviews"]  # the draft is not a review yet; nobody else's
    assert review["reference"] == mine.reference and review["review"] == 1
    assert str(review["score"]) == "4.33"  # weighted mean, the N/A criterion left out
    assert review["comment"] == "Klare Praxisbeispiele."
    assert [(item["criterion"], item["score"]) for item in review["criteria"]] == [
        ("Praxisbezug", 4), ("Motivation", 5), ("Transferpotenzial", None)]
    assert data["decisions"] == [{"call": call.title, "reference": mine.reference,
                                  "priority": False, "pinned": False, "taken_out": True,
                                  "reason": "Doppelt beworben"}]

    client.force_login(personas.applicant)
    page = client.get(reverse("applications:my_data"), HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert "Gutachten Ihrer Bewerbungen" in html and "Klare Praxisbeispiele." in html
    assert "nicht zutreffend" in html and "Doppelt beworben" in html
    download = client.get(reverse("applications:my_data"), {"format": "json"}).content.decode()
    for text in (html, download):
        for hidden in ("Gisela", "gutachterin@", "Zacharias", "zweiter@", "Entwurf",
                       "Fremde Bewertung", "Nicht meine Sache", theirs.reference):
            assert hidden not in text, hidden


def test_a_candidate_with_nothing_decided_adds_no_selection_part(personas):
    from kohorte.selection.models import Candidate

    mine = f.make_application(personas.call, personas.applicant, submit=True)
    Candidate.objects.create(application=mine)
    assert "selection" not in application_data_export(user=personas.applicant)
