"""Nothing handed in is lost: each plan or report handed in stays as a version, with the
feedback on it and its file, when the participant revises it."""

import pytest

from kohorte.applications.personal_data import application_data_export
from kohorte.core.tests import factories as f
from kohorte.courses.models import PracticeProject, ProjectVersion
from kohorte.courses.services.projects import (
    project_feedback_give,
    project_save_draft,
    project_submit,
)

from .test_projects_services import PDF, PNG, submitted_plan, upload
from .test_projects_views import url
from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return course_world(personas)


def revised(w):
    """Plan 1 with a PDF handed in and sent back; revised with other text and a PNG."""
    project = submitted_plan(w.participant, uploaded_file=upload(PDF, "erste-fassung.pdf"))
    project_feedback_give(project=project, verdict="revision", text="Zielgruppe fehlt.",
                          actor=w.lecturer)
    project_save_draft(participant=w.participant, stage="plan", title="Café für alle",
                       text="Mit Zielgruppe: Familien.", actor=w.applicant,
                       uploaded_file=upload(PNG, "zweite-fassung.png"))
    return PracticeProject.objects.get(pk=project.pk)


def test_handing_in_keeps_a_version_that_a_revision_leaves_as_it_was(w):
    project = revised(w)
    (first,) = project.versions.all()
    assert (first.stage, first.number, first.title, first.text, first.file_name) == (
        "plan", 1, "Nachbarschaftscafé", "Wir eröffnen ein Café im Quartier.", "erste-fassung.pdf")
    assert first.file.storage.exists(first.file.name)  # the draft's new file did not delete it
    assert project.plan == "Mit Zielgruppe: Familien." and project.plan_file.name != first.file.name
    assert project.feedback.get().version == first
    project = project_submit(participant=w.participant, stage="plan", actor=w.applicant)
    second = project.versions.get(number=2)
    assert (second.title, second.text, second.file_name) == (
        "Café für alle", "Mit Zielgruppe: Familien.", "zweite-fassung.png")
    feedback = project_feedback_give(project=project, verdict="accepted", text="Passt.",
                                     actor=w.lecturer)
    assert feedback.version == second


def test_a_draft_file_no_version_holds_is_still_deleted_when_replaced(
        w, django_capture_on_commit_callbacks):
    project_save_draft(participant=w.participant, stage="plan", title="Café", text="Text.",
                       actor=w.applicant, uploaded_file=upload(PDF, "entwurf.pdf"))
    old = PracticeProject.objects.get(participant=w.participant).plan_file
    with django_capture_on_commit_callbacks(execute=True):
        project_save_draft(participant=w.participant, stage="plan", title="Café", text="Text.",
                           actor=w.applicant, uploaded_file=upload(PNG, "neu.png"))
    assert not old.storage.exists(old.name)


def test_the_participant_reads_the_version_the_feedback_is_about_and_gets_its_file(client, w):
    project = revised(w)
    first = project.versions.get()
    client.force_login(w.applicant)
    html = client.get(url("project", w.participant.pk)).content.decode()
    assert "Wir eröffnen ein Café im Quartier." in html and "Zielgruppe fehlt." in html
    assert "Mit Zielgruppe: Familien." in html  # the draft, in its own section
    file_url = url("project_version_file", w.participant.pk, first.pk)
    assert file_url in html
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "erste-fassung.pdf" in response["Content-Disposition"]


def test_the_lecturer_reads_the_earlier_version_while_the_participant_revises(client, w):
    project = revised(w)
    first = project.versions.get()
    f.login_staff(client, w.lecturer)
    html = client.get(url("project_detail", w.cohort.pk, w.participant.pk)).content.decode()
    assert "Wir eröffnen ein Café im Quartier." in html
    assert "Mit Zielgruppe: Familien." not in html  # the draft is the participant's alone
    file_url = url("project_version_file_staff", w.cohort.pk, w.participant.pk, first.pk)
    assert file_url in html
    assert client.get(file_url).status_code == 200


def test_a_version_file_is_refused_to_everyone_else(client, w):
    first = revised(w).versions.get()
    own_url = url("project_version_file", w.participant.pk, first.pk)
    client.force_login(w.second_applicant)
    assert client.get(own_url).status_code == 404
    # Another participant's address with this version: not theirs either.
    other = w.cohort.participants.exclude(pk=w.participant.pk).first()
    client.force_login(other.user)
    assert client.get(url("project_version_file", other.pk, first.pk)).status_code == 404
    staff_url = url("project_version_file_staff", w.cohort.pk, w.participant.pk, first.pk)
    for user in (w.reviewer, w.funder, w.outsider):
        f.login_staff(client, user)
        assert client.get(staff_url).status_code == 403
    f.login_staff(client, w.coordinator)
    assert client.get(url("project_version_file_staff", w.cohort.pk, other.pk,
                          first.pk)).status_code == 404
    assert client.get(staff_url).status_code == 200


def test_the_versions_are_part_of_your_data(w):
    revised(w)
    (place,) = application_data_export(user=w.applicant)["courses"]
    versions = place["practice_project"]["versions"]
    assert [(v["stage"], v["number"], v["text"]) for v in versions] == [
        ("Plan", 1, "Wir eröffnen ein Café im Quartier.")]


def test_the_migration_makes_versions_of_the_parts_handed_in(w):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("kohorte.courses.migrations.0002_project_versions")
    submitted = submitted_plan(w.participant)
    ProjectVersion.objects.all().delete()  # as before the versions
    being_revised = submitted_plan(w.other_participant)
    project_feedback_give(project=being_revised, verdict="revision", text="Nochmal.",
                          actor=w.coordinator)
    ProjectVersion.objects.all().delete()
    migration.versions_from_submitted_parts(apps, None)
    (version,) = ProjectVersion.objects.all()
    assert version.project_id == submitted.pk and version.text == submitted.plan
    assert being_revised.feedback.get().version is None
