"""Rate limits counted in the database (``models.RateCount``).

A limit kept in Django's default cache (memory of one process) counted each gunicorn
worker apart, so the real limit was the set one times the workers, and a restart reset
it. One upsert counts a hit and returns the count, atomically on SQLite and PostgreSQL.
"""

from datetime import UTC, datetime

from django.db import connection, transaction

from .models import RateCount

HIT_SQL = (
    'INSERT INTO "core_ratecount" ("key", "window_ends", "count") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key") DO UPDATE SET "count" = "core_ratecount"."count" + 1')
HIT_RETURNING_SQL = HIT_SQL + ' RETURNING "count"'


def rate_hit(key: str, *, window: int, now: datetime) -> int:
    """Count one hit for ``key`` in the current window of ``window`` seconds (windows
    start at multiples of it since the epoch); the hits in this window so far."""
    start = int(now.timestamp() // window) * window
    window_key = f"{key}:{start}"
    ends = datetime.fromtimestamp(start + window, tz=UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(HIT_RETURNING_SQL, [window_key, ends])
            return cursor.fetchone()[0]
        cursor.execute(HIT_SQL, [window_key, ends])  # SQLite before 3.35
        return RateCount.objects.values_list("count", flat=True).get(key=window_key)


def rate_counts_expire(*, now: datetime) -> int:
    """Delete the counts of windows that have ended; how many."""
    return RateCount.objects.filter(window_ends__lte=now).delete()[0]
