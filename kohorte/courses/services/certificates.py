"""Certificates: the cohort's settings and signatories, issuing one or all, revoking,
and the public check of a code.

What a certificate says is frozen when it is issued (name, programme, hours, modules,
place, date, signatories) and its PDF is rendered once and kept: a later change of the
schedule or of a name does not change a certificate already handed out. A mistake is
put right by revoking it (with a reason) and issuing a new one, with a new code.

The bulk issue runs in the worker (``certificate_batches_run``): the PDFs are rendered
in a pool of processes (both cores) from plain dicts, while this process writes the
files, the rows, the e-mails and the ZIP (streamed to a file, never held in memory).
"""

import hashlib
import logging
import multiprocessing
import os
import shutil
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kohorte.accounts.services import RateLimited
from kohorte.core.audit import audit_entry, audit_record, audit_record_all
from kohorte.core.ratelimit import rate_hit
from kohorte.notifications.services import mail_enqueue, mail_enqueue_many

from ..certificate_pdf import (
    certificate_pdf,
    certificate_pdf_cached,
    image_data_uri,
    pool_init,
    pool_render,
    sniff_image_type,
)
from ..models import Certificate, CertificateBatch, CertificateSignatory, Participant, Session
from ..selectors.attendance import attendance_rates
from ..selectors.certificates import certificate_by_code, eligible_participants

log = logging.getLogger(__name__)

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
# Rows, files and e-mails are written in chunks: the progress bar moves, and a crash
# keeps what was done (a new batch continues with whoever still has no certificate).
BATCH_CHUNK = 10
# A batch that has run this long without finishing was interrupted (worker restarted).
BATCH_STALE_AFTER = timedelta(hours=1)
# Below this many certificates starting worker processes costs more than it saves.
POOL_MIN_CERTIFICATES = 4
# Certificates per task sent to a render process.
RENDER_TASK = 10


def _actor_or_none(actor):
    return actor if actor is not None and actor.pk else None


# --- Settings and signatories --------------------------------------------------------

@transaction.atomic
def certificate_settings_update(*, cohort, place: str, text: str, actor):
    """Place and text printed on the cohort's certificates (issued ones keep theirs)."""
    cohort.certificate_place = place.strip()
    cohort.certificate_text = text.strip()
    cohort.save(update_fields=["certificate_place", "certificate_text"])
    audit_record(actor=actor, action="certificate.settings", obj=cohort,
                 data={"place": cohort.certificate_place})
    return cohort


def signature_image_check(uploaded_file):
    """PNG, JPEG or SVG by content, at most 2 MB; raises ValidationError otherwise."""
    if uploaded_file.size > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."), code="size")
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    if sniff_image_type(head) is None:
        raise ValidationError(_("Please upload a PNG, JPEG or SVG image."), code="type")


@transaction.atomic
def signatory_add(*, cohort, institution, name: str, function: str, signature, actor):
    """A person who signs the cohort's certificates for one of the programme's
    institutions, with the image of their signature (checked by its content)."""
    if signature is not None:
        signature_image_check(signature)
    programme = cohort.programme
    if institution.pk != programme.lead_institution_id and not programme.partners.filter(
            pk=institution.pk).exists():
        raise ValidationError(_("Choose one of the programme's institutions."), code="institution")
    position = (cohort.signatories.order_by("-position").values_list("position", flat=True)
                .first() or 0) + 1
    signatory = CertificateSignatory(cohort=cohort, institution=institution, name=name.strip(),
                                     function=function.strip(), position=position)
    if signature is not None:
        signatory.signature.save("signature", signature, save=False)
    signatory.save()
    audit_record(actor=actor, action="certificate.signatory_add", obj=cohort,
                 data={"signatory": signatory.pk, "name": signatory.name})
    return signatory


@transaction.atomic
def signatory_remove(*, signatory, actor):
    cohort = signatory.cohort
    data = {"signatory": signatory.pk, "name": signatory.name}
    signatory.delete()
    audit_record(actor=actor, action="certificate.signatory_remove", obj=cohort, data=data)


# --- What a certificate says -----------------------------------------------------------

