"""Certificates: the coordinators' cohort page (settings, signatories, issue one or
all, the batch's progress and ZIP, revoke), the participant's download and the public
check of a verification code.

Staff views load the cohort through ``require_found`` (403 for another programme, 404
for none); a participant reaches only their own place (404 for any other). PDFs and
ZIPs leave only through these checked views, never from a public URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.core.access import abilities, require_found, staff_required

from ..forms_certificates import CertificateSettingsForm, CodeForm, RevokeForm, SignatoryForm
from ..models import CertificateBatch, CertificateSignatory
from ..selectors import certificates as selectors
from ..services import certificates as services


def _cohort(request, pk, action="issue"):
    return require_found(selectors.cohort_for_certificates(pk=pk), request.user, "certificate",
                         action, programme=lambda cohort: cohort.programme)


def _file_response(field_file, filename, content_type):
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_name(certificate):
    return f"Zertifikat-{slugify(certificate.holder_name) or 'Teilnahme'}.pdf"


# --- The cohort page ------------------------------------------------------------------

def _render_cohort(request, cohort, *, settings_form=None, signatory_form=None, status=200):
    rows = selectors.certificate_overview(cohort)
    return render(request, "courses/certificates/cohort.html", {
        "cohort": cohort,
        "rows": rows,
        "eligible_count": sum(1 for row in rows if row.eligible),
        "valid_count": sum(1 for row in rows if row.valid),
        "settings_form": settings_form or CertificateSettingsForm(initial={
            "place": cohort.certificate_place, "text": cohort.certificate_text}),
        "signatory_form": signatory_form or SignatoryForm(programme=cohort.programme),
        "signatories": selectors.signatories_of(cohort),
        "batch": selectors.latest_batch(cohort),
        "may": abilities(request.user, cohort.programme,
                         [("certificate", "issue"), ("certificate", "revoke")]),
    }, status=status)


@staff_required
@require_GET
def cohort_certificates(request, pk):
    return _render_cohort(request, _cohort(request, pk))


@staff_required
@require_POST
def certificate_settings(request, pk):
    cohort = _cohort(request, pk)
    form = CertificateSettingsForm(request.POST)
    if not form.is_valid():
        return _render_cohort(request, cohort, settings_form=form, status=400)
    services.certificate_settings_update(cohort=cohort, actor=request.user, **form.cleaned_data)
    messages.success(request, _("The certificate settings have been saved."))
    return redirect("courses:cohort_certificates", pk=cohort.pk)


@staff_required
@require_POST
def signatory_add(request, pk):
    cohort = _cohort(request, pk)
    form = SignatoryForm(request.POST, request.FILES, programme=cohort.programme)
    if form.is_valid():
        try:
            services.signatory_add(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The signatory has been added."))
            return redirect("courses:cohort_certificates", pk=cohort.pk)
    return _render_cohort(request, cohort, signatory_form=form, status=400)


@staff_required
@require_POST
def signatory_remove(request, pk, signatory_pk):
    cohort = _cohort(request, pk)
    signatory = CertificateSignatory.objects.filter(cohort=cohort, pk=signatory_pk).first()
    if signatory is None:
        raise Http404
    services.signatory_remove(signatory=signatory, actor=request.user)
    messages.success(request, _("The signatory has been removed."))
    return redirect("courses:cohort_certificates", pk=cohort.pk)


@staff_required
@require_POST
def certificate_issue(request, pk, participant_pk):
    cohort = _cohort(request, pk)
    participant = cohort.participants.filter(pk=participant_pk).first()
    if participant is None:
        raise Http404
    try:
        services.certificate_issue(participant=participant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_cohort(request, cohort, status=409)
    messages.success(request, _("The certificate of %(name)s has been issued.")
                     % {"name": participant.full_name})
    return redirect("courses:cohort_certificates", pk=cohort.pk)


@staff_required
@require_POST
def certificate_batch_start(request, pk):
    cohort = _cohort(request, pk)
    try:
        batch = services.certificate_batch_start(cohort=cohort, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_cohort(request, cohort, status=409)
    messages.success(request, _("The certificates are being issued. This page shows the "
                                "progress."))
    return redirect("courses:certificate_batch", pk=cohort.pk, batch_pk=batch.pk)


def _batch(request, pk, batch_pk):
    cohort = _cohort(request, pk)
    batch = selectors.batch_for_cohort(cohort=cohort, pk=batch_pk)
    if batch is None:
        raise Http404
    return cohort, batch


@staff_required
@require_GET
@never_cache
def certificate_batch(request, pk, batch_pk):
    """The batch's progress; htmx polls the fragment every 2 s while it runs."""
    cohort, batch = _batch(request, pk, batch_pk)
    template = ("courses/certificates/_batch.html" if request.htmx
                else "courses/certificates/batch.html")
    return render(request, template, {"cohort": cohort, "batch": batch})


