"""Factories for tests: plain functions that build valid objects with few arguments."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohorte.accounts.backends import USER_BACKEND
from kohorte.accounts.models import Role, User
from kohorte.applications import services
from kohorte.applications.models import Application, Call, CallModule, Document
from kohorte.programmes.models import (
    Funder,
    Institution,
    Organisation,
    Programme,
    Region,
    Site,
    SiteFunding,
)

_seq = itertools.count(1)
PASSWORD = "Test-Passwort-2026!"
TOTP_KEY = "3132333435363738393031323334353637383930"
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def make_programme(**kwargs) -> Programme:
    n = next(_seq)
    funder = kwargs.pop("funder", None) or Funder.objects.create(name=f"Ministerium {n}", short_name=f"M{n}")
    lead = kwargs.pop("lead_institution", None) or Institution.objects.create(
        name=f"Hochschule {n}", short_name=f"HS{n}")
    defaults = {"name": f"Programm {n}", "slug": f"programm-{n}", "funder": funder,
                "lead_institution": lead, "budget": Decimal("47500.00")}
    defaults.update(kwargs)
    programme = Programme.objects.create(**defaults)
    programme.partners.add(lead)
    return programme


def make_call(programme=None, *, now=None, **kwargs) -> Call:
    now = now or timezone.now()
    programme = programme or make_programme()
    n = next(_seq)
    defaults = {
        "programme": programme, "title": f"Ausschreibung {n}", "slug": f"ausschreibung-{n}",
        "summary": "Kurzbeschreibung", "description": "Beschreibung",
        "eligibility_criteria": "Voraussetzungen", "selection_criteria": "Auswahl",
        "privacy_notice": "Datenschutzhinweis", "opens_at": now - timedelta(days=10),
        "closes_at": now + timedelta(days=30), "places": 20,
        "funding_year": timezone.localdate(now).year, "reference_prefix": "GWA",
        "state": Call.State.PUBLISHED,
    }
    defaults.update(kwargs)
    call = Call.objects.create(**defaults)
    start = timezone.localdate(defaults["closes_at"]) + timedelta(days=30)
    for position in range(1, 9):
        day = start + timedelta(weeks=6 * (position - 1))
        CallModule.objects.create(call=call, position=position, title=f"Baustein {position}",
                                  start_date=day, end_date=day + timedelta(days=1),
                                  place="Fulda" if position % 2 else "Wiesbaden")
    return call


def region(name="Fulda", kind="Landkreis") -> Region:
    return Region.objects.get(name=name, kind=kind)


def make_site(programme=None, *, funded_year=None, region_name="Fulda", organisation=None) -> Site:
    n = next(_seq)
    organisation = organisation or Organisation.objects.create(name=f"Träger {n}", municipality="Fulda")
    site = Site.objects.create(name=f"Quartier {n}", municipality="Fulda", organisation=organisation,
                               region=region(region_name))
    if programme is not None and funded_year is not None:
        SiteFunding.objects.create(site=site, programme=programme, year=funded_year)
    return site


def make_applicant(email=None) -> User:
    return User.objects.create_user(email or f"person{next(_seq)}@example.org")


def make_staff(role=None, programme=None, *, email=None, name="") -> User:
    user = User.objects.create_user(email or f"staff{next(_seq)}@example.org", PASSWORD,
                                    display_name=name, is_staff=True)
    if role:
        Role.objects.create(user=user, programme=programme, kind=role)
    TOTPDevice.objects.create(user=user, name="App", key=TOTP_KEY, confirmed=True)
    device = StaticDevice.objects.create(user=user, name="Wiederherstellung")
    StaticToken.objects.create(device=device, token="recovery-1")
    return user


def login_staff(client, user):
    """Sign a staff member in with a verified second factor (as after a real login)."""
    client.force_login(user, backend=USER_BACKEND)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.first().persistent_id
    session.save()
    return client


COMPLETE_ANSWERS = {
    "contact": {"first_name": "Aylin", "last_name": "Muster", "phone": ""},
    "qualification": {"qualification": "social_work", "qualification_detail": "B.A. Soziale Arbeit"},
    "motivation": {"motivation": "Ich möchte Beteiligung im Quartier methodisch sicherer gestalten " * 2},
    "commitment": {"commits_to_all_modules": True},
    "accessibility": {"accessibility_needs": "", "accessibility_consent": False},
    "privacy": {},
}


def make_application(call, applicant=None, *, site=None, submit=False, release=True,
                     employment_kind="paid", weekly_hours=Decimal("30"), now=None,
                     **answers) -> Application:
    """An application with every step answered (and submitted if asked)."""
    applicant = applicant or make_applicant()
    site = site or make_site(call.programme, funded_year=call.funding_year)
    application = services.application_start(call=call, applicant=applicant, now=now)
    steps = dict(COMPLETE_ANSWERS)
    steps["employment"] = {
        "site": site, "organisation": site.organisation, "region": site.region,
        "organisation_other": "", "site_other": "", "job_title": "Quartiersmanagerin",
        "weekly_hours": weekly_hours, "employment_kind": employment_kind,
        "employed_since": date(2022, 3, 1),
    }
    steps["release"] = {"release_later": not release}
    for step, data in answers.items():
        steps[step] = {**steps.get(step, {}), **data}
    if release:
        services.document_upload(application=application, kind=Document.Kind.EMPLOYER_RELEASE,
                                 uploaded_file=ContentFile(PDF_BYTES, name="freistellung.pdf"),
                                 actor=applicant, now=now)
    for step in ["contact", "employment", "qualification", "motivation", "commitment",
                 "release", "accessibility", "privacy"]:
        services.application_save_step(application=application, step=step, data=steps[step],
                                       actor=applicant, now=now)
    if submit:
        services.application_submit(application=application, actor=applicant, now=now)
    application.refresh_from_db()
    return application


def next_reference_number(call) -> int:
    """The number the next submit to ``call`` gets (counted per prefix and year)."""
    return services.reference_next_number(call)


def aware(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, hh, mm, ss))


def day_time(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
