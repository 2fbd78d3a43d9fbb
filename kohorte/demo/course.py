"""The demo's running course: last year's call, its cohort and a year of teaching.

A closed call "… 2025/26" (the November before the current demo call's) with sixteen
accepted places, the cohort formed from them, eight modules of which those already past
are held: attendance recorded, practice projects planned and reported, and — once the
last module is over — completions confirmed and certificates issued. Everything goes
through the services, with the time of each step given; only the selection itself is
short-cut (the offers are written as accepted), as the demo's current call shows the
selection. Loading twice changes nothing. Refused in production, as the rest of the demo.
"""

import io
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kohorte.accounts.models import User
from kohorte.applications import services as applications
from kohorte.applications.models import Application, Call, CallModule
from kohorte.courses.models import Attendance, Cohort, PracticeProject
from kohorte.courses.services import attendance, certificates, completion, projects
from kohorte.courses.services import cohort as cohorts
from kohorte.courses.services.attendance import Mark
from kohorte.selection.models import Offer, SelectionPolicy, SelectionRun

from .programme import (
    DESCRIPTION,
    ELIGIBILITY,
    FIRST_NAMES,
    LAST_NAMES,
    MODULES,
    MOTIVATIONS,
    PRIVACY,
    ROLES,
    SELECTION,
    _refuse_in_production,
)

