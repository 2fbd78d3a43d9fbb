"""The evaluation report: per cohort and pooled over a programme's cohorts that used the
same questionnaire, as a page and as PDF; the pseudonymised data as a ZIP; module
feedback for lecturers.

No page here names a person: the funder reads the report. Every aggregate rests on at
least 5 people (the selectors mark the rest as suppressed).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kohorte.core.access import can, require_found, roles_of, staff_required
from kohorte.courses.models import Module

from .. import selectors_report as selectors
from ..charts import dimension_chart
from ..exports import evaluation_data_export
from ..forms_report import InstrumentChoiceForm
from ..report_format import (
    chart_columns,
    chart_rows,
    chart_sentences,
    dimension_tables,
    stats_columns,
)
from ..report_pdf import report_pdf
from ..selectors import MIN_GROUP


def _cohort(request, pk, obj, action):
    return require_found(selectors.cohort_for_report(pk=pk), request.user, obj, action,
                         programme=lambda cohort: cohort.call.programme)


def _pooled(request, pk, obj, action):
    return require_found(selectors.instrument_for_pooling(pk=pk), request.user, obj, action,
                         programme=lambda instrument: instrument.programme)


def _cohort_instrument(request, cohort):
    form = InstrumentChoiceForm(request.GET or None,
                                instruments=selectors.competence_instruments(cohort=cohort))
    return form, form.chosen()


def _totals(rates):
    """Invited and answered per kind of survey, summed over the cohorts."""
    totals = {}
    for rate in rates:
        entry = totals.setdefault(rate.survey.kind, {
            "label": rate.survey.get_kind_display(), "invited": 0, "answered": 0,
            "surveys": 0})
        entry["invited"] += rate.invited
        entry["answered"] += rate.answered
        entry["surveys"] += 1
    return list(totals.values())


def _report_context(request, *, cohorts, instrument, programme, cohort=None):
    """Everything the page and the PDF show, computed once."""
    language = get_language() or "de"
    context = {"programme": programme, "cohort": cohort, "cohorts": list(cohorts),
               "instrument": instrument, "min_group": MIN_GROUP, "pooled": cohort is None,
               "now": timezone.now()}
    if cohort is not None and can(request.user, programme, "module_feedback", "view"):
        context["feedback"] = selectors.feedback_summaries(
            surveys=selectors.feedback_surveys(cohort=cohort), language=language)
    if instrument is None:
        return context
    surveys = selectors.competence_surveys(cohorts=cohorts, instrument=instrument)
    overview = selectors.competence_overview(cohorts=cohorts, instrument=instrument)
    rows = chart_rows(overview, language=language)
    summary, sentences = chart_sentences(rows)
    title = _("Self-assessed competence per dimension: scale means before and after the course")
    rates = selectors.survey_rates(surveys=surveys)
    context.update(
        overview=overview, rates=rates, totals=_totals(rates),
        chart=dimension_chart(rows, chart_id="veraenderung", title=title,
                              description=" ".join([summary, *sentences]),
                              has_then=overview.has_then,
                              has_follow_up=overview.has_follow_up),
        chart_title=title, chart_rows=rows,
        chart_columns=chart_columns(overview.has_then, overview.has_follow_up),
        chart_summary=summary, chart_sentences=sentences,
        tables=dimension_tables(overview, language=language), stats_columns=stats_columns(),
        texts=selectors.free_texts(surveys=surveys),
        may_export=can(request.user, programme, "evaluation_data", "export"))
    return context


def _pdf_response(request, context, filename):
    context = {**context, "for_print": True}
    response = HttpResponse(report_pdf(context, request=request),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Per cohort ----------------------------------------------------------------------------

@staff_required
@require_GET
def cohort_report(request, pk):
    cohort = _cohort(request, pk, "evaluation_report", "view")
    form, instrument = _cohort_instrument(request, cohort)
    context = _report_context(request, cohorts=[cohort], instrument=instrument,
                              programme=cohort.call.programme, cohort=cohort)
    context.update(form=form, query=request.GET.urlencode())
    return render(request, "evaluation/report/report.html", context)


@staff_required
@require_GET
def cohort_report_pdf(request, pk):
    cohort = _cohort(request, pk, "evaluation_report", "view")
    _form, instrument = _cohort_instrument(request, cohort)
    if instrument is None:
        raise Http404
    context = _report_context(request, cohorts=[cohort], instrument=instrument,
                              programme=cohort.call.programme, cohort=cohort)
    return _pdf_response(request, context, f"evaluationsbericht-kohorte-{cohort.pk}.pdf")


@staff_required
@require_GET
def cohort_data(request, pk):
    cohort = _cohort(request, pk, "evaluation_data", "export")
    _form, instrument = _cohort_instrument(request, cohort)
    if instrument is None:
        raise Http404
    export = evaluation_data_export(cohorts=[cohort], instrument=instrument,
                                    actor=request.user, obj=cohort)
    return _zip_response(export)


# --- Pooled over the cohorts that used one questionnaire ----------------------------------

@staff_required
@require_GET
def pooled_report(request, pk):
    instrument = _pooled(request, pk, "evaluation_report", "view")
    context = _report_context(request, cohorts=selectors.cohorts_using(instrument=instrument),
                              instrument=instrument, programme=instrument.programme)
    return render(request, "evaluation/report/report.html", context)


@staff_required
@require_GET
def pooled_report_pdf(request, pk):
    instrument = _pooled(request, pk, "evaluation_report", "view")
    context = _report_context(request, cohorts=selectors.cohorts_using(instrument=instrument),
                              instrument=instrument, programme=instrument.programme)
    return _pdf_response(request, context, f"evaluationsbericht-{instrument.key}-"
                                           f"v{instrument.version}.pdf")


@staff_required
@require_GET
def pooled_data(request, pk):
    instrument = _pooled(request, pk, "evaluation_data", "export")
    export = evaluation_data_export(cohorts=selectors.cohorts_using(instrument=instrument),
                                    instrument=instrument, actor=request.user, obj=instrument)
    return _zip_response(export)


def _zip_response(export):
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Module feedback -----------------------------------------------------------------------

@staff_required
@require_GET
def module_feedback(request, pk):
    """A module's feedback: coordinators and evaluators for every module, a lecturer for
    the modules they teach."""
    module = require_found(
        Module.objects.select_related("cohort__call__programme").filter(pk=pk).first(),
        request.user, "module_feedback", "view",
        programme=lambda m: m.cohort.call.programme)
    programme = module.cohort.call.programme
    if not roles_of(request.user, programme) & {"coordinator", "evaluator"} and not (
            module.lecturers.filter(pk=request.user.pk).exists()):
        raise PermissionDenied
    summaries = selectors.feedback_summaries(surveys=selectors.feedback_surveys(module=module),
                                             language=get_language() or "de")
    return render(request, "evaluation/report/module_feedback.html", {
        "module": module, "cohort": module.cohort, "programme": programme,
        "feedback": summaries, "min_group": MIN_GROUP})
