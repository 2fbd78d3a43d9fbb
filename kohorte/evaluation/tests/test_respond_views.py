"""The survey page reached through the personal link: questions usable by keyboard,
errors named and answers kept, one answer per link, clear pages for used, unknown and
closed links, nothing about the person shown; consent to the follow-up."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from kohorte.evaluation import services as core
from kohorte.evaluation.models import Invitation, Response, Survey

from .surveys_world import ALL_FOURS, FEEDBACK, fields, link_of, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return survey_world(personas)


def test_the_link_from_the_mail_shows_the_questions_and_nothing_about_the_person(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    response = client.get(link_of(w.participant, survey))
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    assert w.participant.first_name not in page and w.participant.last_name not in page
    assert w.participant.email not in page
    # A scale: a fieldset with its legend and five labelled radio buttons, "required" in words.
    assert page.count('type="radio" name="a-inhalte"') == 5
    assert '<label class="kern-label" for="id_a-inhalte_0">1 – trifft gar nicht zu</label>' in page
    assert '<span class="kohorte-required">(Pflichtangabe)</span>' in page
    assert "Wer sieht was" in page or "Who sees what" in page


def test_missing_required_answers_are_named_linked_and_the_other_answers_kept(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    link = link_of(w.participant, survey)
    response = client.post(link, {"a-inhalte": "5", "a-nuetzlich": "Der Austausch"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_a-methoden_0"' in page
    chosen = re.search(r'<input[^>]*name="a-inhalte"[^>]*value="5"[^>]*>', page).group(0)
    assert "checked" in chosen
    assert page.count("checked") == 1
    assert "Der Austausch" in page
    assert not Response.objects.exists()


def test_answering_stores_once_under_the_pseudonym_and_a_second_try_is_refused(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    link = link_of(w.participant, survey)
    response = client.post(link, fields(FEEDBACK))
    assert response.status_code == 302
    stored = Response.objects.get(survey=survey)
    assert stored.pseudonym == w.participant.pseudonym_key.pseudonym
    assert stored.numbers == [5, 4, 4, 3, 4]
    assert stored.other == {"nuetzlich": "Die Methodenkoffer-Übung"}
    page = client.get(link).content.decode()
    assert "Sie haben diese Befragung beantwortet" in page or "You have answered" in page
    again = client.post(link, fields({**FEEDBACK, "gesamt": 1}))
    assert again.status_code == 409
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_link_answers_only_for_its_own_person(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    other = w.cohort.participants.exclude(pk=w.participant.pk).first()
    client.post(link_of(other, survey), fields(FEEDBACK))
    assert Response.objects.get(survey=survey).pseudonym == other.pseudonym_key.pseudonym
    assert not Invitation.objects.get(survey=survey, participant=w.participant).answered


def test_the_post_survey_asks_today_and_looking_back_and_stores_both(client, w):
    survey = make_survey(w, Survey.Kind.POST, open_it=True)
    link = link_of(w.participant, survey)
    page = client.get(link).content.decode()
    assert 'name="a-moderation-1"' in page and 'name="t-moderation-1"' in page
    assert page.index('id="teil-heute"') < page.index('id="teil-rueckblick"')
    data = {**fields(ALL_FOURS), **fields({**ALL_FOURS, "moderation-1": 2}, "t-"),
            "follow_up_consent": "yes"}
    assert client.post(link, data).status_code == 302
    then = Response.objects.get(survey=survey, measurement="then")
    assert then.numbers[12] == 2
    assert Response.objects.get(survey=survey, measurement="post").numbers[12] == 4
    w.participant.pseudonym_key.pseudonym.refresh_from_db()
    assert w.participant.pseudonym_key.pseudonym.follow_up_consent


def test_an_unknown_link_and_a_closed_survey_say_so_clearly(client, w):
    response = client.get(reverse("evaluation:survey_page", args=["ausgedacht"]))
    assert response.status_code == 404
    assert "nicht gültig" in response.content.decode() or "not valid" in response.content.decode()
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    link = link_of(w.participant, survey)
    Survey.objects.filter(pk=survey.pk).update(state="closed")
    page = client.get(link).content.decode()
    assert "geschlossen" in page or "closed" in page
    assert client.post(link, fields(FEEDBACK)).status_code == 409
    assert not Response.objects.exists()


def test_a_survey_that_opens_later_says_when(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    Survey.objects.filter(pk=survey.pk).update(opens_at=timezone.now() + timedelta(days=2))
    page = client.get(link_of(w.participant, survey)).content.decode()
    assert "noch nicht geöffnet" in page or "not open yet" in page


def test_the_participant_section_lists_open_surveys_and_sets_the_consent(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    request = RequestFactory().get("/")
    html = Template('{% include "evaluation/participant/_surveys.html" %}').render(
        Context({"participant": w.participant, "request": request}))
    assert link_of(w.participant, survey) in html
    client.force_login(w.applicant)
    url = reverse("evaluation:follow_up_consent", args=[w.participant.pk])
    assert client.post(url, {"consent": "yes"}).status_code == 302
    assert w.participant.pseudonym_key.pseudonym.__class__.objects.get(
        key__participant=w.participant).follow_up_consent
    client.post(url, {"consent": "no"})
    assert not core.PseudonymKey.objects.get(participant=w.participant).pseudonym.follow_up_consent


def test_nobody_sets_the_consent_of_someone_else(client, w):
    other = w.cohort.participants.exclude(pk=w.participant.pk).first()
    url = reverse("evaluation:follow_up_consent", args=[other.pk])
    assert client.post(url, {"consent": "yes"}).status_code == 302  # to the sign-in
    client.force_login(w.applicant)
    assert client.post(url, {"consent": "yes"}).status_code == 404
    assert not core.PseudonymKey.objects.filter(participant=other).exists()



def test_a_browser_sending_origin_null_can_send_its_answers(w):
    """The page sends no referrer, so browsers post its form with ``Origin: null``; the
    personal token in the address, not a cookie, says whose answer it is."""
    from django.test import Client

    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    browser = Client(enforce_csrf_checks=True, HTTP_ORIGIN="null")
    response = browser.post(link_of(w.participant, survey), fields(FEEDBACK))
    assert response.status_code in (200, 302)
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_check_page_shows_the_answers_stores_nothing_and_sends_them_as_shown(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    link = link_of(w.participant, survey)
    page = client.get(link).content.decode()
    assert 'name="step" value="check"' in page  # the page's button asks for the check
    answers = {**fields(FEEDBACK), "a-nuetzlich": "Die Übung <b>Koffer</b>\nund mehr"}
    check = client.post(link, {**answers, "step": "check", "smuggled": "x"})
    shown = check.content.decode()
    assert check.status_code == 200 and check["Cache-Control"].startswith("private")
    assert not Response.objects.exists()  # nothing stored by the check
    assert "<h1 class=\"kern-heading-x-large\">Angaben prüfen</h1>" in shown
    # Each question with its answer as words (a scale's label, not its number), the text
    # escaped with its line break, an empty answer said so.
    assert "5 – trifft voll zu" in shown
    assert "Die Übung &lt;b&gt;Koffer&lt;/b&gt;<br>und mehr" in shown
    assert "nicht beantwortet" in shown
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', shown))
    assert hidden["a-inhalte"] == "5" and "a-aendern" in hidden
    assert "smuggled" not in hidden and "step" not in hidden  # only the questions
    assert w.participant.first_name not in shown and w.participant.email not in shown
    # Change: the questions again, as filled in; nothing stored.
    back = client.post(link, {**answers, "step": "change"}).content.decode()
    chosen = re.search(r'<input[^>]*name="a-inhalte"[^>]*value="5"[^>]*>', back).group(0)
    assert "checked" in chosen and "und mehr" in back
    assert not Response.objects.exists()
    # Send: stored once, as shown.
    sent = client.post(link, {**answers, "step": "send"})
    assert sent.status_code == 302
    response = Response.objects.get(survey=survey)
    assert response.other["nuetzlich"].startswith("Die Übung <b>Koffer</b>")


def test_the_check_page_refuses_what_the_questions_refuse(client, w):
    survey = make_survey(w, Survey.Kind.FEEDBACK, open_it=True)
    link = link_of(w.participant, survey)
    response = client.post(link, {"a-inhalte": "5", "step": "check"})
    assert response.status_code == 400
    assert 'href="#id_a-methoden_0"' in response.content.decode()
    assert not Response.objects.exists()


def test_the_check_page_of_a_post_survey_shows_both_parts_and_the_consent(client, w):
    survey = make_survey(w, Survey.Kind.POST, open_it=True)
    link = link_of(w.participant, survey)
    data = {**fields(ALL_FOURS), **fields({**ALL_FOURS, "moderation-1": 2}, "t-"),
            "follow_up_consent": "yes", "step": "check"}
    shown = client.post(link, data).content.decode()
    assert "Teil 1: heute" in shown and "Teil 2: im Rückblick, vor dem Kurs" in shown
    assert "Dürfen wir Sie zur Nachbefragung einladen?" in shown
    assert "Ja, bitte laden Sie mich zur Nachbefragung ein" in shown
    assert not Response.objects.exists()
    assert client.post(link, {**data, "step": "send"}).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 2
