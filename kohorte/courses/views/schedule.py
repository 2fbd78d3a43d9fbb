"""The staff's pages of a cohort: forming it, its participants, modules and sessions.

Coordinators (``cohort manage``, ``schedule edit``) see and change everything of their
programme's cohorts. Lecturers (``cohort view``) see a cohort only when they teach one
of its modules, and there only their own modules; a cohort or module they do not
teach is refused (403), as is any object of another programme.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.applications import selectors_staff
from kohorte.applications.models import Call
from kohorte.core.access import abilities, can, require, require_found, staff_required
from kohorte.core.extensions import links
from kohorte.core.forms import add_service_errors

from ..forms_schedule import CohortCreateForm, ModuleForm, ParticipantLeaveForm, SessionForm
from ..models import Attendance, Participant
from ..selectors import schedule as selectors
from ..services import cohort as cohort_services
from ..services import schedule as services


def _programme_of_cohort(cohort):
    return cohort.call.programme


def _programme_of_module(module):
    return module.cohort.call.programme


# --- Access helpers (404 for a missing object, 403 for a denied one) --------------------

def cohort_for_viewer(request, pk):
    cohort = require_found(selectors.cohort_by_pk(pk=pk), request.user, "cohort", "view",
                           programme=_programme_of_cohort)
    if not selectors.may_view_cohort(request.user, cohort):
        raise PermissionDenied
    return cohort


def cohort_for_manager(request, pk):
    return require_found(selectors.cohort_by_pk(pk=pk), request.user, "cohort", "manage",
                         programme=_programme_of_cohort)


def module_for_viewer(request, pk):
    module = require_found(selectors.module_by_pk(pk=pk), request.user, "cohort", "view",
                           programme=_programme_of_module)
    if not selectors.may_view_module(request.user, module):
        raise PermissionDenied
    return module


def module_for_editor(request, pk):
    return require_found(selectors.module_by_pk(pk=pk), request.user, "schedule", "edit",
                         programme=_programme_of_module)


def session_for_editor(request, pk):
    return require_found(selectors.session_by_pk(pk=pk), request.user, "schedule", "edit",
                         programme=lambda session: _programme_of_module(session.module))


def feed_url(request, name, token):
    return request.build_absolute_uri(reverse(f"courses:{name}", args=[token]))


# --- Lists and overview ----------------------------------------------------------------

@staff_required
@require_GET
def my_courses(request):
    """'Meine Kurse': the cohorts the person coordinates or teaches in."""
    return render(request, "courses/schedule/my_courses.html",
                  {"cohorts": selectors.cohorts_for_staff(user=request.user)})


@staff_required
@require_http_methods(["GET", "POST"])
def cohort_create(request, call_pk):
    """A confirmation page for forming the cohort of a closed call; formed on its button."""
    call = selectors_staff.call_for_staff(pk=call_pk)
    if call is None:
        raise Http404
    require(request.user, call.programme, "cohort", "manage")
    existing = selectors.cohort_of_call(call=call)
    if existing is not None:
        return redirect("courses:cohort_detail", pk=existing.pk)
    form = CohortCreateForm(request.POST or None, initial={"title": call.title})
    status = 200
    closed = call.state == Call.State.CLOSED
    if request.method == "POST":
        if not closed:
            form.add_error(None, _("The call is not closed yet: the cohort is formed once the "
                                   "selection is over."))
            status = 409
        elif form.is_valid():
            try:
                cohort = cohort_services.cohort_create(call=call, actor=request.user,
                                                       title=form.cleaned_data["title"])
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 409
            else:
                messages.success(request, _("The cohort is formed."))
                return redirect("courses:cohort_detail", pk=cohort.pk)
        else:
            status = 400
    return render(request, "courses/schedule/cohort_create.html",
                  {"call": call, "form": form, "closed": closed,
                   "accepted": selectors.accepted_count(call=call)}, status=status)


@staff_required
@require_GET
def cohort_detail(request, pk):
    cohort = cohort_for_viewer(request, pk)
    user = request.user
    manages = selectors.manages_cohort(user, cohort)
    return render(request, "courses/schedule/cohort_detail.html", {
        "cohort": cohort, "call": cohort.call,
        "participants": selectors.participants_of(cohort=cohort),
        "modules": selectors.schedule_for_viewer(cohort=cohort, user=user),
        "may_manage": manages,
        "may_edit_schedule": can(user, cohort.call.programme, "schedule", "edit"),
        "may": abilities(user, cohort.call.programme, [
            ("attendance", "record"), ("project", "review"), ("completion", "confirm"),
            ("certificate", "issue")]),
        # The whole cohort's schedule: for those who manage it. A lecturer sees their own
        # modules only, here as in the feed's place.
        "feed": feed_url(request, "cohort_feed", cohort.feed_token) if manages else None,
        "stage_links": links("KOHORTE_COHORT_PAGE_LINKS", user=user, cohort=cohort),
    })


@staff_required
@require_POST
def cohort_add_accepted(request, pk):
    """Add the people who accepted a place after the cohort was formed."""
    cohort = cohort_for_manager(request, pk)
    added = cohort_services.cohort_add_accepted(cohort=cohort, actor=request.user)
    if added:
        messages.success(request, ngettext("%(count)d person joined the cohort.",
                                           "%(count)d people joined the cohort.",
                                           len(added)) % {"count": len(added)})
    else:
        messages.info(request, _("Nobody has accepted a place since the cohort was formed."))
    return redirect("courses:cohort_detail", pk=cohort.pk)


@staff_required
@require_POST
def cohort_feed_renew(request, pk):
    cohort = cohort_for_manager(request, pk)
    services.cohort_feed_renew(cohort=cohort, actor=request.user)
    messages.success(request, _("The cohort's calendar has a new address; the old one no "
                                "longer works."))
    return redirect("courses:cohort_detail", pk=cohort.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def participant_leave(request, pk):
    participant = require_found(selectors.participant_by_pk(pk=pk), request.user, "cohort",
                                "manage", programme=lambda p: p.cohort.call.programme)
    if participant.state == Participant.State.LEFT:
        messages.info(request, _("%(name)s has already left the course.")
                      % {"name": participant.full_name})
        return redirect("courses:cohort_detail", pk=participant.cohort_id)
    form = ParticipantLeaveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cohort_services.participant_leave(participant=participant, actor=request.user,
                                                  **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409
            else:
                messages.success(request, _("%(name)s's leaving is recorded.")
                                 % {"name": participant.full_name})
                return redirect("courses:cohort_detail", pk=participant.cohort_id)
        else:
            status = 400
    return render(request, "courses/schedule/participant_leave.html",
                  {"participant": participant, "cohort": participant.cohort, "form": form},
                  status=status)


# --- Modules and sessions --------------------------------------------------------------

@staff_required
@require_GET
def module_detail(request, pk):
    module = module_for_viewer(request, pk)
    cohort, user = module.cohort, request.user
    module = selectors.module_with_schedule(module=module)
    attended = set(Attendance.objects.filter(session__module=module)
                   .values_list("session_id", flat=True).distinct())
    return render(request, "courses/schedule/module_detail.html", {
        "module": module, "cohort": cohort, "attended": attended,
        "may_edit_schedule": can(user, cohort.call.programme, "schedule", "edit"),
        "may_manage_materials": selectors.may_manage_materials(user, module),
        "stage_links": links("KOHORTE_MODULE_PAGE_LINKS", user=user, module=module),
        "may_record_attendance": (
            can(user, cohort.call.programme, "attendance", "record")
            and (selectors.manages_cohort(user, cohort)
                 or module.lecturers.filter(pk=user.pk).exists())),
    })




@staff_required
@require_http_methods(["GET", "POST"])
def module_edit(request, pk):
    module = module_for_editor(request, pk)
    choices = selectors.lecturer_choices(programme=module.cohort.call.programme)
    initial = {"title": module.title, "aims": module.aims,
               "lecturers": list(module.lecturers.all())}
    form = ModuleForm(request.POST or None, initial=initial, lecturer_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.module_update(module=module, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409
            else:
                messages.success(request, _("The module is saved."))
                return redirect("courses:module_detail", pk=module.pk)
        else:
            status = 400
    return render(request, "courses/schedule/module_edit.html",
                  {"module": module, "cohort": module.cohort, "form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def session_add(request, pk):
    module = module_for_editor(request, pk)
    form = SessionForm(request.POST or None, initial={"hours": "3.5"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.session_add(module=module, actor=request.user, **form.session_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409
            else:
                messages.success(request, _("The session is added; the participants are told "
                                            "by e-mail."))
                return redirect("courses:module_detail", pk=module.pk)
        else:
            status = 400
    return render(request, "courses/schedule/session_form.html",
                  {"module": module, "cohort": module.cohort, "form": form, "session": None},
                  status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    """Change or move a session. A move (time or place) tells every active participant."""
    session = session_for_editor(request, pk)
    module = session.module
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            before = session.sequence
            try:
                session = services.session_update(session=session, actor=request.user,
                                                  **form.session_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409
            else:
                if session.sequence != before:
                    messages.success(request, _("The session is moved; the participants are "
                                                "told by e-mail and their calendars update."))
                else:
                    messages.success(request, _("The session is saved."))
                return redirect("courses:module_detail", pk=module.pk)
        else:
            status = 400
    return render(request, "courses/schedule/session_form.html",
                  {"module": module, "cohort": module.cohort, "form": form, "session": session},
                  status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def session_remove(request, pk):
    """A confirmation page; the session is removed on its button (not once attended)."""
    session = session_for_editor(request, pk)
    module = session.module
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.session_remove(session=session, actor=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
            status = 409
        else:
            messages.success(request, _("The session is removed; the participants are told by "
                                        "e-mail."))
            return redirect("courses:module_detail", pk=module.pk)
    attended = Attendance.objects.filter(session=session).exists()
    return render(request, "courses/schedule/session_remove.html",
                  {"session": session, "module": module, "cohort": module.cohort,
                   "attended": attended, "error": error}, status=status)
