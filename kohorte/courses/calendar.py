"""The private calendar feeds (RFC 5545): one VEVENT per session.

A session keeps its UID for life and raises its SEQUENCE each time it moves, so that
calendar apps replace the event instead of adding a second one. The UID's domain part
is fixed (not the host name), so a feed read through another address, or after a move
of the server, still updates the same events.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

UID_DOMAIN = "kohorte"
PRODID = "-//Kohorte//Kurskalender//DE"
BERLIN = ZoneInfo("Europe/Berlin")


def session_uid(session) -> str:
    return f"{session.uid}@{UID_DOMAIN}"


def _location(session) -> str:
    parts = [session.place, session.address, session.room]
    return ", ".join(part for part in parts if part)


def _event(session, *, stamp) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(BERLIN))
    event.add("dtend", session.ends_at.astimezone(BERLIN))
    event.add("summary", session.module.title)
    location = _location(session)
    if session.online_url:
        event.add("url", session.online_url)
        location = location or session.online_url
    if location:
        event.add("location", location)
    return event


def calendar_feed(sessions, *, name: str, now=None) -> bytes:
    """The iCalendar text for ``sessions`` (each with its module loaded)."""
    stamp = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        calendar.add_component(_event(session, stamp=stamp))
    # The VTIMEZONE for Europe/Berlin, so that apps without a zone database agree.
    calendar.add_missing_timezones()
    return calendar.to_ical()
