from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses.models import Attendance, Session
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.schedule import (
    module_update,
    session_add,
    session_remove,
    session_update,
)
from kohorte.notifications.models import OutboxMail

from .world import course_world

pytestmark = pytest.mark.django_db


def _mails(template):
    return OutboxMail.objects.filter(template=template)


def test_moving_a_session_raises_its_sequence_keeps_its_uid_and_tells_every_active_participant(
        personas):
    w = course_world(personas, others=2)
    uid = w.session.uid
    later = w.session.starts_at + timedelta(days=7)
    session = session_update(session=w.session, actor=w.coordinator, starts_at=later,
                             ends_at=later + timedelta(hours=3))
    session.refresh_from_db()
    assert session.sequence == 1 and session.uid == uid
    mails = list(_mails("course_session_moved"))
    assert sorted(m.to for m in mails) == sorted(
        w.cohort.participants.values_list("email", flat=True))
    old = timezone.localtime(w.session.starts_at)
    new = timezone.localtime(later)
    body = mails[0].body
    assert f"{old:%H:%M}" in body and f"{new.day}. " in body and "Baustein 1" in mails[0].subject
    assert AuditEntry.objects.filter(action="session.move", object_id=str(session.pk)).exists()


def test_each_move_raises_the_sequence_by_one(personas):
    w = course_world(personas, others=0)
    for step in (1, 2):
        start = w.session.starts_at + timedelta(hours=step)
        w.session = session_update(session=w.session, actor=w.coordinator, starts_at=start,
                                   ends_at=start + timedelta(hours=2))
    assert Session.objects.get(pk=w.session.pk).sequence == 2
    assert _mails("course_session_moved").count() == 2


def test_a_participant_who_left_is_not_told_about_a_move(personas):
    w = course_world(personas, others=1)
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Jobwechsel",
                      actor=w.coordinator)
    session_update(session=w.session, actor=w.coordinator, place="Kassel")
    assert w.participant.email not in set(_mails("course_session_moved").values_list("to", flat=True))
    assert _mails("course_session_moved").count() == 1


def test_changing_only_the_hours_counted_is_no_move(personas):
    w = course_world(personas, others=0)
    session = session_update(session=w.session, actor=w.coordinator, hours=Decimal("3"))
    assert session.sequence == 0 and session.hours == Decimal("3")
    assert not _mails("course_session_moved").exists()
    assert AuditEntry.objects.filter(action="session.edit").exists()


def test_a_session_cannot_end_before_it_starts(personas):
    w = course_world(personas, others=0)
    with pytest.raises(ValidationError):
        session_update(session=w.session, actor=w.coordinator, ends_at=w.session.starts_at)
    w.session.refresh_from_db()
    assert w.session.sequence == 0 and not _mails("course_session_moved").exists()


def test_adding_a_session_tells_the_participants(personas):
    w = course_world(personas, others=1)
    start = w.session.starts_at + timedelta(days=2)
    session = session_add(module=w.module, actor=w.coordinator, starts_at=start,
                          ends_at=start + timedelta(hours=3), hours=Decimal("3"), place="Fulda")
    assert session.module == w.module
    assert _mails("course_session_added").count() == 2
    assert AuditEntry.objects.filter(action="session.add", object_id=str(session.pk)).exists()


def test_removing_a_session_tells_the_participants_and_keeps_an_audit_entry(personas):
    w = course_world(personas, others=1)
    pk = w.session.pk
    session_remove(session=w.session, actor=w.coordinator)
    assert not Session.objects.filter(pk=pk).exists()
    assert _mails("course_session_removed").count() == 2
    assert AuditEntry.objects.filter(action="session.remove", object_id=str(pk)).exists()


def test_a_session_with_recorded_attendance_cannot_be_removed(personas):
    w = course_world(personas, others=0)
    Attendance.objects.create(session=w.session, participant=w.participant,
                              status=Attendance.Status.PRESENT)
    with pytest.raises(ValidationError) as error:
        session_remove(session=w.session, actor=w.coordinator)
    assert error.value.code == "attended"
    assert Session.objects.filter(pk=w.session.pk).exists()
    assert not _mails("course_session_removed").exists()


def test_only_people_with_the_lecturer_role_in_the_programme_can_teach_a_module(personas):
    w = course_world(personas, others=0)
    with pytest.raises(ValidationError):
        module_update(module=w.module, actor=w.coordinator, title="Sozialraumanalyse",
                      aims="", lecturers=[w.reviewer])
    other_lecturer = f.make_staff("lecturer", w.other_programme)
    with pytest.raises(ValidationError):
        module_update(module=w.module, actor=w.coordinator, title="Sozialraumanalyse",
                      aims="", lecturers=[other_lecturer])
    assert list(w.module.lecturers.all()) == [w.lecturer]


def test_a_module_gets_its_title_aims_and_lecturers(personas):
    w = course_world(personas, others=0)
    second = f.make_staff("lecturer", w.programme, email="dozentin@example.org")
    module_update(module=w.module, actor=w.coordinator, title="Sozialraumanalyse",
                  aims="- Methoden kennen", lecturers=[w.lecturer, second])
    w.module.refresh_from_db()
    assert w.module.title == "Sozialraumanalyse" and w.module.aims == "- Methoden kennen"
    assert set(w.module.lecturers.all()) == {w.lecturer, second}
    assert AuditEntry.objects.filter(action="module.edit").exists()
