"""The proof of use's actions: create a draft, edit its texts, submit it.

Each runs in one transaction with its audit entry; bad input raises a translated
ValidationError and changes nothing. A submitted proof is frozen: its snapshot, hash,
PDF and XLSX never change again (the model refuses too).
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kohorte.budget.models import Booking
from kohorte.core.audit import audit_record
from kohorte.core.forms import reject_control_characters

from . import proof as documents
from .models import ProofOfUse
from .proof_pdf import proof_pdf
from .proof_templates import (
    TemplateError,
    covered_range,
    due_on,
    interim_years,
    proof_template,
    template_for,
)
from .proof_templates import localised as _localised
from .proof_xlsx import proof_xlsx

MAX_TEXT = 20000


def proof_title(proof, *, language="de") -> str:
    """"Verwendungsnachweis 2026" / "Zwischennachweis 2026" (the template's words)."""
    template = proof_template(proof.template_key)
    if proof.kind == ProofOfUse.Kind.INTERIM:
        return f"{_localised(template.interim_title, language)} {proof.year}: {proof.period.title}"
    return f"{_localised(template.title, language)}: {proof.period.title}"


def proof_of_use_create(*, period, kind, actor, year=None, now=None) -> ProofOfUse:
    """A draft proof of use for ``period``: the final one for the whole period, or an
    interim report for one calendar year of a multi-year period (not its last year,
    which the final proof covers). One of each per period."""
    now = now or timezone.now()
    try:
        template = template_for(period)
    except TemplateError as exc:
        raise ValidationError(_("There is no reporting template for this kind of funding."),
                              code="no_template") from exc
    if kind not in ProofOfUse.Kind.values:
        raise ValidationError({"kind": _("Please choose the kind of report.")}, code="kind")
    if kind == ProofOfUse.Kind.INTERIM:
        years = interim_years(period)
        if not years:
            raise ValidationError({"kind": _("Interim reports are only due for periods over "
                                             "more than one calendar year.")}, code="single_year")
        if year not in years:
            raise ValidationError({"year": _("Please choose a year of the period before its "
                                             "last: %(years)s.")
                                   % {"years": ", ".join(str(y) for y in years)}}, code="year")
    else:
        year = None
    exists = ProofOfUse.objects.filter(period=period, kind=kind)
    if year is not None:
        exists = exists.filter(year=year)
    if exists.exists():
        raise ValidationError(_("This report already exists for the period."), code="exists")
    try:
        with transaction.atomic():
            proof = ProofOfUse.objects.create(
                period=period, kind=kind, year=year, template_key=template.key,
                texts={section.key: "" for section in template.sections},
                due_on=due_on(period, kind, year, template), created_at=now, updated_at=now,
                created_by=actor)
            audit_record(actor=actor, action="proof_of_use.create", obj=proof,
                         data={"period": period.pk, "kind": kind, "year": year,
                               "template": template.key, "due_on": proof.due_on.isoformat()})
    except IntegrityError as exc:  # a second click at the same moment
        raise ValidationError(_("This report already exists for the period."),
                              code="exists") from exc
    return proof


def _locked_draft(proof) -> ProofOfUse:
    locked = ProofOfUse.objects.select_for_update().select_related("period__programme").get(
        pk=proof.pk)
    if locked.is_submitted:
        raise ValidationError(_("This proof of use has been submitted and can no longer be "
                                "changed."), code="submitted")
    return locked


@transaction.atomic
def proof_of_use_update_texts(*, proof, texts: dict, actor, now=None) -> ProofOfUse:
    """Save the texts of the Sachbericht's sections (only those the template names)."""
    now = now or timezone.now()
    proof = _locked_draft(proof)
    template = proof_template(proof.template_key)
    keys = {section.key for section in template.sections}
    unknown = set(texts) - keys
    if unknown:
        raise ValidationError(_("Unknown section: %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
                              code="unknown_section")
    errors, cleaned = {}, {}
    for key in keys:
        value = (texts.get(key, proof.texts.get(key, "")) or "").strip().replace("\r\n", "\n")
        if len(value) > MAX_TEXT:
            errors[key] = _("Please use at most %(max)d characters.") % {"max": MAX_TEXT}
            continue
        try:
            reject_control_characters(value)
        except ValidationError as exc:
            errors[key] = exc.messages[0]
            continue
        cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    changed = sorted(key for key in keys if cleaned[key] != proof.texts.get(key, ""))
    proof.texts = cleaned
    proof.updated_at = now
    proof.save(update_fields=["texts", "updated_at"])
    if changed:
        audit_record(actor=actor, action="proof_of_use.edit", obj=proof,
                     data={"sections": changed})
    return proof


def submit_problems(*, proof) -> list[str]:
    """Why the proof cannot be submitted yet, in words (empty: it can)."""
    problems = []
    template = proof_template(proof.template_key)
    titles = {s.key: s.label for s in template.sections}
    for key in documents.missing_sections(proof=proof):
        problems.append(_("Please write the section “%(title)s”.") % {"title": titles[key]})
    start, end = covered_range(proof.period, proof.kind, proof.year)
    pending = Booking.objects.filter(period=proof.period, state=Booking.State.PENDING,
                                     booking_date__gte=start, booking_date__lte=end).count()
    if pending:
        problems.append(ngettext(
            "%(count)d booking of this time still awaits approval: approve or discard it "
            "first.",
            "%(count)d bookings of this time still await approval: approve or discard them "
            "first.", pending) % {"count": pending})
    if template.has("financial") and not proof.period.plan_versions.exists():
        problems.append(_("The period has no financing plan."))
    return problems


@transaction.atomic
def proof_of_use_submit(*, proof, actor, now=None) -> ProofOfUse:
    """Freeze the proof: its snapshot (hashed), the PDF and the XLSX (hashed too).

    Refused while a required section is empty, while bookings of its time await approval
    (the figures would still change) or without a financing plan. After this nothing
    about it changes.
    """
    now = now or timezone.now()
    proof = _locked_draft(proof)
    problems = submit_problems(proof=proof)
    if problems:
        raise ValidationError(problems, code="incomplete")
    snapshot = documents.proof_snapshot(proof=proof, now=now)
    snapshot["submitted_at"] = timezone.localtime(now).isoformat()
    digest = documents.snapshot_hash(snapshot)
    title = proof_title(proof)
    pdf = proof_pdf(snapshot, title=title, draft=False, sha256=digest)
    xlsx = proof_xlsx(snapshot, title=title)
    proof.snapshot, proof.snapshot_sha256 = snapshot, digest
    proof.pdf.save("proof.pdf", ContentFile(pdf), save=False)
    proof.xlsx.save("proof.xlsx", ContentFile(xlsx), save=False)
    proof.pdf_sha256 = documents.sha256_hex(pdf)
    proof.xlsx_sha256 = documents.sha256_hex(xlsx)
    proof.state = ProofOfUse.State.SUBMITTED
    proof.submitted_at, proof.submitted_by, proof.updated_at = now, actor, now
    proof.save(update_fields=["snapshot", "snapshot_sha256", "pdf", "pdf_sha256", "xlsx",
                              "xlsx_sha256", "state", "submitted_at", "submitted_by",
                              "updated_at"])
    audit_record(actor=actor, action="proof_of_use.submit", obj=proof,
                 data={"snapshot_sha256": digest, "pdf_sha256": proof.pdf_sha256,
                       "xlsx_sha256": proof.xlsx_sha256})
    return proof
