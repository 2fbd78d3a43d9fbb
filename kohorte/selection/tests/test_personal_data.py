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