def verify_url(code: str) -> str:
    return settings.SITE_URL + reverse("courses:certificate_public", args=[code])


def _institutions(programme):
    lead = programme.lead_institution
    partners = programme.partners.exclude(pk=lead.pk).order_by("name")
    return [lead, *partners]


def _modules(cohort):
    """Each module with its first and last day, hours and places (one query)."""
    modules = {}
    for row in (Session.objects.filter(module__cohort=cohort)
                .values("module_id", "module__position", "module__title", "starts_at",
                        "hours", "place").order_by("module__position", "starts_at")):
        day = timezone.localdate(row["starts_at"])
        module = modules.setdefault(row["module_id"], {
            "position": row["module__position"], "title": row["module__title"],
            "first": day, "last": day, "hours": Decimal(0), "places": []})
        module["last"] = max(module["last"], day)
        module["hours"] += row["hours"]
        if row["place"] and row["place"] not in module["places"]:
            module["places"].append(row["place"])
    return [{**m, "first": m["first"].isoformat(), "last": m["last"].isoformat(),
             "hours": str(m["hours"])} for m in modules.values()]


def _cohort_content(cohort, *, now) -> tuple[dict, list, list]:
    """What every certificate of the cohort shares, plus the institutions and
    signatories (for their images)."""
    programme = cohort.programme
    institutions = _institutions(programme)
    signatories = list(cohort.signatories.select_related("institution"))
    content = {
        "cohort": cohort.title,
        "programme_name": programme.name,
        "text": cohort.certificate_text,
        "modules": _modules(cohort),
        "institutions": [{"id": i.pk, "name": i.name, "city": i.city} for i in institutions],
        "place": cohort.certificate_place or institutions[0].city,
        "date": timezone.localdate(now).isoformat(),
        "signatories": [{"id": s.pk, "name": s.name, "function": s.function,
                         "institution": s.institution.name} for s in signatories],
    }
    return content, institutions, signatories


def _read(file_field) -> bytes:
    if not file_field:
        return b""
    try:
        with file_field.open("rb") as handle:
            return handle.read()
    except OSError:
        log.warning("certificate image %s is missing", file_field.name)
        return b""


def _images(institutions, signatories) -> dict:
    return {
        "logos": {str(i.pk): image_data_uri(_read(i.logo)) for i in institutions},
        "signatures": {str(s.pk): image_data_uri(_read(s.signature)) for s in signatories},
    }


def _new_certificate(participant, base: dict, rate, *, now, actor) -> Certificate:
    """The unsaved certificate with its frozen content (its code is made here, so the
    PDF can carry it before the row exists)."""
    return Certificate(
        participant=participant, holder_name=participant.full_name,
        programme_title=base["cohort"], total_hours=rate.attended,
        content={**base, "hours": {"attended": str(rate.attended),
                                   "scheduled": str(rate.scheduled)}},
        issued_on=timezone.localdate(now), issued_at=now, issued_by=_actor_or_none(actor))


def certificate_document(certificate) -> dict:
    """The plain data the renderer needs (picklable: sent to the worker processes)."""
    return {"code": certificate.code, "verify_url": verify_url(certificate.code),
            "holder_name": certificate.holder_name,
            "programme_title": certificate.programme_title, "content": certificate.content}


