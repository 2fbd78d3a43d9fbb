"""The attendance pages: the lecturer's list, the code in the room, the participant's
check-in, the make-up, the printed list and the overview, each with its denied cases."""

import io
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses import checkin
from kohorte.courses.models import Attendance, Session
from kohorte.courses.services.attendance import Mark, attendance_record_list

from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas, time_machine):
    world = course_world(personas, others=2)
    world.during = world.session.starts_at + timedelta(minutes=5)
    world.others = list(world.cohort.participants.exclude(pk=world.participant.pk))
    world.other_session = world.other_module.sessions.order_by("starts_at").first()
    time_machine.move_to(world.during, tick=False)
    return world


def _url(name, *args):
    return reverse(f"courses:{name}", args=args)


def _code(session, now):
    return checkin.current_code(secret=session.checkin_secret, session_id=session.pk, now=now)


# --- The lecturer's list -----------------------------------------------------------------

def test_the_lecturer_sees_one_radio_group_per_participant(client, w):
    f.login_staff(client, w.lecturer)
    response = client.get(_url("session_attendance", w.session.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 3
    assert html.count('type="radio"') == 9
    assert "<legend" in html and w.participant.full_name in html
    assert "checked" not in html


def test_everyone_present_only_preselects_and_saving_stays_one_step(client, w):
    f.login_staff(client, w.lecturer)
    html = client.get(_url("session_attendance", w.session.pk) + "?alle=anwesend").content.decode()
    assert html.count('value="present" class="kern-form-check__radio" id=') == 3
    assert html.count(" checked>") == 3
    assert not Attendance.objects.exists()


def test_saving_the_list_records_everyone_chosen(client, w):
    f.login_staff(client, w.lecturer)
    a, b = w.others
    response = client.post(_url("session_attendance", w.session.pk), {
        f"status_{w.participant.pk}": "present", f"status_{a.pk}": "excused",
        f"excuse_{a.pk}": "Krankheit", f"status_{b.pk}": "absent"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("participant_id", "status")) == {
        w.participant.pk: "present", a.pk: "excused", b.pk: "absent"}


def test_an_excuse_without_reason_shows_the_error_and_saves_nothing(client, w):
    f.login_staff(client, w.lecturer)
    a = w.others[0]
    response = client.post(_url("session_attendance", w.session.pk), {
        f"status_{w.participant.pk}": "present", f"status_{a.pk}": "excused"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="fehler"' in html and f'href="#id_status_{a.pk}_0"' not in html
    assert f'href="#id_excuse_{a.pk}"' in html
    assert not Attendance.objects.exists()


def test_a_correction_without_reason_is_refused_and_with_reason_audited(client, w):
    attendance_record_list(session=w.session, actor=w.lecturer, marks=[Mark(w.participant, "present")])
    f.login_staff(client, w.lecturer)
    data = {f"status_{w.participant.pk}": "absent"}
    response = client.post(_url("session_attendance", w.session.pk), data)
    assert response.status_code == 400
    assert 'href="#id_correction_reason"' in response.content.decode()
    assert Attendance.objects.get().status == "present"
    response = client.post(_url("session_attendance", w.session.pk),
                           {**data, "correction_reason": "Verwechslung"})
    assert response.status_code == 302
    assert Attendance.objects.get().status == "absent"
    assert AuditEntry.objects.get(action="attendance.correct").reason == "Verwechslung"


def test_a_lecturer_records_only_for_modules_they_teach(client, w):
    f.login_staff(client, w.lecturer)
    assert client.get(_url("session_attendance", w.other_session.pk)).status_code == 403
    assert client.post(_url("session_attendance", w.other_session.pk), {
        f"status_{w.participant.pk}": "present"}).status_code == 403
    assert client.get(_url("session_checkin_code", w.other_session.pk)).status_code == 403
    assert client.get(_url("session_attendance_pdf", w.other_session.pk)).status_code == 403
    assert not Attendance.objects.exists()


def test_a_coordinator_records_for_every_module(client, w):
    f.login_staff(client, w.coordinator)
    assert client.get(_url("session_attendance", w.other_session.pk)).status_code == 200


def test_other_staff_and_participants_cannot_open_the_list(client, w):
    for person in (w.reviewer, w.funder, w.outsider):
        f.login_staff(client, person)
        assert client.get(_url("session_attendance", w.session.pk)).status_code == 403
    client.force_login(w.applicant)
    assert client.get(_url("session_attendance", w.session.pk)).status_code == 403
    assert client.get(_url("session_attendance", 999999)).status_code == 403


# --- The code in the room ----------------------------------------------------------------

def test_the_code_page_shows_a_qr_code_and_the_code_as_text(client, w):
    f.login_staff(client, w.lecturer)
    response = client.get(_url("session_checkin_code", w.session.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert checkin.grouped(_code(w.session, w.during)) in html
    assert 'hx-trigger="every 30s"' in html
    assert _url("session_checkin_code", w.session.pk) in html  # the no-JavaScript refresh
    assert response["Cache-Control"] == "no-store"


def test_htmx_gets_the_fragment_with_the_next_code(client, w, time_machine):
    f.login_staff(client, w.lecturer)
    time_machine.move_to(w.during + timedelta(seconds=30), tick=False)
    response = client.get(_url("session_checkin_code", w.session.pk), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="eincheck-code"')
    assert "<html" not in html
    assert checkin.grouped(_code(w.session, w.during + timedelta(seconds=30))) in html


def test_no_code_is_shown_outside_the_session(client, w, time_machine):
    f.login_staff(client, w.lecturer)
    time_machine.move_to(w.session.starts_at - timedelta(hours=1), tick=False)
    html = client.get(_url("session_checkin_code", w.session.pk)).content.decode()
    assert "<svg" not in html and "08:45" in html
    time_machine.move_to(w.session.ends_at, tick=False)
    html = client.get(_url("session_checkin_code", w.session.pk)).content.decode()
    assert "<svg" not in html and "hx-trigger" not in html


# --- The participant's check-in ----------------------------------------------------------

def test_opening_the_address_does_not_check_in_the_button_does(client, w):
    client.force_login(w.applicant)
    url = _url("checkin", w.session.pk, _code(w.session, w.during))
    response = client.get(url)
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.participant, attendance.source) == (w.participant, "qr")
    assert attendance.status == "present" and attendance.checked_in_at == w.during
    html = client.get(url).content.decode()
    assert "You are checked in" in html or "Sie sind eingecheckt" in html


def test_a_second_check_in_tells_the_person_they_are_already_recorded(client, w):
    client.force_login(w.applicant)
    url = _url("checkin", w.session.pk, _code(w.session, w.during))
    client.post(url, follow=True)
    response = client.post(url, follow=True)
    assert Attendance.objects.count() == 1
    assert response.status_code == 200
    [message] = list(response.context["messages"])
    assert message.level_tag == "info"
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_an_old_code_is_refused_with_a_clear_message(client, w, time_machine):
    client.force_login(w.applicant)
    url = _url("checkin", w.session.pk, _code(w.session, w.during))
    time_machine.move_to(w.during + timedelta(seconds=90), tick=False)
    response = client.post(url)
    assert response.status_code == 400
    assert response.context["error"]
    assert 'role="alert"' in response.content.decode()
    assert not Attendance.objects.exists()
    # The page says so before the button is pressed, and offers to type the new code.
    html = client.get(url).content.decode()
    assert 'role="alert"' in html and 'name="code"' in html


def test_a_code_for_another_session_or_outside_the_window_is_refused(client, w, time_machine):
    client.force_login(w.applicant)
    other = w.module.sessions.exclude(pk=w.session.pk).first()
    assert client.post(_url("checkin", w.session.pk, _code(other, w.during))).status_code == 400
    late = w.session.ends_at + timedelta(minutes=5)
    time_machine.move_to(late, tick=False)
    assert client.post(_url("checkin", w.session.pk, _code(w.session, late))).status_code == 400
    assert not Attendance.objects.exists()


def test_a_typed_code_checks_in_too(client, w):
    client.force_login(w.applicant)
    url = _url("checkin_typed", w.session.pk)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"code": "AAAA BBBB CCCC DDDD"})
    assert bad.status_code == 400 and not Attendance.objects.exists()
    typed = checkin.grouped(_code(w.session, w.during)).lower()
    assert client.post(url, {"code": typed}).status_code == 302
    assert Attendance.objects.get().participant == w.participant


def test_signing_in_first_leads_back_to_the_check_in_page(client, w):
    url = _url("checkin", w.session.pk, _code(w.session, w.during))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login")) and "next=" in response.url
    assert client.post(url).status_code == 302
    assert not Attendance.objects.exists()


def test_only_active_participants_of_the_cohort_can_check_in(client, w):
    url = _url("checkin", w.session.pk, _code(w.session, w.during))
    client.force_login(w.second_applicant)  # a participant of another cohort
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    f.login_staff(client, w.lecturer)
    assert client.post(url).status_code == 404
    client.force_login(w.applicant)
    assert client.post(_url("checkin", 999999, "ABCD")).status_code == 404
    assert not Attendance.objects.exists()


# --- The make-up -------------------------------------------------------------------------

def test_the_coordinator_records_a_make_up(client, w):
    f.login_staff(client, w.coordinator)
    url = _url("attendance_makeup", w.session.pk, w.participant.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": " "}).status_code == 400
    assert client.post(url, {"text": "Hausarbeit"}).status_code == 302
    assert Attendance.objects.get().makeup == "Hausarbeit"


def test_lecturers_and_people_of_other_cohorts_get_no_make_up(client, w):
    f.login_staff(client, w.lecturer)
    assert client.post(_url("attendance_makeup", w.session.pk, w.participant.pk),
                       {"text": "x"}).status_code == 403
    f.login_staff(client, w.coordinator)
    assert client.post(_url("attendance_makeup", w.session.pk, w.other_participant.pk),
                       {"text": "x"}).status_code == 404
    assert not Attendance.objects.exists()


# --- The printed list --------------------------------------------------------------------

def test_the_printed_list_names_everyone_with_their_organisation(client, w):
    from pypdf import PdfReader

    f.login_staff(client, w.lecturer)
    response = client.get(_url("session_attendance_pdf", w.session.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response) if response.streaming else response.content
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert w.participant.full_name in text
    assert w.participant.application.organisation_name in text
    assert w.module.title in text
    assert "1" in text and ("Seite" in text or "Page" in text)


def test_the_printed_list_is_not_blank(client, w):
    import pypdfium2

    f.login_staff(client, w.coordinator)
    content = client.get(_url("session_attendance_pdf", w.session.pk)).content
    page = pypdfium2.PdfDocument(content)[0]
    histogram = page.render(scale=0.5).to_pil().convert("L").histogram()
    assert sum(histogram[:128]) > 500  # dark pixels: text and the table's lines


# --- The overview ------------------------------------------------------------------------

def _held(w, count, **statuses):
    sessions = list(Session.objects.filter(module__cohort=w.cohort).order_by("starts_at"))
    for session in sessions[:count]:
        attendance_record_list(session=session, actor=w.coordinator, now=session.ends_at, marks=[
            Mark(w.participant, statuses.get("me", "present")),
            *[Mark(p, "present") for p in w.others]])
    return sessions


def test_the_coordinator_sees_the_warnings_with_their_explanation(client, w, time_machine):
    sessions = _held(w, 7, me="absent")
    time_machine.move_to(sessions[6].ends_at, tick=False)
    f.login_staff(client, w.coordinator)
    response = client.get(_url("attendance_overview", w.cohort.pk))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [s.participant for s in overview.cannot_reach] == [w.participant]
    html = response.content.decode()
    assert 'id="warnungen"' in html and f'href="#person-{w.participant.pk}"' in html
    assert "<caption" in html and 'scope="row"' in html


def test_a_lecturer_sees_their_modules_without_the_warnings(client, w):
    f.login_staff(client, w.lecturer)
    response = client.get(_url("attendance_overview", w.cohort.pk))
    assert response.status_code == 200
    assert response.context["overview"].modules == [w.module]
    assert 'id="warnungen"' not in response.content.decode()


def test_the_overview_is_refused_to_others(client, w, personas):
    stranger = f.make_staff("lecturer", personas.programme)  # teaches nothing here
    for person in (stranger, w.reviewer, w.funder, w.outsider):
        f.login_staff(client, person)
        assert client.get(_url("attendance_overview", w.cohort.pk)).status_code == 403
    client.force_login(w.applicant)
    assert client.get(_url("attendance_overview", w.cohort.pk)).status_code == 403


# --- The participant's own section -------------------------------------------------------

def test_the_participants_section_shows_their_sessions_and_rate(w, time_machine):
    sessions = _held(w, 2)
    time_machine.move_to(sessions[1].ends_at, tick=False)
    html = render_to_string("courses/participant/_attendance.html",
                            {"participant": w.participant, "cohort": w.cohort})
    assert "100" in html and "<caption" in html
    assert html.count('scope="row"') == 32
