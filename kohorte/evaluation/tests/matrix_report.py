"""The report rows of the permission matrix (merged by matrix_requests.py): the cohort's
report page, its module's feedback and its data export."""

from django.urls import reverse
from django.utils import timezone

from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Survey

from .matrix_requests import evaluation_world


def _surveyed(w):
    """The world's cohort with a competence survey, made once."""
    cohort = evaluation_world(w)
    if not hasattr(w, "eval_instrument"):
        w.eval_instrument = instrument_from_template(template_data("gwa-competence"),
                                                     programme=w.programme)
        now = timezone.now()
        Survey.objects.create(cohort=cohort, instrument=w.eval_instrument, kind=Survey.Kind.PRE,
                              opens_at=now, closes_at=now + timezone.timedelta(days=9))
    return cohort


REQUESTS = {
    ("module_feedback", "view"): lambda c, w: c.get(reverse(
        "evaluation:report_module_feedback",
        args=[evaluation_world(w) and w.eval_module.pk])),
    ("evaluation_report", "view"): lambda c, w: c.get(reverse(
        "evaluation:report_cohort", args=[_surveyed(w).pk])),
    ("evaluation_data", "export"): lambda c, w: c.get(reverse(
        "evaluation:report_cohort_data", args=[_surveyed(w).pk])),
}
