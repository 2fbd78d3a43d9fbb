"""A cohort's surveys for the staff, under /verwaltung/evaluation/.

``survey responses`` sees the surveys with their response counts and who has not
answered yet (never what anyone answered); ``survey manage`` makes a survey from an
instrument, opens it (invitations by e-mail), reminds and closes it. The evaluation role
(``pseudonym_key manage``) destroys the cohort's pseudonym key after the evaluation.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import can, require_found, staff_required
from kohorte.core.forms import add_service_errors

from .. import selectors_surveys as selectors
from .. import services_surveys as services
from ..forms_surveys import KeysDestroyForm, SurveyCreateForm, SurveyTimesForm
from ..models import Instrument, Survey
from ..services import keys_destroyed, pseudonym_keys_destroy


def _cohort(request, pk, obj, action):
    return require_found(selectors.cohort_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda cohort: cohort.programme)


def _survey(request, pk, action):
    return require_found(selectors.survey_for_staff(pk=pk), request.user, "survey", action,
                         programme=lambda survey: survey.cohort.programme)


@staff_required
@require_GET
def survey_list(request, pk):
    cohort = _cohort(request, pk, "survey", "responses")
    programme = cohort.programme
    return render(request, "evaluation/surveys/list.html", {
        "cohort": cohort, "programme": programme, "surveys": selectors.surveys_of(cohort),
        "may_manage": can(request.user, programme, "survey", "manage"),
        "may_destroy_keys": can(request.user, programme, "pseudonym_key", "manage"),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def survey_create(request, pk):
    cohort = _cohort(request, pk, "survey", "manage")
    instruments = list(Instrument.objects.filter(programme=cohort.programme)
                       .order_by("key", "-version"))
    modules = list(cohort.modules.order_by("position"))
    form = SurveyCreateForm(request.POST or None, instruments=instruments, modules=modules)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = services.survey_create(
                    cohort=cohort, actor=request.user, kind=data["kind"],
                    instrument=next(i for i in instruments if i.pk == data["instrument"]),
                    module=next((m for m in modules if m.pk == data["module"]), None),
                    opens_at=data["opens_at"], closes_at=data["closes_at"])
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("The survey is prepared. Open it to send the "
                                            "invitations."))
                return redirect("evaluation:survey_detail", pk=survey.pk)
        status = 400
    return render(request, "evaluation/surveys/create.html", {
        "cohort": cohort, "form": form, "instruments": instruments,
        "programme": cohort.programme}, status=status)


@staff_required
@require_GET
def survey_detail(request, pk):
    survey = _survey(request, pk, "responses")
    programme = survey.cohort.programme
    return render(request, "evaluation/surveys/detail.html", {
        "survey": survey, "cohort": survey.cohort, "counts": selectors.survey_counts(survey),
        "waiting": selectors.not_answered(survey),
        # Released ahead of its opening time: the invitations go out then.
        "scheduled": survey.state == Survey.State.OPEN and survey.opens_at > timezone.now(),
        "may_manage": can(request.user, programme, "survey", "manage"),
    })


def _act(request, pk, action):
    survey = _survey(request, pk, "manage")
    try:
        result = action(survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, result)
    return redirect("evaluation:survey_detail", pk=survey.pk)


@staff_required
@require_POST
def survey_open(request, pk):
    def open_it(survey):
        count = services.survey_open(survey=survey, actor=request.user)
        if survey.opens_at > timezone.now():
            return _("The survey is released. The invitations go out by e-mail when it "
                     "opens, on %(date)s.") % {
                "date": date_format(timezone.localtime(survey.opens_at), "j. F Y, H:i")}
        return ngettext("The survey is open. %(count)d person is invited by e-mail.",
                        "The survey is open. %(count)d people are invited by e-mail.",
                        count) % {"count": count}
    return _act(request, pk, open_it)


def _to_the_minute(moment):
    return timezone.localtime(moment).replace(second=0, microsecond=0)


@staff_required
@require_http_methods(["GET", "POST"])
def survey_times(request, pk):
    """Change when a survey opens and closes (see ``services.survey_times_change``)."""
    survey = _survey(request, pk, "manage")
    form = SurveyTimesForm(request.POST or None, survey=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # The form has minutes: a time shown and sent back unchanged stays as it was.
            opens_at, closes_at = (
                current if _to_the_minute(current) == form.cleaned_data[name]
                else form.cleaned_data[name]
                for name, current in (("opens_at", survey.opens_at),
                                      ("closes_at", survey.closes_at)))
            try:
                services.survey_times_change(survey=survey, opens_at=opens_at,
                                             closes_at=closes_at, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The survey's times are changed."))
                return redirect("evaluation:survey_detail", pk=survey.pk)
        status = 400
    return render(request, "evaluation/surveys/times.html",
                  {"survey": survey, "cohort": survey.cohort, "form": form}, status=status)


@staff_required
@require_POST
def survey_close(request, pk):
    def close_it(survey):
        services.survey_close(survey=survey, actor=request.user)
        return _("The survey is closed. No more answers are taken.")
    return _act(request, pk, close_it)


@staff_required
@require_POST
def survey_remind(request, pk):
    def remind(survey):
        count = services.survey_remind(survey=survey, actor=request.user)
        return ngettext("%(count)d person is reminded by e-mail.",
                        "%(count)d people are reminded by e-mail.", count) % {"count": count}
    return _act(request, pk, remind)


@staff_required
@require_http_methods(["GET", "POST"])
def keys_destroy(request, pk):
    """Destroy the cohort's pseudonym key after the evaluation: reason, confirmation,
    audited; from then on nobody can tell whose answers are whose."""
    cohort = _cohort(request, pk, "pseudonym_key", "manage")
    form = KeysDestroyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                count = pseudonym_keys_destroy(cohort=cohort, actor=request.user,
                                               reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error("reason", error.messages[0])
            else:
                messages.success(request, ngettext(
                    "The key is destroyed: %(count)d link between a person and their "
                    "answers is gone for good.",
                    "The key is destroyed: %(count)d links between people and their "
                    "answers are gone for good.", count) % {"count": count})
                return redirect("evaluation:keys_destroy", pk=cohort.pk)
        status = 400
    return render(request, "evaluation/surveys/keys_destroy.html", {
        "cohort": cohort, "form": form, "key_count": selectors.key_count(cohort),
        "destroyed": keys_destroyed(cohort),
        "open_surveys": selectors.surveys_of(cohort).filter(state="open").count(),
    }, status=status)
