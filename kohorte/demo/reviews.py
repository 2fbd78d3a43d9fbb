"""The demo call's review set-up: three weighted criteria and a first selection policy.

Loading twice changes nothing. Refused in production, as the rest of the demo.
"""

from decimal import Decimal

from django.db import transaction

from kohorte.selection.models import ReviewCriterion, SelectionPolicy
from kohorte.selection.services import reviews as services

from .programme import _refuse_in_production

CRITERIA = [
    ("Praxisbezug", Decimal("2"),
     "Wie eng ist die Bewerbung mit der eigenen Arbeit im Quartier verbunden?"),
    ("Motivation", Decimal("1"),
     "Wird klar, was die Person lernen möchte und warum gerade jetzt?"),
    ("Transferpotenzial", Decimal("1"),
     "Kann das Gelernte im Quartier und im Team weitergegeben werden?"),
]

POLICY = {
    "reviewers_per_application": 2,
    "one_reviewer_per_institution": False,
    "disagreement_threshold": Decimal("1.50"),
    "use_priority": True,
    "max_per_organisation": 2,
    "max_per_site": None,
    "region_bounds": {"Darmstadt": {"min": 5}, "Gießen": {"min": 3}, "Kassel": {"min": 3}},
    "offer_days": 14,
    "offer_latest_days_before_start": 7,
    "reminder_days_before_deadline": 3,
    "legal_remedies_notice": "",
}


@transaction.atomic
def load_reviews(call) -> dict:
    """Criteria Praxisbezug (2), Motivation (1), Transferpotenzial (1) and policy v1."""
    _refuse_in_production()
    added = 0
    for name, weight, description in CRITERIA:
        if not ReviewCriterion.objects.filter(call=call, name=name).exists():
            services.review_criterion_add(call=call, name=name, weight=weight,
                                          description=description, actor=None)
            added += 1
    policy_created = False
    if not SelectionPolicy.objects.filter(call=call).exists():
        services.selection_policy_save(call=call, actor=None, **POLICY)
        policy_created = True
    return {"criteria_added": added, "policy_created": policy_created}
