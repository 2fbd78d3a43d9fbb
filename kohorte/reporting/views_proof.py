"""The proof of use's pages: the list with deadlines, a new draft, the document, its
texts, the check-and-submit page and the PDF/XLSX downloads.

A draft is shown from a fresh snapshot of the live data; a submitted proof from its
frozen snapshot, with its hashes checked on every view.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kohorte.budget.models import FundingPeriod
from kohorte.core.access import abilities, require, require_found, staff_required
from kohorte.core.forms import add_service_errors
from kohorte.programmes.models import Programme

from . import proof as documents
from . import selectors, services
from .forms import ProofCreateForm, ProofTextsForm, SubmitConfirmForm
from .proof_pdf import proof_pdf
from .proof_xlsx import proof_xlsx

MAY = (("proof_of_use", "view"), ("proof_of_use", "edit"), ("proof_of_use", "submit"),
       ("budget", "view"), ("funder_dashboard", "view"))


def _proof(request, pk, action="view"):
    return require_found(selectors.proof_for_staff(pk=pk), request.user, "proof_of_use", action,
                         programme=lambda proof: proof.period.programme)




@staff_required
@require_http_methods(["GET", "POST"])
def proof_list(request, slug):
    """The programme's reports with their due dates, and a form for a new draft."""
    programme = get_object_or_404(Programme, slug=slug)
    require(request.user, programme, "proof_of_use", "view")
    may = abilities(request.user, programme, MAY)
    periods = FundingPeriod.objects.filter(programme=programme).order_by("-start")
    form = ProofCreateForm(request.POST if request.method == "POST" else None, periods=periods)
    if request.method == "POST":
        require(request.user, programme, "proof_of_use", "edit")
        if form.is_valid():
            try:
                proof = services.proof_of_use_create(
                    period=form.cleaned_data["period"], kind=form.cleaned_data["kind"],
                    year=form.cleaned_data["year"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft has been created."))
                return redirect("backoffice:proof_detail", pk=proof.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reporting/proof/list.html", {
        "programme": programme, "may": may, "form": form,
        "deadlines": selectors.deadlines_for_programme(programme=programme),
    }, status=status)


@staff_required
@require_GET
def proof_detail(request, pk):
    proof = _proof(request, pk)
    may = abilities(request.user, proof.period.programme, MAY)
    if proof.is_submitted:
        snapshot, verified = proof.snapshot, documents.verify(proof)
    else:
        snapshot, verified = documents.proof_snapshot(proof=proof), None
    return render(request, "reporting/proof/detail.html", {
        **documents.document_context(snapshot), "proof": proof, "may": may,
        "programme": proof.period.programme, "title": services.proof_title(proof),
        "verified": verified,
        "problems": [] if proof.is_submitted else services.submit_problems(proof=proof),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def proof_texts(request, pk):
    proof = _proof(request, pk, "edit")
    if proof.is_submitted:
        messages.error(request, _("This proof of use has been submitted and can no longer be "
                                  "changed."))
        return redirect("backoffice:proof_detail", pk=proof.pk)
    form = ProofTextsForm(request.POST if request.method == "POST" else None, proof=proof)
    if request.method == "POST" and form.is_valid():
        try:
            services.proof_of_use_update_texts(proof=proof, texts=form.cleaned_data,
                                               actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The texts have been saved."))
            return redirect("backoffice:proof_detail", pk=proof.pk)
    return render(request, "reporting/proof/texts.html", {
        "proof": proof, "form": form, "programme": proof.period.programme,
        "title": services.proof_title(proof),
    }, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def proof_submit(request, pk):
    """Check your answers, then submit: after this nothing changes."""
    proof = _proof(request, pk, "submit")
    if proof.is_submitted:
        messages.info(request, _("This proof of use has already been submitted."))
        return redirect("backoffice:proof_detail", pk=proof.pk)
    form = SubmitConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proof_of_use_submit(proof=proof, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The proof of use has been submitted and frozen."))
            return redirect("backoffice:proof_detail", pk=proof.pk)
    return render(request, "reporting/proof/submit.html", {
        "proof": proof, "form": form, "programme": proof.period.programme,
        "title": services.proof_title(proof),
        "problems": services.submit_problems(proof=proof),
    }, status=400 if form.errors else 200)


def _filename(proof, extension):
    return f"{slugify(services.proof_title(proof))}.{extension}"


def _download(proof, field, extension, content_type, render_draft):
    if proof.is_submitted:
        response = FileResponse(getattr(proof, field).open("rb"), as_attachment=True,
                                filename=_filename(proof, extension), content_type=content_type)
    else:
        response = HttpResponse(render_draft(), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="entwurf-{_filename(proof, extension)}"')
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def proof_pdf_download(request, pk):
    proof = _proof(request, pk)
    if proof.is_submitted and not proof.pdf:
        raise Http404
    return _download(proof, "pdf", "pdf", "application/pdf", lambda: proof_pdf(
        documents.proof_snapshot(proof=proof, now=timezone.now()),
        title=services.proof_title(proof), draft=True))


@staff_required
@require_GET
def proof_xlsx_download(request, pk):
    proof = _proof(request, pk)
    if proof.is_submitted and not proof.xlsx:
        raise Http404
    return _download(
        proof, "xlsx", "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda: proof_xlsx(documents.proof_snapshot(proof=proof),
                           title=services.proof_title(proof)))
