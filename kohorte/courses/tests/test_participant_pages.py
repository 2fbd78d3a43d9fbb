from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Material, Session
from kohorte.courses.selectors.schedule import next_session_of
from kohorte.courses.services.cohort import participant_leave

from .world import course_world, make_cohort

pytestmark = pytest.mark.django_db


def _page(participant):
    return reverse("courses:participation_detail", args=[participant.pk])


def test_a_participant_sees_their_next_session_schedule_and_calendar(client, personas):
    w = course_world(personas, others=1)
    client.force_login(w.applicant)
    response = client.get(_page(w.participant))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-next-session="{w.session.pk}"' in html
    assert "Baustein 8" in html
    assert w.participant.feed_token in html
    for section in ("attendance", "project", "certificate"):
        assert f"courses/participant/_{section}.html" in [t.name for t in response.templates]


def test_the_next_session_is_the_one_running_now_or_the_next_to_come(personas):
    w = course_world(personas, others=0)
    first, second = list(w.module.sessions.order_by("starts_at"))[:2]
    assert next_session_of(w.participant, now=second.starts_at + timedelta(minutes=30)) == second
    assert next_session_of(w.participant, now=first.ends_at) == second
    assert next_session_of(w.participant, now=first.starts_at - timedelta(days=1)) == first
    last = Session.objects.filter(module__cohort=w.cohort).order_by("starts_at").last()
    assert next_session_of(w.participant, now=last.ends_at) is None


def test_the_page_of_someone_elses_place_is_not_found(client, personas):
    w = course_world(personas, others=0)
    client.force_login(w.second_applicant)
    assert client.get(_page(w.participant)).status_code == 404
    client.force_login(w.applicant)
    assert client.get(_page(w.other_participant)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_sign_in(client, personas):
    w = course_world(personas, others=0)
    response = client.get(_page(w.participant))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    response = client.get(reverse("courses:participation_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_person_sees_all_their_places_over_the_years(client, personas):
    w = course_world(personas, others=0)
    later_call = f.make_call(w.programme)
    later = make_cohort(later_call, applicants=[w.applicant], others=0)
    client.force_login(w.applicant)
    html = client.get(reverse("courses:participation_list")).content.decode()
    assert _page(w.participant) in html
    assert _page(later.participants.get()) in html
    assert _page(w.other_participant) not in html


def test_someone_who_left_sees_the_day_and_no_next_session(client, personas):
    w = course_world(personas, others=0)
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    client.force_login(w.applicant)
    html = client.get(_page(w.participant)).content.decode()
    assert "data-next-session" not in html
    assert "aus dem Kurs ausgeschieden" in html or "You left the course on" in html


def test_materials_are_listed_for_active_participants_only(client, personas):
    w = course_world(personas, others=0)
    Material.objects.create(module=w.module, title="Leitfaden Sozialraum",
                            url="https://example.org/leitfaden")
    client.force_login(w.applicant)
    assert "Leitfaden Sozialraum" in client.get(_page(w.participant)).content.decode()
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    assert "Leitfaden Sozialraum" not in client.get(_page(w.participant)).content.decode()


def test_renewing_the_calendar_address_is_a_post_on_ones_own_place(client, personas):
    w = course_world(personas, others=0)
    client.force_login(w.second_applicant)
    url = reverse("courses:participant_feed_renew", args=[w.participant.pk])
    assert client.post(url).status_code == 404
    client.force_login(w.applicant)
    assert client.get(url).status_code == 405
    old = w.participant.feed_token
    assert client.post(url).status_code == 302
    w.participant.refresh_from_db()
    assert w.participant.feed_token != old


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_schedule(client, personas):
    w = course_world(personas, others=0)
    client.force_login(w.applicant)
    client.get(_page(w.participant))
    with CaptureQueriesContext(connection) as queries:
        client.get(_page(w.participant))
    assert len(queries) < 20, [q["sql"] for q in queries]
