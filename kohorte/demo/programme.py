"""The demo programme: the Hessian GWA qualification, with sample sites and applications.

Everything here is data for a demonstration; sites, organisations and people are
invented (marked ``is_sample``). Loading twice changes nothing. Refused in production.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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

# Staff accounts: (e-mail, name, role, institution short name, password, TOTP key hex).
# The keys are fixed so that `manage.py demo_totp` and the tests can compute codes.
STAFF = [
    ("koordination@hs-fulda.example", "Kim Koordination", "coordinator", "HS Fulda",
     "Demo-Koordination-2026", "3132333435363738393031323334353637383930"),
    ("koordination2@hs-fulda.example", "Jo Zweitprüfung", "coordinator", "HS Fulda",
     "Demo-Koordination2-2026", "4142434445464748494a4b4c4d4e4f5051525354"),
    ("gutachten@hs-rm.example", "Robin Gutachten", "reviewer", "HS RheinMain",
     "Demo-Gutachten-2026", "6162636465666768696a6b6c6d6e6f7071727374"),
    ("lehre@hs-rm.example", "Alex Lehre", "lecturer", "HS RheinMain",
     "Demo-Lehre-2026", "3031323334353637383961626364656667686970"),
    ("evaluation@hs-fulda.example", "Sam Evaluation", "evaluator", "HS Fulda",
     "Demo-Evaluation-2026", "7a7978777675747372717069686766656463626a"),
    ("ministerium@hmaijs.example", "Mika Ministerium", "funder", None,
     "Demo-Ministerium-2026", "5a5958575655545352515049484746454443424a"),
    ("admin@hs-fulda.example", "Ari Administration", "admin", "HS Fulda",
     "Demo-Administration-2026", "4a4b4c4d4e4f505152535455565758595a414243"),
]
RECOVERY_CODES = ["demo-rec-01", "demo-rec-02", "demo-rec-03", "demo-rec-04", "demo-rec-05"]

# (town, Kreis name, Kreis kind, Quartiere)
TOWNS = [
    ("Frankfurt am Main", "Frankfurt am Main", "Kreisfreie Stadt", ["Nordweststadt", "Gallus", "Sossenheim", "Fechenheim-Nord"]),
    ("Offenbach am Main", "Offenbach am Main", "Kreisfreie Stadt", ["Nordend", "Lauterborn"]),
    ("Darmstadt", "Darmstadt", "Kreisfreie Stadt", ["Kranichstein", "Eberstadt-Süd"]),
    ("Wiesbaden", "Wiesbaden", "Kreisfreie Stadt", ["Biebrich-Parkfeld", "Klarenthal", "Schelmengraben"]),
    ("Hanau", "Hanau", "Kreisfreie Stadt", ["Lamboy", "Südliche Innenstadt"]),
    ("Rüsselsheim am Main", "Groß-Gerau", "Landkreis", ["Dicker Busch"]),
    ("Dietzenbach", "Offenbach", "Landkreis", ["Spessartviertel"]),
    ("Bensheim", "Bergstraße", "Landkreis", ["Weststadt"]),
    ("Maintal", "Main-Kinzig-Kreis", "Landkreis", ["Bischofsheim-Nord"]),
    ("Bad Vilbel", "Wetteraukreis", "Landkreis", ["Heilsberg"]),
    ("Gießen", "Gießen", "Landkreis", ["Nordstadt", "Weststadt", "Flussstraßenviertel"]),
    ("Wetzlar", "Lahn-Dill-Kreis", "Landkreis", ["Niedergirmes", "Dalheim"]),
    ("Marburg", "Marburg-Biedenkopf", "Landkreis", ["Richtsberg", "Waldtal"]),
    ("Limburg an der Lahn", "Limburg-Weilburg", "Landkreis", ["Blumenrod"]),
    ("Alsfeld", "Vogelsbergkreis", "Landkreis", ["Krebsbach"]),
    ("Kassel", "Kassel", "Kreisfreie Stadt", ["Nord-Holland", "Oberzwehren", "Rothenditmold", "Wesertor"]),
    ("Baunatal", "Kassel", "Landkreis", ["Rengershausen"]),
    ("Fulda", "Fulda", "Landkreis", ["Aschenberg", "Ziehers-Nord", "Galerie"]),
    ("Bad Hersfeld", "Hersfeld-Rotenburg", "Landkreis", ["Hohe Luft"]),
    ("Eschwege", "Werra-Meißner-Kreis", "Landkreis", ["Heuberg"]),
    ("Korbach", "Waldeck-Frankenberg", "Landkreis", ["Hauer"]),
    ("Schwalmstadt", "Schwalm-Eder-Kreis", "Landkreis", ["Treysa-Ost"]),
]

MODULES = [
    ("Gemeinwesenarbeit und Sozialraumanalyse", 0),
    ("Aktivierung, Beteiligung, Empowerment", 7),
    ("Netzwerk- und Kooperationsarbeit", 12),
    ("Moderation und Konfliktbearbeitung", 20),
    ("Vielfalt und Demokratieförderung im Quartier", 27),
    ("Projektmanagement, Fördermittel, Berichtswesen", 31),
    ("Intermediäre Rolle und Lokalpolitik", 42),
    ("Professionelle Haltung, Reflexion, Abschluss", 48),
]

FIRST_NAMES = ["Aylin", "Jonas", "Mira", "Lukas", "Fatma", "Tobias", "Lea", "Murat", "Sophie",
               "Daniel", "Elif", "Jan", "Hannah", "Mehmet", "Laura", "Paul", "Nadia", "Felix",
               "Sara", "Ben", "Olga", "Timo", "Ines", "Yusuf", "Clara", "David", "Zeynep", "Nils"]
LAST_NAMES = ["Yilmaz", "Schneider", "Weber", "Kowalski", "Fischer", "Demir", "Becker", "Hoffmann",
              "Schulz", "Nowak", "Wagner", "Kaya", "Richter", "Klein", "Wolf", "Braun", "Öztürk",
              "Zimmermann", "Krüger", "Hartmann", "Lange", "Schmitt", "Arslan", "Koch"]
ROLES = ["Quartiersmanagerin", "Gemeinwesenarbeiter", "Stadtteilkoordinatorin",
         "Sozialarbeiter im Quartiersbüro", "Projektleitung Gemeinwesenarbeit"]
MOTIVATIONS = [
    "Ich arbeite seit zwei Jahren im Quartiersbüro und möchte Beteiligungsverfahren methodisch sicherer gestalten, vor allem mit Menschen, die bisher kaum erreicht werden.",
    "In unserem Stadtteil entstehen viele Initiativen. Ich möchte lernen, wie ich Netzwerke so moderiere, dass Bewohnerinnen und Bewohner selbst Verantwortung übernehmen.",
    "Mich interessiert besonders die Sozialraumanalyse: Ich möchte Daten und Gespräche so verbinden, dass wir unsere Arbeit im Quartier besser begründen können.",
    "Konflikte zwischen Nachbarschaften nehmen zu. Ich erhoffe mir Werkzeuge für Konfliktbearbeitung und einen Austausch mit Kolleginnen und Kollegen aus ganz Hessen.",
]

DESCRIPTION = """Die berufsbegleitende Qualifizierung richtet sich an hauptamtliche Fachkräfte der Gemeinwesenarbeit in Hessen. Sie verbindet acht zweitägige Bausteine, die abwechselnd in Fulda und Wiesbaden stattfinden, mit einem Praxisprojekt im eigenen Quartier.

