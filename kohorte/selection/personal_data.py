"""What the selection holds about a person (Art. 15 GDPR): a part of "Your data".

Registered in ``settings.KOHORTE_PERSONAL_DATA_HOOKS``: the reviews of the person's
applications (scores and comments, once submitted; the reviewers are not named, only
numbered: their names are their own data), what the coordinator decided about an
application in the selection (pinned or taken out, with the reason; priority), the
places offered to the person and their answers, and the consents to be remembered for
priority in a later call.
"""

from django.db.models import Prefetch, Q

from .models import Candidate, CriterionScore, Offer, PriorityClaim, ReviewAssignment

TEMPLATE = "selection/_my_data.html"


def _reviews(user) -> list[dict]:
    submitted = (ReviewAssignment.objects
                 .filter(application__applicant=user, submitted_at__isnull=False)
                 .select_related("application__call")
                 .prefetch_related(Prefetch("scores", CriterionScore.objects
                                            .select_related("criterion")
                                            .order_by("criterion__position", "criterion_id")))
                 .order_by("application_id", "submitted_at", "id"))
    reviews, numbers = [], {}
    for assignment in submitted:
        number = numbers[assignment.application_id] = numbers.get(assignment.application_id, 0) + 1
        reviews.append({
            "call": assignment.application.call.title,
            "reference": assignment.application.reference,
            "review": number,
            "submitted_at": assignment.submitted_at,
            "score": assignment.score,
            "comment": assignment.overall_comment,
            "criteria": [{"criterion": score.criterion.name, "score": score.value,
                          "comment": score.comment} for score in assignment.scores.all()],
        })
    return reviews


def _decisions(user) -> list[dict]:
    return [{
        "call": candidate.application.call.title,
        "reference": candidate.application.reference,
        "priority": candidate.priority,
        "pinned": candidate.pinned,
        "taken_out": candidate.excluded,
        "reason": candidate.reason,
    } for candidate in Candidate.objects.filter(application__applicant=user)
        .filter(Q(priority=True) | Q(pinned=True) | Q(excluded=True))
        .select_related("application__call").order_by("application_id")]


def selection_data(*, user) -> dict | None:
    reviews, decisions = _reviews(user), _decisions(user)
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
    if not (reviews or decisions or offers or claims):
        return None
    return {"key": "selection", "template": TEMPLATE,
            "data": {"reviews": reviews, "decisions": decisions, "offers": offers,
                     "priority_consents": claims}}
