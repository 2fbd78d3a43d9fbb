"""Attendance rates, the standing against the completion rule, the session counts."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kohorte.courses.models import Attendance, Session
from kohorte.courses.selectors.attendance import (
    Standing,
    attendance_rates,
    cohort_overview,
    participant_attendance,
    session_sheet,
)
from kohorte.courses.services.attendance import (
    Mark,
    attendance_makeup_record,
    attendance_record_list,
)
from kohorte.courses.services.cohort import participant_leave

from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    world = course_world(personas, others=2)
    world.sessions = list(Session.objects.filter(module__cohort=world.cohort)
                          .order_by("starts_at"))
    world.others = list(world.cohort.participants.exclude(pk=world.participant.pk))
    return world


def _record(w, session, **statuses):
    people = {"me": w.participant, "a": w.others[0], "b": w.others[1]}
    attendance_record_list(session=session, actor=w.coordinator, now=session.starts_at,
                           marks=[Mark(people[k], v, "krank" if v == "excused" else "")
                                  for k, v in statuses.items()])


def test_the_rate_counts_hours_present_and_make_ups_of_sessions_held(w):
    first, second, third, fourth = w.sessions[:4]
    _record(w, first, me="present")
    _record(w, second, me="excused")
    _record(w, third, me="absent")
    attendance_makeup_record(session=third, participant=w.participant, text="Hausarbeit",
                             actor=w.coordinator, now=third.ends_at)
    rate = attendance_rates(w.cohort, now=fourth.ends_at)[w.participant.pk]
    # Four sessions of 3.5 hours held; present once, one make-up; the excuse does not count.
    assert (rate.attended, rate.scheduled) == (Decimal("7.0"), Decimal("14.0"))
    assert rate.percent == Decimal("50.0")
    assert attendance_rates(w.cohort, now=first.starts_at - timedelta(days=1))[
        w.participant.pk].percent is None


def test_someone_below_the_rule_who_can_still_reach_it_is_at_risk(w):
    held = w.sessions[:4]
    for session in held[:2]:
        _record(w, session, me="present", a="present", b="present")
    for session in held[2:]:
        _record(w, session, me="absent", a="present", b="present")
    overview = cohort_overview(w.cohort, now=held[-1].ends_at)
    mine = next(s for s in overview.standings if s.participant == w.participant)
    assert mine.rate.percent == Decimal("50.0")
    assert mine.standing == Standing.AT_RISK
    assert [s.participant for s in overview.at_risk] == [w.participant]
    assert overview.cannot_reach == []
    assert overview.session_counts[held[2].pk].present == 2
    assert overview.session_counts[held[2].pk].scheduled == 3


def test_someone_who_cannot_reach_the_rule_any_more_is_warned_about(w):
    # 32 sessions of 3.5 h = 112 h; 80 % = 89.6 h. After 7 sessions missed only 87.5 h remain.
    held = w.sessions[:7]
    for session in held:
        _record(w, session, me="absent", a="present", b="present")
    overview = cohort_overview(w.cohort, now=held[-1].ends_at)
    mine = next(s for s in overview.standings if s.participant == w.participant)
    assert mine.required == Decimal("89.60")
    assert mine.still_possible == Decimal("87.5")
    assert mine.missing == Decimal("2.10")
    assert mine.standing == Standing.CANNOT_REACH
    assert [s.participant for s in overview.cannot_reach] == [w.participant]
    # Six sessions missed still leave 91 hours: at risk, not lost.
    overview = cohort_overview(w.cohort, now=held[-2].ends_at)
    mine = next(s for s in overview.standings if s.participant == w.participant)
    assert mine.standing == Standing.AT_RISK


def test_the_overview_shows_only_the_modules_asked_for_but_judges_the_whole_course(w):
    _record(w, w.sessions[0], me="present")
    overview = cohort_overview(w.cohort, now=w.sessions[5].ends_at, modules=[w.other_module])
    assert overview.modules == [w.other_module]
    assert {s.module_id for s in overview.sessions} == {w.other_module.pk}
    mine = next(s for s in overview.standings if s.participant == w.participant)
    assert set(mine.by_module) == {w.other_module.pk}
    assert mine.attended == Decimal("3.5")


def test_someone_who_left_is_not_scheduled_afterwards_nor_warned_about(w):
    left_on = w.sessions[4].starts_at.date()
    participant_leave(participant=w.participant, left_on=left_on, reason="Umzug",
                      actor=w.coordinator)
    overview = cohort_overview(w.cohort, now=w.sessions[-1].ends_at)
    mine = next(s for s in overview.standings if s.participant.pk == w.participant.pk)
    assert mine.standing == Standing.LEFT
    assert mine.total == Decimal("14.0")
    assert w.participant.pk not in {r.participant.pk for r in session_sheet(w.sessions[5])}


def test_a_participant_sees_their_own_sessions_and_rate(w):
    _record(w, w.sessions[0], me="present")
    own = participant_attendance(w.participant, now=w.sessions[1].ends_at)
    assert len(own.sessions) == 32
    assert own.sessions[0].attendance.status == Attendance.Status.PRESENT
    assert own.sessions[1].attendance is None and own.sessions[1].held
    assert not own.sessions[2].held
    assert own.standing.rate.percent == Decimal("50.0")


def test_the_overview_needs_few_queries(w, django_assert_max_num_queries):
    for session in w.sessions[:4]:
        _record(w, session, me="present", a="absent")
    with django_assert_max_num_queries(5):
        overview = cohort_overview(w.cohort, now=w.sessions[4].ends_at)
        [s.participant.application.organisation_name for s in overview.standings]
