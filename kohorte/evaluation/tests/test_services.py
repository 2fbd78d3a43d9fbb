"""Pseudonyms, answering once through one's own link, and destroying the key."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation import services
from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Invitation, Pseudonym, PseudonymKey, Response, Survey

pytestmark = pytest.mark.django_db

ALL_FOURS = {f"{g}-{n}": 4 for g in ["sozialraumanalyse", "aktivierung", "netzwerk", "moderation",
                                     "konflikt-vielfalt", "projektmanagement", "intermediaer",
                                     "haltung"] for n in range(1, 5)}


@pytest.fixture
def setting(personas):
    cohort = make_cohort(f.make_call(personas.programme), others=2)
    instrument = instrument_from_template(template_data("gwa-competence"))
    now = timezone.now()
    survey = Survey.objects.create(cohort=cohort, instrument=instrument, kind=Survey.Kind.POST,
                                   opens_at=now - timedelta(hours=1),
                                   closes_at=now + timedelta(days=7), state=Survey.State.OPEN)
    services.pseudonyms_issue(cohort=cohort, actor=personas.coordinator)
    people = list(cohort.participants.order_by("pk"))
    links = {p.pk: services.invitation_create(survey=survey, participant=p)[1] for p in people}
    return cohort, survey, people, links


def test_every_participant_gets_one_pseudonym_and_a_second_issue_adds_none(setting, personas):
    cohort, _survey, people, _links = setting
    assert Pseudonym.objects.filter(cohort=cohort).count() == len(people)
    assert services.pseudonyms_issue(cohort=cohort, actor=personas.coordinator) == 0


def test_answers_are_stored_under_the_pseudonym_and_the_invitation_only_learns_that(setting):
    _cohort, survey, people, links = setting
    person = people[0]
    response = services.response_submit(token=links[person.pk], answers=ALL_FOURS,
                                        then_answers={**ALL_FOURS, "moderation-1": 2})
    assert response.pseudonym == person.pseudonym_key.pseudonym
    then = Response.objects.get(survey=survey, measurement="then")
    assert then.numbers[12] == 2 and len(then.numbers) == 32
    assert Invitation.objects.get(survey=survey, participant=person).answered
    assert not {f.name for f in Response._meta.fields} & {"participant", "user", "email"}


def test_nobody_answers_twice_or_through_someone_elses_or_an_unknown_link(setting):
    _cohort, survey, people, links = setting
    services.response_submit(token=links[people[0].pk], answers=ALL_FOURS)
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(token=links[people[0].pk], answers=ALL_FOURS)
    with pytest.raises(ValidationError):
        services.response_submit(token="made-up", answers=ALL_FOURS)
    # The second person's link stores the second person's answers, not the first's.
    services.response_submit(token=links[people[1].pk], answers=ALL_FOURS)
    owners = set(Response.objects.filter(survey=survey).values_list("pseudonym_id", flat=True))
    assert owners == {people[0].pseudonym_key.pseudonym_id, people[1].pseudonym_key.pseudonym_id}


def test_bad_answers_are_named_and_nothing_is_stored(setting):
    _cohort, survey, people, links = setting
    with pytest.raises(ValidationError) as error:
        services.response_submit(token=links[people[0].pk],
                                 answers={**ALL_FOURS, "moderation-1": 6, "haltung-2": "viel"})
    assert set(error.value.message_dict) == {"moderation-1", "haltung-2"}
    assert not Response.objects.filter(survey=survey).exists()
    assert not Invitation.objects.get(survey=survey, participant=people[0]).answered


def test_a_closed_survey_takes_no_answers(setting):
    _cohort, survey, people, links = setting
    with pytest.raises(services.SurveyClosed):
        services.response_submit(token=links[people[0].pk], answers=ALL_FOURS,
                                 now=survey.closes_at + timedelta(seconds=1))


def test_destroying_the_key_keeps_the_answers_but_not_who_gave_them(setting, personas):
    cohort, survey, people, links = setting
    services.response_submit(token=links[people[0].pk], answers=ALL_FOURS)
    with pytest.raises(ValidationError):
        services.pseudonym_keys_destroy(cohort=cohort, actor=personas.evaluator, reason="")
    services.pseudonym_keys_destroy(cohort=cohort, actor=personas.evaluator,
                                    reason="Auswertung abgeschlossen")
    assert not PseudonymKey.objects.filter(pseudonym__cohort=cohort).exists()
    assert not Invitation.objects.filter(survey__cohort=cohort).exists()
    assert Response.objects.filter(survey=survey).count() == 1
    assert AuditEntry.objects.filter(action="pseudonym_keys.destroy",
                                     reason="Auswertung abgeschlossen").exists()
