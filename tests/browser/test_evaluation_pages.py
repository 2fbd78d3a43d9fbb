"""axe on every evaluation page that an evaluator, a coordinator, a funder, a lecturer
and a participant reach.

Seeded: a cohort of six (module 1 taught by the lecturer) whose people answered the
competence questionnaire before and after the course (with the look back) and gave
feedback on module 1; a feedback survey on module 2 is open, so the participant has a
personal link and an open survey on the course page. The crawler follows the links from
the people's starting pages, so pages added later are checked as soon as something
links to them.
"""

import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Participant
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.models import Survey
from kohorte.evaluation.services_surveys import instrument_copy, survey_create, survey_open
from kohorte.evaluation.tests.report_world import (
    answer_competence,
    answer_feedback,
    answer_follow_up,
    feedback_instrument,
)
from kohorte.notifications.models import OutboxMail

from .crawl import crawl
from .flows import sign_in_applicant, sign_in_staff
from .test_every_page import _assert_clean

pytestmark = pytest.mark.browser

# The evaluation's pages reach into the other staff pages through the navigation.
EVALUATION_LIMIT = 80
NAMES = [("Tamara", "Quellwasser"), ("Benedikt", "Silberfeld"), ("Ottilie", "Wendelstein"),
         ("Jasper", "Krähenbühl"), ("Mirela", "Drachenfels"), ("Konrad", "Eulenspiegel")]


@pytest.fixture
def evaluated(open_call):
    call = open_call
    programme = call.programme
    evaluator = f.make_staff("evaluator", programme, email="evaluation@example.org",
                             name="Eva Evaluation")
    coordinator = f.make_staff("coordinator", programme, email="koordination@example.org",
                               name="Kim Koordination")
    funder = f.make_staff("funder", programme, email="ministerium@example.org",
                          name="Fritz Förderung")
    lecturer = f.make_staff("lecturer", programme, email="dozentin@example.org",
                            name="Dana Dozentin")
    applicant = f.make_applicant("teilnehmerin@example.org")
    cohort = make_cohort(call, applicants=[applicant], others=5, lecturer=lecturer,
                         actor=coordinator)
    for participant, (first, last) in zip(cohort.participants.order_by("pk"), NAMES,
                                          strict=True):
        Participant.objects.filter(pk=participant.pk).update(first_name=first, last_name=last)
    participant = cohort.participants.get(user=applicant)
    module = cohort.modules.get(position=1)
    second_module = cohort.modules.get(position=2)
    competence = instrument_copy(programme=programme, template="gwa-competence",
                                 actor=evaluator)
    rng = np.random.default_rng(11)
    before = rng.integers(1, 4, size=(6, 32))
    after = np.clip(before + rng.integers(0, 3, size=(6, 32)), 1, 5)
    then = np.clip(before - rng.integers(0, 2, size=(6, 32)), 1, 5)
    surveys = answer_competence(cohort, competence, pre=before.tolist(), post=after.tolist(),
                                then=then.tolist())
    # Five of the six answer the follow-up months later: the report compares it with before.
    answer_follow_up(cohort, competence, answering=5,
                     follow_up=np.clip(before + rng.integers(0, 2, size=(6, 32)), 1, 5).tolist())
    feedback = answer_feedback(cohort, module, feedback_instrument(programme),
                               ratings=[5, 4, 4, 3, 5, 4],
                               texts=["Die Fallarbeit", "Gute Übungen", "", "Mehr Pausen",
                                      "Der Austausch", "Die Methoden"])
    form = instrument_copy(programme=programme, template="module-feedback", actor=evaluator)
    now = timezone.now()
    open_one = survey_create(cohort=cohort, instrument=form, kind=Survey.Kind.FEEDBACK,
                             module=second_module, opens_at=now - timedelta(hours=1),
                             closes_at=now + timedelta(days=7), actor=coordinator)
    survey_open(survey=open_one, actor=coordinator, now=now)
    mail = OutboxMail.objects.filter(to=participant.email, about_id=str(open_one.pk),
                                     template="evaluation_survey_invitation").get()
    link = re.search(r"/befragung/[^/\s]+/", mail.body).group(0)
    return SimpleNamespace(
        call=call, programme=programme, cohort=cohort, participant=participant,
        module=module, competence=competence, surveys=surveys, feedback=feedback,
        open_survey=open_one, link=link, applicant=applicant, evaluator=evaluator,
        coordinator=coordinator, funder=funder, lecturer=lecturer,
        names=[f"{first} {last}" for first, last in NAMES])


def _visited(result, base_url):
    return {urlsplit(url).path for url in result.visited}


