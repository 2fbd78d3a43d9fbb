import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.core.uploads import upload_content_type

from ..models import Application, Document
from ..selectors import application_locked
from .submission import ensure_editable

# Judged by the file's content, never by its name or the browser's claim.
ALLOWED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def release_upload_open(application: Application, *, now) -> bool:
    """After submission the employer release may still come, until the call's due date."""
    due = application.call.release_due_date
    return (application.state == Application.State.SUBMITTED and due is not None
            and timezone.localdate(now) <= due)


@transaction.atomic
def document_upload(*, application: Application, kind: str, uploaded_file, actor, now=None) -> Document:
    """Store an uploaded document after checking its type by content and its size.

    The employer release may come after the submission (until the call's due date), so
    uploads are allowed while the application is a draft or submitted, before the
    deadline, and for the release also after it until its due date.
    """
    now = now or timezone.now()
    application = application_locked(pk=application.pk)
    if kind != Document.Kind.EMPLOYER_RELEASE:
        raise ValidationError(_("Unknown kind of document."))
    if not release_upload_open(application, now=now):
        ensure_editable(application, now=now)
    content_type = upload_content_type(
        uploaded_file, allowed=ALLOWED_TYPES,
        wrong_type_message=_("Please upload a PDF, JPEG or PNG file."))
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    name = (uploaded_file.name or "dokument").replace("\\", "/").rsplit("/", 1)[-1][:200]
    document = Document(application=application, kind=kind, original_name=name,
                        content_type=content_type, size=uploaded_file.size,
                        sha256=digest.hexdigest(), uploaded_at=now)
    document.file.save(name, uploaded_file, save=False)
    document.save()
    # Should the transaction roll back after this point, the file has no row; the
    # retention job removes such orphaned files.
    if application.state == Application.State.SUBMITTED:
        from .eligibility import eligibility_assess

        eligibility_assess(application=application, now=now)
    audit_record(actor=actor, action="document.upload", obj=application,
                 data={"kind": kind, "document": document.pk, "size": document.size})
    return document
