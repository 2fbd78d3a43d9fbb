"""The practice project's pages.

Participants (signed in, taking part) write their plan and later their report under
/kurs/<participant>/projekt/: a draft first, then a check-your-answers page whose button
submits. Anyone else gets a 404. Staff with ``project review`` (coordinators; lecturers
only for cohorts in which they teach) see the cohort's projects under
/verwaltung/kurse/<cohort>/projekte/, read a project, download its files and give
feedback; the coordinator (``cohort manage``) sets the due dates there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import can, require_found, staff_required

from ..forms_projects import FeedbackForm, ProjectDatesForm, ProjectPartForm
from ..selectors import projects as selectors
from ..services import projects as services

# The part's word in the address, and its key.
PARTS = {"plan": "plan", "bericht": "report"}
PART_WORDS = {value: key for key, value in PARTS.items()}


def _stage(part) -> str:
    if part not in PARTS:
        raise Http404
    return PARTS[part]


def _file_response(project, stage):
    if project.pk is None:
        raise Http404
    return _stored_file_response(getattr(project, f"{stage}_file"),
                                 getattr(project, f"{stage}_file_name"))


def _stored_file_response(stored, name):
    if not stored:
        raise Http404
    handle = stored.open("rb")
    content_type = services.sniff_file_type(handle.read(services.SNIFF_BYTES))
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=name or "datei",
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The participant's side -----------------------------------------------------------

def _own(request, pk):
    participant = selectors.participant_for_self(user=request.user, pk=pk)
    if participant is None:
        raise Http404
    return participant


def _participant_context(participant, **extra):
    project = selectors.project_of(participant)
    today = timezone.localdate()
    cohort = participant.cohort
    return {
        "participant": participant, "cohort": cohort, "project": project,
        "status": selectors.project_status(project, cohort, today=today),
        "plan_due_words": selectors.due_in_words(cohort.project_plan_due, today=today),
        "report_due_words": selectors.due_in_words(cohort.project_report_due, today=today),
        "feedback": selectors.feedback_history(project),
        "part_words": PART_WORDS, **extra,
    }


@login_required(login_url="accounts:login")
@require_GET
def project_page(request, pk):
    participant = _own(request, pk)
    return render(request, "courses/projects/project.html", _participant_context(participant))


def _counter(stage, text):
    count, limit = len(text or ""), services.TEXT_LIMITS[stage]
    return {"stage": stage, "over": count > limit,
            "count_text": formats.number_format(count, force_grouping=True),
            "limit_text": formats.number_format(limit, force_grouping=True)}


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def project_edit(request, pk, part):
    """Write the plan or the report. "Save draft" keeps it and shows the page again
    (with the character count); "Continue" keeps it and goes to the check page."""
    participant = _own(request, pk)
    stage = _stage(part)
    project = selectors.project_of(participant)
    if project.editable_stage != stage:
        messages.info(request, _("This part of the project cannot be changed now."))
        return redirect("courses:project", pk=participant.pk)
    has_file = bool(getattr(project, f"{stage}_file"))
    initial = {"text": getattr(project, stage)}
    if stage == "plan":
        initial["title"] = project.title
    if request.method == "POST" and request.htmx and request.POST.get("count_only"):
        # The live count while typing (htmx); nothing is saved.
        return render(request, "courses/projects/_counter.html",
                      {"counter": _counter(stage, request.POST.get("text", ""))})
    posted = request.method == "POST"
    form = ProjectPartForm(request.POST if posted else None, request.FILES if posted else None,
                           stage=stage, has_file=has_file, initial=initial,
                           count_url=request.path)
    status = 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.project_save_draft(
                    participant=participant, stage=stage, text=data["text"],
                    title=data.get("title"), uploaded_file=data.get("file"),
                    remove_file=data.get("remove_file", False), actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if "continue" in request.POST:
                    return redirect("courses:project_check", pk=participant.pk, part=part)
                messages.success(request, _("Your draft is saved."))
                return redirect("courses:project_edit", pk=participant.pk, part=part)
        status = 400
    text = form["text"].value() or ""
    return render(request, "courses/projects/edit.html", _participant_context(
        participant, form=form, stage=stage, part=part, project=project,
        counter=_counter(stage, text)), status=status)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def project_check(request, pk, part):
    """Check your answers; its button submits the part for feedback."""
    participant = _own(request, pk)
    stage = _stage(part)
    project = selectors.project_of(participant)
    if project.editable_stage != stage:
        messages.info(request, _("This part of the project cannot be submitted now."))
        return redirect("courses:project", pk=participant.pk)
    status = 200
    if request.method == "POST":
        try:
            services.project_submit(participant=participant, stage=stage, actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            status = 409
        else:
            messages.success(request, _("Your plan is submitted. You will get an e-mail when "
                                        "the feedback is there.") if stage == "plan" else
                             _("Your report is submitted. You will get an e-mail when the "
                               "feedback is there."))
            return redirect("courses:project", pk=participant.pk)
    return render(request, "courses/projects/check.html", _participant_context(
        participant, stage=stage, part=part,
        missing=services.missing_for_submit(project, stage)), status=status)


@login_required(login_url="accounts:login")
@require_GET
def project_file(request, pk, part):
    participant = _own(request, pk)
    return _file_response(selectors.project_of(participant), _stage(part))


@login_required(login_url="accounts:login")
@require_GET
def project_version_file(request, pk, version_pk):
    """The file of a version the participant handed in earlier."""
    participant = _own(request, pk)
    version = selectors.version_of(participant=participant, pk=version_pk)
    if version is None:
        raise Http404
    return _stored_file_response(version.file, version.file_name)


# --- The staff's side -----------------------------------------------------------------

def _cohort_for_reviewer(request, pk):
    cohort = require_found(selectors.cohort_for_staff(pk=pk), request.user, "project", "review",
                           programme=lambda cohort: cohort.programme)
    if not selectors.may_review_projects(request.user, cohort):
        raise PermissionDenied
    return cohort


def _participant_for_reviewer(request, pk, participant_pk):
    cohort = _cohort_for_reviewer(request, pk)
    participant = selectors.participant_in_cohort(cohort=cohort, pk=participant_pk)
    if participant is None:
        raise Http404
    return cohort, participant


def _render_overview(request, cohort, *, dates_form=None, status=200):
    may_manage = can(request.user, cohort.programme, "cohort", "manage")
    if may_manage and dates_form is None:
        dates_form = ProjectDatesForm(initial={"project_plan_due": cohort.project_plan_due,
                                               "project_report_due": cohort.project_report_due})
    rows = selectors.project_overview(cohort=cohort)
    return render(request, "courses/projects/overview.html", {
        "cohort": cohort, "rows": rows, "may_manage": may_manage, "dates_form": dates_form,
        "waiting": sum(1 for participant, status in rows
                       if status.waiting_for_feedback and participant.state == "active"),
    }, status=status)


@staff_required
@require_GET
def projects_overview(request, pk):
    return _render_overview(request, _cohort_for_reviewer(request, pk))


@staff_required
@require_POST
def project_dates(request, pk):
    cohort = require_found(selectors.cohort_for_staff(pk=pk), request.user, "cohort", "manage",
                           programme=lambda cohort: cohort.programme)
    form = ProjectDatesForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_project_dates_set(
                cohort=cohort, plan_due=form.cleaned_data["project_plan_due"],
                report_due=form.cleaned_data["project_report_due"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The due dates are saved."))
            return redirect("courses:projects", pk=cohort.pk)
    return _render_overview(request, cohort, dates_form=form, status=400)


def _render_detail(request, cohort, participant, *, form=None, status=200):
    project = selectors.project_of(participant)
    if form is None and project.awaiting_feedback:
        form = FeedbackForm()
    return render(request, "courses/projects/detail.html", {
        "cohort": cohort, "participant": participant, "project": project,
        "status": selectors.project_status(project, cohort, today=timezone.localdate()),
        "feedback": selectors.feedback_history(project), "form": form,
        "part_words": PART_WORDS,
    }, status=status)


@staff_required
@require_GET
def project_detail(request, pk, participant_pk):
    return _render_detail(request, *_participant_for_reviewer(request, pk, participant_pk))


@staff_required
@require_POST
def project_feedback(request, pk, participant_pk):
    cohort, participant = _participant_for_reviewer(request, pk, participant_pk)
    project = selectors.project_of(participant)
    form = FeedbackForm(request.POST)
    if project.pk is None or not project.awaiting_feedback:
        messages.error(request, _("Nothing is waiting for feedback on this project."))
        return _render_detail(request, cohort, participant, status=409)
    if form.is_valid():
        try:
            services.project_feedback_give(project=project, actor=request.user,
                                           **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your feedback is saved; %(name)s is told by e-mail.")
                             % {"name": participant.full_name})
            return redirect("courses:project_detail", pk=cohort.pk, participant_pk=participant.pk)
    return _render_detail(request, cohort, participant, form=form, status=400)


@staff_required
@require_GET
def project_file_staff(request, pk, participant_pk, part):
    """Project files leave only through this check, as a download."""
    _cohort, participant = _participant_for_reviewer(request, pk, participant_pk)
    project, stage = selectors.project_of(participant), _stage(part)
    if project.editable_stage == stage:
        raise Http404  # a draft is the participant's alone
    return _file_response(project, stage)


@staff_required
@require_GET
def project_version_file_staff(request, pk, participant_pk, version_pk):
    """The file of a handed-in version (each one the lecturers read stays as it was)."""
    _cohort, participant = _participant_for_reviewer(request, pk, participant_pk)
    version = selectors.version_of(participant=participant, pk=version_pk)
    if version is None:
        raise Http404
    return _stored_file_response(version.file, version.file_name)
