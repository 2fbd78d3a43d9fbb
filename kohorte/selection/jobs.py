"""Scheduled jobs of the selection stage (named in settings.KOHORTE_SCHEDULED_JOBS).

Each takes ``now=`` and handles every due row in its own transaction, so one failure
leaves the others done; running a job twice does nothing the second time.
"""

from datetime import time

from django.db import transaction
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.applications.retention import application_schedule_erasure
from kohorte.core.dates import local_datetime

from .models import Offer, SelectionRun
from .selectors.selection import waiting_list
from .services.letters import ERASURE_MONTHS, months_after
from .services.offers import offer_expire, offer_remind, reminder_due_at


def offers_expire_due(*, now=None) -> dict:
    """Expire the open offers whose deadline has passed; each vacancy is refilled."""
    now = now or timezone.now()
    due = list(Offer.objects.filter(state=Offer.State.OPEN, deadline__lt=now)
               .order_by("deadline", "id"))
    expired = sum(offer_expire(offer=offer, now=now) is not None for offer in due)
    return {"expired": expired}


def offers_remind_due(*, now=None) -> dict:
    """Remind the people whose offer is about to expire (once per offer)."""
    now = now or timezone.now()
    open_offers = (Offer.objects.filter(state=Offer.State.OPEN, reminded_at__isnull=True,
                                        deadline__gt=now)
                   .select_related("run__policy").order_by("deadline", "id"))
    due = [offer for offer in open_offers
           if (at := reminder_due_at(offer)) is not None and at <= now]
    reminded = sum(offer_remind(offer=offer, now=now) for offer in due)
    return {"reminded": reminded}


def waiting_list_close_due(*, now=None) -> dict:
    """When a call's waiting list has closed, start the deletion clock of those on it:
    six months after the closing day (DOMAIN.md §5). Scheduling is idempotent."""
    now = now or timezone.now()
    calls = (Call.objects.filter(waiting_list_closes_on__lt=timezone.localdate(now),
                                 selection_runs__state=SelectionRun.State.CONFIRMED)
             .distinct())
    scheduled = 0
    for call in calls:
        at = local_datetime(months_after(call.waiting_list_closes_on, ERASURE_MONTHS), time.min)
        for entry in waiting_list(call=call):
            if entry.application.erase_after is not None:
                continue
            with transaction.atomic():
                application_schedule_erasure(application=entry.application, at=at, actor=None,
                                             reason="6 months after the waiting list closed")
            scheduled += 1
    return {"scheduled": scheduled}