Die Teilnahme ist kostenfrei. Das Land Hessen fördert Durchführung und Evaluation. Wer alle Bausteine besucht und das Praxisprojekt abschließt, erhält ein gemeinsames Zertifikat beider Hochschulen."""

ELIGIBILITY = """- Sie sind **hauptamtlich** (bezahlt) in der Gemeinwesenarbeit tätig, in Voll- oder Teilzeit. Ehrenamtliche können leider nicht teilnehmen.
- Vorrang haben Fachkräfte aus Projekten, die im Landesprogramm Gemeinwesenarbeit gefördert werden. Fachkräfte aus anderen Kontexten der Gemeinwesenarbeit können sich für freie Plätze bewerben.
- Sie nehmen an **allen acht Bausteinen** teil.
- Ihr Arbeitgeber stellt Sie für die Termine frei (Freistellungserklärung; sie kann bis zum angegebenen Datum nachgereicht werden)."""

SELECTION = """Über die Plätze entscheidet ein nachvollziehbares Verfahren:

1. Zuerst werden Fachkräfte aus geförderten Projekten berücksichtigt, dann weitere.
2. Innerhalb dieser Gruppen zählt die Bewertung der Bewerbung durch zwei Gutachterinnen oder Gutachter (Praxisbezug, Motivation, Transferpotenzial).
3. Die Plätze werden ausgewogen auf die drei Regierungsbezirke verteilt; je Träger werden höchstens zwei Personen aufgenommen.
4. Bei gleicher Bewertung entscheidet ein überprüfbares Losverfahren. Wer keinen Platz erhält, kommt auf die Warteliste."""

PRIVACY = """Ihre Angaben verarbeitet die Hochschule Fulda, um über Ihre Teilnahme zu entscheiden und die Qualifizierung durchzuführen (Art. 6 Abs. 1 lit. e DSGVO). Die Gutachterinnen und Gutachter beider Hochschulen sehen die Bewerbungen, die ihnen zugewiesen sind. Das Ministerium erhält nur zusammengefasste Zahlen, keine Namen.

