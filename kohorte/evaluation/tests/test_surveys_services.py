"""A cohort's surveys: prepared, opened (frozen instrument, pseudonyms, invitations by
e-mail), reminded once by the job, closed; the follow-up only for those who agreed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.courses.services.cohort import participant_leave
from kohorte.evaluation import jobs
from kohorte.evaluation import services as core
from kohorte.evaluation import services_surveys as services
from kohorte.evaluation.models import Invitation, Pseudonym, PseudonymKey, Survey
from kohorte.notifications.models import OutboxMail

from .surveys_world import ALL_FOURS, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return survey_world(personas)


def _create(w, **changes):
    now = timezone.now()
    arguments = {"cohort": w.cohort, "instrument": w.competence, "kind": "pre", "module": None,
                 "opens_at": now, "closes_at": now + timedelta(days=7), "actor": w.coordinator}
    return services.survey_create(**{**arguments, **changes})


def test_feedback_needs_its_module_and_the_instrument_must_fit_the_kind(w):
    with pytest.raises(ValidationError) as error:
        _create(w, kind="feedback", instrument=w.feedback)
    assert "module" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(w, kind="pre", instrument=w.feedback)
    assert "instrument" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(w, module=w.module)
    assert "module" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(w, closes_at=timezone.now() - timedelta(days=1))
    assert "closes_on" in error.value.message_dict
    assert not Survey.objects.exists()


def test_another_programmes_instrument_is_refused(w):
    from kohorte.evaluation.services_surveys import instrument_copy

    foreign = instrument_copy(programme=w.other_programme, template="gwa-competence", actor=None)
    with pytest.raises(ValidationError):
        _create(w, instrument=foreign)


def test_opening_freezes_issues_pseudonyms_and_mails_each_person_taking_part_a_link(w):
    leaver = w.cohort.participants.exclude(pk=w.participant.pk).first()
    participant_leave(participant=leaver, left_on=timezone.localdate(), reason="Stelle gewechselt",
                      actor=w.coordinator)
    survey = make_survey(w)
    invited = services.survey_open(survey=survey, actor=w.coordinator)
    survey.refresh_from_db()
    w.competence.refresh_from_db()
    assert survey.state == "open" and w.competence.frozen_at is not None
    assert invited == 5 == Invitation.objects.filter(survey=survey).count()
    assert not Invitation.objects.filter(participant=leaver).exists()
    assert Pseudonym.objects.filter(cohort=w.cohort).count() == 6
    mail = OutboxMail.objects.get(to=w.participant.email, template="evaluation_survey_invitation")
    invitation = Invitation.objects.get(survey=survey, participant=w.participant)
    token = core.invitation_token(invitation)
    assert f"/befragung/{token}/" in mail.body and mail.erase_after_delivery
    # Only the hash of the link is stored.
    assert token not in {invitation.token_hash} and invitation.token_hash == core.token_hash(token)
    assert AuditEntry.objects.filter(action="survey.open").exists()
    with pytest.raises(ValidationError):
        services.survey_open(survey=survey, actor=w.coordinator)


def test_a_survey_released_ahead_sends_its_invitations_when_it_opens(w):
    now = timezone.now()
    survey = services.survey_create(cohort=w.cohort, instrument=w.competence, kind=Survey.Kind.PRE,
                                    opens_at=now + timedelta(days=2),
                                    closes_at=now + timedelta(days=9), actor=w.coordinator)
    assert services.survey_open(survey=survey, actor=w.coordinator, now=now) == 0
    survey.refresh_from_db()
    w.competence.refresh_from_db()
    assert survey.state == "open" and w.competence.frozen_at is not None
    assert not Invitation.objects.filter(survey=survey).exists()
    assert not OutboxMail.objects.filter(template="evaluation_survey_invitation").exists()
    assert AuditEntry.objects.get(action="survey.open").data["invited"] == 0
    # Someone leaves meanwhile: who is invited is decided at the opening.
    leaver = w.cohort.participants.exclude(pk=w.participant.pk).first()
    participant_leave(participant=leaver, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    assert jobs.surveys_invite_due(now=now + timedelta(days=1)) == {"invited": 0}
    opening = survey.opens_at
    assert jobs.surveys_invite_due(now=opening) == {"invited": 5}
    assert Invitation.objects.filter(survey=survey, sent_at=opening).count() == 5
    assert not Invitation.objects.filter(survey=survey, participant=leaver).exists()
    assert OutboxMail.objects.filter(template="evaluation_survey_invitation").count() == 5
    assert AuditEntry.objects.get(action="survey.invite").data == {"invited": 5}
    # Run again, or once more by hand: nobody gets a second invitation.
    assert jobs.surveys_invite_due(now=opening + timedelta(minutes=5)) == {"invited": 0}
    assert services.survey_invite_due(survey=survey, now=opening) == 0
    assert OutboxMail.objects.filter(template="evaluation_survey_invitation").count() == 5


def test_a_released_survey_that_closed_unsent_or_was_closed_sends_nothing(w):
    now = timezone.now()
    survey = services.survey_create(cohort=w.cohort, instrument=w.competence, kind=Survey.Kind.PRE,
                                    opens_at=now + timedelta(days=1),
                                    closes_at=now + timedelta(days=3), actor=w.coordinator)
    services.survey_open(survey=survey, actor=w.coordinator, now=now)
    # The job did not run while it was open (the worker was down): past closing, no mail.
    assert jobs.surveys_invite_due(now=now + timedelta(days=4)) == {"invited": 0}
    services.survey_close(survey=survey, actor=w.coordinator)
    assert jobs.surveys_invite_due(now=now + timedelta(days=2)) == {"invited": 0}
    assert not OutboxMail.objects.filter(template="evaluation_survey_invitation").exists()


def test_the_invitation_job_is_scheduled():
    from django.conf import settings

    assert ("kohorte.evaluation.jobs.surveys_invite_due", 300) in settings.KOHORTE_SCHEDULED_JOBS


def test_the_follow_up_invites_only_those_who_agreed(w):
    core.pseudonyms_issue(cohort=w.cohort, actor=None)
    core.follow_up_consent_set(participant=w.participant, consent=True, actor=w.applicant)
    survey = make_survey(w, Survey.Kind.FOLLOW_UP, open_it=True)
    assert list(Invitation.objects.filter(survey=survey).values_list("participant", flat=True)) \
        == [w.participant.pk]


def test_consent_is_audited_on_the_participant_never_on_the_pseudonym(w):
    core.follow_up_consent_set(participant=w.participant, consent=True, actor=w.applicant)
    entry = AuditEntry.objects.get(action="follow_up_consent.set")
    assert entry.object_type == "courses.participant"
    assert w.participant.pseudonym_key.pseudonym.token not in str(entry.data)


def test_the_button_reminds_those_who_have_not_answered_with_the_same_link(w):
    survey = make_survey(w, open_it=True)
    first = w.participant
    link = core.invitation_token(Invitation.objects.get(survey=survey, participant=first))
    core.response_submit(token=link, answers=ALL_FOURS)
    assert services.survey_remind(survey=survey, actor=w.coordinator) == 5
    reminders = OutboxMail.objects.filter(template="evaluation_survey_reminder")
    assert reminders.count() == 5 and not reminders.filter(to=first.email).exists()
    other = Invitation.objects.filter(survey=survey, answered=False).first()
    assert core.invitation_token(other) in reminders.get(to=other.participant.email).body


def test_the_job_reminds_three_days_before_closing_once(w):
    now = timezone.now()
    soon = make_survey(w, open_it=True, now=now, days=2)
    later = make_survey(w, Survey.Kind.FEEDBACK, open_it=True, now=now, days=10)
    assert jobs.surveys_remind_due(now=now) == {"reminded": 6}
    assert jobs.surveys_remind_due(now=now + timedelta(hours=1)) == {"reminded": 0}
    assert not Invitation.objects.filter(survey=later, reminded_at__isnull=False).exists()
    assert Invitation.objects.filter(survey=soon, reminded_at__isnull=False).count() == 6


def test_the_job_closes_surveys_past_their_closing_time(w):
    now = timezone.now()
    survey = make_survey(w, open_it=True, now=now, days=1)
    assert jobs.surveys_close_due(now=now + timedelta(days=2)) == {"closed": 1}
    survey.refresh_from_db()
    assert survey.state == "closed"
    with pytest.raises(core.SurveyClosed):
        core.response_submit(token=core.invitation_token(survey.invitations.first()),
                             answers=ALL_FOURS, now=now + timedelta(days=2))


def test_after_the_key_is_destroyed_no_survey_opens_and_no_consent_is_taken(w):
    make_survey(w, open_it=True)
    core.pseudonym_keys_destroy(cohort=w.cohort, actor=w.evaluator, reason="Auswertung fertig")
    assert not PseudonymKey.objects.filter(pseudonym__cohort=w.cohort).exists()
    survey = make_survey(w, Survey.Kind.POST)
    with pytest.raises(ValidationError):
        services.survey_open(survey=survey, actor=w.coordinator)
    with pytest.raises(ValidationError):
        core.follow_up_consent_set(participant=w.participant, consent=True, actor=w.applicant)
    assert Pseudonym.objects.filter(cohort=w.cohort).count() == 6
