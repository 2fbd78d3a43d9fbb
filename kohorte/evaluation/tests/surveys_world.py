"""A cohort with instruments and surveys for the survey tests.

``survey_world(personas)``: the course world (the personas' applicant is
``w.participant``, five more people), the competence and the module-feedback instrument
copied into the programme, and ``make_survey(w, kind, …)`` for a survey of the cohort.
"""

from datetime import timedelta

from django.utils import timezone

from kohorte.courses.tests.world import course_world
from kohorte.evaluation.models import Survey
from kohorte.evaluation.services_surveys import instrument_copy, survey_create, survey_open
from kohorte.notifications.models import OutboxMail

GROUPS = ["sozialraumanalyse", "aktivierung", "netzwerk", "moderation", "konflikt-vielfalt",
          "projektmanagement", "intermediaer", "haltung"]
ALL_FOURS = {f"{g}-{n}": 4 for g in GROUPS for n in range(1, 5)}
FEEDBACK = {"inhalte": 5, "methoden": 4, "praxisbezug": 4, "organisation": 3, "gesamt": 4,
            "nuetzlich": "Die Methodenkoffer-Übung", "aendern": ""}


def survey_world(personas, *, others=5):
    w = course_world(personas, others=others)
    w.competence = instrument_copy(programme=w.programme, template="gwa-competence",
                                   actor=w.coordinator)
    w.feedback = instrument_copy(programme=w.programme, template="module-feedback",
                                 actor=w.coordinator)
    return w


def make_survey(w, kind=Survey.Kind.PRE, *, open_it=False, now=None, days=7, module=None):
    now = now or timezone.now()
    instrument = w.feedback if kind == Survey.Kind.FEEDBACK else w.competence
    if kind == Survey.Kind.FEEDBACK and module is None:
        module = w.module
    survey = survey_create(cohort=w.cohort, instrument=instrument, kind=kind, module=module,
                           opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=days),
                           actor=w.coordinator)
    if open_it:
        survey_open(survey=survey, actor=w.coordinator, now=now)
        survey.refresh_from_db()
    return survey


def link_of(participant, survey, *, template="evaluation_survey_invitation"):
    """The personal link's path from the participant's newest mail about ``survey``."""
    mail = (OutboxMail.objects.filter(to=participant.email, template=template,
                                      about_id=str(survey.pk)).order_by("-pk").first())
    marker = "/befragung/"
    start = mail.body.index(marker)
    return mail.body[start:mail.body.index("\n", start)].strip()


def fields(answers, prefix="a-"):
    return {f"{prefix}{key}": value for key, value in answers.items()}
