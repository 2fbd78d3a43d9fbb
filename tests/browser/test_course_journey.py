"""The course in the browser, from forming the cohort to a revoked certificate, with axe
on every page it reaches.

Seeded: a closed call with eight module dates, three applicants with submitted
applications and accepted places, a coordinator and a lecturer of the programme. Then:
the coordinator forms the cohort from the call page, makes the lecturer the lecturer of
module 1 and moves its first session so that it runs now (every participant gets the old
and the new time by e-mail); the lecturer shows the check-in code, a participant checks
in with it; the lecturer records the other two on the list by keyboard (one present, one
excused with a reason). The participant writes and submits the project plan and the
report, the lecturer accepts both; the coordinator confirms the completion and issues
the certificate, which the participant sees and the public check shows as valid; revoked
with a reason, the public check shows it as revoked. Buttons and fields are reached by
keyboard.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.core.tests import factories as f
from kohorte.courses.certificate_pdf import format_code
from kohorte.courses.models import (
    Attendance,
    Certificate,
    Cohort,
    PracticeProject,
    ProjectFeedback,
)
from kohorte.courses.selectors.completion import completion_of
from kohorte.courses.tests.world import accept, add_module_dates
from kohorte.notifications.models import OutboxMail

from .axe import assert_no_violations
from .flows import sign_in_applicant, sign_in_staff, t
from .keyboard import activate, choose_radio, follow, tab_to, type_date, type_into

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def clock(browser) -> str:
    """Whether this browser's time fields take 12 hours and AM/PM ("12") or 24 hours."""
    page = browser.new_page()
    try:
        page.set_content('<input type="time" aria-label="probe">')
        page.keyboard.press("Tab")
        page.keyboard.type("0530P")
        return "12" if page.locator("input").input_value() == "17:30" else "24"
    finally:
        page.close()


def type_time(page, locator, at: time, *, clock: str):
    """Type a time into a time field as its segments take it (the old value is overwritten)."""
    if clock == "12":
        hour = at.hour % 12 or 12
        typed = f"{hour:02d}{at.minute:02d}{'A' if at.hour < 12 else 'P'}"
    else:
        typed = f"{at.hour:02d}{at.minute:02d}"
    type_into(page, locator, typed)


@pytest.fixture
def course(open_call):
    call = open_call
    programme = call.programme
    add_module_dates(call, first=timezone.localdate() + timedelta(days=14))
    people = [f.make_applicant(f"teilnehmerin{n}@example.org") for n in range(1, 4)]
    applications = [f.make_application(call, person, submit=True) for person in people]
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    call.refresh_from_db()
    accept(call, applications)
    return {
        "call": call, "people": people, "applications": applications,
        "coordinator": f.make_staff("coordinator", programme, email="koordination@example.org",
                                    name="Kim Koordination"),
        "lecturer": f.make_staff("lecturer", programme, email="dozentin@example.org",
                                 name="Dana Dozentin"),
    }


def _new_page(browser, base_url):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(15_000)
    return context.new_page()


def _moved_times(now):
    """now − 30 min to now + 3 h in German time, kept within today (the form has one day)."""
    local = timezone.localtime(now)
    day = local.date()
    start = max(local - timedelta(minutes=30),
                timezone.make_aware(datetime.combine(day, time(0, 0))))
    end = min(local + timedelta(hours=3),
              timezone.make_aware(datetime.combine(day, time(23, 59))))
    return day, start.time().replace(second=0, microsecond=0), end.time().replace(
        second=0, microsecond=0)


