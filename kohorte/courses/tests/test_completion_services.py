"""The completion rule and the coordinator's confirmation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.courses.models import Attendance, Certificate, Participant, Session
from kohorte.courses.selectors.attendance import Rate
from kohorte.courses.selectors.completion import completion_check, completion_overview
from kohorte.courses.selectors.projects import project_of
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.completion import (
    cohort_completion_rule_set,
    completion_confirm,
    completion_confirm_all,
    completion_undo,
)
from kohorte.courses.services.projects import (
    project_feedback_give,
    project_save_draft,
    project_submit,
)

from .test_projects_services import accepted_plan
from .world import course_world

pytestmark = pytest.mark.django_db


def accepted_project(participant, reviewer):
    accepted_plan(participant, reviewer)
    project_save_draft(participant=participant, stage="report", text="Bericht",
                       actor=participant.user)
    project = project_submit(participant=participant, stage="report", actor=participant.user)
    project_feedback_give(project=project, verdict="accepted", text="Gut.", actor=reviewer)


def attend(participant, sessions, status=Attendance.Status.PRESENT):
    for session in sessions:
        Attendance.objects.create(session=session, participant=participant, status=status)


@pytest.fixture
def w(personas):
    # Everyone joined a month ago and module 1 (four sessions, 14 hours) was held three
    # weeks ago; the rest is still to come.
    w = course_world(personas, others=2)
    w.cohort.participants.update(joined_on=timezone.localdate() - timedelta(days=30))
    w.participant.refresh_from_db()
    w.held = list(w.module.sessions.order_by("starts_at"))
    shift = w.held[0].starts_at - (timezone.now() - timedelta(days=21))
    for session in w.held:
        Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift,
                                                     ends_at=session.ends_at - shift)
    w.others = list(w.cohort.participants.exclude(pk=w.participant.pk).order_by("pk"))
    return w


def test_the_rule_needs_enough_hours_and_the_accepted_project(w):
    cohort = w.cohort
    project = project_of(w.participant)
    meets, reasons, _met = completion_check(
        cohort=cohort, participant=w.participant,
        rate=Rate(Decimal("11"), Decimal("14")), project=project)
    assert not meets
    assert any("78,6" in r or "78.6" in r for r in reasons)
    assert any("not accepted" in r or "nicht angenommen" in r for r in reasons)
    cohort.requires_project = False
    meets, reasons, _met = completion_check(
        cohort=cohort, participant=w.participant,
        rate=Rate(Decimal("14"), Decimal("14")), project=project)
    assert meets and reasons == []


def test_the_overview_says_who_meets_the_rule_and_why_not(w):
    assert len(w.held) == 4
    attend(w.participant, w.held)
    accepted_project(w.participant, w.lecturer)
    attend(w.others[0], w.held[:3])
    rows = {row.participant.pk: row for row in completion_overview(cohort=w.cohort)}
    mine = rows[w.participant.pk]
    assert mine.meets and mine.rate.percent == Decimal("100.0")
    other = rows[w.others[0].pk]
    assert not other.meets and len(other.reasons) == 2  # 75 % and no accepted project


def test_confirming_someone_who_meets_the_rule_is_audited(w):
    attend(w.participant, w.held)
    accepted_project(w.participant, w.lecturer)
    participant = completion_confirm(participant=w.participant, actor=w.coordinator)
    assert participant.completion_confirmed_at is not None
    assert participant.completion_confirmed_by == w.coordinator
    entry = AuditEntry.objects.get(action="participant.completion_confirmed")
    assert entry.data["meets_rule"] is True and entry.reason == ""
    with pytest.raises(ValidationError) as error:
        completion_confirm(participant=w.participant, actor=w.coordinator)
    assert error.value.code == "confirmed"


def test_confirming_someone_who_does_not_meet_the_rule_needs_a_reason(w):
    with pytest.raises(ValidationError) as error:
        completion_confirm(participant=w.participant, actor=w.coordinator)
    assert "override_reason" in error.value.message_dict
    assert Participant.objects.get(pk=w.participant.pk).completion_confirmed_at is None
    completion_confirm(participant=w.participant, actor=w.coordinator,
                       override_reason="Ersatzleistung vereinbart")
    entry = AuditEntry.objects.get(action="participant.completion_confirmed")
    assert entry.reason == "Ersatzleistung vereinbart" and entry.data["override"] is True


def test_someone_who_left_cannot_complete_even_with_a_reason(w):
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    with pytest.raises(ValidationError) as error:
        completion_confirm(participant=w.participant, actor=w.coordinator,
                           override_reason="trotzdem")
    assert error.value.code == "left"


def test_confirm_all_confirms_exactly_those_who_meet_the_rule_once(w):
    cohort_completion_rule_set(cohort=w.cohort, min_attendance_percent=75,
                               requires_project=False, actor=w.coordinator)
    attend(w.participant, w.held)
    attend(w.others[0], w.held[:3])
    attend(w.others[1], w.held[:2])
    confirmed = completion_confirm_all(cohort=w.cohort, actor=w.coordinator)
    assert {p.pk for p in confirmed} == {w.participant.pk, w.others[0].pk}
    assert completion_confirm_all(cohort=w.cohort, actor=w.coordinator) == []
    assert AuditEntry.objects.filter(action="participant.completion_confirmed").count() == 2


def test_changing_the_rule_is_audited_and_checked(w):
    cohort_completion_rule_set(cohort=w.cohort, min_attendance_percent=70,
                               requires_project=False, actor=w.coordinator)
    w.cohort.refresh_from_db()
    assert (w.cohort.min_attendance_percent, w.cohort.requires_project) == (70, False)
    entry = AuditEntry.objects.get(action="cohort.completion_rule_set")
    assert entry.data["before"] == {"min_attendance_percent": 80, "requires_project": True}
    with pytest.raises(ValidationError):
        cohort_completion_rule_set(cohort=w.cohort, min_attendance_percent=101,
                                   requires_project=True, actor=w.coordinator)


def test_a_confirmation_is_taken_back_with_a_reason_unless_a_certificate_exists(w):
    completion_confirm(participant=w.participant, actor=w.coordinator, override_reason="Ausnahme")
    with pytest.raises(ValidationError):
        completion_undo(participant=w.participant, reason=" ", actor=w.coordinator)
    certificate = Certificate.objects.create(participant=w.participant, holder_name="A",
                                             programme_title="GWA", total_hours=Decimal("14"))
    with pytest.raises(ValidationError) as error:
        completion_undo(participant=w.participant, reason="Irrtum", actor=w.coordinator)
    assert error.value.code == "certificate"
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    participant = completion_undo(participant=w.participant, reason="Irrtum", actor=w.coordinator)
    assert participant.completion_confirmed_at is None
    assert AuditEntry.objects.get(action="participant.completion_undone").reason == "Irrtum"