Bewerbungen ohne Platz löschen wir sechs Monate nach der Entscheidung. Angaben zur Barrierefreiheit löschen wir nach dem Kurs. Einzelheiten und Ihre Rechte finden Sie in der Datenschutzerklärung."""

IMPRINT = """**Hochschule Fulda**
Leipziger Straße 123
36037 Fulda

Die Hochschule Fulda ist eine Körperschaft des öffentlichen Rechts und zugleich staatliche Einrichtung des Landes Hessen. Sie wird vertreten durch ihren Präsidenten oder ihre Präsidentin.

Kontakt zur Qualifizierung Gemeinwesenarbeit: gwa-qualifizierung@hs-fulda.example

*Dies ist eine Demonstration mit Beispieldaten.*"""

# A minimal one-page PDF, so that demo applications carry a real employer release file.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def next_november_second(today: date) -> date:
    candidate = date(today.year, 11, 2)
    return candidate if candidate >= today else date(today.year + 1, 11, 2)


def _refuse_in_production():
    if not settings.DEMO_DATA_ALLOWED:
        raise ImproperlyConfigured("The demo programme never loads into a production configuration.")


@transaction.atomic
def load(*, today: date | None = None, applications: int = 60) -> dict:
    _refuse_in_production()
    today = today or timezone.localdate()
    funder, _ = Funder.objects.get_or_create(
        short_name="HMAIJS",
        defaults={"name": "Hessisches Ministerium für Arbeit, Integration, Jugend und Soziales",
                  "former_names": "Hessisches Ministerium für Soziales und Integration (HMSI)"},
    )
    fulda, _ = Institution.objects.get_or_create(
        short_name="HS Fulda", defaults={"name": "Hochschule Fulda", "city": "Fulda",
                                         "address": "Leipziger Straße 123, 36037 Fulda"})
    rheinmain, _ = Institution.objects.get_or_create(
        short_name="HS RheinMain", defaults={"name": "Hochschule RheinMain", "city": "Wiesbaden",
                                             "address": "Kurt-Schumacher-Ring 18, 65197 Wiesbaden"})
    closes_day = next_november_second(today)
    year = closes_day.year
    programme, _ = Programme.objects.get_or_create(
        slug="gwa-hessen",
        defaults={"name": "Landesprogramm Gemeinwesenarbeit", "funder": funder,
                  "lead_institution": fulda, "budget": Decimal("47500.00"),
                  "period_start": date(year, 7, 1), "period_end": date(year + 1, 12, 31),
                  "contact_email": "gwa-qualifizierung@hs-fulda.example", "is_sample": True},
    )
    programme.partners.add(fulda, rheinmain)
    _staff(programme, {"HS Fulda": fulda, "HS RheinMain": rheinmain})
    sites = _sites(programme, year)
    call = _call(programme, today, closes_day)
    created = _applications(call, sites, count=applications)
    from .reviews import load_reviews  # the selection stage's part of the demo

    load_reviews(call)
    from .course import load_course  # last year's cohort, its course under way or done

    course = load_course(programme=programme, sites=sites, today=today)
    from kohorte.budget.demo import load_demo_budget

    coordinator = User.objects.get(email__iexact=STAFF[0][0])
    load_demo_budget(programme, coordinator, User.objects.get(email__iexact=STAFF[1][0]))
    from kohorte.reporting.demo import load_demo_proof

    load_demo_proof(programme, coordinator)
    _site_texts()
    return {"programme": programme.name, "call": call.title, "sites": len(sites),
            "applications_created": created, **course}


def _staff(programme, institutions):
    for email, name, role, institution, password, key in STAFF:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, password, display_name=name, is_staff=True)
            if role == "admin":
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        Role.objects.get_or_create(user=user, programme=programme, kind=role,
                                   defaults={"institution": institutions.get(institution)})
        TOTPDevice.objects.get_or_create(user=user, name="Demo-App",
                                         defaults={"key": key, "confirmed": True})
        device, created = StaticDevice.objects.get_or_create(user=user, name="Wiederherstellungscodes")
        if created:
            for token in RECOVERY_CODES:
                StaticToken.objects.create(device=device, token=token)


def _sites(programme, year):
    rng = random.Random(1)  # noqa: S311 - demo data, not security
    sites = []
    for town, kreis, kind, quartiere in TOWNS:
        region = Region.objects.filter(name=kreis, kind=kind).first()
        for quartier in quartiere:
            organisation, _ = Organisation.objects.get_or_create(
                name=f"Beispiel-Träger Gemeinwesenarbeit {town}" if rng.random() < 0.6
                else f"Nachbarschaftsverein {town}-{quartier} e.V. (Beispiel)",
                defaults={"municipality": town, "is_sample": True})
            site, created = Site.objects.get_or_create(
                name=quartier, municipality=town,
                defaults={"organisation": organisation, "region": region, "is_sample": True})
            if created and rng.random() < 0.8:
                SiteFunding.objects.get_or_create(site=site, programme=programme, year=year)
            sites.append(site)
    return sites


def _call(programme, today, closes_day):
    closes_at = timezone.make_aware(datetime.combine(closes_day, time(23, 59)))
    call = Call.objects.filter(slug=f"qualifizierung-gwa-{closes_day.year}").first()
    if call:
        return call
    call = Call.objects.create(
        programme=programme, slug=f"qualifizierung-gwa-{closes_day.year}",
        title=f"Qualifizierung Gemeinwesenarbeit {closes_day.year}/{closes_day.year + 1 - 2000:02d}",
        summary="Berufsbegleitende Qualifizierung für hauptamtliche Fachkräfte der Gemeinwesenarbeit in Hessen: acht Bausteine, Praxisprojekt, Zertifikat.",
        description=DESCRIPTION, eligibility_criteria=ELIGIBILITY,
        selection_criteria=SELECTION, privacy_notice=PRIVACY,
        opens_at=timezone.make_aware(datetime.combine(today - timedelta(days=7), time(9, 0))),
        closes_at=closes_at, places=20, funding_year=closes_day.year,
        release_due_date=closes_day + timedelta(days=28), reference_prefix="GWA",
        state=Call.State.PUBLISHED,
    )
    first_monday = closes_day + timedelta(days=(7 - closes_day.weekday()) % 7 + 28)
    for position, (title, weeks) in enumerate(MODULES, start=1):
        start = first_monday + timedelta(weeks=weeks)
        CallModule.objects.create(call=call, position=position, title=title, start_date=start,
                                  end_date=start + timedelta(days=1),
                                  place="Hochschule Fulda" if position % 2 else "Hochschule RheinMain, Wiesbaden")
    call.waiting_list_closes_on = first_monday + timedelta(weeks=MODULES[1][1])
    call.release_template.save("freistellung.pdf", ContentFile(DEMO_PDF), save=False)
    call.release_template_name = "Vorlage-Freistellung.pdf"
    call.save(update_fields=["waiting_list_closes_on", "release_template", "release_template_name"])
    return call


def _applications(call, sites, *, count):
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    created = 0
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"bewerbung{number:02d}@beispiel.example"
        user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(email)
        if Application.objects.filter(call=call, applicant=user).exists():
            continue
        application = services.application_start(call=call, applicant=user)
        created += 1
        site = rng.choice(sites)
        kind = "volunteer" if rng.random() < 0.07 else "paid"
        steps = {
            "contact": {"first_name": first, "last_name": last, "phone": ""},
            "employment": {"site": site, "organisation": site.organisation, "region": site.region,
                           "organisation_other": "", "site_other": "",
                           "job_title": rng.choice(ROLES),
                           "weekly_hours": Decimal(rng.choice(["19.5", "25", "30", "39", "39.5"])),
                           "employment_kind": kind,
                           "employed_since": date(rng.randint(2012, 2026), rng.randint(1, 12), 1)},
            "qualification": {"qualification": rng.choice(["social_work", "social_work", "other_degree", "vocational"]),
                              "qualification_detail": ""},
            "motivation": {"motivation": rng.choice(MOTIVATIONS)},
            "commitment": {"commits_to_all_modules": rng.random() > 0.05},
            "release": {"release_later": True},
            "accessibility": {"accessibility_needs": "", "accessibility_consent": False},
            "privacy": {},
        }
        outcome = rng.random()
        stop_after = rng.randint(1, 6) if outcome < 0.1 else None  # an unfinished draft
        for index, (step, data) in enumerate(steps.items()):
            if stop_after is not None and index >= stop_after:
                break
            if step == "release" and rng.random() < 0.6:
                services.document_upload(application=application, kind=Document.Kind.EMPLOYER_RELEASE,
                                         uploaded_file=ContentFile(DEMO_PDF, name="Freistellung.pdf"),
                                         actor=user)
                data = {"release_later": False}
            services.application_save_step(application=application, step=step, data=data, actor=user)
        if stop_after is None:
            services.application_submit(application=application, actor=user)
            if outcome > 0.95:
                services.application_withdraw(application=application, actor=user,
                                              reason="Beispiel: Stellenwechsel")
    return created


def _site_texts():
    from kohorte.core.models import SiteText

    SiteText.objects.filter(key=SiteText.Key.IMPRINT).update(body_de=IMPRINT, body_en=IMPRINT)
