from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.core.extensions import links
from kohorte.core.tests import factories as f
from kohorte.courses.models import Attendance, Cohort, Participant, Session
from kohorte.notifications.models import OutboxMail

from .world import accept, add_module_dates, course_world

pytestmark = pytest.mark.django_db

LINKS = {"KOHORTE_CALL_PAGE_LINKS": ["kohorte.courses.links.call_page_links"],
         "KOHORTE_APPLICANT_LINKS": ["kohorte.courses.links.applicant_links"]}


def _url(name, *args):
    return reverse(f"courses:{name}", args=args)


def _move_data(session, *, days=1, start="10:00", end="13:00"):
    day = timezone.localtime(session.starts_at + timedelta(days=days)).date()
    return {"day": day.isoformat(), "start": start, "end": end, "hours": "3",
            "place": "Wiesbaden", "address": "Kurt-Schumacher-Ring 18", "room": "C 101",
            "online_url": ""}


# --- Forming the cohort from the call page ------------------------------------------------

def _closed_call_with_acceptances(w):
    add_module_dates(w.call, first=timezone.localdate() + timedelta(days=14))
    application = f.make_application(w.call, w.applicant, submit=True)
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.CLOSED)
    accept(w.call, [application])
    w.call.refresh_from_db()
    return application


def test_a_closed_call_without_cohort_offers_the_coordinator_to_form_it(client, personas,
                                                                       settings):
    settings.KOHORTE_CALL_PAGE_LINKS = LINKS["KOHORTE_CALL_PAGE_LINKS"]
    w = personas
    _closed_call_with_acceptances(w)
    f.login_staff(client, w.coordinator)
    html = client.get(reverse("staff_applications:call_detail", args=[w.call.pk])).content.decode()
    assert _url("cohort_create", w.call.pk) in html
    assert links("KOHORTE_CALL_PAGE_LINKS", user=w.lecturer, call=w.call) == []
    response = client.get(_url("cohort_create", w.call.pk))
    assert response.status_code == 200 and not Cohort.objects.exists()
    response = client.post(_url("cohort_create", w.call.pk), {"title": "GWA 2026/27"})
    cohort = Cohort.objects.get(call=w.call)
    assert response.status_code == 302 and response.url == _url("cohort_detail", cohort.pk)
    assert cohort.title == "GWA 2026/27" and cohort.participants.count() == 1
    # Now the call page leads to the cohort, and a second POST makes no second one.
    w.call.refresh_from_db()  # as a new request would load it
    found = links("KOHORTE_CALL_PAGE_LINKS", user=w.coordinator, call=w.call)
    assert [link.url for link in found] == [_url("cohort_detail", cohort.pk)]
    assert client.post(_url("cohort_create", w.call.pk), {"title": "x"}).status_code == 302
    assert Cohort.objects.count() == 1


def test_an_open_call_cannot_form_a_cohort(client, personas):
    f.login_staff(client, personas.coordinator)
    response = client.post(_url("cohort_create", personas.call.pk), {"title": "GWA"})
    assert response.status_code == 409 and not Cohort.objects.exists()


def test_only_coordinators_form_a_cohort(client, personas):
    _closed_call_with_acceptances(personas)
    for user in (personas.lecturer, personas.reviewer, personas.outsider):
        f.login_staff(client, user)
        assert client.post(_url("cohort_create", personas.call.pk),
                           {"title": "GWA"}).status_code == 403
    assert not Cohort.objects.exists()


def test_the_applicants_page_links_to_their_course(personas, settings):
    settings.KOHORTE_APPLICANT_LINKS = LINKS["KOHORTE_APPLICANT_LINKS"]
    w = course_world(personas, others=0)
    found = links("KOHORTE_APPLICANT_LINKS", application=w.participant.application)
    assert [link.url for link in found] == [_url("participation_detail", w.participant.pk)]
    other = f.make_application(f.make_call(w.programme), w.applicant)
    assert links("KOHORTE_APPLICANT_LINKS", application=other) == []


# --- The cohort page ------------------------------------------------------------------------

