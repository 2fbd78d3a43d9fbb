"""The practice project's pages: the participant's, and the staff's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Cohort, PracticeProject, ProjectFeedback
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.projects import project_save_draft
from kohorte.notifications.models import OutboxMail

from .test_projects_services import PDF, accepted_plan, submitted_plan, upload
from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return course_world(personas)


def url(name, *args):
    return reverse(f"courses:{name}", args=args)


def signed_in(client, w):
    client.force_login(w.applicant)
    return client


# --- The participant -------------------------------------------------------------------

def test_the_participant_sees_their_project_with_the_due_dates_in_words(client, w):
    Cohort.objects.filter(pk=w.cohort.pk).update(
        project_plan_due=timezone.localdate() + timedelta(days=5))
    response = signed_in(client, w).get(url("project", w.participant.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "5 Tagen" in text or "5 days" in text
    assert url("project_edit", w.participant.pk, "plan") in text


def test_another_persons_project_page_is_not_found(client, w):
    signed_in(client, w)
    assert client.get(url("project", w.other_participant.pk)).status_code == 404
    client.force_login(w.second_applicant)
    assert client.get(url("project", w.participant.pk)).status_code == 404
    assert client.get(url("project_edit", w.participant.pk, "plan")).status_code == 404


def test_someone_who_left_no_longer_has_a_project_page(client, w):
    participant_leave(participant=w.participant, left_on=w.participant.joined_on,
                      reason="Umzug", actor=w.coordinator)
    assert signed_in(client, w).get(url("project", w.participant.pk)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, w):
    response = client.get(url("project", w.participant.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_unknown_part_is_not_found(client, w):
    assert signed_in(client, w).get(url("project_edit", w.participant.pk, "x")).status_code == 404


def test_saving_a_draft_keeps_it_and_shows_the_character_count(client, w):
    signed_in(client, w)
    response = client.post(url("project_edit", w.participant.pk, "plan"),
                           {"title": "Café", "text": "Ein Plan", "draft": "1"})
    assert response.status_code == 302
    project = PracticeProject.objects.get(participant=w.participant)
    assert (project.title, project.plan, project.state) == ("Café", "Ein Plan", "not_started")
    page = client.get(response.url).content.decode()
    assert 'id="zaehler-plan"' in page and "8" in page and "10.000" in page
    assert "maxlength" not in page.split('name="text"')[0].rsplit("<textarea", 1)[-1]


def test_a_text_over_the_limit_is_refused_with_a_clear_error_and_nothing_saved(client, w):
    response = signed_in(client, w).post(url("project_edit", w.participant.pk, "plan"),
                                         {"title": "Café", "text": "x" * 10001})
    assert response.status_code == 400
    assert "10.001" in response.content.decode()
    assert not PracticeProject.objects.filter(participant=w.participant).exists()


def test_a_wrong_file_is_refused_on_the_form(client, w):
    response = signed_in(client, w).post(
        url("project_edit", w.participant.pk, "plan"),
        {"title": "Café", "text": "Plan", "file": upload(b"just text", "plan.pdf")})
    assert response.status_code == 400
    assert "PDF, DOCX, ODT, JPEG" in response.content.decode()


def test_the_live_count_answers_htmx_without_saving(client, w):
    response = signed_in(client, w).post(
        url("project_edit", w.participant.pk, "plan"),
        {"text": "abc", "count_only": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().startswith('<p class="kern-hint kohorte-counter"')
    assert not PracticeProject.objects.filter(participant=w.participant).exists()


def test_continue_leads_to_the_check_page_whose_button_submits(client, w):
    signed_in(client, w)
    response = client.post(url("project_edit", w.participant.pk, "plan"),
                           {"title": "Café", "text": "Ein Plan", "file": upload(),
                            "continue": "1"})
    assert response.url == url("project_check", w.participant.pk, "plan")
    check = client.get(response.url).content.decode()
    assert "Ein Plan" in check and "plan.pdf" in check
    assert client.post(response.url).status_code == 302
    project = PracticeProject.objects.get(participant=w.participant)
    assert project.state == "plan_submitted"
    # Read-only now: the edit page sends them back to the project page.
    assert client.get(url("project_edit", w.participant.pk, "plan")).status_code == 302


def test_an_incomplete_plan_is_not_submitted_from_the_check_page(client, w):
    project_save_draft(participant=w.participant, stage="plan", text="Plan", actor=w.applicant)
    signed_in(client, w)
    page = client.get(url("project_check", w.participant.pk, "plan")).content.decode()
    assert "<form method=\"post\" data-once>" not in page
    assert client.post(url("project_check", w.participant.pk, "plan")).status_code == 409
    assert PracticeProject.objects.get(participant=w.participant).state == "not_started"


def test_the_participant_downloads_their_own_file(client, w):
    project_save_draft(participant=w.participant, stage="plan", text="Plan",
                       uploaded_file=upload(), actor=w.applicant)
    response = signed_in(client, w).get(url("project_file", w.participant.pk, "plan"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert client.get(url("project_file", w.participant.pk, "bericht")).status_code == 404


def test_after_the_plan_is_accepted_the_report_can_be_written(client, w):
    accepted_plan(w.participant, w.lecturer)
    signed_in(client, w)
    page = client.get(url("project", w.participant.pk)).content.decode()
    assert url("project_edit", w.participant.pk, "bericht") in page
    assert "Gut." in page  # the feedback history
    response = client.post(url("project_edit", w.participant.pk, "bericht"),
                           {"text": "Mein Bericht", "continue": "1"})
    assert response.status_code == 302
    assert client.post(url("project_check", w.participant.pk, "bericht")).status_code == 302
    assert PracticeProject.objects.get(participant=w.participant).state == "report_submitted"


# --- The staff -------------------------------------------------------------------------

def test_the_coordinator_sees_the_projects_waiting_for_feedback_and_the_overdue(client, w):
    Cohort.objects.filter(pk=w.cohort.pk).update(
        project_plan_due=timezone.localdate() - timedelta(days=2))
    submitted_plan(w.participant)
    response = f.login_staff(client, w.coordinator).get(url("projects", w.cohort.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<dd class="kern-description-list-item__value" data-count="waiting"><strong>1</strong>' in text
    assert text.count("kern-badge--danger") == 2  # the two who have not handed in
    assert 'name="project_plan_due"' in text  # the coordinator sets the dates here


def test_a_lecturer_reviews_only_in_cohorts_where_they_teach(client, w):
    f.login_staff(client, w.lecturer)
    response = client.get(url("projects", w.cohort.pk))
    assert response.status_code == 200
    assert 'name="project_plan_due"' not in response.content.decode()
    w.module.lecturers.remove(w.lecturer)
    w.other_module.lecturers.add(w.lecturer)  # any module of the cohort will do
    assert client.get(url("projects", w.cohort.pk)).status_code == 200
    w.other_module.lecturers.remove(w.lecturer)
    assert client.get(url("projects", w.cohort.pk)).status_code == 403
    assert client.get(url("project_detail", w.cohort.pk, w.participant.pk)).status_code == 403


def test_staff_of_other_roles_and_programmes_are_refused(client, w):
    for user in (w.reviewer, w.funder, w.outsider):
        f.login_staff(client, user)
        assert client.get(url("projects", w.cohort.pk)).status_code == 403
    f.login_staff(client, w.coordinator)
    assert client.get(url("projects", w.other_cohort.pk)).status_code == 403
    assert client.get(url("project_detail", w.cohort.pk, w.other_participant.pk)).status_code == 404


def test_the_lecturer_reads_the_plan_and_gives_feedback(client, w):
    submitted_plan(w.participant, uploaded_file=upload())
    f.login_staff(client, w.lecturer)
    page = client.get(url("project_detail", w.cohort.pk, w.participant.pk)).content.decode()
    assert "Wir eröffnen ein Café im Quartier." in page and 'name="verdict"' in page
    download = client.get(url("project_file_staff", w.cohort.pk, w.participant.pk, "plan"))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    missing = client.post(url("project_feedback", w.cohort.pk, w.participant.pk),
                          {"verdict": "revision", "text": ""})
    assert missing.status_code == 400 and not ProjectFeedback.objects.exists()
    done = client.post(url("project_feedback", w.cohort.pk, w.participant.pk),
                       {"verdict": "revision", "text": "Bitte Ziele ergänzen."})
    assert done.status_code == 302
    assert PracticeProject.objects.get(participant=w.participant).state == "plan_revision"
    assert OutboxMail.objects.filter(template="course_project_feedback",
                                     to=w.participant.email).exists()


def test_a_draft_is_not_shown_to_the_staff(client, w):
    project_save_draft(participant=w.participant, stage="plan", text="Geheimer Entwurf",
                       uploaded_file=upload(), actor=w.applicant)
    f.login_staff(client, w.coordinator)
    page = client.get(url("project_detail", w.cohort.pk, w.participant.pk)).content.decode()
    assert "Geheimer Entwurf" not in page
    assert client.get(url("project_file_staff", w.cohort.pk, w.participant.pk,
                          "plan")).status_code == 404


def test_feedback_without_a_submission_is_refused(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("project_feedback", w.cohort.pk, w.participant.pk),
                           {"verdict": "accepted", "text": "Gut"})
    assert response.status_code == 409


def test_the_coordinator_sets_the_due_dates_and_a_lecturer_may_not(client, w):
    f.login_staff(client, w.lecturer)
    data = {"project_plan_due": "2030-03-01", "project_report_due": "2030-09-01"}
    assert client.post(url("project_dates", w.cohort.pk), data).status_code == 403
    f.login_staff(client, w.coordinator)
    assert client.post(url("project_dates", w.cohort.pk), data).status_code == 302
    w.cohort.refresh_from_db()
    assert str(w.cohort.project_plan_due) == "2030-03-01"
    wrong = client.post(url("project_dates", w.cohort.pk),
                        {"project_plan_due": "2030-03-01", "project_report_due": "2030-01-01"})
    assert wrong.status_code == 400
    w.cohort.refresh_from_db()
    assert str(w.cohort.project_report_due) == "2030-09-01"


def test_going_on_to_submit_needs_the_title_and_text_but_a_draft_does_not(client, w):
    signed_in(client, w)
    refused = client.post(url("project_edit", w.participant.pk, "plan"),
                          {"title": "", "text": "Nur Text", "continue": "1"})
    assert refused.status_code == 400 and 'href="#id_title"' in refused.content.decode()
    assert not PracticeProject.objects.filter(participant=w.participant).exists()
    kept = client.post(url("project_edit", w.participant.pk, "plan"),
                       {"title": "", "text": "Nur Text", "draft": "1"})
    assert kept.status_code == 302