def _store(certificate, pdf: bytes, *, actor):
    """Write the PDF and the row, its audit entry and the participant's e-mail.
    Called inside a transaction; the file goes again if the row cannot be written."""
    certificate.pdf.save("certificate.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            certificate.save(force_insert=True)
    except Exception:
        certificate.pdf.delete(save=False)
        raise
    audit_record(actor=actor, action="certificate.issue", obj=certificate,
                 data={"participant": certificate.participant_id,
                       "hours": str(certificate.total_hours)})
    mail_enqueue(**_issue_mail(certificate))


def _issue_mail(certificate) -> dict:
    """The participant's e-mail with the link to their page (``mail_enqueue``'s
    arguments)."""
    participant = certificate.participant
    return {"to": participant.email, "template": "course_certificate_issued",
            "context": {"participant": participant, "certificate": certificate,
                        "cohort": participant.cohort},
            "about": certificate,
            "idempotency_key": f"course-certificate-issued-{certificate.pk}"}


def _refuse_unless_eligible(participant):
    if participant.state != Participant.State.ACTIVE:
        raise ValidationError(_("%(name)s has left the course and gets no certificate.")
                              % {"name": participant.full_name}, code="left")
    if participant.completion_confirmed_at is None:
        raise ValidationError(_("The completion of %(name)s has not been confirmed yet.")
                              % {"name": participant.full_name}, code="not_completed")
    if participant.certificates.filter(revoked_at__isnull=True).exists():
        raise ValidationError(_("%(name)s already has a valid certificate. Revoke it first "
                                "to issue a new one.") % {"name": participant.full_name},
                              code="exists")


def certificate_issue(*, participant, actor, now=None) -> Certificate:
    """Issue the certificate of one participant whose completion is confirmed.

    The hours are those of the sessions attended (present or made up) out of those
    scheduled for them. The PDF is rendered before the transaction (it takes a moment);
    the checks run again inside it, and the database's one-valid-certificate rule
    catches a double click.
    """
    now = now or timezone.now()
    participant = Participant.objects.select_related("cohort__call__programme").get(
        pk=participant.pk)
    _refuse_unless_eligible(participant)
    cohort = participant.cohort
    base, institutions, signatories = _cohort_content(cohort, now=now)
    rate = attendance_rates(cohort, now=now)[participant.pk]
    certificate = _new_certificate(participant, base, rate, now=now, actor=actor)
    pdf = certificate_pdf(certificate_document(certificate), _images(institutions, signatories))
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        participant.cohort = cohort
        _refuse_unless_eligible(participant)
        certificate.participant = participant
        try:
            _store(certificate, pdf, actor=actor)
        except IntegrityError:
            raise ValidationError(_("%(name)s already has a valid certificate.")
                                  % {"name": participant.full_name}, code="exists") from None
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate, reason: str, actor, now=None) -> Certificate:
    """Revoke a certificate with a reason (audited; the holder is told by e-mail).

    The certificate stays: the public check shows it as revoked (with the date, never
    the reason), and a new one can be issued with a new code.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for revoking the certificate."),
                              code="reason")
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=_actor_or_none(actor), revoked_reason=reason)
    if not updated:
        raise ValidationError(_("This certificate has already been revoked."), code="revoked")
    certificate.refresh_from_db()
    participant = certificate.participant
    audit_record(actor=actor, action="certificate.revoke", obj=certificate, reason=reason,
                 data={"participant": participant.pk})
    mail_enqueue(to=participant.email, template="course_certificate_revoked",
                 context={"participant": participant, "certificate": certificate,
                          "cohort": participant.cohort, "reason": reason},
                 about=certificate, idempotency_key=f"course-certificate-revoked-{certificate.pk}")
    return certificate


# --- Issuing all: the batch ------------------------------------------------------------

@transaction.atomic
def certificate_batch_start(*, cohort, actor, now=None) -> CertificateBatch:
    """Queue the bulk issue for everyone eligible; the worker does it in the background.
    One batch of a cohort at a time."""
    now = now or timezone.now()
    if cohort.certificate_batches.filter(state__in=[CertificateBatch.State.QUEUED,
                                                    CertificateBatch.State.RUNNING]).exists():
        raise ValidationError(_("The certificates of this cohort are already being issued."),
                              code="running")
    total = eligible_participants(cohort).count()
    if not total:
        raise ValidationError(_("Nobody is waiting for a certificate: everyone whose "
                                "completion is confirmed already has one."), code="empty")
    batch = CertificateBatch.objects.create(cohort=cohort, total=total, created_at=now,
                                            requested_by=_actor_or_none(actor))
    audit_record(actor=actor, action="certificate.batch_start", obj=cohort,
                 data={"batch": batch.pk, "total": total})
    return batch


def _pool_size(workers):
    if workers is not None:
        return workers
    return getattr(settings, "KOHORTE_CERTIFICATE_WORKERS", None) or os.cpu_count() or 1


def _render_all(documents, images, *, workers):
    """PDF bytes in the order of ``documents``: in a pool of processes when it pays.

    Each worker keeps a ``CertificateRenderer`` (the cohort's shared layout, fonts,
    stylesheet and decoded images) and gets the certificates in tasks of
    ``RENDER_TASK`` (fewer round trips; its slots are laid out in one go)."""
    if workers <= 1 or len(documents) < POOL_MIN_CERTIFICATES:
        render_cache = {}
        for document in documents:
            yield certificate_pdf_cached(document, images, render_cache)
        return
    # fork: the workers start with Django set up and the templates loaded; they never
    # touch the database.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    tasks = [documents[start:start + RENDER_TASK]
             for start in range(0, len(documents), RENDER_TASK)]
    executor = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                                   initializer=pool_init, initargs=(images,))
    try:
        for pdfs in executor.map(pool_render, tasks):
            yield from pdfs
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _archive_name(certificate, taken: set) -> str:
    participant = certificate.participant
    stem = "-".join(filter(None, ["Zertifikat", slugify(participant.last_name),
                                  slugify(participant.first_name)])) or "Zertifikat"
    name = f"{stem}.pdf"
    if name in taken:
        name = f"{stem}-{certificate.code[:6]}.pdf"
    taken.add(name)
    return name


def _insert_rows(pending) -> list:
    """Insert the rows of ``pending`` (their files are written): in one statement, or,
    when one of them is refused (someone got a valid certificate meanwhile), one by
    one, leaving out and deleting the files of those refused."""
    try:
        with transaction.atomic():
            Certificate.objects.bulk_create([certificate for certificate, _pdf in pending])
        return pending
    except IntegrityError:
        pass
    stored = []
    for certificate, pdf in pending:
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
        except IntegrityError:
            certificate.pdf.delete(save=False)
            continue
        stored.append((certificate, pdf))
    return stored


def _commit_chunk(batch, cohort, pending, *, now) -> list:
    """The files, rows, audit entries and e-mails of a chunk in one transaction, with
    one INSERT each (the rows, the entries, the mails) and one progress update. Whoever
    got a certificate meanwhile (or left) is skipped. Should the transaction fail, the
    chunk's files go again."""
    actor = batch.requested_by
    written = []
    try:
        with transaction.atomic():
            still = set(eligible_participants(cohort).filter(
                pk__in=[c.participant_id for c, _pdf in pending]).values_list("pk", flat=True))
            handled = len(pending)
            pending = [(c, pdf) for c, pdf in pending if c.participant_id in still]
            for certificate, pdf in pending:
                certificate.pdf.save("certificate.pdf", ContentFile(pdf), save=False)
                written.append(certificate.pdf.name)
            stored = _insert_rows(pending)
            audit_record_all([
                audit_entry(actor=actor, action="certificate.issue", obj=certificate,
                            data={"participant": certificate.participant_id,
                                  "hours": str(certificate.total_hours), "batch": batch.pk})
                for certificate, _pdf in stored])
            mail_enqueue_many([_issue_mail(certificate) for certificate, _pdf in stored])
            CertificateBatch.objects.filter(pk=batch.pk).update(done=F("done") + handled)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return stored


