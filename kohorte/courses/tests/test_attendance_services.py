"""Recording attendance: self check-in, the lecturer's list, corrections, make-ups."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kohorte.core.models import AuditEntry
from kohorte.courses import checkin
from kohorte.courses.models import Attendance
from kohorte.courses.services.attendance import (
    Mark,
    attendance_check_in,
    attendance_makeup_record,
    attendance_record_list,
)
from kohorte.courses.services.cohort import participant_leave

from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    world = course_world(personas, others=2)
    world.during = world.session.starts_at + timedelta(minutes=5)
    world.others = list(world.cohort.participants.exclude(pk=world.participant.pk))
    return world


def _code(session, now):
    return checkin.current_code(secret=session.checkin_secret, session_id=session.pk, now=now)


def _check_in(w, *, code=None, now=None, participant=None, session=None):
    session = session or w.session
    now = now or w.during
    participant = participant or w.participant
    return attendance_check_in(session=session, participant=participant,
                               code=_code(session, now) if code is None else code,
                               actor=participant.user, now=now)


def test_a_participant_checks_in_with_the_current_code(w):
    attendance, created = _check_in(w)
    assert created
    assert attendance.status == Attendance.Status.PRESENT
    assert attendance.source == Attendance.Source.QR
    assert attendance.checked_in_at == w.during
    assert AuditEntry.objects.filter(action="attendance.check_in",
                                     object_id=str(attendance.pk)).exists()


def test_the_code_of_the_previous_thirty_seconds_still_works(w):
    _attendance, created = _check_in(w, code=_code(w.session, w.during - timedelta(seconds=30)))
    assert created


def test_an_old_code_is_refused_and_nothing_is_recorded(w):
    with pytest.raises(ValidationError) as error:
        _check_in(w, code=_code(w.session, w.during - timedelta(seconds=90)))
    assert error.value.code == "expired"
    assert not Attendance.objects.exists()


def test_a_code_for_another_session_is_refused(w):
    other = w.module.sessions.exclude(pk=w.session.pk).first()
    with pytest.raises(ValidationError) as error:
        _check_in(w, code=_code(other, w.during))
    assert error.value.code == "wrong"
    assert not Attendance.objects.exists()


def test_a_code_outside_the_session_window_is_refused(w):
    late = w.session.ends_at + timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        _check_in(w, now=late)
    assert error.value.code == "closed"
    early = w.session.starts_at - timedelta(minutes=20)
    with pytest.raises(ValidationError):
        _check_in(w, now=early)
    assert not Attendance.objects.exists()


def test_a_second_check_in_changes_nothing(w):
    first, _ = _check_in(w)
    again, created = _check_in(w, now=w.during + timedelta(minutes=10))
    assert not created
    assert again.pk == first.pk
    assert again.checked_in_at == w.during
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_a_check_in_does_not_override_the_lecturers_list(w):
    attendance_record_list(session=w.session, actor=w.lecturer, now=w.during,
                           marks=[Mark(w.participant, "absent")])
    attendance, created = _check_in(w)
    assert not created
    assert attendance.status == Attendance.Status.ABSENT


def test_someone_who_left_or_of_another_cohort_cannot_check_in(w):
    with pytest.raises(PermissionDenied):
        _check_in(w, participant=w.other_participant)
    participant_leave(participant=w.participant, left_on=w.participant.joined_on,
                      reason="Stelle gewechselt", actor=w.coordinator)
    w.participant.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _check_in(w)


def test_the_list_records_everyone_and_an_excuse_needs_its_reason(w):
    a, b = w.others
    with pytest.raises(ValidationError) as error:
        attendance_record_list(session=w.session, actor=w.lecturer, now=w.during, marks=[
            Mark(w.participant, "present"), Mark(a, "excused", "  ")])
    assert f"excuse_{a.pk}" in error.value.message_dict
    assert not Attendance.objects.exists()
    result = attendance_record_list(session=w.session, actor=w.lecturer, now=w.during, marks=[
        Mark(w.participant, "present"), Mark(a, "excused", "krank"), Mark(b, "")])
    assert (result.created, result.changed, result.unchanged) == (2, 0, 1)
    excused = Attendance.objects.get(participant=a)
    assert excused.excuse_reason == "krank"
    assert excused.recorded_by == w.lecturer
    assert not Attendance.objects.filter(participant=b).exists()
    entry = AuditEntry.objects.get(action="attendance.record", object_id=str(w.session.pk))
    assert entry.data["recorded"] == {str(w.participant.pk): "present", str(a.pk): "excused"}


def test_the_excuse_is_dropped_unless_the_status_is_excused(w):
    attendance_record_list(session=w.session, actor=w.lecturer, now=w.during,
                           marks=[Mark(w.participant, "present", "typed by mistake")])
    assert Attendance.objects.get().excuse_reason == ""


def test_changing_a_recorded_status_needs_a_reason_and_is_audited_with_old_and_new(w):
    checked_in, _ = _check_in(w)
    marks = [Mark(w.participant, "absent")]
    with pytest.raises(ValidationError) as error:
        attendance_record_list(session=w.session, actor=w.lecturer, now=w.during, marks=marks)
    assert "correction_reason" in error.value.message_dict
    attendance_record_list(session=w.session, actor=w.lecturer, now=w.during, marks=marks,
                           correction_reason="Foto weitergeleitet, nicht im Raum")
    checked_in.refresh_from_db()
    assert checked_in.status == Attendance.Status.ABSENT
    assert checked_in.source == Attendance.Source.LIST
    entry = AuditEntry.objects.get(action="attendance.correct")
    assert entry.reason == "Foto weitergeleitet, nicht im Raum"
    assert entry.data["old"]["status"] == "present"
    assert entry.data["old"]["source"] == "qr"
    assert entry.data["new"]["status"] == "absent"
    assert entry.actor == w.lecturer


def test_confirming_a_check_in_on_the_list_changes_nothing(w):
    _check_in(w)
    result = attendance_record_list(session=w.session, actor=w.lecturer, now=w.during,
                                    marks=[Mark(w.participant, "present")])
    assert (result.created, result.changed) == (0, 0)
    assert Attendance.objects.get().source == Attendance.Source.QR


def test_the_list_refuses_people_of_another_cohort(w):
    with pytest.raises(PermissionDenied):
        attendance_record_list(session=w.session, actor=w.lecturer, now=w.during,
                               marks=[Mark(w.other_participant, "present")])


def test_a_make_up_counts_an_absence_and_is_audited(w):
    with pytest.raises(ValidationError):
        attendance_makeup_record(session=w.session, participant=w.participant, text=" ",
                                 actor=w.coordinator, now=w.during)
    attendance = attendance_makeup_record(session=w.session, participant=w.participant,
                                          text="Hausarbeit zur Sozialraumanalyse",
                                          actor=w.coordinator, now=w.during)
    assert attendance.status == Attendance.Status.ABSENT
    assert attendance.counts
    attendance_makeup_record(session=w.session, participant=w.participant,
                             text="Hausarbeit, überarbeitet", actor=w.coordinator, now=w.during)
    entries = AuditEntry.objects.filter(action="attendance.makeup").order_by("pk")
    assert [e.data["old"] for e in entries] == ["", "Hausarbeit zur Sozialraumanalyse"]
    assert entries[0].data["absence_recorded"] is True


def test_there_is_no_make_up_for_a_session_attended(w):
    _check_in(w)
    with pytest.raises(ValidationError) as error:
        attendance_makeup_record(session=w.session, participant=w.participant, text="x",
                                 actor=w.coordinator, now=w.during)
    assert error.value.code == "present"


def test_nobody_is_marked_for_a_session_that_has_not_begun(w):
    early = w.session.starts_at - timedelta(minutes=16)
    with pytest.raises(ValidationError) as error:
        attendance_record_list(session=w.session, actor=w.lecturer, now=early,
                               marks=[Mark(w.participant, "present")])
    assert error.value.code == "early"
    assert not Attendance.objects.exists()
    attendance_record_list(session=w.session, actor=w.lecturer,
                           now=w.session.starts_at - timedelta(minutes=15),
                           marks=[Mark(w.participant, "present")])
    assert Attendance.objects.count() == 1
