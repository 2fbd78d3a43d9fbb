"""The staff back office of a call: its page, the applications, their detail and exports.

Each view loads its object, checks the permission matrix on the object's programme
(``require``: 403) and hands the work to one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import abilities, require, require_found, staff_required
from kohorte.core.extensions import links

from .. import exports, selectors, selectors_staff, services
from ..forms import STEP_TITLES
from ..forms_staff import (
    ApplicationEraseForm,
    ApplicationFilterForm,
    EligibilityOverrideForm,
    ErasureDecisionForm,
)
from ..retention import application_erase

PAGE_SIZE = 25


def _abilities(user, programme, *pairs):
    return abilities(user, programme, pairs)


def _call(request, pk, obj, action):
    return require_found(selectors_staff.call_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda call: call.programme)


def _application(request, pk, obj="application", action="view"):
    return require_found(selectors_staff.application_for_staff(pk=pk), request.user, obj,
                         action, programme=lambda application: application.call.programme)


# --- The call -------------------------------------------------------------------

def _render_call(request, call, status=200):
    may = _abilities(request.user, call.programme, ("call", "edit"), ("call", "publish"),
                     ("call", "close"), ("application", "list"), ("aggregates", "view"))
    counts = selectors.application_counts(call=call) if may["aggregates_view"] else None
    return render(request, "applications/staff/call_detail.html",
                  {"call": call, "counts": counts, "may": may,
                   "stage_links": links("KOHORTE_CALL_PAGE_LINKS", user=request.user, call=call)},
                  status=status)


@staff_required
@require_GET
def call_detail(request, pk):
    return _render_call(request, _call(request, pk, "call", "view"))


def _call_action(request, pk, action, service, done_message):
    call = _call(request, pk, "call", action)
    try:
        service(call=call, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_call(request, call, status=409)
    messages.success(request, done_message)
    return redirect("staff_applications:call_detail", pk=call.pk)


@staff_required
@require_POST
def call_publish(request, pk):
    return _call_action(request, pk, "publish", services.call_publish,
                        _("The call is published."))


@staff_required
@require_POST
def call_close(request, pk):
    return _call_action(request, pk, "close", services.call_close, _("The call is closed."))


# --- The list and its exports ------------------------------------------------------

def _filtered(request, call):
    form = ApplicationFilterForm(request.GET, call=call)
    valid = form.is_valid()
    applications = selectors_staff.application_list_for_staff(call=call, **form.filters())
    return form, valid, applications


def _render_list(request, call, form, valid, applications):
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/staff/application_list.html", {
        "call": call, "form": form, "page": page,
        "counts": selectors_staff.application_counts_for_staff(applications),
        "may": _abilities(request.user, call.programme, ("application", "export")),
    }, status=200 if valid else 400)


@staff_required
@require_GET
def application_list(request, pk):
    call = _call(request, pk, "application", "list")
    return _render_list(request, call, *_filtered(request, call))


@staff_required
@require_GET
@never_cache
def application_export(request, pk, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    call = _call(request, pk, "application", "export")
    form, valid, applications = _filtered(request, call)
    if not valid:
        return _render_list(request, call, form, valid, applications)
    export = exports.applications_export(call=call, applications=applications, fmt=fmt,
                                         actor=request.user, filters=form.filters())
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# --- One application -----------------------------------------------------------------

def _render_application(request, application, *, override_form=None, status=200):
    programme = application.call.programme
    may = _abilities(request.user, programme, ("application", "override_eligibility"),
                     ("application", "erase"), ("accessibility_needs", "view"),
                     ("document", "download"))
    eligibility = selectors_staff.eligibility_of(application)
    if override_form is None and eligibility is not None:
        override_form = EligibilityOverrideForm(initial={"tier": eligibility.tier})
    return render(request, "applications/staff/application_detail.html", {
        "application": application, "call": application.call, "eligibility": eligibility,
        "override_form": override_form, "may": may, "step_titles": STEP_TITLES,
        "history": selectors_staff.application_history(application=application),
    }, status=status)


@staff_required
@require_GET
def application_detail(request, pk):
    return _render_application(request, _application(request, pk))


@staff_required
@require_POST
def eligibility_override(request, pk):
    application = _application(request, pk, action="override_eligibility")
    form = EligibilityOverrideForm(request.POST)
    if selectors_staff.eligibility_of(application) is None:
        form.add_error(None, _("Only submitted applications have an eligibility check to override."))
    elif form.is_valid():
        try:
            services.eligibility_override(application=application, actor=request.user,
                                          **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The eligibility has been set by hand."))
            return redirect("staff_applications:application_detail", pk=application.pk)
    return _render_application(request, application, override_form=form, status=400)


@staff_required
@require_GET
def document_download(request, pk, document_pk):
    """Documents leave only through this check, as a download, never from a public URL."""
    document = selectors_staff.document_for_staff(application_pk=pk, pk=document_pk)
    if document is None:
        raise Http404
    require(request.user, document.application.call.programme, "document", "download")
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def application_erase_view(request, pk):
    """Erase an application: the answer to the person's request, or on the staff's own
    initiative (with a reason). A confirmation page; the erasure happens on its button.
    """
    application = _application(request, pk, action="erase")
    requested = application.erasure_requested_at is not None
    form_class = ErasureDecisionForm if requested else ApplicationEraseForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call_pk = application.call_id
        try:
            if requested:
                kept = services.erasure_request_decide(
                    application=application, actor=request.user,
                    erase=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
            else:
                kept = application_erase(application=application, actor=request.user,
                                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if kept is not None:
                messages.success(request, _("The refusal has been sent to the person."))
                return redirect("staff_applications:application_detail", pk=application.pk)
            messages.success(request, _("The application has been erased."))
            return redirect("staff_applications:application_list", pk=call_pk)
    return render(request, "applications/staff/erase_confirm.html",
                  {"application": application, "form": form, "requested": requested},
                  status=400 if request.method == "POST" else 200)
