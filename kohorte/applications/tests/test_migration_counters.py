"""Migration 0004 moves the reference counters from the calls to one per prefix and year."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kohorte.core.tests import factories as f
from kohorte.core.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("applications", "0003_scheduled_erasure")]
AFTER = [("applications", "0004_reference_counter")]
BERLIN = ZoneInfo("Europe/Berlin")



@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_prefix_and_year_counts_on_past_every_number_given():
    apps = migrate_to(BEFORE)
    try:
        # Only the applications app goes back: the others' tables are as they are now.
        Call = apps.get_model("applications", "Call")
        Application = apps.get_model("applications", "Application")
        programme = f.make_programme()

        def call(slug, prefix, closes_at, next_number):
            return Call.objects.create(
                programme_id=programme.pk, slug=slug, title=slug, summary="s", description="d",
                eligibility_criteria="e", selection_criteria="s", privacy_notice="p",
                opens_at=datetime(2025, 1, 1, tzinfo=BERLIN), closes_at=closes_at, places=1,
                funding_year=2026, reference_prefix=prefix, next_number=next_number)

        # Two calls share GWA and 2026 (one closing on New Year's Eve in Berlin, which
        # is still 2026 there though 2027 is a minute away in UTC): the larger counter wins.
        first = call("a", "GWA", datetime(2026, 11, 2, 23, 59, tzinfo=BERLIN), 8)
        call("b", "GWA", datetime(2026, 12, 31, 23, 30, tzinfo=BERLIN), 12)
        call("c", "GWA", datetime(2027, 11, 2, tzinfo=BERLIN), 3)
        call("d", "QGW", datetime(2026, 11, 2, tzinfo=BERLIN), 1)
        # A reference beyond every counter (written by hand): the counter goes past it.
        for n, reference in enumerate(["GWA-2026-0020", "QGW-2026-0004", "X-1"]):
            user = f.make_applicant(f"u{n}@example.org")
            Application.objects.create(call=first, applicant_id=user.pk, email=user.email,
                                       state="submitted", reference=reference,
                                       submitted_at=datetime(2026, 10, 1, tzinfo=BERLIN))

        apps = migrate_to(AFTER)
        Counter = apps.get_model("applications", "ReferenceCounter")
        assert sorted(Counter.objects.values_list("prefix", "year", "next_number")) == [
            ("GWA", 2026, 21), ("GWA", 2027, 3), ("QGW", 2026, 5)]

        apps = migrate_to(BEFORE)  # and back: each call takes its group's counter
        Call = apps.get_model("applications", "Call")
        assert dict(Call.objects.values_list("slug", "next_number")) == {
            "a": 21, "b": 21, "c": 3, "d": 5}
    finally:
        migrate_to_latest()
