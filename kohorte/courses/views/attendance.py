"""Attendance pages: the lecturer's list, the check-in code shown in the room, the printed
list, the make-up, the cohort overview, and the participant's check-in.

Lecturers record only for sessions of modules they teach; coordinators for all. A
participant checks in on a button (POST): link previews and mail scanners only open the
page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kohorte.core.access import require_found, roles_of, staff_required

from .. import checkin as codes
from ..forms_attendance import AttendanceListForm, CheckinCodeForm, MakeupForm
from ..models import Attendance, Cohort, Participant
from ..selectors import attendance as selectors
from ..services import attendance as services


def _programme_of_session(session):
    return session.module.cohort.call.programme


def _coordinates(user, programme) -> bool:
    return "coordinator" in roles_of(user, programme)


def _session_to_record(request, pk):
    """The session, if the user may record its attendance (403/404 otherwise)."""
    session = require_found(selectors.session_for_staff(pk=pk), request.user, "attendance",
                            "record", programme=_programme_of_session)
    if not (_coordinates(request.user, _programme_of_session(session))
            or session.module.lecturers.filter(pk=request.user.pk).exists()):
        raise PermissionDenied
    return session


def _session_context(session, **extra):
    module = session.module
    return {"session": session, "module": module, "cohort": module.cohort,
            "programme": module.cohort.call.programme, **extra}


# --- The lecturer's list -------------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    session = _session_to_record(request, pk)
    rows = selectors.session_sheet(session)
    # "Everyone present" only preselects the people not yet recorded; saving stays one step.
    preset = Attendance.Status.PRESENT if request.GET.get("alle") == "anwesend" else ""
    form = AttendanceListForm(request.POST or None, rows=rows, preset=preset)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.attendance_record_list(
                    session=session, marks=form.marks(), actor=request.user,
                    correction_reason=form.cleaned_data["correction_reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _(
                    "The attendance list is saved: %(created)d recorded, %(changed)d "
                    "corrected.") % {"created": result.created, "changed": result.changed})
                return redirect("courses:session_attendance", pk=session.pk)
        else:
            status = 400
    return render(request, "courses/attendance/session_list.html", _session_context(
        session, form=form, rows=rows, preset=preset,
        may_makeup=_coordinates(request.user, _programme_of_session(session)),
        checkin_open=codes.window_open(session.starts_at, session.ends_at, timezone.now()),
    ), status=status)


# --- The code shown in the room -------------------------------------------------------------

def _code_context(request, session, now):
    open_now = codes.window_open(session.starts_at, session.ends_at, now)
    context = _session_context(session, open_now=open_now, ended=now >= session.ends_at,
                               typed_url=request.build_absolute_uri(
                                   reverse("courses:checkin_typed", args=[session.pk])),
                               opens_at=codes.window(session.starts_at, session.ends_at)[0],
                               checked_in=session.attendances.filter(
                                   status=Attendance.Status.PRESENT).count())
    if open_now:
        code = codes.current_code(secret=session.checkin_secret, session_id=session.pk,
                                    now=now)
        url = request.build_absolute_uri(reverse("courses:checkin", args=[session.pk, code]))
        context.update(code=codes.grouped(code), url=url,
                       # Built by segno from our own address: no user input inside.
                       qr_svg=mark_safe(codes.qr_svg(url, title=_("QR code for the check-in"))),  # noqa: S308
                       seconds_left=codes.seconds_left(now))
    return context


@staff_required
@require_GET
def session_checkin_code(request, pk):
    """Shown on a screen in the room during the session; htmx fetches the next code."""
    session = _session_to_record(request, pk)
    context = _code_context(request, session, timezone.now())
    if request.htmx:
        return render(request, "courses/attendance/_checkin_code.html", context)
    response = render(request, "courses/attendance/checkin_code.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- The printed list with signature fields ------------------------------------------------

def _render_pdf(html: str, *, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a list is printed

    return HTML(string=html, base_url=base_url).write_pdf()


@staff_required
@require_GET
def session_attendance_pdf(request, pk):
    session = _session_to_record(request, pk)
    html = render_to_string("courses/attendance/session_list_pdf.html", _session_context(
        session, rows=selectors.session_sheet(session),
        lecturers=selectors.session_lecturers(session), printed_at=timezone.now()),
        request=request)
    pdf = _render_pdf(html, base_url=request.build_absolute_uri("/"))
    local = timezone.localtime(session.starts_at)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="anwesenheit-{local:%Y-%m-%d-%H%M}-{session.pk}.pdf"')
    return response


# --- The make-up --------------------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def attendance_makeup(request, pk, participant_pk):
    session = require_found(selectors.session_for_staff(pk=pk), request.user, "attendance",
                            "makeup", programme=_programme_of_session)
    participant = Participant.objects.filter(pk=participant_pk,
                                             cohort_id=session.module.cohort_id).first()
    if participant is None:
        raise Http404
    attendance = Attendance.objects.filter(session=session, participant=participant).first()
    form = MakeupForm(request.POST or None,
                      initial={"text": attendance.makeup if attendance else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.attendance_makeup_record(session=session, participant=participant,
                                                  text=form.cleaned_data["text"],
                                                  actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 409
            else:
                messages.success(request, _("The make-up for %(name)s is recorded.") % {
                    "name": participant.full_name})
                return redirect("courses:session_attendance", pk=session.pk)
        else:
            status = 400
    return render(request, "courses/attendance/makeup.html", _session_context(
        session, participant=participant, attendance=attendance, form=form), status=status)


# --- The cohort overview ------------------------------------------------------------------

@staff_required
@require_GET
def attendance_overview(request, pk):
    cohort = require_found(
        Cohort.objects.filter(pk=pk).select_related("call__programme").first(),
        request.user, "cohort", "view", programme=lambda c: c.call.programme)
    coordinates = _coordinates(request.user, cohort.call.programme)
    modules = None
    if not coordinates:
        modules = list(cohort.modules.filter(lecturers=request.user))
        if not modules:
            raise PermissionDenied
    overview = selectors.cohort_overview(cohort, modules=modules)
    return render(request, "courses/attendance/overview.html", {
        "cohort": cohort, "programme": cohort.call.programme, "overview": overview,
        "coordinates": coordinates, "now": timezone.now(),
    })


# --- The participant's check-in ----------------------------------------------------------

def _own_session(request, pk):
    session = selectors.session_for_staff(pk=pk)
    if session is None:
        raise Http404
    participant = selectors.participant_for_checkin(user=request.user, session=session)
    if participant is None:
        raise Http404
    return session, participant


def _checkin_page(request, session, participant, *, code="", form=None, error=None,
                  status=200):
    attendance = Attendance.objects.filter(session=session, participant=participant).first()
    if error is None and attendance is None and code:
        error = services.checkin_refusal(session=session, code=code, now=timezone.now())
    return render(request, "courses/attendance/checkin.html", {
        **_session_context(session), "participant": participant, "attendance": attendance,
        "code": code, "error": error.messages[0] if error else "",
        "form": form or CheckinCodeForm(),
    }, status=status)


def _check_in(request, session, participant, code, *, form=None, retry_url):
    try:
        _attendance, created = services.attendance_check_in(
            session=session, participant=participant, code=code, actor=request.user)
    except ValidationError as exc:
        return _checkin_page(request, session, participant, form=form, error=exc, status=400)
    if created:
        messages.success(request, _("You are checked in. Thank you!"))
    else:
        messages.info(request, _("You are already recorded for this session; nothing "
                                 "was changed."))
    return redirect(retry_url)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def checkin_page(request, pk, code):
    """The address in the QR code: a page with the check-in button."""
    session, participant = _own_session(request, pk)
    if request.method == "POST":
        return _check_in(request, session, participant, code,
                         retry_url=reverse("courses:checkin", args=[pk, code]))
    return _checkin_page(request, session, participant, code=code)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def checkin_typed(request, pk):
    """For people who cannot scan: the code typed off the screen."""
    session, participant = _own_session(request, pk)
    form = CheckinCodeForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _checkin_page(request, session, participant, form=form, status=400)
        return _check_in(request, session, participant, form.cleaned_data["code"], form=form,
                         retry_url=reverse("courses:checkin_typed", args=[pk]))
    return _checkin_page(request, session, participant, form=form)
