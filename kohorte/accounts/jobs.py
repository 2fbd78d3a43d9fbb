"""Scheduled jobs of the accounts (settings.KOHORTE_SCHEDULED_JOBS)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def failed_sign_ins_expire_due(*, now=None) -> str:
    """Delete failed staff sign-ins whose cool-off has ended: they hold an address, an
    IP address and a browser, kept for the throttle only. Staff sign-ins clean them up
    as well (django-axes); this job keeps the promise when nobody signs in."""
    from axes.models import AccessAttempt

    threshold = (now or timezone.now()) - timedelta(hours=settings.AXES_COOLOFF_TIME)
    deleted, _details = AccessAttempt.objects.filter(attempt_time__lte=threshold).delete()
    return f"{deleted} failed sign-ins past their cool-off deleted"
