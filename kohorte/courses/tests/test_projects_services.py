"""The practice project's services: drafts, submissions, feedback, due dates."""

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kohorte.core.models import AuditEntry
from kohorte.courses.models import PracticeProject, ProjectFeedback
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.projects import (
    cohort_project_dates_set,
    project_feedback_give,
    project_save_draft,
    project_submit,
)
from kohorte.notifications.models import OutboxMail

from .world import course_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(content=PDF, name="plan.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def submitted_plan(participant, **kwargs):
    project_save_draft(participant=participant, stage="plan", title="Nachbarschaftscafé",
                       text="Wir eröffnen ein Café im Quartier.", actor=participant.user,
                       **kwargs)
    return project_submit(participant=participant, stage="plan", actor=participant.user)


def accepted_plan(participant, reviewer):
    project = submitted_plan(participant)
    project_feedback_give(project=project, verdict="accepted", text="Gut.", actor=reviewer)
    return PracticeProject.objects.get(pk=project.pk)


@pytest.fixture
def w(personas):
    return course_world(personas)


def test_a_draft_is_kept_without_changing_the_state_and_is_audited(w):
    project = project_save_draft(participant=w.participant, stage="plan", title="Café",
                                 text="Erste Ideen", actor=w.applicant)
    assert (project.state, project.title, project.plan) == ("not_started", "Café", "Erste Ideen")
    assert AuditEntry.objects.filter(action="project.plan_draft_saved",
                                     object_id=str(project.pk)).exists()


@pytest.mark.parametrize("content,name", [(PDF, "a.pdf"), (PNG, "a.png"),
                                          (docx_bytes(), "a.docx"), (odt_bytes(), "a.odt")])
def test_a_pdf_png_docx_or_odt_file_is_accepted_by_its_content(w, content, name):
    project = project_save_draft(participant=w.participant, stage="plan", text="x",
                                 uploaded_file=upload(content, name), actor=w.applicant)
    assert project.plan_file and project.plan_file_name == name
    # The stored name says nothing about the person or the file.
    assert name not in project.plan_file.name


def test_a_file_whose_content_is_not_allowed_is_refused_whatever_its_name(w):
    with pytest.raises(ValidationError) as error:
        project_save_draft(participant=w.participant, stage="plan", text="x",
                           uploaded_file=upload(b"MZ\x90\x00 not a pdf", "plan.pdf"),
                           actor=w.applicant)
    assert error.value.code == "type"
    assert not PracticeProject.objects.filter(participant=w.participant, plan="x").exists()


def test_a_file_over_10_mb_is_refused(w, settings):
    settings.KOHORTE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as error:
        project_save_draft(participant=w.participant, stage="plan", text="x",
                           uploaded_file=upload(), actor=w.applicant)
    assert error.value.code == "size"


def test_a_new_file_replaces_the_old_one_and_removing_it_clears_it(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = project_save_draft(participant=w.participant, stage="plan", text="x",
                                   uploaded_file=upload(), actor=w.applicant)
    old = first.plan_file.name
    storage = first.plan_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        second = project_save_draft(participant=w.participant, stage="plan", text="x",
                                    uploaded_file=upload(PNG, "b.png"), actor=w.applicant)
    assert second.plan_file_name == "b.png" and not storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        third = project_save_draft(participant=w.participant, stage="plan", text="x",
                                   remove_file=True, actor=w.applicant)
    assert not third.plan_file and third.plan_file_name == ""


def test_a_text_over_the_limit_is_refused_with_the_count(w):
    with pytest.raises(ValidationError) as error:
        project_save_draft(participant=w.participant, stage="plan", text="x" * 10001,
                           actor=w.applicant)
    assert "10.001" in str(error.value) or "10,001" in str(error.value)


def test_the_report_cannot_be_written_before_the_plan_is_accepted(w):
    with pytest.raises(ValidationError):
        project_save_draft(participant=w.participant, stage="report", text="Bericht",
                           actor=w.applicant)


def test_someone_who_left_cannot_work_on_the_project(w):
    participant_leave(participant=w.participant, left_on=w.participant.joined_on,
                      reason="Stelle gewechselt", actor=w.coordinator)
    w.participant.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        project_save_draft(participant=w.participant, stage="plan", text="x", actor=w.applicant)
    assert error.value.code == "left"


def test_an_incomplete_plan_cannot_be_submitted(w):
    project_save_draft(participant=w.participant, stage="plan", text="Nur Text",
                       actor=w.applicant)
    with pytest.raises(ValidationError) as error:
        project_submit(participant=w.participant, stage="plan", actor=w.applicant)
    assert error.value.code == "incomplete"
    assert PracticeProject.objects.get(participant=w.participant).state == "not_started"


def test_a_submitted_plan_is_read_only_until_the_feedback(w):
    project = submitted_plan(w.participant)
    assert project.state == "plan_submitted" and project.plan_submitted_at is not None
    with pytest.raises(ValidationError):
        project_save_draft(participant=w.participant, stage="plan", text="anders",
                           actor=w.applicant)
    with pytest.raises(ValidationError):
        project_submit(participant=w.participant, stage="plan", actor=w.applicant)


def test_feedback_asking_for_revision_lets_the_participant_revise_and_resubmit(w):
    project = submitted_plan(w.participant)
    feedback = project_feedback_give(project=project, verdict="revision",
                                     text="Bitte Ziele ergänzen.", actor=w.lecturer)
    assert feedback.stage == "plan" and feedback.author == w.lecturer
    assert PracticeProject.objects.get(pk=project.pk).state == "plan_revision"
    project_save_draft(participant=w.participant, stage="plan", text="Mit Zielen",
                       actor=w.applicant)
    assert project_submit(participant=w.participant, stage="plan",
                          actor=w.applicant).state == "plan_submitted"


def test_the_whole_project_runs_from_plan_to_accepted_report(w):
    accepted_plan(w.participant, w.lecturer)
    project_save_draft(participant=w.participant, stage="report", text="Es lief gut.",
                       uploaded_file=upload(), actor=w.applicant)
    project = project_submit(participant=w.participant, stage="report", actor=w.applicant)
    project_feedback_give(project=project, verdict="revision", text="Mehr Reflexion.",
                          actor=w.lecturer)
    project_save_draft(participant=w.participant, stage="report", text="Mit Reflexion.",
                       actor=w.applicant)
    project = project_submit(participant=w.participant, stage="report", actor=w.applicant)
    project_feedback_give(project=project, verdict="accepted", text="Sehr gut.",
                          actor=w.coordinator)
    project.refresh_from_db()
    assert project.state == "accepted" and project.accepted_at is not None
    assert [(f.stage, f.verdict) for f in project.feedback.all()] == [
        ("plan", "accepted"), ("report", "revision"), ("report", "accepted")]


def test_feedback_mails_the_participant_with_a_link_to_the_project_page(w):
    project = submitted_plan(w.participant)
    project_feedback_give(project=project, verdict="accepted", text="Gut.", actor=w.lecturer)
    mail = OutboxMail.objects.get(template="course_project_feedback")
    assert mail.to == w.participant.email
    assert f"/kurs/{w.participant.pk}/projekt/" in mail.body
    assert AuditEntry.objects.filter(action="project.feedback", object_id=str(project.pk),
                                     actor=w.lecturer).exists()


def test_feedback_needs_a_text_and_something_submitted(w):
    project = submitted_plan(w.participant)
    with pytest.raises(ValidationError):
        project_feedback_give(project=project, verdict="accepted", text="  ", actor=w.lecturer)
    project_feedback_give(project=project, verdict="accepted", text="Gut.", actor=w.lecturer)
    with pytest.raises(ValidationError) as error:
        project_feedback_give(project=project, verdict="accepted", text="Nochmal",
                              actor=w.lecturer)
    assert error.value.code == "state"
    assert ProjectFeedback.objects.filter(project=project).count() == 1


def test_the_transitions_table_allows_only_the_documented_moves():
    state = PracticeProject.State
    project = PracticeProject(state=state.NOT_STARTED)
    assert project.can_move_to(state.PLAN_SUBMITTED)
    assert not project.can_move_to(state.PLAN_ACCEPTED)
    project.state = state.ACCEPTED
    assert not any(project.can_move_to(s) for s in state)


def test_moving_a_due_date_is_audited_and_reminds_again(w):
    cohort_project_dates_set(cohort=w.cohort, plan_due=date(2030, 3, 1),
                             report_due=date(2030, 9, 1), actor=w.coordinator)
    project = project_save_draft(participant=w.participant, stage="plan", text="x",
                                 actor=w.applicant)
    PracticeProject.objects.filter(pk=project.pk).update(
        reminded_plan_at="2030-02-22T08:00:00Z", reminded_report_at="2030-08-25T08:00:00Z")
    cohort_project_dates_set(cohort=w.cohort, plan_due=date(2030, 3, 15),
                             report_due=date(2030, 9, 1), actor=w.coordinator)
    project.refresh_from_db()
    assert project.reminded_plan_at is None and project.reminded_report_at is not None
    assert AuditEntry.objects.filter(action="cohort.project_dates_set").count() == 2


def test_the_report_cannot_be_due_before_the_plan(w):
    with pytest.raises(ValidationError):
        cohort_project_dates_set(cohort=w.cohort, plan_due=date(2030, 3, 1),
                                 report_due=date(2030, 2, 1), actor=w.coordinator)