PARTICIPANTS = 16


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _signature_png(text: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 90), "white")
    draw = ImageDraw.Draw(image)
    points = [(12 + 22 * i, 55 + (14 if i % 2 else -14) + (i * 3) % 9) for i in range(15)]
    draw.line(points, fill=(20, 30, 90), width=3)
    draw.text((14, 70), text, fill=(20, 30, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _call(programme, year: int) -> Call:
    closes = _at(date(year, 11, 2), 23).replace(minute=59)
    call = Call.objects.create(
        programme=programme, slug=f"qualifizierung-gwa-{year}",
        title=f"Qualifizierung Gemeinwesenarbeit {year}/{year + 1 - 2000:02d}",
        summary="Der laufende Kurs (Beispiel): acht Bausteine, Praxisprojekt, Zertifikat.",
        description=DESCRIPTION, eligibility_criteria=ELIGIBILITY,
        selection_criteria=SELECTION, privacy_notice=PRIVACY,
        opens_at=_at(date(year, 7, 14), 9), closes_at=closes, places=PARTICIPANTS,
        funding_year=year, release_due_date=date(year, 11, 30), reference_prefix="GWA",
        state=Call.State.PUBLISHED)
    first_monday = date(year, 12, 1) + timedelta(days=(7 - date(year, 12, 1).weekday()) % 7)
    for position, (title, weeks) in enumerate(MODULES, start=1):
        start = first_monday + timedelta(weeks=weeks)
        CallModule.objects.create(
            call=call, position=position, title=title, start_date=start,
            end_date=start + timedelta(days=1),
            place="Hochschule Fulda" if position % 2 else "Hochschule RheinMain, Wiesbaden")
    return call


def _applications(call, sites, rng) -> list[Application]:
    submitted_on = call.closes_at - timedelta(days=20)
    made = []
    funded = [site for site in sites if site.fundings.filter(year=call.funding_year).exists()]
    for number in range(1, PARTICIPANTS + 1):
        email = f"kurs{call.funding_year % 100:02d}-{number:02d}@beispiel.example"
        user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(email)
        application = applications.application_start(call=call, applicant=user, now=submitted_on)
        site = rng.choice(funded or sites)
        steps = {
            "contact": {"first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
                        "phone": ""},
            "employment": {"site": site, "organisation": site.organisation, "region": site.region,
                           "organisation_other": "", "site_other": "",
                           "job_title": rng.choice(ROLES), "weekly_hours": 30,
                           "employment_kind": "paid", "employed_since": date(2021, 4, 1)},
            "qualification": {"qualification": "social_work", "qualification_detail": ""},
            "motivation": {"motivation": rng.choice(MOTIVATIONS)},
            "commitment": {"commits_to_all_modules": True},
            "release": {"release_later": True},
            "accessibility": {"accessibility_needs": "", "accessibility_consent": False},
            "privacy": {},
        }
        for step, data in steps.items():
            applications.application_save_step(application=application, step=step, data=data,
                                               actor=user, now=submitted_on)
        made.append(applications.application_submit(application=application, actor=user,
                                                     now=submitted_on))
    return made


def _accept(call, made):
    """The places, as the selection would have given them (the current call shows it)."""
    decided = call.closes_at + timedelta(days=10)
    policy = SelectionPolicy.objects.filter(call=call).first() or SelectionPolicy.objects.create(
        call=call, version=1)
    run = SelectionRun.objects.create(
        call=call, policy=policy, state=SelectionRun.State.CONFIRMED, confirmed_at=decided,
        candidate_list="[]", candidate_hash="demo",
        instance={"applicants": []},
        result={"selected": [a.reference for a in made], "waiting_list": [], "explanations": {}})
    for application in made:
        Offer.objects.create(application=application, call=call, run=run,
                             state=Offer.State.ACCEPTED, created_at=decided,
                             deadline=decided + timedelta(days=14), decided_at=decided)
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)


def _teach(cohort, lecturers, coordinator, today, rng):
    """Lecturers per module, and the attendance of every session already held."""
    participants = list(cohort.participants.order_by("pk"))
    weak = participants[-1]  # one person misses much: the overview warns about them
    for module in cohort.modules.order_by("position"):
        module.lecturers.set(lecturers[(module.position - 1) % len(lecturers):][:1] or lecturers)
        for session in module.sessions.order_by("starts_at"):
            if timezone.localdate(session.ends_at) >= today:
                continue
            marks = []
            for person in participants:
                roll = rng.random()
                if person is weak and roll < 0.45:
                    marks.append(Mark(participant=person, status="absent"))
                elif roll < 0.05:
                    marks.append(Mark(participant=person, status="excused",
                                      excuse_reason="Krankheit (Beispiel)"))
                else:
                    marks.append(Mark(participant=person, status="present"))
            lecturer = module.lecturers.first() or coordinator
            attendance.attendance_record_list(session=session, marks=marks, actor=lecturer,
                                              now=session.ends_at)


def _projects(cohort, lecturer, dates, today):
    plan_due, report_due = dates
    for number, person in enumerate(cohort.participants.order_by("pk")):
        steps = [
            ("plan", plan_due - timedelta(days=10), "Nachbarschaftscafé als Treffpunkt im Quartier",
             "Ziel: ein wöchentliches Café mit Bewohnerinnen und Bewohnern aufbauen."),
            ("report", report_due - timedelta(days=10), None,
             "Das Café läuft seit dem Frühjahr; zwölf Ehrenamtliche tragen es mit."),
        ]
        for stage, day, title, text in steps:
            if day >= today or (stage == "report" and number % 5 == 4):
                break  # not yet due, or (every fifth person) the report is still missing
            when = _at(day)
            projects.project_save_draft(participant=person, stage=stage, text=text, title=title,
                                        actor=person.user, now=when)
            projects.project_submit(participant=person, stage=stage, actor=person.user, now=when)
            project = PracticeProject.objects.get(participant=person)
            projects.project_feedback_give(
                project=project, verdict="accepted", actor=lecturer, now=when + timedelta(days=4),
                text="Gut nachvollziehbar; bitte die Beteiligung der Bewohnerschaft weiter "
                     "dokumentieren.")


def _complete(cohort, coordinator, today):
    last = max(s.ends_at for m in cohort.modules.all() for s in m.sessions.all())
    if timezone.localdate(last) >= today:
        return 0
    confirmed = completion.completion_confirm_all(cohort=cohort, actor=coordinator,
                                                  now=last + timedelta(days=7))
    for participant in confirmed[:6]:
        certificates.certificate_issue(participant=participant, actor=coordinator,
                                       now=last + timedelta(days=8))
    return len(confirmed)


@transaction.atomic
def load_course(*, programme, sites, today: date) -> dict:
    """The cohort of the call that closed on the 2 November before ``today``'s year."""
    _refuse_in_production()
    year = today.year - 1
    if Call.objects.filter(slug=f"qualifizierung-gwa-{year}").exists():
        return {"course": "exists"}
    from django.core.files.base import ContentFile

    rng = random.Random(2025)  # noqa: S311 - demo data, not security
    coordinator = User.objects.get(email__iexact="koordination@hs-fulda.example")
    lecturers = [User.objects.get(email__iexact="lehre@hs-rm.example")]
    call = _call(programme, year)
    made = _applications(call, sites, rng)
    _accept(call, made)
    cohort = cohorts.cohort_create(call=call, actor=coordinator,
                                   now=call.closes_at + timedelta(days=25))
    Cohort.objects.filter(pk=cohort.pk).update(
        certificate_place="Fulda",
        project_plan_due=date(year + 1, 3, 31), project_report_due=date(year + 1, 10, 15))
    cohort.refresh_from_db()
    for institution, name, function in [
            (programme.lead_institution, "Prof. Dr. Beispiel Leitung", "Studiengangsleitung"),
            (programme.partners.exclude(pk=programme.lead_institution_id).first(),
             "Prof. Dr. Beispiel Partnerin", "Dekanin")]:
        if institution is not None:
            certificates.signatory_add(
                cohort=cohort, institution=institution, name=name, function=function,
                signature=ContentFile(_signature_png(name), name="unterschrift.png"),
                actor=coordinator)
    _teach(cohort, lecturers, coordinator, today, rng)
    _projects(cohort, lecturers[0], (cohort.project_plan_due, cohort.project_report_due), today)
    completed = _complete(cohort, coordinator, today)
    return {"course": cohort.title, "participants": cohort.participants.count(),
            "attendance": Attendance.objects.filter(session__module__cohort=cohort).count(),
            "completed": completed}
