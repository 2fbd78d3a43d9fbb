"""Scheduled jobs of reporting (named in settings.KOHORTE_SCHEDULED_JOBS).

``proof_deadlines_remind_due`` mails the programme's coordinators four weeks and one
week before a proof of use or an interim report falls due, once each (the outbox's
idempotency key), unless it has been submitted.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kohorte.accounts.models import Role
from kohorte.budget.models import FundingPeriod
from kohorte.notifications.services import mail_enqueue

from .models import ProofOfUse
from .proof_templates import TemplateError, deadlines

# (key, days before the due date): the earlier reminder is skipped once the later is due.
REMINDERS = (("4w", 28), ("1w", 7))
# Final proofs fall due months after the period ends; older periods are done.
LOOK_BACK = timedelta(days=730)


def _stage(days_left: int) -> str | None:
    if days_left < 0:
        return None
    for key, days in reversed(REMINDERS):
        if days_left <= days:
            return key
    return None


def proof_deadlines_remind_due(*, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    submitted = {(p.period_id, p.kind, p.year) for p in ProofOfUse.objects.filter(
        state=ProofOfUse.State.SUBMITTED, period__end__gte=today - LOOK_BACK)}
    sent = 0
    periods = (FundingPeriod.objects.filter(end__gte=today - LOOK_BACK)
               .select_related("programme").order_by("pk"))
    for period in periods:
        try:
            owed = deadlines(period)
        except TemplateError:
            continue
        coordinators = None
        for deadline in owed:
            if (period.pk, deadline.kind, deadline.year) in submitted:
                continue
            stage = _stage((deadline.due_on - today).days)
            if stage is None:
                continue
            if coordinators is None:
                coordinators = list(Role.objects.filter(programme=period.programme,
                                                        kind=Role.Kind.COORDINATOR,
                                                        user__is_active=True)
                                    .select_related("user").order_by("user_id"))
            with transaction.atomic():
                for role in coordinators:
                    key = (f"proof-deadline:{period.pk}:{deadline.kind}:{deadline.year or ''}"
                           f":{deadline.due_on.isoformat()}:{stage}:{role.user_id}")
                    mail = mail_enqueue(
                        to=role.user.email, template="proof_deadline",
                        context={"period": period, "programme": period.programme,
                                 "deadline": deadline, "interim": deadline.kind == "interim",
                                 "days_left": (deadline.due_on - today).days},
                        about=period, idempotency_key=key)
                    sent += mail is not None
    return {"reminded": sent}
