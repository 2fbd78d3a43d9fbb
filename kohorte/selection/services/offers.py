"""What happens to an offer: accepted, declined, expired, withdrawn, reminded.

Every change of who holds a place takes the call's row lock first (``lock_call``), then
the offer's; a vacancy is refilled in the same transaction, so a decline and the offer
to the next person commit together or not at all. Allowed transitions are
``Offer.TRANSITIONS`` (docs/selection.md); the partial unique constraint keeps a person
from ever holding two live offers.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.applications.models import Application
from kohorte.applications.retention import application_schedule_erasure
from kohorte.core.audit import audit_record

from ..models import MessageTemplate, Offer
from .letters import ERASURE_MONTHS, format_deadline, letter_send, months_after, values_for
from .selection import lock_call, offer_link, selection_refill


class OfferClosed(ValidationError):
    """The offer can no longer be answered (already decided, withdrawn or expired)."""


def _locked_offer(pk) -> Offer:
    # of=("self",): lock the offer row only, not the rows joined for reading.
    return (Offer.objects.select_for_update(of=("self",))
            .select_related("application", "application__call", "run__policy").get(pk=pk))


def _move(offer, state, now):
    if state not in Offer.TRANSITIONS[offer.state]:
        raise OfferClosed(_("This offer is %(state)s and can no longer change."),
                          code="state", params={"state": offer.get_state_display()})
    offer.state, offer.decided_at = state, now
    offer.save(update_fields=["state", "decided_at"])


def _letter(offer, key, **values):
    application = offer.application
    letter_send(application=application, key=key,
                values=values_for(application, deadline=format_deadline(offer.deadline),
                                  link=offer_link(offer), **values),
                idempotency_key=f"{key}-{offer.pk}")


def _start_erasure_clock(offer, *, actor, now, why):
    application_schedule_erasure(application=offer.application, actor=actor,
                                 at=months_after(now, ERASURE_MONTHS), reason=why)


@transaction.atomic
def offer_accept(*, offer, actor, now=None) -> Offer:
    """The person takes the place. Idempotent: a second click changes nothing.

    Refused after the deadline (even before the expiry job has run), and for an offer
    no longer open.
    """
    now = now or timezone.now()
    lock_call(offer.call_id)
    offer = _locked_offer(offer.pk)
    if offer.state == Offer.State.ACCEPTED:
        return offer
    if offer.state == Offer.State.OPEN and now > offer.deadline:
        raise OfferClosed(_("The time to answer ended on %(deadline)s. The offer can no longer "
                            "be accepted."), code="expired",
                          params={"deadline": format_deadline(offer.deadline)})
    _move(offer, Offer.State.ACCEPTED, now)
    audit_record(actor=actor, action="offer.accept", obj=offer.application,
                 data={"offer": offer.pk})
    _letter(offer, MessageTemplate.Key.ACCEPTED)
    return offer


@transaction.atomic
def offer_decline(*, offer, actor, now=None) -> Offer:
    """The person gives the place back; it goes to the next on the waiting list at once.

    Idempotent like accepting. The six-month deletion clock starts with the decision.
    """
    now = now or timezone.now()
    call = lock_call(offer.call_id)
    offer = _locked_offer(offer.pk)
    if offer.state == Offer.State.DECLINED:
        return offer
    _move(offer, Offer.State.DECLINED, now)
    audit_record(actor=actor, action="offer.decline", obj=offer.application,
                 data={"offer": offer.pk})
    _letter(offer, MessageTemplate.Key.DECLINED)
    _start_erasure_clock(offer, actor=actor, now=now, why="6 months after declining the offer")
    selection_refill(call=call, actor=actor, now=now, cause="decline")
    return offer


@transaction.atomic
def offer_expire(*, offer, now=None) -> Offer | None:
    """The deadline passed without an answer (the scheduled job); the place is refilled."""
    now = now or timezone.now()
    call = lock_call(offer.call_id)
    offer = _locked_offer(offer.pk)
    if offer.state != Offer.State.OPEN or now <= offer.deadline:
        return None
    _move(offer, Offer.State.EXPIRED, now)
    audit_record(actor=None, action="offer.expire", obj=offer.application,
                 data={"offer": offer.pk, "deadline": offer.deadline.isoformat()})
    _letter(offer, MessageTemplate.Key.EXPIRED)
    _start_erasure_clock(offer, actor=None, now=now, why="6 months after the offer expired")
    selection_refill(call=call, actor=None, now=now, cause="expiry")
    return offer


@transaction.atomic
def offer_withdraw(*, offer, reason: str, actor, now=None) -> Offer:
    """A coordinator takes back an open or accepted offer (with a reason); refilled."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for withdrawing the offer."), code="reason")
    call = lock_call(offer.call_id)
    offer = _locked_offer(offer.pk)
    _move(offer, Offer.State.WITHDRAWN, now)
    # On the application, so that erasing it erases the reason too.
    audit_record(actor=actor, action="offer.withdraw", obj=offer.application, reason=reason,
                 data={"offer": offer.pk})
    selection_refill(call=call, actor=actor, now=now, cause="withdrawal")
    return offer


def offers_release_on_withdrawal(*, application, actor, now=None, **kwargs):
    """Hook of ``application_withdraw`` (settings.KOHORTE_APPLICATION_WITHDRAW_HOOKS).

    Runs inside the withdrawal's transaction, before the application row is locked, so
    the call is locked first as everywhere else. A place the person held is freed and
    refilled; the call is locked even without an offer, so that a refill running at
    the same moment waits and then sees the withdrawal.
    """
    now = now or timezone.now()
    if not Application.objects.filter(pk=application.pk, state=Application.State.SUBMITTED).exists():
        return  # a draft holds no place and waits for none
    call = lock_call(application.call_id)
    live = list(Offer.objects.select_for_update().filter(application_id=application.pk,
                                                         state__in=Offer.HOLDS_PLACE))
    for offer in live:
        _move(offer, Offer.State.WITHDRAWN, now)
        audit_record(actor=actor, action="offer.withdraw", obj=application,
                     reason="application withdrawn", data={"offer": offer.pk})
    if live:
        selection_refill(call=call, actor=actor, now=now, cause="application withdrawn")


def reminder_due_at(offer):
    """When to remind: the policy's days before the deadline, but for a short offer not
    before half its time has passed (no reminder right after the offer)."""
    days = offer.run.policy.reminder_days_before_deadline
    if days == 0:
        return None
    return max(offer.deadline - timedelta(days=days),
               offer.created_at + (offer.deadline - offer.created_at) / 2)


@transaction.atomic
def offer_remind(*, offer, now=None) -> bool:
    """Send the reminder once, while the offer is open and not yet due."""
    now = now or timezone.now()
    offer = _locked_offer(offer.pk)
    due = reminder_due_at(offer)
    if (offer.state != Offer.State.OPEN or offer.reminded_at is not None or due is None
            or not due <= now < offer.deadline):
        return False
    offer.reminded_at = now
    offer.save(update_fields=["reminded_at"])
    audit_record(actor=None, action="offer.remind", obj=offer.application,
                 data={"offer": offer.pk})
    _letter(offer, MessageTemplate.Key.REMINDER)
    return True
