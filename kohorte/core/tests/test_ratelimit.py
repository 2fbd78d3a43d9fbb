"""Rate limits counted in the database: one count for all worker processes."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from kohorte.core.jobs import rate_counts_expire_due
from kohorte.core.models import RateCount
from kohorte.core.ratelimit import rate_hit

MOMENT = datetime(2026, 11, 2, 22, 59, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_hits_count_up_within_a_window_and_start_again_in_the_next():
    assert [rate_hit("k", window=60, now=MOMENT) for _ in range(3)] == [1, 2, 3]
    assert rate_hit("other", window=60, now=MOMENT) == 1
    # 22:59:30 lies in the window 22:59:00-23:00:00; 23:00:00 starts the next one.
    assert rate_hit("k", window=60, now=MOMENT + timedelta(seconds=29)) == 4
    assert rate_hit("k", window=60, now=MOMENT + timedelta(seconds=30)) == 1


@pytest.mark.django_db
def test_without_returning_rows_the_count_is_read_back(monkeypatch):
    # SQLite before 3.35 returns no rows from an INSERT.
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    assert [rate_hit("k", window=60, now=MOMENT) for _ in range(2)] == [1, 2]


@pytest.mark.django_db
def test_the_job_deletes_the_counts_of_ended_windows_only():
    rate_hit("old", window=60, now=MOMENT - timedelta(minutes=5))
    rate_hit("current", window=60, now=MOMENT)
    assert rate_counts_expire_due(now=MOMENT) == "1 rate counts deleted"
    assert list(RateCount.objects.values_list("key", flat=True)) == [
        f"current:{int(MOMENT.timestamp()) // 60 * 60}"]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent writers need PostgreSQL; SQLite serialises all writes")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hits_are_all_counted():
    counts, errors = [], []
    barrier = threading.Barrier(8)

    def hit():
        try:
            barrier.wait()
            counts.extend(rate_hit("busy", window=600, now=MOMENT) for _ in range(5))
        except Exception as exc:  # collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(counts) == list(range(1, 41))
