"""The certificate section of the participant's page:
``{% load course_certificates %}{% participant_certificate participant as status %}``."""

from types import SimpleNamespace

from django import template

from ..certificate_pdf import format_code

register = template.Library()


@register.simple_tag
def participant_certificate(participant):
    """The valid certificate (with its code grouped for reading) or the latest revoked one."""
    certificates = list(participant.certificates.order_by("-issued_at", "-pk")
                        .only("code", "issued_on", "issued_at", "revoked_at", "participant_id"))
    valid = next((c for c in certificates if c.revoked_at is None), None)
    revoked = next((c for c in certificates if c.revoked_at is not None), None)
    return SimpleNamespace(certificate=valid, revoked=revoked,
                           code=format_code(valid.code) if valid else "")