def test_every_evaluation_page_an_evaluator_reaches_passes_axe(page, base_url, evaluated):
    w = evaluated
    cohort = w.cohort.pk
    sign_in_staff(page, w.evaluator)
    result = crawl(page, base_url, ["/verwaltung/evaluation/"], limit=EVALUATION_LIMIT)
    _assert_clean(result, expected={
        "/verwaltung/evaluation/",
        f"/verwaltung/evaluation/programme/{w.programme.slug}/instrumente/",
        f"/verwaltung/evaluation/instrumente/{w.competence.pk}/",
        f"/verwaltung/evaluation/kurse/{cohort}/befragungen/",
        f"/verwaltung/evaluation/kurse/{cohort}/befragungen/neu/",
        f"/verwaltung/evaluation/kurse/{cohort}/schluessel/",
        f"/verwaltung/evaluation/kohorten/{cohort}/bericht/",
        f"/verwaltung/evaluation/frageboegen/{w.competence.pk}/bericht/",
    })
    visited = _visited(result, base_url)
    # The builder's pages of an instrument (a dimension, a question) and a survey.
    assert any(re.fullmatch(r"/verwaltung/evaluation/instrumente/\d+/dimensionen/\d+/", path)
               for path in visited), sorted(visited)
    assert any(re.fullmatch(r"/verwaltung/evaluation/instrumente/\d+/fragen/(neu|\d+)/", path)
               for path in visited), sorted(visited)
    assert any(re.fullmatch(r"/verwaltung/evaluation/befragungen/\d+/", path)
               for path in visited), sorted(visited)


def test_every_evaluation_page_a_coordinator_reaches_passes_axe(page, base_url, evaluated):
    w = evaluated
    cohort = w.cohort.pk
    sign_in_staff(page, w.coordinator)
    result = crawl(page, base_url, ["/verwaltung/evaluation/"], limit=EVALUATION_LIMIT)
    _assert_clean(result, expected={
        "/verwaltung/evaluation/",
        f"/verwaltung/evaluation/programme/{w.programme.slug}/instrumente/",
        f"/verwaltung/evaluation/kurse/{cohort}/befragungen/",
        f"/verwaltung/evaluation/kurse/{cohort}/befragungen/neu/",
        f"/verwaltung/evaluation/kohorten/{cohort}/bericht/",
    })
    visited = _visited(result, base_url)
    # Changing a survey's times (the coordinator manages surveys).
    assert any(re.fullmatch(r"/verwaltung/evaluation/befragungen/\d+/zeiten/", path)
               for path in visited), sorted(visited)
    assert any(re.fullmatch(r"/verwaltung/evaluation/befragungen/\d+/", path)
               for path in visited), sorted(visited)
    # The key is the evaluation role's alone.
    assert f"/verwaltung/evaluation/kurse/{cohort}/schluessel/" not in visited


def test_every_page_the_funder_reaches_passes_axe_and_names_no_participant(
        page, base_url, evaluated):
    w = evaluated
    cohort = w.cohort.pk
    sign_in_staff(page, w.funder)
    result = crawl(page, base_url, ["/verwaltung/evaluation/"], limit=EVALUATION_LIMIT)
    _assert_clean(result, expected={
        "/verwaltung/evaluation/",
        f"/verwaltung/evaluation/kohorten/{cohort}/bericht/",
        f"/verwaltung/evaluation/frageboegen/{w.competence.pk}/bericht/",
    })
    visited = _visited(result, base_url)
    assert not any("/befragungen/" in path or "/instrumente/" in path for path in visited)
    named = {}
    for url in result.visited:
        page.goto(url)
        text = page.locator("body").inner_text()
        found = [name for name in w.names if name in text or name.split()[1] in text]
        if found:
            named[url] = found
    assert not named, f"participants named on the funder's pages: {named}"
    # The report itself is there, with its figures, the follow-up among them.
    page.goto(f"/verwaltung/evaluation/kohorten/{cohort}/bericht/")
    assert page.locator("figure svg[role='img']").count() == 1
    assert page.get_by_text("Paare vorher und Nachbefragung").count() == 1
    assert page.locator("td", has_text="vorher → Nachbefragung").count() == 8 * 5


def test_a_lecturer_reaches_the_feedback_on_their_module_from_its_page(
        page, base_url, evaluated):
    w = evaluated
    module = w.module.pk
    sign_in_staff(page, w.lecturer)
    result = crawl(page, base_url, [f"/verwaltung/kurse/bausteine/{module}/"],
                   limit=EVALUATION_LIMIT)
    _assert_clean(result, expected={
        f"/verwaltung/kurse/bausteine/{module}/",
        f"/verwaltung/evaluation/bausteine/{module}/rueckmeldungen/",
    })
    page.goto(f"/verwaltung/evaluation/bausteine/{module}/rueckmeldungen/")
    text = page.locator("main").inner_text()
    assert "Die Fallarbeit" in text  # free text of a survey six people answered
    assert not any(name in text for name in w.names)
    other = w.cohort.modules.get(position=2).pk
    assert f"/verwaltung/evaluation/bausteine/{other}/rueckmeldungen/" not in _visited(
        result, base_url)


def test_the_survey_page_and_the_course_page_of_a_participant_pass_axe(
        page, base_url, evaluated):
    w = evaluated
    participant = w.participant.pk
    sign_in_applicant(page, w.applicant.email)
    # "Your data" shows the person's own answers under the evaluation part.
    result = crawl(page, base_url, [w.link, f"/kurs/{participant}/", "/meine-daten/"])
    _assert_clean(result, expected={w.link, f"/kurs/{participant}/", "/meine-daten/"})
    page.goto("/meine-daten/")
    assert page.locator("section[aria-labelledby=evaluation] dl").count() >= 4
    page.goto(f"/kurs/{participant}/")
    section = page.locator("section#befragungen")
    assert section.count() == 1
    assert section.locator(f'a[href="{w.link}"]').count() == 1
