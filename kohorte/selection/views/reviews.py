"""The review stage: reviewers' pages (/begutachtung/) and coordinators' (/verwaltung/).

Each view loads its object, checks the permission matrix on the object's programme
(``require``: 403) and hands the work to one service. A reviewer's application is
loaded through their own assignment, so one not assigned to them is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.applications.selectors_staff import call_for_staff
from kohorte.core.access import (
    abilities,
    can,
    programmes_where,
    require,
    require_found,
    staff_required,
)

from .. import exports
from ..forms_reviews import (
    ConflictForm,
    CriterionForm,
    OverviewFilterForm,
    PolicyForm,
    ReasonForm,
    ReviewForm,
)
from ..selectors import reviews as selectors
from ..services import assignment as assignment_services
from ..services import reviews as services


def _abilities(user, programme, *pairs):
    return abilities(user, programme, pairs)


def _call(request, pk, obj, action):
    return require_found(call_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda call: call.programme)


def _error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Reviewers -----------------------------------------------------------------------------

def _own_assignment(request, application_pk):
    assignment = selectors.assignment_for_reviewer(reviewer=request.user,
                                                   application_pk=application_pk)
    if assignment is None:
        raise Http404
    require(request.user, assignment.application.call.programme, "review", "view_assigned")
    return assignment


@staff_required
@require_GET
def my_reviews(request):
    """The applications assigned to the signed-in reviewer, call by call."""
    programmes = programmes_where(request.user, "review", "view_assigned")
    if not programmes.exists():
        raise PermissionDenied
    return render(request, "selection/reviews/my_reviews.html", {
        "assignments": selectors.assignments_for_reviewer(reviewer=request.user),
    })


def _render_review(request, assignment, *, form=None, status=200):
    call = assignment.application.call
    criteria = selectors.criteria_for_call(call=call)
    sheet = selectors.review_sheet(assignment=assignment, criteria=criteria)
    if form is None and assignment.submitted_at is None:
        form = ReviewForm(criteria=criteria, sheet=sheet,
                          initial={"overall_comment": assignment.overall_comment})
    return render(request, "selection/reviews/review_detail.html", {
        "assignment": assignment, "application": assignment.application, "call": call,
        "sheet": sheet, "form": form,
        "others": selectors.other_reviews(assignment=assignment, criteria=criteria),
        "may": _abilities(request.user, call.programme, ("review", "submit"),
                          ("conflict", "declare")),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    """The application's answers and the review form (read-only once submitted).

    "Save draft" keeps what is there; "Continue to submit" needs every criterion
    answered and leads to the check page, where the review is submitted.
    """
    assignment = _own_assignment(request, pk)
    if request.method == "GET":
        return _render_review(request, assignment)
    require(request.user, assignment.application.call.programme, "review", "submit")
    submitting = request.POST.get("aktion") == "absenden"
    criteria = selectors.criteria_for_call(call=assignment.application.call)
    form = ReviewForm(request.POST, criteria=criteria, submitting=submitting)
    if form.is_valid():
        try:
            services.review_save(assignment=assignment, actor=request.user,
                                 answers=form.cleaned_answers(),
                                 overall_comment=form.cleaned_data["overall_comment"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submitting:
                return redirect("reviews:review_confirm", pk=pk)
            messages.success(request, _("Your draft has been saved."))
            return redirect("reviews:review_detail", pk=pk)
    return _render_review(request, assignment, form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def review_confirm(request, pk):
    """Check your review, then submit it (it cannot be changed afterwards)."""
    assignment = _own_assignment(request, pk)
    if assignment.submitted_at is not None:
        return redirect("reviews:review_detail", pk=pk)
    call = assignment.application.call
    status = 200
    if request.method == "POST":
        require(request.user, call.programme, "review", "submit")
        try:
            services.review_submit(assignment=assignment, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _error(exc))
            status = 409
        else:
            messages.success(request, _("Your review has been submitted. Thank you."))
            return redirect("reviews:review_detail", pk=pk)
    criteria = selectors.criteria_for_call(call=call)
    sheet = selectors.review_sheet(assignment=assignment, criteria=criteria)
    return render(request, "selection/reviews/review_confirm.html", {
        "assignment": assignment, "application": assignment.application, "call": call,
        "sheet": sheet, "missing": [c for c, s in sheet if s is None],
        "preview": selectors.review_preview(sheet=sheet),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def conflicts(request, pk):
    """Declare a conflict of interest. Reviewers for themselves, coordinators for any
    reviewer of the programme."""
    call = _call(request, pk, "conflict", "declare")
    coordinating = can(request.user, call.programme, "review_assignment", "manage")
    if coordinating:
        reviewers = selectors.reviewer_users(programme=call.programme)
        applications = selectors.eligible_applications(call=call)
        declared = selectors.conflicts_for_call(call=call)
    else:
        reviewers = None
        applications = selectors.open_assignments_of(reviewer=request.user, call=call)
        declared = selectors.conflicts_for_call(call=call, reviewer=request.user)
    form = ConflictForm(request.POST or None, reviewers=reviewers, applications=applications,
                        organisations=selectors.organisations_for_call(call=call))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conflict_declare(
                call=call, reviewer=data.get("reviewer") or request.user, actor=request.user,
                organisation=data["organisation"], application=data["application"],
                note=data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The conflict of interest has been recorded."))
            return redirect("reviews:conflicts", pk=call.pk)
    return render(request, "selection/reviews/conflicts.html", {
        "call": call, "form": form, "declared": list(declared), "coordinating": coordinating,
    }, status=400 if request.method == "POST" else 200)


# --- Coordinators: the overview, assignment and export ------------------------------------

@staff_required
@require_GET
def overview(request, pk):
    """Assignments, progress per reviewer and the score table of a call."""
    call = _call(request, pk, "review", "view_all")
    form = OverviewFilterForm(request.GET)
    valid = form.is_valid()
    policy = selectors.policy_in_force(call=call)
    may = _abilities(request.user, call.programme, ("review_assignment", "manage"),
                     ("review", "export"), ("review_criteria", "edit"),
                     ("selection_policy", "edit"), ("conflict", "declare"),
                     ("application", "view"))
    return render(request, "selection/reviews/overview.html", {
        "call": call, "policy": policy, "form": form, "may": may,
        "criteria": selectors.criteria_for_call(call=call),
        "overview": selectors.review_overview(call=call,
                                              threshold=policy.disagreement_threshold,
                                              **form.filters()),
        "outlook": assignment_services.assignment_outlook(call=call),
    }, status=200 if valid else 400)


@staff_required
@require_POST
def assign(request, pk):
    call = _call(request, pk, "review_assignment", "manage")
    try:
        result = assignment_services.review_assignments_run(call=call, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error(exc))
    else:
        n = len(result.created)
        messages.success(request, ngettext("%(n)d review assigned.", "%(n)d reviews assigned.",
                                           n) % {"n": n})
        if result.gaps:
            messages.warning(request, ngettext(
                "%(n)d application could not get all its reviewers; see the list below.",
                "%(n)d applications could not get all their reviewers; see the list below.",
                len(result.gaps)) % {"n": len(result.gaps)})
    return redirect("reviews:overview", pk=call.pk)


@staff_required
@require_GET
@never_cache
def export(request, pk, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    call = _call(request, pk, "review", "export")
    export = exports.reviews_export(call=call, fmt=fmt, actor=request.user)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# --- Coordinators: one review -------------------------------------------------------------

def _staff_assignment(request, pk, obj, action):
    assignment = selectors.assignment_for_staff(pk=pk)
    if assignment is None:
        raise Http404
    require(request.user, assignment.application.call.programme, obj, action)
    return assignment


def _render_assignment(request, assignment, *, form=None, status=200):
    call = assignment.application.call
    criteria = selectors.criteria_for_call(call=call)
    return render(request, "selection/reviews/assignment_detail.html", {
        "assignment": assignment, "application": assignment.application, "call": call,
        "sheet": selectors.review_sheet(assignment=assignment, criteria=criteria),
        "form": form or ReasonForm(),
        "may": _abilities(request.user, call.programme, ("review", "reopen"),
                          ("review_assignment", "manage")),
    }, status=status)


@staff_required
@require_GET
def assignment_detail(request, pk):
    return _render_assignment(request, _staff_assignment(request, pk, "review", "view_all"))


def _reason_action(request, pk, obj, action, service, done, then):
    """A coordinator's action on one assignment that needs a written reason."""
    assignment = _staff_assignment(request, pk, obj, action)
    form = ReasonForm(request.POST)
    if form.is_valid():
        call_pk = assignment.application.call_id
        try:
            service(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(*then(pk=pk, call_pk=call_pk))
    return _render_assignment(request, assignment, form=form, status=400)


@staff_required
@require_POST
def review_reopen(request, pk):
    return _reason_action(request, pk, "review", "reopen", services.review_reopen,
                          _("The review has been reopened; the reviewer has been told."),
                          lambda pk, call_pk: ("reviews:assignment_detail", pk))


@staff_required
@require_POST
def assignment_remove(request, pk):
    return _reason_action(request, pk, "review_assignment", "manage",
                          services.review_assignment_remove, _("The assignment has been removed."),
                          lambda pk, call_pk: ("reviews:overview", call_pk))


# --- Coordinators: criteria and policy ------------------------------------------------------

def _render_criteria(request, call, form, status=200):
    return render(request, "selection/reviews/criteria.html", {
        "call": call, "criteria": selectors.criteria_for_call(call=call), "form": form,
        "locked": selectors.criteria_locked(call=call),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def criteria(request, pk):
    """The call's review criteria, and a form to add one."""
    call = _call(request, pk, "review_criteria", "edit")
    if request.method == "GET":
        return _render_criteria(request, call, CriterionForm())
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.review_criterion_add(call=call, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The criterion has been added."))
            return redirect("reviews:criteria", pk=call.pk)
    return _render_criteria(request, call, form, status=400)


def _criterion(request, pk):
    criterion = selectors.criterion_for_staff(pk=pk)
    if criterion is None:
        raise Http404
    require(request.user, criterion.call.programme, "review_criteria", "edit")
    return criterion


@staff_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk):
    criterion = _criterion(request, pk)
    form = CriterionForm(request.POST or None, initial={
        "name": criterion.name, "weight": criterion.weight, "description": criterion.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_criterion_edit(criterion=criterion, actor=request.user,
                                           **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The criterion has been changed."))
            return redirect("reviews:criteria", pk=criterion.call_id)
    return render(request, "selection/reviews/criterion_edit.html", {
        "criterion": criterion, "call": criterion.call, "form": form,
        "locked": selectors.criteria_locked(call=criterion.call),
    }, status=400 if request.method == "POST" else 200)


def _criterion_action(request, pk, service, done, **kwargs):
    criterion = _criterion(request, pk)
    try:
        service(criterion=criterion, actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, _error(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("reviews:criteria", pk=criterion.call_id)


@staff_required
@require_POST
def criterion_move(request, pk):
    return _criterion_action(request, pk, services.review_criterion_move, None,
                             up=request.POST.get("richtung") != "runter")


@staff_required
@require_POST
def criterion_remove(request, pk):
    return _criterion_action(request, pk, services.review_criterion_remove,
                             _("The criterion has been removed."))


@staff_required
@require_http_methods(["GET", "POST"])
def policy(request, pk):
    """The selection policy of a call; every save is a new version."""
    call = _call(request, pk, "selection_policy", "edit")
    form = PolicyForm(request.POST or None, call=call, districts=selectors.districts(),
                      policy=selectors.policy_in_force(call=call))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.selection_policy_save(call=call, actor=request.user,
                                                   **form.policy_values())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Version %(version)d of the selection policy has been "
                                        "saved.") % {"version": saved.version})
            return redirect("reviews:policy", pk=call.pk)
    return render(request, "selection/reviews/policy.html", {
        "call": call, "form": form, "versions": selectors.policy_versions(call=call),
    }, status=400 if request.method == "POST" else 200)
