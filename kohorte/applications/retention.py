"""Deleting personal data on the clocks of DOMAIN.md §5.

- drafts never submitted: 30 days after the call closed;
- withdrawn applications: 6 months after the withdrawal;
- unsuccessful and waiting-list applications: the selection stage decides when their
  clock starts and calls ``application_erase`` (applications knows nothing of it).
Before the first deletion of a call, its anonymous aggregate snapshot is taken.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from kohorte.accounts.models import LoginToken
from kohorte.core.audit import audit_record
from kohorte.core.models import AuditEntry, Session
from kohorte.notifications.models import OutboxMail

from .models import Application, Call, CallSnapshot, Document

DRAFT_GRACE = timedelta(days=30)
WITHDRAWN_GRACE = timedelta(days=183)
ERASED = "[gelöscht]"


def call_snapshot_take(*, call: Call, now) -> CallSnapshot:
    """Count the submitted applications by tier, Regierungsbezirk and Kreis (once)."""
    existing = CallSnapshot.objects.filter(call=call).first()
    if existing:
        return existing
    rows = (Application.objects.filter(call=call, submitted_at__isnull=False)
            .values_list("state", "eligibility__computed_tier", "eligibility__override_tier",
                         "region__district", "region__name", "region__kind"))
    by_tier, by_district, by_region, by_state = Counter(), Counter(), Counter(), Counter()
    for state, computed, override, district, region, kind in rows:
        by_tier[override or computed or "unknown"] += 1
        by_district[district or "unknown"] += 1
        # As Region.__str__: "Kassel" is a city and a Landkreis, two regions.
        by_region[(f"{region} ({kind})" if kind else region) or "unknown"] += 1
        by_state[state] += 1
    data = {"submitted": sum(by_state.values()), "by_state": dict(by_state),
            "by_tier": dict(by_tier), "by_district": dict(by_district),
            "by_region": dict(by_region)}
    return CallSnapshot.objects.create(call=call, taken_at=now, data=data)


@transaction.atomic
def application_erase(*, application: Application, actor, reason: str):
    """Delete an application, its files and the personal parts of its mails and audit.

    The audit keeps that an erasure happened (with the reference number, which is no
    personal data on its own), never what the person wrote.
    """
    pk, reference, call = str(application.pk), application.reference, application.call
    call_snapshot_take(call=call, now=timezone.now())
    for document in application.documents.all():
        name = document.file.name
        transaction.on_commit(lambda n=name, s=document.file.storage: s.delete(n))
    mails = OutboxMail.objects.filter(about_type="applications.application", about_id=pk)
    mails.filter(state=OutboxMail.State.PENDING).update(
        state=OutboxMail.State.FAILED, last_error="erased before delivery")
    mails.update(to="erased@invalid", subject=ERASED, body=ERASED, erased=True)
    AuditEntry.objects.filter(object_type="applications.application", object_id=pk).update(
        object_repr=reference or ERASED, reason="", data={}, erased=True)
    user = application.applicant
    application.delete()
    audit_record(actor=actor, action="application.erase", obj=call, reason=reason,
                 data={"reference": reference})
    if not user.is_staff and not user.applications.exists() and not _account_still_needed(user):
        AuditEntry.objects.filter(actor=user).update(actor_label=ERASED, erased=True)
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).update(
            object_repr=ERASED, erased=True)
        # Sign-in links are about no object, yet carry the address. (Mails about other
        # objects, such as the answer to an erasure request, are left to deliver.)
        OutboxMail.objects.filter(to__iexact=user.email, about_type="").update(
            to="erased@invalid", subject=ERASED, body=ERASED, erased=True)
        LoginToken.objects.filter(email__iexact=user.email).delete()
        # Its sessions end with it (they name it; one saved before sessions kept the
        # person's key would read as signed out anyway once the account is gone).
        Session.objects.filter(user_id=user.pk).delete()
        user.delete()


def _account_still_needed(user) -> bool:
    """A later stage may need the account beyond the applications, with the person's
    consent (e.g. to remember an earlier unsuccessful application for priority). It
    says so through the functions in settings.KOHORTE_ACCOUNT_KEEP_HOOKS."""
    return any(import_string(path)(user=user) for path in settings.KOHORTE_ACCOUNT_KEEP_HOOKS)


@transaction.atomic
def application_schedule_erasure(*, application: Application, at, reason: str, actor=None):
    """Set the day an application is to be erased (the hook for later stages).

    The selection stage calls it when it sends a rejection letter (six months on) or
    when the waiting list closes; applications itself knows nothing of those stages.
    An earlier date already set is kept: a clock never runs longer than it must.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.erase_after is not None and application.erase_after <= at:
        return application
    application.erase_after, application.erase_after_reason = at, reason[:200]
    application.save(update_fields=["erase_after", "erase_after_reason", "updated_at"])
    audit_record(actor=actor, action="application.schedule_erasure", obj=application,
                 reason=reason, data={"at": at.isoformat()})
    return application


def retention_run(*, now=None) -> dict:
    """The scheduled job: erase what has reached its date; returns what it did."""
    now = now or timezone.now()
    due = Application.objects.filter(
        Q(state=Application.State.DRAFT, call__closes_at__lt=now - DRAFT_GRACE)
        | Q(state=Application.State.WITHDRAWN, withdrawn_at__lt=now - WITHDRAWN_GRACE)
        | Q(erase_after__lt=now)
    ).select_related("call", "applicant")
    erased = Counter()
    for application in due:
        if application.erase_after is not None and application.erase_after < now:
            kind, reason = "scheduled", f"retention: {application.erase_after_reason}"
        elif application.state == Application.State.DRAFT:
            kind, reason = "draft", "retention: draft 30 days after closing"
        else:
            kind, reason = "withdrawn", "retention: 6 months after withdrawal"
        erased[kind] += 1
        application_erase(application=application, actor=None, reason=reason)
    orphans = _sweep_orphaned_files()
    return {"erased": dict(erased), "orphaned_files": orphans}


def _sweep_orphaned_files() -> int:
    """Remove stored documents no row refers to (left by a rolled-back upload)."""
    storage = Document._meta.get_field("file").storage
    known = set(Document.objects.values_list("file", flat=True))
    removed = 0
    if not storage.exists("documents"):
        return 0
    cutoff = timezone.now() - timedelta(hours=1)
    for year in storage.listdir("documents")[0]:
        for month in storage.listdir(f"documents/{year}")[0]:
            for name in storage.listdir(f"documents/{year}/{month}")[1]:
                path = f"documents/{year}/{month}/{name}"
                if path not in known and storage.get_modified_time(path) < cutoff:
                    storage.delete(path)
                    removed += 1
    return removed
