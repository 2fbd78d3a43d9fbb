"""Deadline arithmetic in Europe/Berlin and the deadline said in words, at its boundaries."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from kohorte.core.dates import deadline_in_words, end_of_minute, local_datetime

# The call closes at 23:59; the last instant that counts is 23:59:59.999999.
DEADLINE = local_datetime(date(2026, 11, 2), time(23, 59))
END = end_of_minute(DEADLINE)
MICRO = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _english():
    # The boundaries are checked on the English source; German wording is checked below.
    with translation.override("en"):
        yield


def words(now):
    return deadline_in_words(DEADLINE, now=now)


def test_the_end_of_a_minute_is_its_last_microsecond():
    assert END == local_datetime(date(2026, 11, 2), time(23, 59, 59, 999999))
    assert end_of_minute(END) == END


def test_the_end_of_a_minute_is_the_same_instant_in_any_zone():
    # Berlin's offsets are whole hours, so a minute ends at the same instant in UTC.
    assert end_of_minute(DEADLINE.astimezone(UTC)) == END


def test_local_datetimes_are_aware_and_in_berlin_time():
    winter = local_datetime(date(2026, 1, 15), time(12, 0))
    summer = local_datetime(date(2026, 7, 15), time(12, 0))
    assert timezone.is_aware(winter) and timezone.is_aware(summer)
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("now, expected", [
    (END - timedelta(days=3), "3 days left"),
    (END - timedelta(days=2), "2 days left"),
    (END - timedelta(days=3) + MICRO, "2 days left"),
    # Below two days the hours are counted, so that "1 day" never hides 47 hours.
    (END - timedelta(days=2) + MICRO, "47 hours left"),
    (END - timedelta(hours=2), "2 hours left"),
    (END - timedelta(hours=1), "1 hour left"),
    (END - timedelta(hours=1) + MICRO, "60 minutes left"),
    (END - timedelta(minutes=12), "12 minutes left"),
    (END - timedelta(seconds=61), "2 minutes left"),
    (END - timedelta(seconds=1), "1 minute left"),
    # Up to the very last instant the submission still counts.
    (END, "1 minute left"),
    (END + MICRO, "closed"),
    (END + timedelta(days=5), "closed"),
])
def test_the_deadline_in_words_at_its_boundaries(now, expected):
    assert words(now) == expected


def test_the_words_agree_with_the_submission_rule():
    # 23:59:59 still counts, 00:00:00 the next day is too late, as for the submit.
    assert words(local_datetime(date(2026, 11, 2), time(23, 59, 59))) == "1 minute left"
    assert words(local_datetime(date(2026, 11, 3), time(0, 0, 0))) == "closed"


def test_the_count_crosses_the_change_to_winter_time_in_real_hours():
    # 25 October 2026 has 25 hours in Berlin. As in the pages, "now" is the server's
    # UTC clock and the deadline comes from the database.
    deadline = local_datetime(date(2026, 10, 26), time(23, 59))
    two_days_before = end_of_minute(deadline).astimezone(UTC) - timedelta(days=2)
    assert two_days_before.astimezone(deadline.tzinfo).hour == 0  # wall clock: 0:59:59
    assert deadline_in_words(deadline, now=two_days_before) == "2 days left"
    assert deadline_in_words(deadline, now=two_days_before + MICRO) == "47 hours left"


def _german_catalogue_has(msgid, plural):
    """Whether the compiled German catalogue has these words (translated separately)."""
    with translation.override("de"):
        return translation.ngettext(msgid, plural, 3) != plural


@pytest.mark.skipif(not _german_catalogue_has("%(count)d day left", "%(count)d days left"),
                    reason="the German catalogue has no translation of the deadline words yet")
def test_in_german_the_deadline_reads_noch_3_tage():
    with translation.override("de"):
        assert words(END - timedelta(days=3)) == "noch 3 Tage"
        assert words(END + MICRO) == "abgelaufen"


def test_the_words_are_computed_for_the_moment_given_not_the_clock():
    then = datetime(2026, 10, 30, 23, 59, 59, 999999, tzinfo=DEADLINE.tzinfo)
    assert words(then) == words(END - timedelta(days=3))
