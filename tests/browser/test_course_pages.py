"""axe on every course page that a coordinator, a lecturer and a participant reach.

Seeded: a cohort (three participants, module 1 taught by the lecturer) whose first
session runs now, with attendance recorded for it, a submitted project plan, a link as
material, a confirmed completion and an issued certificate. The crawler follows the
links from the people's starting pages, so pages added later are checked as soon as
something links to them.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.core.tests import factories as f
from kohorte.courses.models import Attendance
from kohorte.courses.services import attendance as attendance_services
from kohorte.courses.services import certificates as certificate_services
from kohorte.courses.services import completion as completion_services
from kohorte.courses.services import materials as material_services
from kohorte.courses.services import projects as project_services
from kohorte.courses.services import schedule as schedule_services
from kohorte.courses.services.attendance import Mark
from kohorte.courses.tests.world import make_cohort

from .crawl import crawl
from .flows import sign_in_applicant, sign_in_staff
from .test_every_page import _assert_clean

pytestmark = pytest.mark.browser

# The course's pages reach into the rest of staff pages through the navigation; a
# little more room than the default, so that the course's own are all visited.
COURSE_LIMIT = 80


@pytest.fixture
def cohort_world(open_call):
    call = open_call
    programme = call.programme
    coordinator = f.make_staff("coordinator", programme, email="koordination@example.org",
                               name="Kim Koordination")
    lecturer = f.make_staff("lecturer", programme, email="dozentin@example.org",
                            name="Dana Dozentin")
    applicant = f.make_applicant("teilnehmerin@example.org")
    cohort = make_cohort(call, applicants=[applicant], others=2, lecturer=lecturer,
                         actor=coordinator)
    assert Call.objects.get(pk=call.pk).state == Call.State.CLOSED
    participant = cohort.participants.get(user=applicant)
    others = list(cohort.participants.exclude(pk=participant.pk).order_by("pk"))
    module = cohort.modules.get(position=1)
    now = timezone.now()
    session = schedule_services.session_update(
        session=module.sessions.order_by("starts_at").first(), actor=coordinator,
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3))
    attendance_services.attendance_record_list(
        session=session, actor=lecturer, marks=[
            Mark(participant=participant, status="present", excuse_reason=""),
            Mark(participant=others[0], status="excused", excuse_reason="Krank"),
            Mark(participant=others[1], status="absent", excuse_reason=""),
        ])
    assert Attendance.objects.filter(session=session).count() == 3
    material_services.material_add_link(module=module, title="Leseliste",
                                        url="https://example.org/leseliste", actor=coordinator)
    project_services.project_save_draft(participant=participant, stage="plan",
                                        title="Café Nordstadt", text="Ein Nachbarschaftscafé.",
                                        actor=applicant)
    project_services.project_submit(participant=participant, stage="plan", actor=applicant)
    # A second plan sent back for revision: its page shows the version with the feedback.
    project_services.project_save_draft(participant=others[0], stage="plan",
                                        title="Gärten im Hof", text="Ein Gemeinschaftsgarten.",
                                        actor=others[0].user)
    revised = project_services.project_submit(participant=others[0], stage="plan",
                                              actor=others[0].user)
    project_services.project_feedback_give(project=revised, verdict="revision",
                                           text="Bitte die Beteiligten nennen.", actor=lecturer)
    completion_services.completion_confirm(participant=participant, actor=coordinator,
                                           override_reason="Ersatzleistung vereinbart.")
    certificate = certificate_services.certificate_issue(participant=participant,
                                                         actor=coordinator)
    return {"call": call, "cohort": cohort, "module": module, "session": session,
            "participant": participant, "others": others, "applicant": applicant,
            "coordinator": coordinator, "lecturer": lecturer, "certificate": certificate}


def test_every_course_page_a_coordinator_reaches_passes_axe(page, base_url, cohort_world):
    w = cohort_world
    cohort, module, session = w["cohort"].pk, w["module"].pk, w["session"].pk
    participant = w["participant"].pk
    sign_in_staff(page, w["coordinator"])
    result = crawl(page, base_url, ["/verwaltung/kurse/", f"/verwaltung/kurse/{cohort}/"],
                   limit=COURSE_LIMIT)
    expected = {
        "/verwaltung/kurse/", f"/verwaltung/kurse/{cohort}/",
        f"/verwaltung/kurse/bausteine/{module}/",
        f"/verwaltung/kurse/bausteine/{module}/bearbeiten/",
        f"/verwaltung/kurse/bausteine/{module}/termine/neu/",
        f"/verwaltung/kurse/bausteine/{module}/material/neu/",
        f"/verwaltung/kurse/termine/{session}/bearbeiten/",
        f"/verwaltung/kurse/{cohort}/anwesenheit/",
        f"/verwaltung/kurse/sitzungen/{session}/anwesenheit/",
        f"/verwaltung/kurse/sitzungen/{session}/eincheck-code/",
        f"/verwaltung/kurse/{cohort}/projekte/",
        f"/verwaltung/kurse/{cohort}/projekte/{participant}/",
        f"/verwaltung/kurse/{cohort}/abschluss/",
        f"/verwaltung/kurse/{cohort}/zertifikate/",
        f"/verwaltung/kurse/{cohort}/zertifikate/{w['certificate'].pk}/widerrufen/",
    }
    _assert_clean(result, expected=expected)


def test_every_course_page_a_lecturer_reaches_passes_axe(page, base_url, cohort_world):
    w = cohort_world
    cohort, module, session = w["cohort"].pk, w["module"].pk, w["session"].pk
    sign_in_staff(page, w["lecturer"])
    result = crawl(page, base_url, ["/verwaltung/kurse/"], limit=COURSE_LIMIT)
    _assert_clean(result, expected={
        "/verwaltung/kurse/", f"/verwaltung/kurse/{cohort}/",
        f"/verwaltung/kurse/bausteine/{module}/",
        f"/verwaltung/kurse/sitzungen/{session}/anwesenheit/",
        f"/verwaltung/kurse/sitzungen/{session}/eincheck-code/",
        f"/verwaltung/kurse/{cohort}/projekte/",
        f"/verwaltung/kurse/{cohort}/projekte/{w['participant'].pk}/",
        f"/verwaltung/kurse/{cohort}/projekte/{w['others'][0].pk}/",  # a version shown
    })
    visited = {url.split(base_url, 1)[-1] for url in result.visited}
    # Module 2 is not theirs: not linked, so not reached.
    other = w["cohort"].modules.get(position=2).pk
    assert f"/verwaltung/kurse/bausteine/{other}/" not in visited


def test_every_course_page_a_participant_reaches_passes_axe(page, base_url, cohort_world):
    w = cohort_world
    participant = w["participant"].pk
    sign_in_applicant(page, w["applicant"].email)
    # Not linked from the course page: the typed check-in (its address is shown in the
    # room), the certificate page and the public check form. "Your data" shows the
    # course part (attendance, project, certificate).
    session = w["session"].pk
    result = crawl(page, base_url, [
        "/kurs/", f"/kurs/einchecken/{session}/", f"/kurs/{participant}/zertifikat/",
        "/zertifikate/pruefen/", "/meine-daten/"], limit=COURSE_LIMIT)
    _assert_clean(result, expected={
        "/meine-daten/",
        "/kurs/", f"/kurs/{participant}/", f"/kurs/{participant}/projekt/",
        f"/kurs/einchecken/{session}/", f"/kurs/{participant}/zertifikat/",
        "/zertifikate/pruefen/", f"/zertifikate/{w['certificate'].code}/",
    })
