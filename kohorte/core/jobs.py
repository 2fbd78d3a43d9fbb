"""Scheduled jobs of the core (settings.KOHORTE_SCHEDULED_JOBS)."""

from django.utils import timezone

from .ratelimit import rate_counts_expire


def rate_counts_expire_due(*, now=None) -> str:
    """Delete the rate counts of ended windows (they hold hashed client addresses)."""
    return f"{rate_counts_expire(now=now or timezone.now())} rate counts deleted"


def sessions_expire_due(*, now=None) -> str:
    """Delete expired sessions: they name the person signed in and are of no use once
    expired (Django leaves them in the table until something deletes them)."""
    from .models import Session

    deleted, _details = Session.objects.filter(expire_date__lte=now or timezone.now()).delete()
    return f"{deleted} expired sessions deleted"
