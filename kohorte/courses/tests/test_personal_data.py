"""A participant's course data is part of "Your data" (Art. 15 GDPR): on the page and
in the JSON download, their own and nobody else's."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from kohorte.applications.personal_data import application_data_export
from kohorte.courses.models import Attendance, Certificate, Participant
from kohorte.courses.services import projects as project_services

from .world import course_world

pytestmark = pytest.mark.django_db


def _with_course_data(personas):
    w = course_world(personas, others=1)
    Participant.objects.filter(pk=w.participant.pk).update(first_name="Korrigierte")
    w.participant.refresh_from_db()
    Attendance.objects.create(session=w.session, participant=w.participant, status="excused",
                              excuse_reason="Fortbildung beim Träger")
    project_services.project_save_draft(participant=w.participant, stage="plan",
                                        title="Nachbarschaftscafé", text="Ein Café im Quartier.",
                                        actor=w.applicant)
    project = project_services.project_submit(participant=w.participant, stage="plan",
                                              actor=w.applicant)
    project_services.project_feedback_give(project=project, verdict="revision",
                                           text="Bitte die Zielgruppe genauer fassen.",
                                           actor=w.lecturer)
    Certificate.objects.create(participant=w.participant, holder_name="Korrigierte Person",
                               programme_title="Qualifizierung", total_hours=Decimal("96"))
    w.other = w.cohort.participants.exclude(pk=w.participant.pk).get()
    Participant.objects.filter(pk=w.other.pk).update(last_name="Fremdperson")
    w.other.refresh_from_db()
    Attendance.objects.create(session=w.session, participant=w.other, status="absent")
    return w


def test_the_export_holds_the_course_place_attendance_project_and_certificate(personas):
    w = _with_course_data(personas)
    (place,) = application_data_export(user=w.applicant)["courses"]
    assert place["course"] == w.cohort.title and place["first_name"] == "Korrigierte"
    (attendance,) = place["attendance"]
    assert attendance["excuse_reason"] == "Fortbildung beim Träger"
    project = place["practice_project"]
    assert project["title"] == "Nachbarschaftscafé" and project["plan"] == "Ein Café im Quartier."
    assert [item["text"] for item in project["feedback"]] == ["Bitte die Zielgruppe genauer fassen."]
    (certificate,) = place["certificates"]
    assert certificate["hours"] == "96.00" and certificate["code"]


def test_the_page_and_the_download_show_it_and_nothing_of_others(client, personas):
    w = _with_course_data(personas)
    client.force_login(w.applicant)
    page = client.get(reverse("applications:my_data"))
    assert page.status_code == 200
    html = page.content.decode()
    for shown in (w.cohort.title, "Fortbildung beim Träger", "Nachbarschaftscafé",
                  "Bitte die Zielgruppe genauer fassen.", "Korrigierte"):
        assert shown in html
    assert f"Kurs: {w.cohort.title}" in html  # German first
    assert w.other.last_name not in html and w.other.email not in html
    download = client.get(reverse("applications:my_data"), {"format": "json"})
    data = json.loads(download.content)
    assert [place["email"] for place in data["courses"]] == [w.participant.email]
    assert w.other.email not in download.content.decode()


def test_someone_without_a_course_place_has_no_course_part(client, personas):
    w = course_world(personas, others=0)
    person = personas.coordinator  # an account without a place in any course
    assert "courses" not in application_data_export(user=person)
    client.force_login(person)
    html = client.get(reverse("applications:my_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Course:" not in html and w.cohort.title not in html
    # The second applicant has a place in the other programme's course only.
    (place,) = application_data_export(user=personas.second_applicant)["courses"]
    assert place["course"] == w.other_cohort.title
