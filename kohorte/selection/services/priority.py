"""Priority for earlier unsuccessful applicants (DOMAIN.md §2 and §5).

A person rejected, or left on the waiting list, may consent at that point to be
remembered for the next call of the same programme (``PriorityClaim``). When a later
call whose policy uses priority prepares its candidate list, an open claim gives the
person's candidate the priority flag; the confirmation of that run uses the claim up.
Without consent nothing is remembered: the unsuccessful application is erased on its
own clock and the claim holds only the account link.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.core.models import AuditEntry

from ..models import Candidate, PriorityClaim
from ..selectors.selection import application_standing

# The standings at which a person may ask to be remembered: not chosen in this call.
CONSENT_STANDINGS = ("unsuccessful", "waiting")
# Who last decided a candidate's priority flag (kept in the audit entry's data).
SOURCE_CLAIM = "claim"
SOURCE_COORDINATOR = "coordinator"


def priority_consent_possible(standing) -> bool:
    return standing.kind in CONSENT_STANDINGS


def _lock_person(user_id):
    # Serialises consent and withdrawal of one person, so one open claim is ever made.
    return get_user_model().objects.select_for_update().get(pk=user_id)


def _open_claims():
    return PriorityClaim.objects.filter(used_in_call__isnull=True, withdrawn_at__isnull=True)


@transaction.atomic
def priority_claim_consent(*, application, actor, now=None) -> PriorityClaim:
    """The person consents, on their unsuccessful or waiting application, to be remembered
    for priority in a later call of the programme.

    Only at the rejection (DOMAIN.md §5): refused while the selection is pending or when
    the person holds or held an offer. Asking twice keeps the one open claim.
    """
    now = now or timezone.now()
    if not priority_consent_possible(application_standing(application=application)):
        raise ValidationError(_("You can ask to be remembered only once the selection is "
                                "confirmed and we could not offer you a place."),
                              code="standing")
    _lock_person(application.applicant_id)
    programme_id = application.call.programme_id
    claim = _open_claims().filter(programme_id=programme_id,
                                  user_id=application.applicant_id).first()
    if claim is not None:
        return claim
    claim = PriorityClaim.objects.create(programme_id=programme_id,
                                         user_id=application.applicant_id,
                                         from_call_id=application.call_id, consented_at=now)
    audit_record(actor=actor, action="priority_claim.consent", obj=claim,
                 data={"application": application.reference, "call": application.call_id})
    return claim


@transaction.atomic
def priority_claim_withdraw(*, application, actor, now=None) -> PriorityClaim | None:
    """The person withdraws their consent (at any time, GDPR Art. 7(3)); the claim then
    gives no priority. Nothing to withdraw is no error."""
    now = now or timezone.now()
    _lock_person(application.applicant_id)
    claim = _open_claims().filter(programme_id=application.call.programme_id,
                                  user_id=application.applicant_id).first()
    if claim is None:
        return None
    claim.withdrawn_at = now
    claim.save(update_fields=["withdrawn_at"])
    audit_record(actor=actor, action="priority_claim.withdraw", obj=claim,
                 data={"application": application.reference})
    return claim


def _earlier_open_claims(call, user_ids):
    """Open claims of these people for the call's programme, made in an earlier call."""
    return (_open_claims()
            .filter(programme_id=call.programme_id, user_id__in=user_ids)
            .filter(Q(from_call__closes_at__lt=call.closes_at)
                    | Q(from_call__isnull=True, consented_at__lt=call.closes_at)))


def _last_priority_source(application_ids) -> dict:
    """{application id: who last set its priority flag} from the audit log."""
    entries = (AuditEntry.objects
               .filter(object_type="applications.application", action="candidate.priority",
                       object_id__in=[str(pk) for pk in application_ids])
               .order_by("created_at", "id").values_list("object_id", "data"))
    return {int(object_id): (data or {}).get("source") for object_id, data in entries}


def candidates_priority_from_claims(*, call, applications, actor) -> int:
    """Give priority to each applicant with an open claim from an earlier call (inside the
    caller's transaction, before the candidate list is frozen).

    A flag the coordinator set or lifted by hand is left as they decided; a flag an
    earlier preparation set from a claim since withdrawn is lifted again. Returns the
    number of flags changed.
    """
    applications = list(applications)
    claims = {c.user_id: c for c in _earlier_open_claims(
        call, {a.applicant_id for a in applications})}
    candidates = {c.application_id: c for c in Candidate.objects.select_for_update().filter(
        application__in=applications)}
    sources = _last_priority_source([a.pk for a in applications])
    changed = 0
    for application in applications:
        source = sources.get(application.pk)
        if source == SOURCE_COORDINATOR:
            continue
        claim = claims.get(application.applicant_id)
        candidate = candidates.get(application.pk)
        has = candidate is not None and candidate.priority
        if claim is not None and not has:
            if candidate is None:
                candidate = Candidate.objects.create(application=application)
            reason = "earlier unsuccessful, consent of " + (
                timezone.localtime(claim.consented_at).strftime("%d.%m.%Y"))
            data = {"priority": True, "source": SOURCE_CLAIM, "claim": claim.pk}
        elif claim is None and has and source == SOURCE_CLAIM:
            reason, data = "no open consent any more", {"priority": False, "source": SOURCE_CLAIM}
        else:
            continue
        candidate.priority = data["priority"]
        candidate.save(update_fields=["priority"])
        audit_record(actor=actor, action="candidate.priority", obj=application, reason=reason,
                     data=data)
        changed += 1
    return changed


def priority_claims_use(*, call, applications, actor) -> int:
    """Mark used the open claims that gave these applicants priority in ``call``'s
    confirmed selection (inside the caller's transaction)."""
    # Lock only the claims: the filter outer-joins the earlier call, which PostgreSQL
    # cannot lock.
    claims = list(_earlier_open_claims(call, {a.applicant_id for a in applications})
                  .select_for_update(of=("self",)))
    for claim in claims:
        claim.used_in_call = call
        claim.save(update_fields=["used_in_call"])
        audit_record(actor=actor, action="priority_claim.use", obj=claim,
                     data={"call": call.pk})
    return len(claims)


def account_has_open_claim(*, user) -> bool:
    """Retention hook: the account stays while its priority claim is open (with consent)."""
    return _open_claims().filter(user=user).exists()
