"""The survey rows of the permission matrix: each request changes or shows something
real in the personas' programme (``evaluation_world(w)``'s cohort)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from .matrix_requests import evaluation_world


def _instrument(w):
    """The programme's copy of the module-feedback template, made once."""
    from kohorte.evaluation.services_surveys import instrument_copy

    if not hasattr(w, "eval_instrument"):
        w.eval_instrument = instrument_copy(programme=w.programme, template="module-feedback",
                                            actor=None)
    return w.eval_instrument


def _open_survey(w):
    """An open feedback survey of the evaluation cohort (invitations sent), made once."""
    from kohorte.evaluation.services_surveys import survey_create, survey_open

    if not hasattr(w, "eval_survey"):
        cohort = evaluation_world(w)
        now = timezone.now()
        w.eval_survey = survey_create(cohort=cohort, instrument=_instrument(w), kind="feedback",
                                      module=w.eval_module, opens_at=now - timedelta(hours=1),
                                      closes_at=now + timedelta(days=7), actor=None)
        survey_open(survey=w.eval_survey, actor=None, now=now)
    return w.eval_survey


def _create_survey(c, w):
    cohort = evaluation_world(w)
    return c.post(reverse("evaluation:survey_create", args=[cohort.pk]), {
        "instrument": _instrument(w).pk, "kind": "feedback", "module": w.eval_module.pk,
        "opens_on": "2030-03-02", "opens_time": "08:00", "closes_on": "2030-03-09",
        "closes_time": "23:59"})


REQUESTS = {
    ("survey", "manage"): _create_survey,
    ("survey", "responses"): lambda c, w: c.get(
        reverse("evaluation:survey_detail", args=[_open_survey(w).pk])),
    ("pseudonym_key", "manage"): lambda c, w: c.post(
        reverse("evaluation:keys_destroy", args=[_open_survey(w).cohort_id]),
        {"reason": "Auswertung abgeschlossen", "confirm": "on"}),
}
