from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from kohorte.demo.programme import RECOVERY_CODES, STAFF


class Command(BaseCommand):
    help = "Print the demo staff logins and how to get their current security code."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            return
        course = f"{(timezone.localdate().year - 1) % 100:02d}"  # see demo/course.py
        self.stdout.write("\nDemo-Zugänge (Mitarbeitende: /konto/mitarbeitende/anmelden/):")
        for email, _name, role, _inst, password, _key in STAFF:
            self.stdout.write(f"  {role:<12} {email:<34} Passwort: {password}")
        self.stdout.write(
            "  Sicherheitscode (TOTP), aktuell:  .venv/bin/python manage.py demo_totp E-MAIL\n"
            f"  Wiederherstellungscodes (einmalig): {', '.join(RECOVERY_CODES)}\n"
            "Bewerberinnen und Bewerber melden sich ohne Passwort mit einem Link an; die Mail\n"
            "steht im Postausgang (/verwaltung/postausgang/, als Koordination angemeldet).\n"
            f"Beispiel-Teilnehmende des laufenden Kurses: kurs{course}-01@beispiel.example bis\n"
            f"kurs{course}-16@beispiel.example (Kursseite /kurs/ nach der Anmeldung).\n"
        )