@staff_required
@require_GET
@never_cache
def certificate_batch_zip(request, pk, batch_pk):
    cohort, batch = _batch(request, pk, batch_pk)
    if batch.state != CertificateBatch.State.DONE or not batch.zip_file:
        raise Http404
    name = f"Zertifikate-{slugify(cohort.title) or cohort.pk}.zip"
    return _file_response(batch.zip_file, name, "application/zip")


@staff_required
@require_GET
@never_cache
def certificate_download(request, pk, certificate_pk):
    cohort = _cohort(request, pk)
    certificate = selectors.certificate_for_cohort(cohort=cohort, pk=certificate_pk)
    if certificate is None or not certificate.pdf:
        raise Http404
    return _file_response(certificate.pdf, _pdf_name(certificate), "application/pdf")


@staff_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request, pk, certificate_pk):
    cohort = _cohort(request, pk, "revoke")
    certificate = selectors.certificate_for_cohort(cohort=cohort, pk=certificate_pk)
    if certificate is None:
        raise Http404
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(certificate=certificate, actor=request.user,
                                        reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The certificate of %(name)s has been revoked.")
                             % {"name": certificate.holder_name})
            return redirect("courses:cohort_certificates", pk=cohort.pk)
    return render(request, "courses/certificates/revoke_confirm.html",
                  {"cohort": cohort, "certificate": certificate, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- The participant -------------------------------------------------------------------

def _own_participant(request, pk):
    participant = selectors.participant_of_user(user=request.user, pk=pk)
    if participant is None:
        raise Http404
    return participant


@login_required(login_url="accounts:login")
@require_GET
def participant_certificate(request, pk):
    participant = _own_participant(request, pk)
    return render(request, "courses/certificates/participant.html",
                  {"participant": participant, "cohort": participant.cohort})


@login_required(login_url="accounts:login")
@require_GET
@never_cache
def participant_certificate_pdf(request, pk):
    """Only the holder's own valid certificate (a revoked one is no longer theirs to show)."""
    participant = _own_participant(request, pk)
    certificate = selectors.valid_certificate_of(participant)
    if certificate is None or not certificate.pdf:
        raise Http404
    return _file_response(certificate.pdf, _pdf_name(certificate), "application/pdf")


# --- The public check --------------------------------------------------------------------

def _render_check(request, form, *, code=None):
    """Looks the code up (counted against the client's limit) and shows only the name,
    programme and date; a revoked certificate as revoked, with its date."""
    context = {"form": form, "looked_up": False, "certificate": None}
    status = 200
    if code is not None:
        try:
            context["certificate"] = services.certificate_check(
                code=code, client=request.META.get("REMOTE_ADDR", ""))
        except services.RateLimited as exc:
            context["rate_limited"] = exc.messages[0]
            return render(request, "courses/certificates/check.html", context, status=429)
        context["looked_up"] = True
        status = 200 if context["certificate"] is not None else 404
    response = render(request, "courses/certificates/check.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@never_cache
def certificate_check(request):
    """The form; with ?code= it is a lookup (GET: it changes nothing)."""
    if "code" not in request.GET:
        return _render_check(request, CodeForm())
    form = CodeForm(request.GET)
    if not form.is_valid():
        response = _render_check(request, form)
        response.status_code = 400
        return response
    return _render_check(request, form, code=form.cleaned_data["code"])


@require_GET
@never_cache
def certificate_public(request, code):
    """The page the QR code opens."""
    return _render_check(request, CodeForm(initial={"code": code}), code=code)