def test_cohort_schedule_checkin_attendance_project_completion_and_certificate(
        page, browser, base_url, course, date_order, clock):
    call = course["call"]

    def check(label, on=page):
        assert_no_violations(on, base_url, label=label)

    # --- The coordinator forms the cohort from the call page. ---
    sign_in_staff(page, course["coordinator"])
    page.goto(f"/verwaltung/ausschreibungen/{call.pk}/")
    check("call page, closed")
    follow(page, page.get_by_role("link", name=t("Form the cohort")))
    assert page.url.endswith(f"/verwaltung/kurse/ausschreibung/{call.pk}/kohorte-bilden/")
    check("form the cohort, confirm")
    follow(page, page.get_by_role("button", name=t("Form the cohort")))
    cohort = Cohort.objects.get(call=call)
    assert page.url.endswith(f"/verwaltung/kurse/{cohort.pk}/")
    assert page.locator('[data-count="participants"]').inner_text().strip() == "3"
    assert cohort.participants.count() == 3 and cohort.modules.count() == 8
    for position in range(1, 9):
        assert page.get_by_role("link", name=f"{position}. Baustein {position}",
                                exact=True).count() == 1
    check("cohort page")
    participants = {p.user_id: p for p in cohort.participants.all()}
    first, second, third = (participants[person.pk] for person in course["people"])

    # --- Module 1 gets its lecturer. ---
    module = cohort.modules.get(position=1)
    follow(page, page.get_by_role("link", name="1. Baustein 1", exact=True))
    check("module 1")
    follow(page, page.get_by_role("link", name=t("Edit title, aims and lecturers")))
    check("edit module 1")
    lecturer = course["lecturer"]
    activate(page, page.get_by_label(lecturer.display_name, exact=False), key="Space")
    assert page.get_by_label(lecturer.display_name, exact=False).is_checked()
    follow(page, page.get_by_role("button", name=t("Save"), exact=True))
    assert list(module.lecturers.all()) == [lecturer]
    check("module 1, lecturer saved")

    # --- The first session of module 1 is moved to now. ---
    session = module.sessions.order_by("starts_at").first()
    old_starts_at, old_ends_at = session.starts_at, session.ends_at
    day, start, end = _moved_times(timezone.now())
    follow(page, page.get_by_role("link", name=t("Edit or move")).first)
    assert page.url.endswith(f"/verwaltung/kurse/termine/{session.pk}/bearbeiten/")
    check("session form")
    type_date(page, page.get_by_label(t("Date"), exact=True), day, order=date_order)
    type_time(page, page.get_by_label(t("Starts at"), exact=True), start, clock=clock)
    type_time(page, page.get_by_label(t("Ends at"), exact=True), end, clock=clock)
    follow(page, page.get_by_role("button", name=t("Save"), exact=True))
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).date() == day
    assert timezone.localtime(session.starts_at).time() == start
    assert timezone.localtime(session.ends_at).time() == end
    assert session.sequence == 1
    check("module 1, session moved")
    for participant in (first, second, third):
        mail = OutboxMail.objects.get(to=participant.email, template="course_session_moved")
        old = timezone.localtime(old_starts_at)
        assert f"{old:%H:%M}–{timezone.localtime(old_ends_at):%H:%M}" in mail.body, mail.body
        assert f"{start:%H:%M}–{end:%H:%M}" in mail.body, mail.body
        assert f"{old.day}. " in mail.body and f"{day.day}. " in mail.body

    # --- The lecturer shows the check-in code in the room. ---
    lecturer_page = _new_page(browser, base_url)
    sign_in_staff(lecturer_page, lecturer)
    lecturer_page.goto(f"/verwaltung/kurse/sitzungen/{session.pk}/eincheck-code/")
    check("check-in code", on=lecturer_page)
    code = lecturer_page.locator("[data-code]").inner_text().replace(" ", "")
    assert len(code) == 16, code

    # --- The first participant checks in on the button. ---
    participant_page = _new_page(browser, base_url)
    sign_in_applicant(participant_page, first.email)
    participant_page.goto(f"/kurs/einchecken/{session.pk}/{code}/")
    check("check in", on=participant_page)
    follow(participant_page, participant_page.get_by_role("button", name=t("Check in")))
    recorded = Attendance.objects.get(session=session, participant=first)
    assert recorded.status == Attendance.Status.PRESENT
    assert recorded.source == Attendance.Source.QR and recorded.checked_in_at is not None
    check("checked in", on=participant_page)

    # --- The lecturer records the other two on the list, by keyboard. ---
    lecturer_page.goto(f"/verwaltung/kurse/sitzungen/{session.pk}/anwesenheit/")
    check("attendance list", on=lecturer_page)
    assert lecturer_page.locator(
        f'input[name="status_{first.pk}"][value="present"]').is_checked()
    order = [int(fid.rsplit("_", 1)[1]) for fid in lecturer_page.locator(
        "fieldset.kohorte-attendance__person").evaluate_all("(els) => els.map((e) => e.id)")]
    marks = {second.pk: "present", third.pk: "excused"}
    for pk in order:
        if pk not in marks:
            continue
        group = f"status_{pk}"
        choose_radio(lecturer_page, group,
                     lecturer_page.locator(f'input[name="{group}"][value="{marks[pk]}"]'))
        if marks[pk] == "excused":
            type_into(lecturer_page, lecturer_page.locator(f"#id_excuse_{pk}"),
                      "Krankmeldung liegt vor")
    tab_to(lecturer_page, lecturer_page.get_by_role("button", name=t("Save attendance")))
    with lecturer_page.expect_navigation():
        lecturer_page.keyboard.press("Space")
    statuses = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert statuses[first.pk].status == "present" and statuses[first.pk].source == "qr"
    assert statuses[second.pk].status == "present" and statuses[second.pk].source == "list"
    assert statuses[third.pk].status == "excused"
    assert statuses[third.pk].excuse_reason == "Krankmeldung liegt vor"
    assert statuses[second.pk].recorded_by == lecturer
    check("attendance list, saved", on=lecturer_page)

    # --- The practice project: plan, feedback, report, feedback. ---
    def write_and_submit(part, link, text, title=None):
        participant_page.goto(f"/kurs/{first.pk}/projekt/")
        check(f"project page before the {part}", on=participant_page)
        follow(participant_page, participant_page.get_by_role("link", name=link))
        check(f"write the {part}", on=participant_page)
        if title:
            type_into(participant_page,
                      participant_page.get_by_label(t("Title of your project"), exact=True), title)
        type_into(participant_page, participant_page.locator("#id_text"), text)
        follow(participant_page,
               participant_page.get_by_role("button", name=t("Save and continue to submit")))
        check(f"check the {part}", on=participant_page)
        button = t("Submit plan") if part == "plan" else t("Submit report")
        follow(participant_page, participant_page.get_by_role("button", name=button))
        check(f"project page, {part} submitted", on=participant_page)

    def accept_with_feedback(text):
        lecturer_page.goto(f"/verwaltung/kurse/{cohort.pk}/projekte/")
        check("projects overview", on=lecturer_page)
        lecturer_page.goto(f"/verwaltung/kurse/{cohort.pk}/projekte/{first.pk}/")
        check("project, feedback form", on=lecturer_page)
        choose_radio(lecturer_page, "verdict",
                     lecturer_page.locator('input[name="verdict"][value="accepted"]'))
        type_into(lecturer_page, lecturer_page.get_by_label(t("Your feedback"), exact=True), text)
        follow(lecturer_page, lecturer_page.get_by_role("button", name=t("Send feedback")))
        check("project, feedback sent", on=lecturer_page)

    write_and_submit("plan", t("Write your plan"),
                     "Ein Nachbarschaftscafé mit dem Quartiersbeirat.", title="Café Nordstadt")
    project = PracticeProject.objects.get(participant=first)
    assert project.state == PracticeProject.State.PLAN_SUBMITTED
    assert project.title == "Café Nordstadt"
    accept_with_feedback("Ein klarer Plan.")
    project.refresh_from_db()
    assert project.state == PracticeProject.State.PLAN_ACCEPTED
    write_and_submit("report", t("Write your report"),
                     "Das Café läuft seit drei Monaten jeden Dienstag.")
    project.refresh_from_db()
    assert project.state == PracticeProject.State.REPORT_SUBMITTED
    accept_with_feedback("Ein gelungener Bericht.")
    project.refresh_from_db()
    assert project.state == PracticeProject.State.ACCEPTED
    verdicts = list(ProjectFeedback.objects.filter(project=project).order_by("created_at")
                    .values_list("stage", "verdict", "author"))
    assert [(v[1], v[2]) for v in verdicts] == [("accepted", lecturer.pk)] * 2

    # --- The coordinator confirms the completion and issues the certificate. ---
    page.goto(f"/verwaltung/kurse/{cohort.pk}/abschluss/")
    check("completion overview")
    page.goto(f"/verwaltung/kurse/{cohort.pk}/abschluss/{first.pk}/")
    check("confirm completion")
    exception = page.get_by_label(t("Reason for the exception"), exact=True)
    # Whether the rule is met depends on the hours held by now; the page must agree.
    meets = completion_of(participant=first).meets
    assert exception.count() == (0 if meets else 1)
    if not meets:
        type_into(page, exception, "Ersatzleistungen außerhalb von Kohorte vereinbart.")
    follow(page, page.get_by_role(
        "button", name=t("Confirm completion") if meets else
        t("Confirm completion as an exception"), exact=True))
    first.refresh_from_db()
    assert first.completion_confirmed_at is not None
    check("completion, confirmed")

    page.goto(f"/verwaltung/kurse/{cohort.pk}/zertifikate/")
    check("certificates of the cohort")
    follow(page, page.get_by_role("button", name=re.compile(
        rf"^{re.escape(t('Issue certificate'))}\s*:\s*{re.escape(first.full_name)}$")))
    certificate = Certificate.objects.get(participant=first)
    assert certificate.revoked_at is None and certificate.pdf
    check("certificates, issued")

    participant_page.goto(f"/kurs/{first.pk}/")
    text = participant_page.locator("main").inner_text()
    assert format_code(certificate.code) in text, text
    check("participant's page with the certificate", on=participant_page)
    follow(participant_page,
           participant_page.get_by_role("link", name=t("Open the verification page")))
    assert f"/zertifikate/{certificate.code}/" in participant_page.url
    assert t("This certificate is valid") in participant_page.locator("main").inner_text()
    check("public check, valid", on=participant_page)

    # --- Revoked with a reason: the public check says so. ---
    follow(page, page.get_by_role("link", name=re.compile(
        rf"^{re.escape(t('Revoke'))}\s*:\s*{re.escape(first.full_name)}$")))
    check("revoke, confirm")
    type_into(page, page.get_by_label(t("Reason"), exact=True),
              "Die Anwesenheit wurde falsch erfasst.")
    follow(page, page.get_by_role("button", name=t("Revoke the certificate")))
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "Die Anwesenheit wurde falsch erfasst."
    check("certificates, revoked")
    participant_page.goto(f"/zertifikate/{certificate.code}/")
    main = participant_page.locator("main").inner_text()
    assert t("This certificate has been revoked") in main
    assert "Die Anwesenheit wurde falsch erfasst." not in main
    check("public check, revoked", on=participant_page)
    lecturer_page.context.close()
    participant_page.context.close()
