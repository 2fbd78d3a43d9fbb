"""The person's own survey answers are part of "Your data" (Art. 15 GDPR) while the
key to their pseudonym exists; nobody else's, and none after the key is destroyed."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kohorte.applications.personal_data import application_data_export
from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation import services
from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Survey

pytestmark = pytest.mark.django_db

RATINGS = {"inhalte": 5, "methoden": 4, "praxisbezug": 2, "organisation": 3, "gesamt": 4}


@pytest.fixture
def feedback(personas):
    cohort = make_cohort(f.make_call(personas.programme), applicants=[personas.applicant],
                         others=1)
    instrument = instrument_from_template(template_data("module-feedback"))
    now = timezone.now()
    survey = Survey.objects.create(cohort=cohort, instrument=instrument,
                                   kind=Survey.Kind.FEEDBACK,
                                   module=cohort.modules.get(position=1),
                                   opens_at=now - timedelta(hours=1),
                                   closes_at=now + timedelta(days=7), state=Survey.State.OPEN)
    services.pseudonyms_issue(cohort=cohort, actor=personas.coordinator)
    mine = cohort.participants.get(user=personas.applicant)
    other = cohort.participants.exclude(pk=mine.pk).get()
    for person, words in ((mine, "Die Methodenübung"), (other, "Fremde Antwort")):
        token = services.invitation_create(survey=survey, participant=person)[1]
        services.response_submit(token=token, answers={**RATINGS, "nuetzlich": words})
    return cohort, mine, other


def test_the_person_sees_their_own_answers_with_the_questions(client, personas, feedback):
    cohort, mine, other = feedback
    with translation.override("de"):
        (place,) = application_data_export(user=personas.applicant)["evaluation"]
    assert place["course"] == cohort.title and not place["pseudonym_key_destroyed"]
    (response,) = place["responses"]
    answers = {item["question"]: item["answer"] for item in response["answers"]}
    assert answers["Die Inhalte des Bausteins waren für mich verständlich und gut aufbereitet."] \
        == "5 (trifft voll zu)"
    assert answers["Ich kann das Gelernte in meiner Arbeit im Quartier anwenden."] == \
        "2 (trifft eher nicht zu)"
    assert answers["Was war für Sie am nützlichsten?"] == "Die Methodenübung"
    assert answers["Was sollten wir ändern?"] is None

    client.force_login(personas.applicant)
    html = client.get(reverse("applications:my_data"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    download = client.get(reverse("applications:my_data"), {"format": "json"}).content.decode()
    assert "Evaluation" in html and "Die Methodenübung" in html and "nicht beantwortet" in html
    assert json.loads(download)["evaluation"][0]["responses"][0]["answers"][5]["answer"] == \
        "Die Methodenübung"
    for text in (html, download):
        assert "Fremde Antwort" not in text
        assert other.pseudonym_key.pseudonym.token not in text
        assert mine.pseudonym_key.pseudonym.token not in text  # the token is no one's business


def test_after_the_key_is_destroyed_the_answers_are_nobodys(personas, feedback):
    cohort, _mine, _other = feedback
    services.pseudonym_keys_destroy(cohort=cohort, actor=personas.evaluator, reason="Ende")
    (place,) = application_data_export(user=personas.applicant)["evaluation"]
    assert place["pseudonym_key_destroyed"] and place["responses"] == []


def test_without_pseudonyms_there_is_no_evaluation_part(personas):
    make_cohort(f.make_call(personas.programme), applicants=[personas.applicant], others=0)
    assert "evaluation" not in application_data_export(user=personas.applicant)
