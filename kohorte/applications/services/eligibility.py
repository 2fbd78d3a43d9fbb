from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_entry, audit_record
from kohorte.core.prepared import PreparedInsert
from kohorte.programmes.models import SiteFunding

from .. import eligibility as rules
from ..models import Application, Document, Eligibility

# ``check`` of eligibility_assess when the caller has not read the current pre-check.
UNREAD = object()


def site_funded(application: Application) -> bool:
    """Whether the chosen site is funded by the call's programme in the call's year
    (the form's submit asks the same in its locked read: submission._read_own_under_lock)."""
    call = application.call
    return bool(application.site_id) and SiteFunding.objects.filter(
        site_id=application.site_id, programme_id=call.programme_id,
        year=call.funding_year).exists()


def _facts(application: Application, today, has_release=None, funded=None):
    call = application.call
    if has_release is None:
        has_release = application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).exists()
    if funded is None:
        funded = site_funded(application)
    return rules.Facts(
        paid_staff=application.employment_kind == Application.EmploymentKind.PAID,
        weekly_hours=application.weekly_hours,
        min_weekly_hours=call.min_weekly_hours,
        commits_to_all_modules=application.commits_to_all_modules,
        site_funded=funded,
        release_present=has_release,
        release_due=call.release_due_date,
        today=today,
    )


def eligibility_assess(*, application: Application, now=None, has_release=None,
                       site_funded=None, check=UNREAD, audit_entries=None,
                       batch=None) -> Eligibility:
    """(Re)compute the pre-check; a coordinator's override stays in force.

    Runs inside the caller's transaction (submit, upload, the daily job at the
    release due date), which holds the application's row lock: so a plain look-up
    and insert cannot race. The audit entry is written only when the tier changes.

    A caller that has read them under that lock passes ``has_release``,
    ``site_funded`` and the current ``check`` (None: there is none yet); with
    ``audit_entries`` (a list) the entry is appended there for the caller to write
    together with its own; with a ``batch`` (``core.prepared.Batch``) a new pre-check
    is written when it runs.
    """
    now = now or timezone.now()
    result = rules.assess(_facts(application, timezone.localdate(now), has_release, site_funded))
    reasons = [{"code": code, "message": str(message)} for code, message in result.reasons]
    if check is UNREAD:
        check = Eligibility.objects.filter(application=application).first()
    created = check is None
    if created:
        (check,) = _INSERT.insert([Eligibility(application=application,
                                               computed_tier=result.tier, reasons=reasons,
                                               computed_at=now)], batch=batch)
    if not created and (check.computed_tier != result.tier or check.reasons != reasons):
        old = check.computed_tier
        check.computed_tier, check.reasons, check.computed_at = result.tier, reasons, now
        check.save(update_fields=["computed_tier", "reasons", "computed_at"])
        if old != result.tier:
            _audit(audit_entries, obj=application, data={"from": old, "to": result.tier})
    elif created:
        _audit(audit_entries, obj=application, data={"to": result.tier})
    return check


# The pre-check is first written by the final submit, the deadline's hot path: its SQL
# is built once per process (core.prepared).
_INSERT = PreparedInsert(Eligibility)


def _audit(entries, *, obj, data):
    if entries is None:
        audit_record(actor=None, action="eligibility.assess", obj=obj, data=data)
    else:
        entries.append(audit_entry(actor=None, action="eligibility.assess", obj=obj, data=data))


@transaction.atomic
def eligibility_override(*, application: Application, tier: str, reason: str, actor) -> Eligibility:
    """A coordinator sets the tier by hand; the written reason is required and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason for the override."))
    if tier not in Eligibility.Tier.values:
        raise ValidationError(_("Unknown tier."))
    check = Eligibility.objects.select_for_update().get(application=application)
    old = check.tier
    check.override_tier, check.override_reason = tier, reason
    check.override_by, check.override_at = actor, timezone.now()
    check.save(update_fields=["override_tier", "override_reason", "override_by", "override_at"])
    audit_record(actor=actor, action="eligibility.override", obj=application, reason=reason,
                 data={"from": old, "to": tier})
    return check
