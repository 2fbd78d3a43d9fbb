"""What the selection holds about a person (Art. 15 GDPR): a part of "Your data".

Registered in ``settings.KOHORTE_PERSONAL_DATA_HOOKS``: the places offered to the
person and their answers, and the consents to be remembered for priority in a later
call. Not yet in it: the reviewers' scores and comments on the application.
"""

from .models import Offer, PriorityClaim

TEMPLATE = "selection/_my_data.html"


def selection_data(*, user) -> dict | None:
    offers = [{
        "call": offer.call.title,
        "reference": offer.application.reference,
        "state": offer.get_state_display(),
        "offered_at": offer.created_at,
        "answer_by": offer.deadline,
        "decided_at": offer.decided_at,
    } for offer in Offer.objects.filter(application__applicant=user)
        .select_related("call", "application").order_by("created_at", "id")]
    claims = [{
        "programme": claim.programme.name,
        "unsuccessful_in": claim.from_call.title if claim.from_call else "",
        "consented_at": claim.consented_at,
        "used_in": claim.used_in_call.title if claim.used_in_call else "",
        "withdrawn_at": claim.withdrawn_at,
    } for claim in PriorityClaim.objects.filter(user=user)
        .select_related("programme", "from_call", "used_in_call").order_by("consented_at", "id")]
    if not offers and not claims:
        return None
    return {"key": "selection", "template": TEMPLATE,
            "data": {"offers": offers, "priority_consents": claims}}
