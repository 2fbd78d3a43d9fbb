"""The staff's survey pages: coordinators prepare and open surveys and see who has not
answered (never what); the evaluation role destroys the key; everyone else is refused."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kohorte.core.models import AuditEntry
from kohorte.core.tests.factories import login_staff
from kohorte.evaluation import services as core
from kohorte.evaluation.jobs import surveys_invite_due
from kohorte.evaluation.links import cohort_links
from kohorte.evaluation.models import PseudonymKey, Survey
from kohorte.notifications.models import OutboxMail

from .surveys_world import FEEDBACK, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(personas):
    return survey_world(personas)


def test_the_coordinator_prepares_and_opens_a_feedback_survey(client, w):
    login_staff(client, w.coordinator)
    url = reverse("evaluation:survey_create", args=[w.cohort.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"instrument": w.feedback.pk, "kind": "feedback",
                                 "module": w.module.pk, "opens_on": "2030-03-02",
                                 "opens_time": "08:00", "closes_on": "2030-03-09",
                                 "closes_time": "23:59"})
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.opens_at.isoformat() == "2030-03-02T07:00:00+00:00"  # Berlin, winter time
    response = client.post(reverse("evaluation:survey_open", args=[survey.pk]), follow=True)
    survey.refresh_from_db()
    assert survey.state == "open"
    # It opens in 2030: released now, the invitations go out then (a link that does not
    # work yet would only confuse).
    assert not OutboxMail.objects.filter(template="evaluation_survey_invitation").exists()
    page = response.content.decode()
    assert "Die Einladungen werden per E-Mail verschickt, wenn sie beginnt" in page
    assert "2. März 2030, 08:00" in page
    assert surveys_invite_due(now=survey.opens_at - timedelta(minutes=1)) == {"invited": 0}
    assert surveys_invite_due(now=survey.opens_at) == {"invited": 6}
    assert OutboxMail.objects.filter(template="evaluation_survey_invitation").count() == 6
    assert surveys_invite_due(now=survey.opens_at + timedelta(minutes=5)) == {"invited": 0}


def test_a_bad_survey_is_refused_with_the_reason_and_nothing_is_made(client, w):
    login_staff(client, w.coordinator)
    response = client.post(reverse("evaluation:survey_create", args=[w.cohort.pk]), {
        "instrument": w.feedback.pk, "kind": "feedback", "module": "", "opens_on": "2030-03-09",
        "opens_time": "08:00", "closes_on": "2030-03-02", "closes_time": "23:59"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_module"' in page and 'href="#id_closes_on"' in page
    assert not Survey.objects.exists()


def test_coordinators_see_who_has_not_answered_but_never_what_anyone_answered(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    answered_by = w.participant
    token = core.invitation_token(survey.invitations.get(participant=answered_by))
    core.response_submit(token=token, answers=FEEDBACK)
    login_staff(client, w.coordinator)
    page = client.get(reverse("evaluation:survey_detail", args=[survey.pk])).content.decode()
    assert "1 von 6" in page or "1 of 6" in page
    others = w.cohort.participants.exclude(pk=answered_by.pk)
    assert all(f'data-participant="{person.pk}"' in page for person in others)
    assert f'data-participant="{answered_by.pk}"' not in page
    assert "Methodenkoffer" not in page
    listing = client.get(reverse("evaluation:survey_list", args=[w.cohort.pk])).content.decode()
    assert "Methodenkoffer" not in listing and ("1 von 6" in listing or "1 of 6" in listing)


def test_the_remind_and_close_buttons_work_for_an_open_survey(client, w):
    survey = make_survey(w, open_it=True)
    login_staff(client, w.coordinator)
    client.post(reverse("evaluation:survey_remind", args=[survey.pk]))
    assert OutboxMail.objects.filter(template="evaluation_survey_reminder").count() == 6
    client.post(reverse("evaluation:survey_close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.state == "closed"
    response = client.post(reverse("evaluation:survey_close", args=[survey.pk]), follow=True)
    assert "Nur eine offene Befragung" in response.content.decode() or \
        "Only an open survey" in response.content.decode()


def test_lecturers_the_outsider_and_participants_do_not_see_the_surveys(client, w):
    survey = make_survey(w, open_it=True)
    urls = [reverse("evaluation:survey_list", args=[w.cohort.pk]),
            reverse("evaluation:survey_detail", args=[survey.pk])]
    for person in (w.lecturer, w.outsider):
        login_staff(client, person)
        assert {client.get(url).status_code for url in urls} == {403}
    client.force_login(w.applicant)
    assert {client.get(url).status_code for url in urls} == {403}
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)


def test_the_evaluator_destroys_the_key_with_a_reason_and_a_confirmation(client, w):
    make_survey(w, open_it=True)
    login_staff(client, w.evaluator)
    url = reverse("evaluation:keys_destroy", args=[w.cohort.pk])
    assert 'data-keys="6"' in client.get(url).content.decode()
    refused = client.post(url, {"reason": "", "confirm": ""})
    assert refused.status_code == 400 and 'href="#id_reason"' in refused.content.decode()
    assert PseudonymKey.objects.filter(pseudonym__cohort=w.cohort).count() == 6
    assert client.post(url, {"reason": "Auswertung abgeschlossen", "confirm": "on"}
                       ).status_code == 302
    assert not PseudonymKey.objects.filter(pseudonym__cohort=w.cohort).exists()
    entry = AuditEntry.objects.get(action="pseudonym_keys.destroy")
    assert entry.reason == "Auswertung abgeschlossen" and entry.actor == w.evaluator


def test_the_coordinator_may_not_destroy_the_key(client, w):
    make_survey(w, open_it=True)
    login_staff(client, w.coordinator)
    url = reverse("evaluation:keys_destroy", args=[w.cohort.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    assert PseudonymKey.objects.filter(pseudonym__cohort=w.cohort).count() == 6


def test_the_cohort_page_links_depend_on_the_role(w):
    def labels(user):
        return [str(link.label) for link in cohort_links(user=user, cohort=w.cohort)]
    # surveys, instruments, report; the evaluator also the key; the funder the report only
    assert len(labels(w.coordinator)) == 3
    assert len(labels(w.evaluator)) == 4
    assert len(labels(w.funder)) == 1
    assert labels(w.lecturer) == [] and labels(w.outsider) == []
