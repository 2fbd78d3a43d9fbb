"""The budget's scheduled job (KOHORTE_SCHEDULED_JOBS)."""

from .services import booking_imports_purge


def booking_imports_purge_due(*, now):
    """Uploaded finance exports live a day at most."""
    return booking_imports_purge(now=now)