def test_the_coordinator_sees_participants_and_the_whole_schedule(client, personas):
    w = course_world(personas, others=1)
    f.login_staff(client, w.coordinator)
    response = client.get(_url("cohort_detail", w.cohort.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert w.participant.full_name in html and "Baustein 8" in html
    assert _url("participant_leave", w.participant.pk) in html
    assert _url("cohort_add_accepted", w.cohort.pk) in html


def test_a_lecturer_sees_only_the_modules_they_teach(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.lecturer)
    html = client.get(_url("cohort_detail", w.cohort.pk)).content.decode()
    assert _url("module_detail", w.module.pk) in html
    assert _url("module_detail", w.other_module.pk) not in html
    assert _url("participant_leave", w.participant.pk) not in html
    assert client.get(_url("module_detail", w.other_module.pk)).status_code == 403
    assert client.get(_url("module_detail", w.module.pk)).status_code == 200


def test_a_lecturer_who_teaches_nothing_in_a_cohort_is_refused(client, personas):
    w = course_world(personas, others=0)
    w.module.lecturers.clear()
    f.login_staff(client, w.lecturer)
    assert client.get(_url("cohort_detail", w.cohort.pk)).status_code == 403
    assert client.get(_url("module_detail", w.module.pk)).status_code == 403


def test_staff_of_another_programme_and_applicants_are_refused(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.outsider)
    assert client.get(_url("cohort_detail", w.cohort.pk)).status_code == 403
    client.force_login(w.applicant)
    assert client.get(_url("cohort_detail", w.cohort.pk)).status_code == 403
    client.logout()
    response = client.get(_url("cohort_detail", w.cohort.pk))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:staff_login"))


def test_my_courses_lists_what_the_person_coordinates_or_teaches(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.lecturer)
    html = client.get(_url("my_courses")).content.decode()
    assert _url("cohort_detail", w.cohort.pk) in html
    assert _url("cohort_detail", w.other_cohort.pk) not in html
    f.login_staff(client, w.reviewer)
    assert _url("cohort_detail", w.cohort.pk) not in client.get(_url("my_courses")).content.decode()
    f.login_staff(client, w.outsider)
    html = client.get(_url("my_courses")).content.decode()
    assert _url("cohort_detail", w.other_cohort.pk) in html
    assert _url("cohort_detail", w.cohort.pk) not in html


def test_the_cohort_page_runs_a_fixed_number_of_queries(client, personas):
    w = course_world(personas, others=5)
    f.login_staff(client, w.coordinator)
    client.get(_url("cohort_detail", w.cohort.pk))
    with CaptureQueriesContext(connection) as queries:
        client.get(_url("cohort_detail", w.cohort.pk))
    assert len(queries) < 20, [q["sql"] for q in queries]


# --- Late acceptances and leaving ------------------------------------------------------------

def test_late_acceptances_join_on_the_button(client, personas):
    w = course_world(personas, others=0)
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.PUBLISHED)
    late = f.make_application(w.call, submit=True)
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.CLOSED)
    accept(w.call, [late])
    f.login_staff(client, w.coordinator)
    assert client.get(_url("cohort_add_accepted", w.cohort.pk)).status_code == 405
    assert client.post(_url("cohort_add_accepted", w.cohort.pk)).status_code == 302
    assert w.cohort.participants.filter(application=late).exists()
    f.login_staff(client, w.lecturer)
    assert client.post(_url("cohort_add_accepted", w.cohort.pk)).status_code == 403


def test_leaving_is_recorded_with_date_and_reason(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    url = _url("participant_leave", w.participant.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"left_on": "", "reason": ""})
    assert response.status_code == 400
    w.participant.refresh_from_db()
    assert w.participant.state == Participant.State.ACTIVE
    today = timezone.localdate()
    response = client.post(url, {"left_on": today.isoformat(), "reason": "Stelle gewechselt"})
    assert response.status_code == 302
    w.participant.refresh_from_db()
    assert (w.participant.state, w.participant.left_on, w.participant.left_reason) == (
        Participant.State.LEFT, today, "Stelle gewechselt")


