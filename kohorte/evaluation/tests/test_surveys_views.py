"""The staff's survey pages: coordinators prepare and open surveys and see who has not
answered (never what); the evaluation role destroys the key; everyone else is refused."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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


def _times(client, survey, **changes):
    data = {"opens_on": "2030-03-02", "opens_time": "08:00", "closes_on": "2030-03-09",
            "closes_time": "23:59", **changes}
    return client.post(reverse("evaluation:survey_times", args=[survey.pk]), data)


def test_the_coordinator_moves_a_drafts_times(client, w):
    survey = make_survey(w)
    login_staff(client, w.coordinator)
    page = client.get(reverse("evaluation:survey_detail", args=[survey.pk])).content.decode()
    assert reverse("evaluation:survey_times", args=[survey.pk]) in page
    form = client.get(reverse("evaluation:survey_times", args=[survey.pk])).content.decode()
    opens = timezone.localtime(survey.opens_at)
    assert f'value="{opens:%Y-%m-%d}"' in form and f'value="{opens:%H:%M}"' in form
    assert _times(client, survey).status_code == 302
    survey.refresh_from_db()
    assert survey.opens_at.isoformat() == "2030-03-02T07:00:00+00:00"
    assert survey.closes_at.isoformat() == "2030-03-09T22:59:00+00:00"
    entry = AuditEntry.objects.get(action="survey.times")
    assert datetime.fromisoformat(entry.data["to"]["opens_at"]) == survey.opens_at


def test_an_open_survey_closes_later_but_keeps_the_opening_its_invitations_had(client, w):
    survey = make_survey(w, open_it=True)
    opens, closes = survey.opens_at, survey.closes_at
    local = timezone.localtime(opens)
    login_staff(client, w.coordinator)
    kept = {"opens_on": f"{local:%Y-%m-%d}", "opens_time": f"{local:%H:%M}"}
    # Moving the opening is refused: the links went out for the old one.
    moved = _times(client, survey, opens_on="2030-03-01", closes_on="2030-04-30")
    assert moved.status_code == 400
    assert "Die Einladungen sind schon verschickt" in moved.content.decode()
    survey.refresh_from_db()
    assert (survey.opens_at, survey.closes_at) == (opens, closes)
    # A closing time already past is refused too: closing now is the close button's job.
    gone = timezone.localtime(timezone.now() - timedelta(minutes=2))
    past = _times(client, survey, closes_on=f"{gone:%Y-%m-%d}", closes_time=f"{gone:%H:%M}",
                  **kept)
    assert past.status_code == 400
    assert "Eine geöffnete Befragung muss zu einer künftigen Zeit enden" in past.content.decode()
    assert _times(client, survey, closes_on="2030-04-30", **kept).status_code == 302
    survey.refresh_from_db()
    assert survey.opens_at == opens
    assert timezone.localtime(survey.closes_at).date().isoformat() == "2030-04-30"


def test_times_that_close_before_they_open_are_refused_and_nothing_changes(client, w):
    survey = make_survey(w)
    before = (survey.opens_at, survey.closes_at)
    login_staff(client, w.coordinator)
    response = _times(client, survey, closes_on="2030-03-01")
    assert response.status_code == 400 and 'href="#id_closes_on"' in response.content.decode()
    response = _times(client, survey, opens_time="25:00")
    assert response.status_code == 400 and 'href="#id_opens_time"' in response.content.decode()
    survey.refresh_from_db()
    assert (survey.opens_at, survey.closes_at) == before
    assert not AuditEntry.objects.filter(action="survey.times").exists()


def test_a_closed_survey_keeps_its_times(client, w):
    survey = make_survey(w, open_it=True)
    from kohorte.evaluation.services_surveys import survey_close

    survey_close(survey=survey, actor=w.coordinator)
    login_staff(client, w.coordinator)
    page = client.get(reverse("evaluation:survey_detail", args=[survey.pk])).content.decode()
    assert reverse("evaluation:survey_times", args=[survey.pk]) not in page
    response = _times(client, survey, closes_on="2030-04-30")
    assert response.status_code == 400
    survey.refresh_from_db()
    assert survey.state == "closed" and survey.closes_at.year != 2030


def test_only_who_manages_surveys_changes_their_times(client, w):
    survey = make_survey(w)
    url = reverse("evaluation:survey_times", args=[survey.pk])
    for person in (w.lecturer, w.outsider):
        login_staff(client, person)
        assert client.get(url).status_code == 403
        assert _times(client, survey).status_code == 403
    client.force_login(w.applicant)
    assert _times(client, survey).status_code == 403
    client.logout()
    assert _times(client, survey).status_code == 302  # to the staff sign-in
    survey.refresh_from_db()
    assert survey.opens_at.year != 2030
