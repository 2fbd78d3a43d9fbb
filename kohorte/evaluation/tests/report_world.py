"""Answered surveys to test the report against: a cohort whose people answered the
competence questionnaire before and after (with the look back) through their personal
links (``response_submit``), and a module's feedback."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Survey
from kohorte.evaluation.services import invitation_create, pseudonyms_issue, response_submit

LIKERT = template_data("gwa-competence")["likert_labels"]

FEEDBACK_TEMPLATE = {
    "key": "modul-rueckmeldung", "purpose": "feedback", "draft": False,
    "title_de": "Rückmeldung zum Baustein", "title_en": "Module feedback",
    "likert_labels": LIKERT,
    "groups": [{"key": "baustein", "de": "Baustein", "en": "Module", "items": [
        {"key": "organisation", "de": "Der Baustein war gut organisiert.",
         "en": "The module was well organised."},
        {"key": "praxis", "de": "Ich kann das Gelernte in meiner Praxis nutzen.",
         "en": "I can use what I learnt in my practice."},
        {"key": "mitnehmen", "kind": "text", "de": "Was nehmen Sie mit?",
         "en": "What do you take away?"},
    ]}],
}


def competence_instrument(programme=None):
    return instrument_from_template(template_data("gwa-competence"), programme=programme)


def feedback_instrument(programme=None):
    return instrument_from_template(FEEDBACK_TEMPLATE, programme=programme)


def open_survey(cohort, instrument, kind, *, module=None, now=None):
    now = now or timezone.now()
    return Survey.objects.create(cohort=cohort, instrument=instrument, kind=kind, module=module,
                                 opens_at=now - timedelta(days=1),
                                 closes_at=now + timedelta(days=9), state=Survey.State.OPEN)


def _keys(instrument):
    return list(instrument.items.filter(column__isnull=False).order_by("column")
                .values_list("key", flat=True))


def answer_competence(cohort, instrument, *, pre, post, then=None, answering=None):
    """Everyone in ``cohort`` (or the first ``answering``) answers through their link:
    row i of ``pre``/``post``/``then`` (people × items) is participant i's answers.
    Returns the surveys."""
    pseudonyms_issue(cohort=cohort, actor=None)
    surveys = {kind: open_survey(cohort, instrument, kind)
               for kind in (Survey.Kind.PRE, Survey.Kind.POST)}
    keys = _keys(instrument)
    participants = list(cohort.participants.order_by("pk"))
    for index, participant in enumerate(participants):
        tokens = {kind: invitation_create(survey=s, participant=participant)[1]
                  for kind, s in surveys.items()}
        if answering is not None and index >= answering:
            continue
        response_submit(token=tokens[Survey.Kind.PRE], answers=_answers(keys, pre[index]))
        response_submit(token=tokens[Survey.Kind.POST], answers=_answers(keys, post[index]),
                        then_answers=None if then is None else _answers(keys, then[index]))
    return surveys


def answer_follow_up(cohort, instrument, *, follow_up, answering=None):
    """The first ``answering`` people of ``cohort`` (all: None) answer the follow-up
    survey: row i of ``follow_up`` is participant i's answers. Returns the survey."""
    survey = open_survey(cohort, instrument, Survey.Kind.FOLLOW_UP)
    keys = _keys(instrument)
    for index, participant in enumerate(cohort.participants.order_by("pk")):
        if answering is not None and index >= answering:
            break
        token = invitation_create(survey=survey, participant=participant)[1]
        response_submit(token=token, answers=_answers(keys, follow_up[index]))
    return survey


def _answers(keys, values):
    return {key: None if value is None else int(value) for key, value in zip(keys, values,
                                                                              strict=True)}


def answer_feedback(cohort, module, instrument, *, ratings, texts):
    """Each person i rates both items ``ratings[i]`` and writes ``texts[i]``."""
    pseudonyms_issue(cohort=cohort, actor=None)
    survey = open_survey(cohort, instrument, Survey.Kind.FEEDBACK, module=module)
    for participant, rating, text in zip(cohort.participants.order_by("pk"), ratings, texts,
                                         strict=False):
        token = invitation_create(survey=survey, participant=participant)[1]
        response_submit(token=token, answers={"organisation": rating, "praxis": rating,
                                              "mitnehmen": text})
    return survey


def answered_cohort(call, *, people=8, seed=5, lecturer=None, programme=None,
                    instrument=None, then=True):
    """A cohort of ``people`` who all answered before and after; the answers as arrays."""
    cohort = make_cohort(call, others=people, lecturer=lecturer)
    instrument = instrument or competence_instrument(programme)
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 4, size=(people, 32))
    post = np.clip(pre + rng.integers(0, 3, size=(people, 32)), 1, 5)
    look_back = np.clip(pre - rng.integers(0, 2, size=(people, 32)), 1, 5) if then else None
    answer_competence(cohort, instrument, pre=pre.tolist(), post=post.tolist(),
                      then=None if look_back is None else look_back.tolist())
    return cohort, instrument, pre, post, look_back
