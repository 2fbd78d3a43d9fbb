"""The certificate rows of the permission matrix, and the helpers the certificate tests
share (a finished cohort whose people attended and were confirmed)."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from kohorte.programmes.models import Institution

from ..models import Attendance, CertificateSignatory, Participant, Session
from ..services.certificates import certificate_issue

LOGO_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'width="240" height="60"><rect width="240" height="60" fill="#003366"/>'
            b'<text x="12" y="40" fill="#ffffff" font-size="26">Logo</text></svg>')


def signature_png(width=300, height=100) -> bytes:
    image = Image.new("RGB", (width, height), (255, 255, 255))
    ImageDraw.Draw(image).line((10, height - 20, width - 10, 20), fill=(0, 0, 90), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def move_to_past(cohort, *, now=None):
    """Shift the cohort's sessions so that the last one ended a week ago."""
    now = now or timezone.now()
    sessions = Session.objects.filter(module__cohort=cohort)
    last = sessions.order_by("-ends_at").first()
    if last.ends_at > now - timedelta(days=7):
        shift = last.ends_at - now + timedelta(days=7)
        sessions.update(starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift)


def attend_all(cohort, *, absent_for=None, absent_sessions=1, confirm=True, now=None):
    """The course is over; everyone joined before the first session and was present at
    every session (``absent_for`` missed the first ``absent_sessions``); completion
    confirmed."""
    now = now or timezone.now()
    move_to_past(cohort, now=now)
    sessions = list(Session.objects.filter(module__cohort=cohort).order_by("starts_at"))
    first_day = timezone.localdate(sessions[0].starts_at)
    participants = list(cohort.participants.all())
    cohort.participants.update(joined_on=first_day)
    rows = []
    for participant in participants:
        missed = set(s.pk for s in sessions[:absent_sessions]) if participant == absent_for else set()
        rows += [Attendance(session=session, participant=participant, status="present")
                 for session in sessions if session.pk not in missed]
    Attendance.objects.bulk_create(rows)
    if confirm:
        cohort.participants.update(completion_confirmed_at=now)
    return sessions


def dress(cohort):
    """Logos for both institutions, a partner, two signatories (one with an image)."""
    programme = cohort.programme
    lead = programme.lead_institution
    lead.logo.save("logo.svg", ContentFile(LOGO_SVG), save=True)
    partner = Institution.objects.create(name="Hochschule Partnerstadt", city="Partnerstadt")
    partner.logo.save("logo.png", ContentFile(signature_png(240, 60)), save=True)
    programme.partners.add(partner)
    first = CertificateSignatory(cohort=cohort, institution=lead, name="Prof. Dr. Anna Beispiel",
                                 function="Studiengangsleitung", position=1)
    first.signature.save("sig.png", ContentFile(signature_png()), save=False)
    first.save()
    CertificateSignatory.objects.create(cohort=cohort, institution=partner,
                                        name="Prof. Dr. Ben Muster", function="Dekan", position=2)
    cohort.certificate_place = "Fulda"
    cohort.save(update_fields=["certificate_place"])
    return partner


def course(w):
    # Imported here: matrix_requests imports this module while it loads.
    from .matrix_requests import course as make_course

    return make_course(w)


def _confirmed_participant(w) -> Participant:
    course(w)
    participant = w.course_participant
    Participant.objects.filter(pk=participant.pk).update(completion_confirmed_at=timezone.now()
                                                         - timedelta(days=1))
    participant.refresh_from_db()
    return participant


def _issued(w):
    participant = _confirmed_participant(w)
    return certificate_issue(participant=participant, actor=None)


def _url(name, *args):
    return reverse(f"courses:{name}", args=args)


REQUESTS = {
    ("certificate", "issue"): lambda c, w: c.post(
        _url("certificate_issue", course(w).pk, _confirmed_participant(w).pk)),
    ("certificate", "revoke"): lambda c, w: c.post(
        _url("certificate_revoke", course(w).pk, _issued(w).pk),
        {"reason": "Name falsch geschrieben"}),
}
