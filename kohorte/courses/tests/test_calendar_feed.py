from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kohorte.courses.models import Session
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.schedule import session_update

from .world import course_world

pytestmark = pytest.mark.django_db


def _feed(client, participant):
    response = client.get(reverse("courses:participant_feed", args=[participant.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_participant_feed_has_one_event_per_session_in_berlin_time(client, personas):
    w = course_world(personas, others=0)
    calendar = _feed(client, w.participant)
    events = _events(calendar)
    assert len(events) == Session.objects.filter(module__cohort=w.cohort).count() == 32
    event = events[f"{w.session.uid}@kohorte"]
    assert str(event["SUMMARY"]) == "Baustein 1"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART") == w.session.starts_at
    assert event.decoded("DTEND") == w.session.ends_at
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]) == "Fulda"
    assert "DTSTAMP" in event
    assert str(calendar["X-WR-CALNAME"]) == w.cohort.title
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_after_a_move_the_event_keeps_its_uid_and_raises_its_sequence(client, personas):
    w = course_world(personas, others=0)
    before = _events(_feed(client, w.participant))
    start = w.session.starts_at + timedelta(days=1)
    session_update(session=w.session, actor=w.coordinator, starts_at=start,
                   ends_at=start + timedelta(hours=3))
    after = _events(_feed(client, w.participant))
    uid = f"{w.session.uid}@kohorte"
    assert set(after) == set(before)
    assert int(after[uid]["SEQUENCE"]) == 1
    assert after[uid].decoded("DTSTART") == start


def test_an_online_session_carries_its_link(client, personas):
    w = course_world(personas, others=0)
    session_update(session=w.session, actor=w.coordinator, place="",
                   online_url="https://konferenz.example.org/gwa")
    event = _events(_feed(client, w.participant))[f"{w.session.uid}@kohorte"]
    assert str(event["URL"]) == "https://konferenz.example.org/gwa"


def test_a_left_participants_feed_is_empty_from_their_leaving_day(client, personas):
    w = course_world(personas, others=0)
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    w.participant.refresh_from_db()
    calendar = _feed(client, w.participant)
    assert calendar.walk("VEVENT") == []


def test_a_leaving_day_in_the_future_keeps_only_the_sessions_before_it(client, personas):
    w = course_world(personas, others=0)
    left_on = timezone.localdate(w.other_module.sessions.first().starts_at)
    participant_leave(participant=w.participant, left_on=left_on, reason="Elternzeit",
                      actor=w.coordinator)
    w.participant.refresh_from_db()
    events = _events(_feed(client, w.participant))
    assert len(events) == 4
    assert f"{w.session.uid}@kohorte" in events


def test_an_unknown_or_renewed_token_gives_404(client, personas):
    w = course_world(personas, others=0)
    old = w.participant.feed_token
    assert client.get(reverse("courses:participant_feed", args=["nichts"])).status_code == 404
    client.force_login(w.applicant)
    client.post(reverse("courses:participant_feed_renew", args=[w.participant.pk]))
    client.logout()
    assert client.get(reverse("courses:participant_feed", args=[old])).status_code == 404
    w.participant.refresh_from_db()
    assert w.participant.feed_token != old
    assert client.get(reverse("courses:participant_feed",
                              args=[w.participant.feed_token])).status_code == 200


def test_the_cohort_feed_lists_every_session_and_the_coordinator_can_renew_it(client, personas):
    from kohorte.core.tests.factories import login_staff

    w = course_world(personas, others=0)
    old = w.cohort.feed_token
    response = client.get(reverse("courses:cohort_feed", args=[old]))
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 32
    login_staff(client, w.coordinator)
    assert client.post(reverse("courses:cohort_feed_renew", args=[w.cohort.pk])).status_code == 302
    assert client.get(reverse("courses:cohort_feed", args=[old])).status_code == 404


def test_a_lecturer_cannot_renew_the_cohort_feed(client, personas):
    from kohorte.core.tests.factories import login_staff

    w = course_world(personas, others=0)
    login_staff(client, w.lecturer)
    assert client.post(reverse("courses:cohort_feed_renew", args=[w.cohort.pk])).status_code == 403


def test_only_who_manages_the_cohort_sees_its_feed_address(client, personas):
    # The cohort's feed holds every module's sessions; a lecturer sees only the modules
    # they teach, so the page shows them no address of the whole schedule.
    from kohorte.core.tests.factories import login_staff

    w = course_world(personas, others=0)
    page = reverse("courses:cohort_detail", args=[w.cohort.pk])
    login_staff(client, w.lecturer)
    response = client.get(page)
    assert response.status_code == 200
    assert w.cohort.feed_token not in response.content.decode()
    login_staff(client, w.coordinator)
    assert w.cohort.feed_token in client.get(page).content.decode()
