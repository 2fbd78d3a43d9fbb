"""The budget's pages: periods, plan vs. actual, the plan editor, bookings with their
approval and reversal, receipts, funder consents and the import.

Each view loads its object, checks the permission matrix on the programme (403, 404 for
a missing object) and hands the work to one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import abilities, require, require_found, staff_required
from kohorte.core.forms import add_service_errors
from kohorte.programmes.models import Programme

from . import selectors, services
from .forms import (
    DEFAULT_LINES,
    BookingFilterForm,
    BookingForm,
    ConsentForm,
    DiscardForm,
    FundingPeriodForm,
    ImportMappingForm,
    ImportUploadForm,
    PlanLineFormSet,
    PlanReasonForm,
    ReversalForm,
)
from .models import Booking

MAY = (("budget", "view"), ("budget_plan", "edit"), ("booking", "enter"),
       ("booking", "approve"), ("booking", "import"), ("receipt", "download"))


def _period(request, pk, obj="budget", action="view"):
    return require_found(selectors.period_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda period: period.programme)


def _booking(request, pk, obj="budget", action="view"):
    return require_found(selectors.booking_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda booking: booking.period.programme)


def _may(request, programme):
    return abilities(request.user, programme, MAY)




# --- Periods --------------------------------------------------------------------------

@staff_required
@require_GET
def programme_budget(request, slug):
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    require(request.user, programme, "budget", "view")
    return render(request, "budget/programme.html", {
        "programme": programme, "may": _may(request, programme),
        "periods": selectors.periods_for_programme(programme=programme)})


@staff_required
@require_http_methods(["GET", "POST"])
def period_create(request, slug):
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    require(request.user, programme, "budget_plan", "edit")
    form = FundingPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.funding_period_create(programme=programme, actor=request.user,
                                                    **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The funding period has been created. Now enter its "
                                        "financing plan."))
            return redirect("budget:plan_edit", pk=period.pk)
    return render(request, "budget/period_form.html", {"programme": programme, "form": form},
                  status=400 if form.errors else 200)


@staff_required
@require_GET
def period_overview(request, pk):
    period = _period(request, pk)
    return render(request, "budget/overview.html", {
        "period": period, "programme": period.programme, "may": _may(request, period.programme),
        "report": selectors.plan_vs_actual(period=period),
        "versions": selectors.plan_versions(period=period),
        "consents": period.consents.select_related("recorded_by"),
        "titles": selectors.line_titles(period=period)})


# --- The plan -------------------------------------------------------------------------

def _initial_lines(version):
    if version is None:
        return [{"key": key, "title": str(title), "kind": kind, "position": i}
                for i, (key, title, kind) in enumerate(DEFAULT_LINES)]
    return [{"key": line.key, "title": line.title, "kind": line.kind, "amount": line.amount,
             "position": line.position} for line in version.lines.all()]


@staff_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    """A new version of the plan, prefilled with the current one; saving needs a reason."""
    period = _period(request, pk, "budget_plan", "edit")
    current = selectors.current_version(period=period)
    if request.method == "POST":
        formset = PlanLineFormSet(request.POST, prefix="lines")
        reason_form = PlanReasonForm(request.POST)
        if formset.is_valid() and reason_form.is_valid():
            try:
                version = services.plan_version_create(
                    period=period, lines=formset.lines(),
                    reason=reason_form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(reason_form, exc)
            else:
                messages.success(request, _("Version %(number)d of the financing plan has been "
                                            "saved.") % {"number": version.number})
                return redirect("budget:overview", pk=period.pk)
    else:
        formset = PlanLineFormSet(initial=_initial_lines(current), prefix="lines")
        reason_form = PlanReasonForm()
    has_errors = bool(reason_form.errors) or any(formset.errors) or formset.non_form_errors()
    return render(request, "budget/plan_edit.html", {
        "period": period, "programme": period.programme, "current": current,
        "formset": formset, "form": reason_form},
        status=400 if has_errors else 200)


@staff_required
@require_GET
def plan_version_detail(request, pk, number):
    period = _period(request, pk)
    version = selectors.plan_versions(period=period).filter(number=number).first()
    if version is None:
        raise Http404
    return render(request, "budget/plan_version.html", {
        "period": period, "programme": period.programme, "version": version,
        "lines": list(version.lines.all())})


@staff_required
@require_http_methods(["GET", "POST"])
def consent_create(request, pk):
    period = _period(request, pk, "budget_plan", "edit")
    lines = selectors.current_lines(period=period)
    form = ConsentForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(period=period, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The funder's consent has been recorded."))
            return redirect("budget:overview", pk=period.pk)
    return render(request, "budget/consent_form.html",
                  {"period": period, "programme": period.programme, "form": form},
                  status=400 if form.errors else 200)


# --- Bookings -------------------------------------------------------------------------

@staff_required
@require_GET
def booking_list(request, pk):
    period = _period(request, pk)
    titles = selectors.line_titles(period=period)
    form = BookingFilterForm(request.GET or None, titles=titles)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {"line_key": form.cleaned_data["line"], "state": form.cleaned_data["state"],
                   "month": form.cleaned_data["month"]}
    bookings = selectors.booking_list(period=period, **filters)
    context = {"period": period, "programme": period.programme, "form": form,
               "bookings": bookings, "titles": titles, "may": _may(request, period.programme)}
    if request.htmx:
        return render(request, "budget/_booking_table.html", context)
    return render(request, "budget/booking_list.html", context,
                  status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def booking_create(request, pk):
    period = _period(request, pk, "booking", "enter")
    lines = selectors.current_lines(period=period)
    if not lines:
        messages.error(request, _("The funding period has no financing plan yet."))
        return redirect("budget:overview", pk=period.pk)
    form = BookingForm(request.POST or None, request.FILES or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(period=period, actor=request.user,
                                              **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking has been entered. A second person must "
                                        "approve it before it counts."))
            return redirect("budget:booking_detail", pk=booking.pk)
    return render(request, "budget/booking_form.html",
                  {"period": period, "programme": period.programme, "form": form},
                  status=400 if form.errors else 200)


def _render_booking(request, booking, status=200):
    return render(request, "budget/booking_detail.html", {
        "booking": booking, "period": booking.period, "programme": booking.period.programme,
        "titles": selectors.line_titles(period=booking.period),
        "reversals": selectors.booking_reversals(booking=booking),
        "history": selectors.booking_history(booking=booking),
        "may": _may(request, booking.period.programme),
        "own": booking.entered_by_id == request.user.pk}, status=status)


@staff_required
@require_GET
def booking_detail(request, pk):
    return _render_booking(request, _booking(request, pk))


@staff_required
@require_http_methods(["GET", "POST"])
def booking_edit(request, pk):
    booking = _booking(request, pk, "booking", "enter")
    if (booking.state != Booking.State.PENDING or booking.entered_by_id != request.user.pk
            or booking.is_reversal):
        messages.error(request, _("Only the person who entered a booking may change it, and "
                                  "only until it is approved."))
        return redirect("budget:booking_detail", pk=booking.pk)
    lines = selectors.current_lines(period=booking.period)
    initial = {"booking_date": booking.booking_date, "payee": booking.payee,
               "purpose": booking.purpose, "amount": booking.amount,
               "line_key": booking.line_key}
    form = BookingForm(request.POST or None, request.FILES or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_update(booking=booking, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking has been changed."))
            return redirect("budget:booking_detail", pk=booking.pk)
    return render(request, "budget/booking_form.html",
                  {"period": booking.period, "programme": booking.period.programme,
                   "form": form, "booking": booking},
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def booking_discard(request, pk):
    booking = _booking(request, pk, "booking", "enter")
    form = DiscardForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"][0])
        services.booking_discard(booking=booking, actor=request.user,
                                 reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        booking.refresh_from_db()
        return _render_booking(request, booking, status=409)
    messages.success(request, _("The booking has been discarded."))
    return redirect("budget:booking_list", pk=booking.period_id)


@staff_required
@require_POST
def booking_approve(request, pk):
    booking = _booking(request, pk, "booking", "approve")
    try:
        services.booking_approve(booking=booking, actor=request.user)
    except ValidationError as exc:
        # Refused rather than redirected, so that no client takes it for a success.
        messages.error(request, exc.messages[0])
        booking.refresh_from_db()
        return _render_booking(request, booking, status=409)
    messages.success(request, _("The booking has been approved."))
    return redirect("budget:booking_detail", pk=booking.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def booking_reverse(request, pk):
    booking = _booking(request, pk, "booking", "enter")
    today = timezone.localdate()
    default_day = min(max(today, booking.period.start), booking.period.end)
    form = ReversalForm(request.POST or None, initial={"booking_date": default_day})
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.booking_reverse(booking=booking, actor=request.user,
                                                **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reversal has been entered. A second person must "
                                        "approve it before it counts."))
            return redirect("budget:booking_detail", pk=reversal.pk)
    return render(request, "budget/reversal_form.html",
                  {"booking": booking, "period": booking.period,
                   "programme": booking.period.programme, "form": form,
                   "titles": selectors.line_titles(period=booking.period)},
                  status=400 if form.errors else 200)


@staff_required
@require_GET
def receipt_download(request, pk):
    """Receipts leave only through this check, as a download, never from a public URL."""
    booking = _booking(request, pk, "receipt", "download")
    if not booking.receipt:
        raise Http404
    response = FileResponse(booking.receipt.open("rb"), as_attachment=True,
                            filename=booking.receipt_name, content_type=booking.receipt_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Import ---------------------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk):
    period = _period(request, pk, "booking", "import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.booking_import_upload(period=period, actor=request.user,
                                                    uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("budget:import_preview", pk=upload.pk)
    return render(request, "budget/import_upload.html",
                  {"period": period, "programme": period.programme, "form": form},
                  status=400 if form.errors else 200)


def _upload(request, pk):
    return require_found(selectors.import_for_staff(pk=pk), request.user, "booking", "import",
                         programme=lambda upload: upload.period.programme)


@staff_required
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    """Choose the columns (GET shows the preview), then import (POST)."""
    upload = _upload(request, pk)
    period = upload.period
    headers, rows = services.import_table(upload)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ImportMappingForm(data, headers=headers)
    preview = None
    if form.is_bound and form.is_valid():
        if request.method == "POST":
            try:
                bookings = services.bookings_import(upload=upload, mapping=form.mapping(),
                                                    actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, ngettext(
                    "%(count)d booking has been imported. A second person must approve it "
                    "before it counts.",
                    "%(count)d bookings have been imported. A second person must approve them "
                    "before they count.", len(bookings)) % {"count": len(bookings)})
                return redirect(f"{_list_url(period)}?state=pending")
        preview = services.import_preview(upload=upload, mapping=form.mapping())
    ok = [row for row in preview or [] if row.ok]
    return render(request, "budget/import_preview.html", {
        "period": period, "programme": period.programme, "upload": upload, "form": form,
        "headers": headers, "sample": rows[:3], "preview": preview, "ok_count": len(ok),
        "skip_count": len(preview or []) - len(ok)},
        status=400 if form.errors else 200)


def _list_url(period):
    return reverse("budget:booking_list", args=[period.pk])


@staff_required
@require_POST
def import_discard(request, pk):
    upload = _upload(request, pk)
    period = upload.period
    services.booking_import_discard(upload=upload, actor=request.user)
    messages.success(request, _("The uploaded file has been removed."))
    return redirect("budget:overview", pk=period.pk)
