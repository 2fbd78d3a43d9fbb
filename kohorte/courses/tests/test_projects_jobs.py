"""The reminder a week before a project plan or report is due."""

from datetime import date, time, timedelta

import pytest

from kohorte.core.dates import local_datetime
from kohorte.core.models import AuditEntry
from kohorte.courses.jobs import projects_remind_due
from kohorte.courses.models import Cohort, PracticeProject
from kohorte.courses.services.cohort import participant_leave
from kohorte.notifications.models import OutboxMail

from .test_projects_services import accepted_plan, submitted_plan
from .world import course_world

pytestmark = pytest.mark.django_db

PLAN_DUE = date(2030, 3, 15)
REPORT_DUE = date(2030, 9, 15)


@pytest.fixture
def w(personas):
    w = course_world(personas, others=2)
    Cohort.objects.filter(pk=w.cohort.pk).update(project_plan_due=PLAN_DUE,
                                                 project_report_due=REPORT_DUE)
    w.others = list(w.cohort.participants.exclude(pk=w.participant.pk).order_by("pk"))
    return w


def at(day, hour=8):
    return local_datetime(day, time(hour, 0))


def test_everyone_who_has_not_handed_in_the_plan_is_reminded_a_week_before(w):
    result = projects_remind_due(now=at(PLAN_DUE - timedelta(days=7)))
    assert result == {"reminded_plan": 3, "reminded_report": 0}
    mails = OutboxMail.objects.filter(template="course_project_reminder")
    assert sorted(mails.values_list("to", flat=True)) == sorted(
        p.email for p in w.cohort.participants.all())
    mail = mails.get(to=w.participant.email)
    assert "15. März 2030" in mail.subject
    assert f"/kurs/{w.participant.pk}/projekt/" in mail.body
    assert AuditEntry.objects.filter(action="project.plan_reminded").count() == 3


def test_running_the_job_again_reminds_nobody_twice(w):
    projects_remind_due(now=at(PLAN_DUE - timedelta(days=7)))
    again = projects_remind_due(now=at(PLAN_DUE - timedelta(days=3)))
    assert again == {"reminded_plan": 0, "reminded_report": 0}
    assert OutboxMail.objects.filter(template="course_project_reminder").count() == 3


def test_nobody_is_reminded_earlier_than_a_week_before_or_after_the_date(w):
    assert projects_remind_due(now=at(PLAN_DUE - timedelta(days=8)))["reminded_plan"] == 0
    assert projects_remind_due(now=at(PLAN_DUE + timedelta(days=1)))["reminded_plan"] == 0
    assert not OutboxMail.objects.filter(template="course_project_reminder").exists()


def test_who_submitted_or_left_is_not_reminded(w):
    submitted_plan(w.participant)
    leaver = w.others[0]
    participant_leave(participant=leaver, left_on=leaver.joined_on, reason="Umzug",
                      actor=w.coordinator)
    result = projects_remind_due(now=at(PLAN_DUE - timedelta(days=2)))
    assert result["reminded_plan"] == 1
    assert list(OutboxMail.objects.filter(template="course_project_reminder")
                .values_list("to", flat=True)) == [w.others[1].email]


def test_the_report_reminder_goes_to_those_still_writing_it(w):
    accepted_plan(w.participant, w.lecturer)
    result = projects_remind_due(now=at(REPORT_DUE - timedelta(days=7)))
    assert result == {"reminded_plan": 0, "reminded_report": 3}
    project = PracticeProject.objects.get(participant=w.participant)
    assert project.reminded_report_at is not None and project.reminded_plan_at is None
    mail = OutboxMail.objects.get(template="course_project_reminder", to=w.participant.email)
    assert "15. September 2030" in mail.subject
