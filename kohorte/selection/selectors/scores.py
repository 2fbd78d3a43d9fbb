"""The scores of a call's applications, from the submitted reviews."""

from collections import defaultdict
from decimal import Decimal

from ..models import CriterionScore, ReviewAssignment
from ..scoring import Summary, review_score, summarise


def review_scores_for_call(*, call) -> dict[int, Decimal | None]:
    """{assignment id: its weighted score} for every submitted review of the call."""
    rows = (CriterionScore.objects
            .filter(assignment__application__call=call, assignment__submitted_at__isnull=False)
            .values_list("assignment_id", "criterion__weight", "value"))
    per_review = defaultdict(list)
    for assignment_id, weight, value in rows:
        per_review[assignment_id].append((weight, value))
    return {pk: review_score(scores) for pk, scores in per_review.items()}


def score_summaries(*, call, threshold: Decimal) -> dict[int, Summary]:
    """{application id: Summary} over the submitted reviews (two queries in all)."""
    by_review = review_scores_for_call(call=call)
    per_application = defaultdict(list)
    for assignment_id, application_id in ReviewAssignment.objects.filter(
            application__call=call, submitted_at__isnull=False).values_list("id", "application_id"):
        per_application[application_id].append(by_review.get(assignment_id))
    return {app_id: summarise(scores, threshold=threshold)
            for app_id, scores in per_application.items()}
