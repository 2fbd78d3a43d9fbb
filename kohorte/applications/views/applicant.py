"""The applicant's pages: the form step by step, check answers, submit, follow, withdraw."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kohorte.core.extensions import links

from .. import selectors, services
from ..forms import STEP_FORMS, STEP_TITLES
from ..models import Application, Call, Document
from ..personal_data import application_data_export, further_parts
from ..services.submission import STEPS

STEP_ORDER = list(STEPS)


def _own(request, pk) -> Application:
    """The signed-in person's own application, or 404 (never another's)."""
    application = selectors.application_for_applicant(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def _initial(application, step):
    if step == "commitment":
        if "commitment" not in application.steps_done:
            return {}
        return {"commits_to_all_modules": "yes" if application.commits_to_all_modules else "no"}
    if step == "accessibility":
        return {"accessibility_needs": application.accessibility_needs,
                "accessibility_consent": application.accessibility_consent_at is not None}
    if step == "privacy":
        return {"acknowledged": application.privacy_acknowledged_at is not None}
    # A foreign key by its key: the form takes the key, and reading the object would
    # cost a query per key on every view of the employment step.
    return {name: getattr(application, Application._meta.get_field(name).attname)
            for name in STEPS[step]}


def _release_document(application):
    return application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).first()


def _form_for(application, step, data=None, files=None, *, upload_only=False,
              release_document=None):
    """The step's form; for the release step ``release_document`` is the one uploaded
    (None: none yet)."""
    form_class = STEP_FORMS[step]
    kwargs = {"initial": _initial(application, step)}
    if step == "employment":
        kwargs["call"] = application.call
    if step == "release":
        kwargs["has_document"] = release_document is not None
        kwargs["due"] = application.call.release_due_date
        kwargs["upload_only"] = upload_only
    return form_class(data, files, **kwargs)


def _steps_nav(application, current):
    return [{"key": key, "title": STEP_TITLES[key], "done": key in application.steps_done,
             "current": key == current} for key in STEP_ORDER]


@login_required(login_url="accounts:login")
@require_POST
def apply_start(request, slug):
    call = get_object_or_404(Call, slug=slug, state=Call.State.PUBLISHED)
    try:
        application = services.application_start(call=call, applicant=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(call.get_absolute_url())
    return redirect("applications:apply_step", pk=application.pk, step=STEP_ORDER[0])


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def apply_step(request, pk, step):
    application = _own(request, pk)
    if step not in STEPS:
        raise Http404
    now = timezone.now()
    editable = application.call.is_open(now) and application.state != Application.State.WITHDRAWN
    # After the deadline the employer release may still be handed in, until its due date.
    late_release = (not editable and step == "release"
                    and services.release_upload_open(application, now=now))
    if not (editable or late_release):
        messages.error(request, _("The answers can no longer be changed."))
        if request.method == "POST":
            # Refused rather than redirected, so that no client takes it for a success.
            return render(request, "applications/application_detail.html",
                          _detail_context(application, now), status=409)
        return redirect("applications:application_detail", pk=application.pk)
    # Bound on every POST, even an empty one, so that it reports what is missing.
    posted = request.method == "POST"
    release_document = _release_document(application) if step == "release" else None
    form = _form_for(application, step, request.POST if posted else None,
                     request.FILES if posted else None, upload_only=late_release,
                     release_document=release_document)
    status = 200
    if posted:
        if form.is_valid():
            try:
                _save(request, application, step, form.cleaned_data, now,
                      upload_only=late_release)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(_after(application, step, request))
        status = 400
    index = STEP_ORDER.index(step)
    return render(request, "applications/apply_step.html", {
        "application": application, "call": application.call, "form": form, "step": step,
        "step_title": STEP_TITLES[step], "step_number": index + 1, "step_count": len(STEP_ORDER),
        "previous": STEP_ORDER[index - 1] if index else None, "steps": _steps_nav(application, step),
        # As read before the form: a refused upload is undone with its step.
        "release_document": release_document,
    }, status=status)


def _save(request, application, step, data, now, *, upload_only=False):
    if step == "release" and data.get("document"):
        # One transaction: when the step is refused, its upload is not kept either.
        with transaction.atomic():
            services.document_upload(application=application,
                                     kind=Document.Kind.EMPLOYER_RELEASE,
                                     uploaded_file=data["document"], actor=request.user, now=now)
            if not upload_only:
                services.application_save_step(application=application, step=step, data=data,
                                               actor=request.user, now=now)
    elif not upload_only:
        # A step alone is the service's own transaction: wrapped in another, its
        # savepoint would cost two more round trips to the database on every step.
        services.application_save_step(application=application, step=step, data=data,
                                       actor=request.user, now=now)


def _after(application, step, request):
    if request.POST.get("return_to") == "check" or application.state == Application.State.SUBMITTED:
        return reverse("applications:apply_check", args=[application.pk])
    index = STEP_ORDER.index(step)
    if index + 1 < len(STEP_ORDER):
        return reverse("applications:apply_step", args=[application.pk, STEP_ORDER[index + 1]])
    return reverse("applications:apply_check", args=[application.pk])


@login_required(login_url="accounts:login")
def apply_check(request, pk):
    application = _own(request, pk)
    has_release = selectors.answers_related(application)
    return render(request, "applications/apply_check.html", {
        "application": application, "call": application.call,
        "missing": services.missing_steps(application, has_release=has_release),
        "step_titles": STEP_TITLES,
        "is_open": application.call.is_open(),
    })


@login_required(login_url="accounts:login")
@require_POST
def apply_submit(request, pk):
    # The submit is the deadline's hot path: one narrow read under the row lock, which
    # also checks the owner; the whole application only for the page of a refused one.
    try:
        application = services.application_submit_own(pk=pk, user=request.user)
    except ValidationError as exc:
        application = _own(request, pk)
        messages.error(request, exc.messages[0])
        response = render(request, "applications/apply_check.html", {
            "application": application, "call": application.call,
            "missing": services.missing_steps(application), "step_titles": STEP_TITLES,
            "is_open": application.call.is_open(),
        }, status=409 if isinstance(exc, services.ApplicationClosed) else 400)
        return response
    if application is None:
        raise Http404
    return redirect("applications:application_submitted", pk=application.pk)


@login_required(login_url="accounts:login")
def application_submitted(request, pk):
    application = _own(request, pk)
    if application.state != Application.State.SUBMITTED:
        return redirect("applications:application_detail", pk=pk)
    return render(request, "applications/submitted.html", {"application": application})


@login_required(login_url="accounts:login")
def my_applications(request):
    return render(request, "applications/my_applications.html",
                  {"applications": selectors.applications_of(user=request.user)})


def _detail_context(application, now):
    has_release = selectors.answers_related(application)
    return {
        "application": application, "call": application.call,
        "is_open": application.call.is_open(now), "step_titles": STEP_TITLES,
        "eligibility": getattr(application, "eligibility", None),
        "release_open": not has_release and services.release_upload_open(application, now=now),
        "stage_links": links("KOHORTE_APPLICANT_LINKS", application=application),
    }


@login_required(login_url="accounts:login")
def application_detail(request, pk):
    application = _own(request, pk)
    return render(request, "applications/application_detail.html",
                  _detail_context(application, timezone.now()))


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    """A confirmation page; the withdrawal happens on its button."""
    application = _own(request, pk)
    if request.method == "POST":
        services.application_withdraw(application=application, actor=request.user)
        messages.success(request, _("Your application has been withdrawn."))
        return redirect("applications:application_detail", pk=pk)
    return render(request, "applications/withdraw_confirm.html", {"application": application})


@login_required(login_url="accounts:login")
def document_download(request, pk, document_pk):
    application = _own(request, pk)
    document = get_object_or_404(Document, pk=document_pk, application=application)
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.original_name, content_type=document.content_type)


@login_required(login_url="accounts:login")
def my_data(request):
    """Art. 15 GDPR: everything Kohorte holds about the person, readable and as JSON."""
    parts = further_parts(user=request.user)
    data = application_data_export(user=request.user, parts=parts)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kohorte-meine-daten.json"'
        return response
    return render(request, "applications/my_data.html", {
        "data": data, "applications": selectors.applications_of(user=request.user),
        "step_titles": STEP_TITLES, "parts": parts,
    })


@login_required(login_url="accounts:login")
@require_POST
def erasure_request(request, pk):
    application = _own(request, pk)
    services.application_erasure_request(application=application, actor=request.user)
    messages.success(request, _("Your request for erasure has been recorded. We answer within one month."))
    return redirect("applications:my_data")
