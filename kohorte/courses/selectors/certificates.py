"""Reads for the certificates: the cohort's overview, a participant's certificate, the
public check by code."""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import Certificate, CertificateBatch, CertificateSignatory, Cohort, Participant

_NOT_CODE = re.compile(r"[\s\-–—_.]+")


def normalise_code(text: str) -> str:
    """What a person types, as stored: upper case, without spaces and dashes."""
    return _NOT_CODE.sub("", text or "").upper()


def cohort_for_certificates(*, pk) -> Cohort | None:
    return Cohort.objects.select_related("call__programme__lead_institution").filter(pk=pk).first()


def eligible_participants(cohort):
    """Who may get a certificate now: taking part, completion confirmed, none valid yet."""
    return (cohort.participants.filter(state=Participant.State.ACTIVE,
                                       completion_confirmed_at__isnull=False)
            .exclude(pk__in=Certificate.objects.filter(revoked_at__isnull=True)
                     .values("participant_id"))
            .order_by("last_name", "first_name", "pk"))


@dataclass
class CertificateRow:
    participant: Participant
    valid: Certificate | None = None
    revoked: list = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return (self.valid is None and self.participant.state == Participant.State.ACTIVE
                and self.participant.completion_confirmed_at is not None)


def certificate_overview(cohort) -> list[CertificateRow]:
    """One row per participant with their valid and revoked certificates (two queries)."""
    participants = cohort.participants.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-issued_at", "-pk")))
    rows = []
    for participant in participants:
        row = CertificateRow(participant=participant)
        for certificate in participant.certificates.all():
            if certificate.is_valid:
                row.valid = certificate
            else:
                row.revoked.append(certificate)
        rows.append(row)
    return rows


def signatories_of(cohort):
    return list(CertificateSignatory.objects.filter(cohort=cohort).select_related("institution"))


def latest_batch(cohort) -> CertificateBatch | None:
    return cohort.certificate_batches.order_by("-created_at", "-pk").first()


def batch_for_cohort(*, cohort, pk) -> CertificateBatch | None:
    return cohort.certificate_batches.filter(pk=pk).first()


def certificate_for_cohort(*, cohort, pk) -> Certificate | None:
    return (Certificate.objects.select_related("participant")
            .filter(participant__cohort=cohort, pk=pk).first())


def participant_of_user(*, user, pk) -> Participant | None:
    """The participant ``pk`` if it is ``user``'s own place (anyone else's is None: 404)."""
    if not user.is_authenticated:
        return None
    return Participant.objects.select_related("cohort").filter(pk=pk, user=user).first()


def valid_certificate_of(participant) -> Certificate | None:
    return participant.certificates.filter(revoked_at__isnull=True).first()


def certificate_by_code(code: str) -> Certificate | None:
    code = normalise_code(code)
    if not code:
        return None
    return Certificate.objects.filter(code=code).only(
        "code", "holder_name", "programme_title", "issued_on", "revoked_at").first()