def _zip_path(now) -> tuple[str, str]:
    name = f"courses/certificates/{now:%Y/%m}/{uuid.uuid4().hex}.zip"
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return name, path


def certificate_batch_generate(batch, *, now, workers=None) -> int:
    """Issue the certificates of a running batch; returns how many were issued."""
    cohort = batch.cohort
    participants = list(eligible_participants(cohort))
    for participant in participants:
        participant.cohort = cohort  # one cohort object: its call and programme load once
    CertificateBatch.objects.filter(pk=batch.pk).update(total=len(participants), done=0)
    base, institutions, signatories = _cohort_content(cohort, now=now)
    images = _images(institutions, signatories)
    rates = attendance_rates(cohort, now=now)
    certificates = [_new_certificate(p, base, rates[p.pk], now=now, actor=batch.requested_by)
                    for p in participants]
    documents = [certificate_document(c) for c in certificates]
    zip_name, zip_path = _zip_path(now)
    issued = set()
    taken = set()
    try:
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED) as archive:
            pending = []
            rendered = _render_all(documents, images, workers=_pool_size(workers))
            for certificate, pdf in zip(certificates, rendered, strict=True):
                pending.append((certificate, pdf))
                if len(pending) >= BATCH_CHUNK:
                    for stored, data in _commit_chunk(batch, cohort, pending, now=now):
                        archive.writestr(_archive_name(stored, taken), data)
                        issued.add(stored.pk)
                    pending = []
            for stored, data in _commit_chunk(batch, cohort, pending, now=now):
                archive.writestr(_archive_name(stored, taken), data)
                issued.add(stored.pk)
            # The ZIP holds every valid certificate of the cohort, also those issued one
            # by one before.
            for earlier in (Certificate.objects.filter(participant__cohort=cohort,
                                                       revoked_at__isnull=True)
                            .exclude(pk__in=issued).exclude(pdf="")
                            .select_related("participant")):
                with earlier.pdf.open("rb") as source, \
                        archive.open(_archive_name(earlier, taken), "w") as target:
                    shutil.copyfileobj(source, target)
    except BaseException:
        if os.path.exists(zip_path):
            os.remove(zip_path)
        raise
    with transaction.atomic():
        CertificateBatch.objects.filter(pk=batch.pk).update(
            state=CertificateBatch.State.DONE, zip_file=zip_name, finished_at=timezone.now())
        audit_record(actor=None, action="certificate.batch_done", obj=cohort,
                     data={"batch": batch.pk, "issued": len(issued)})
    return len(issued)


