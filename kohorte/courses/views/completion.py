"""Completion of the course: who meets the cohort's rule, and the coordinator's
confirmation (``completion confirm``), one by one or for everyone who meets it; the
rule itself is changed with ``cohort manage``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import can, require_found, staff_required

from ..forms_projects import CompletionConfirmForm, CompletionRuleForm, CompletionUndoForm
from ..selectors import completion as selectors
from ..selectors.projects import cohort_for_staff, participant_in_cohort
from ..services import completion as services


def _cohort(request, pk, obj="completion", action="confirm"):
    return require_found(cohort_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda cohort: cohort.programme)


def _participant(request, pk, participant_pk):
    cohort = _cohort(request, pk)
    participant = participant_in_cohort(cohort=cohort, pk=participant_pk)
    if participant is None:
        raise Http404
    return cohort, participant


def _render_overview(request, cohort, *, rule_form=None, status=200):
    may_manage = can(request.user, cohort.programme, "cohort", "manage")
    if may_manage and rule_form is None:
        rule_form = CompletionRuleForm(initial={
            "min_attendance_percent": cohort.min_attendance_percent,
            "requires_project": cohort.requires_project})
    rows = selectors.completion_overview(cohort=cohort)
    return render(request, "courses/completion/overview.html", {
        "cohort": cohort, "rows": rows, "may_manage": may_manage, "rule_form": rule_form,
        "confirmable": sum(1 for row in rows if row.meets and not row.confirmed),
        "confirmed": sum(1 for row in rows if row.confirmed),
    }, status=status)


@staff_required
@require_GET
def completion_overview(request, pk):
    return _render_overview(request, _cohort(request, pk))


@staff_required
@require_POST
def completion_rule(request, pk):
    cohort = _cohort(request, pk, "cohort", "manage")
    form = CompletionRuleForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_completion_rule_set(cohort=cohort, actor=request.user,
                                                **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The completion rule is saved."))
            return redirect("courses:completion", pk=cohort.pk)
    return _render_overview(request, cohort, rule_form=form, status=400)


@staff_required
@require_POST
def completion_confirm_all(request, pk):
    cohort = _cohort(request, pk)
    confirmed = services.completion_confirm_all(cohort=cohort, actor=request.user)
    if confirmed:
        messages.success(request, ngettext(
            "The completion of %(count)d person is confirmed.",
            "The completion of %(count)d people is confirmed.", len(confirmed))
            % {"count": len(confirmed)})
    else:
        messages.info(request, _("Nobody else meets the rule; nothing was confirmed."))
    return redirect("courses:completion", pk=cohort.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def completion_confirm(request, pk, participant_pk):
    """Confirm one person: a page showing where they stand, with a reason field for an
    exception to the rule; the confirmation happens on its button."""
    cohort, participant = _participant(request, pk, participant_pk)
    row = selectors.completion_of(participant=participant)
    form = CompletionConfirmForm(request.POST if request.method == "POST" else None,
                                 exception=not row.meets)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.completion_confirm(participant=participant, actor=request.user,
                                            **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The completion of %(name)s is confirmed.")
                                 % {"name": participant.full_name})
                return redirect("courses:completion", pk=cohort.pk)
        status = 400
    return render(request, "courses/completion/confirm.html", {
        "cohort": cohort, "participant": participant, "form": form, "row": row,
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def completion_undo(request, pk, participant_pk):
    cohort, participant = _participant(request, pk, participant_pk)
    if participant.completion_confirmed_at is None:
        messages.info(request, _("The completion of %(name)s is not confirmed.")
                      % {"name": participant.full_name})
        return redirect("courses:completion", pk=cohort.pk)
    form = CompletionUndoForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.completion_undo(participant=participant, actor=request.user,
                                         reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The confirmation for %(name)s is taken back.")
                                 % {"name": participant.full_name})
                return redirect("courses:completion", pk=cohort.pk)
        status = 400
    return render(request, "courses/completion/undo.html", {
        "cohort": cohort, "participant": participant, "form": form,
        "has_certificate": selectors.has_valid_certificate(participant),
    }, status=status)