def test_a_leaving_day_before_joining_is_refused_with_a_clear_error(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    day = (w.participant.joined_on - timedelta(days=3)).isoformat()
    response = client.post(_url("participant_leave", w.participant.pk),
                           {"left_on": day, "reason": "Umzug"})
    assert response.status_code == 409
    assert 'href="#id_left_on"' in response.content.decode()
    w.participant.refresh_from_db()
    assert w.participant.state == Participant.State.ACTIVE


def test_a_lecturer_cannot_record_leaving(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.lecturer)
    response = client.post(_url("participant_leave", w.participant.pk),
                           {"left_on": timezone.localdate().isoformat(), "reason": "x"})
    assert response.status_code == 403


# --- Modules and sessions ---------------------------------------------------------------------

def test_the_coordinator_moves_a_session_and_everyone_is_told(client, personas):
    w = course_world(personas, others=1)
    f.login_staff(client, w.coordinator)
    url = _url("session_edit", w.session.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, _move_data(w.session))
    assert response.status_code == 302
    session = Session.objects.get(pk=w.session.pk)
    assert session.sequence == 1 and timezone.localtime(session.starts_at).hour == 10
    assert session.room == "C 101"
    assert OutboxMail.objects.filter(template="course_session_moved").count() == 2


def test_a_session_that_ends_before_it_starts_is_refused(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    response = client.post(_url("session_edit", w.session.pk),
                           _move_data(w.session, start="14:00", end="10:00"))
    assert response.status_code == 400
    assert 'href="#id_end"' in response.content.decode()
    assert Session.objects.get(pk=w.session.pk).sequence == 0


def test_a_session_needs_a_place_or_an_online_link(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    data = {**_move_data(w.session), "place": "", "online_url": ""}
    assert client.post(_url("session_edit", w.session.pk), data).status_code == 400
    data["online_url"] = "https://konferenz.example.org/gwa"
    assert client.post(_url("session_edit", w.session.pk), data).status_code == 302


def test_a_lecturer_cannot_move_sessions_even_of_their_own_module(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.lecturer)
    assert client.post(_url("session_edit", w.session.pk),
                       _move_data(w.session)).status_code == 403
    assert client.get(_url("session_add", w.module.pk)).status_code == 403
    assert client.get(_url("module_edit", w.module.pk)).status_code == 403


def test_the_coordinator_adds_and_removes_a_session(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    before = w.module.sessions.count()
    response = client.post(_url("session_add", w.module.pk), _move_data(w.session, days=2))
    assert response.status_code == 302 and w.module.sessions.count() == before + 1
    added = w.module.sessions.order_by("-pk").first()
    assert client.get(_url("session_remove", added.pk)).status_code == 200
    assert client.post(_url("session_remove", added.pk)).status_code == 302
    assert w.module.sessions.count() == before


def test_a_session_with_attendance_is_not_removed(client, personas):
    w = course_world(personas, others=0)
    Attendance.objects.create(session=w.session, participant=w.participant,
                              status=Attendance.Status.PRESENT)
    f.login_staff(client, w.coordinator)
    assert client.post(_url("session_remove", w.session.pk)).status_code == 409
    assert Session.objects.filter(pk=w.session.pk).exists()


def test_the_coordinator_edits_aims_and_lecturers(client, personas):
    w = course_world(personas, others=0)
    second = f.make_staff("lecturer", w.programme, email="dozent2@example.org")
    f.login_staff(client, w.coordinator)
    url = _url("module_edit", w.module.pk)
    html = client.get(url).content.decode()
    assert "dozent2@example.org" in html and "reviewer@example.org" not in html
    response = client.post(url, {"title": "Sozialraumanalyse",
                                 "aims": "## Ziele\n\n- Methoden <script>x</script>",
                                 "lecturers": [second.pk]})
    assert response.status_code == 302
    html = client.get(_url("module_detail", w.module.pk)).content.decode()
    assert "Sozialraumanalyse" in html and "<h3>Ziele</h3>" in html and "<script>x" not in html
    assert list(w.module.lecturers.all()) == [second]


def test_choosing_someone_without_the_lecturer_role_is_refused(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    response = client.post(_url("module_edit", w.module.pk),
                           {"title": "X", "aims": "", "lecturers": [w.reviewer.pk]})
    assert response.status_code == 400
    assert list(w.module.lecturers.all()) == [w.lecturer]


def test_lecturers_are_shown_with_their_partner_institution(client, personas):
    from kohorte.accounts.models import Role
    from kohorte.programmes.models import Institution

    w = course_world(personas, others=0)
    rheinmain = Institution.objects.create(name="Hochschule RheinMain")
    Role.objects.filter(user=w.lecturer, programme=w.programme).update(institution=rheinmain)
    f.login_staff(client, w.coordinator)
    assert "lecturer@example.org (Hochschule RheinMain)" in client.get(
        _url("module_detail", w.module.pk)).content.decode()
    assert "lecturer@example.org (Hochschule RheinMain)" in client.get(
        _url("module_edit", w.module.pk)).content.decode()