def _fail_stale(now):
    CertificateBatch.objects.filter(
        state=CertificateBatch.State.RUNNING, started_at__lt=now - BATCH_STALE_AFTER).update(
        state=CertificateBatch.State.FAILED, finished_at=now,
        error="interrupted")


def certificate_batches_run(*, now=None, workers=None) -> str:
    """The worker's job: run the queued batches, oldest first.

    A batch is claimed by moving it from queued to running in one UPDATE, so two
    workers never run the same batch. A failure marks the batch failed and keeps the
    certificates issued so far; a new batch continues with the rest.
    """
    now = now or timezone.now()
    _fail_stale(now)
    issued = batches = 0
    for pk in (CertificateBatch.objects.filter(state=CertificateBatch.State.QUEUED)
               .order_by("created_at", "pk").values_list("pk", flat=True)):
        claimed = CertificateBatch.objects.filter(
            pk=pk, state=CertificateBatch.State.QUEUED).update(
            state=CertificateBatch.State.RUNNING, started_at=now)
        if not claimed:
            continue
        batch = CertificateBatch.objects.select_related(
            "cohort__call__programme__lead_institution", "requested_by").get(pk=pk)
        batches += 1
        try:
            issued += certificate_batch_generate(batch, now=now, workers=workers)
        except Exception as exc:
            log.exception("certificate batch %s failed", pk)
            CertificateBatch.objects.filter(pk=pk).update(
                state=CertificateBatch.State.FAILED, finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000])
    return f"{batches} certificate batches, {issued} certificates"


# --- The public check --------------------------------------------------------------------

def _rate_limit(client: str, *, now):
    """At most KOHORTE_CERTIFICATE_CHECKS lookups per client address in each window of
    KOHORTE_CERTIFICATE_CHECK_WINDOW seconds, counted in the database for all worker
    processes together (core.ratelimit), so codes cannot be tried in bulk. The address
    is kept only hashed, and only until its window ends."""
    limit = getattr(settings, "KOHORTE_CERTIFICATE_CHECKS", 30)
    window = getattr(settings, "KOHORTE_CERTIFICATE_CHECK_WINDOW", 600)
    client_hash = hashlib.sha256(client.encode()).hexdigest()[:32]
    if rate_hit(f"certificate-check:{client_hash}", window=window, now=now) > limit:
        raise RateLimited(_("Too many certificates were checked from your network. Please "
                            "try again in a few minutes."), code="rate")


def certificate_check(*, code: str, client: str, now=None) -> Certificate | None:
    """The certificate with this code (typed in any case, with spaces or dashes), or
    None. Counts against the client's limit."""
    now = now or timezone.now()
    _rate_limit(client, now=now)
    return certificate_by_code(code)


__all__ = ["RateLimited"]
