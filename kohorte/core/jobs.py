"""Scheduled jobs of the core (settings.KOHORTE_SCHEDULED_JOBS)."""

from django.utils import timezone

from .ratelimit import rate_counts_expire


def rate_counts_expire_due(*, now=None) -> str:
    """Delete the rate counts of ended windows (they hold hashed client addresses)."""
    return f"{rate_counts_expire(now=now or timezone.now())} rate counts deleted"
