"""Scores: weighted mean per review, mean over reviews, two decimals half-up.

Pure functions over plain numbers; "not applicable" (None) is left out of a mean,
never counted as 0.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def review_score(scores: list[tuple[Decimal, int | None]]) -> Decimal | None:
    """Weighted mean of one review: [(weight, value or None)] -> two decimals or None."""
    scored = [(Decimal(weight), Decimal(value)) for weight, value in scores if value is not None]
    total_weight = sum((w for w, _ in scored), Decimal(0))
    if not scored or total_weight == 0:
        return None
    return quantize(sum((w * v for w, v in scored), Decimal(0)) / total_weight)


@dataclass(frozen=True)
class Summary:
    score: Decimal | None  # mean over the submitted reviews with a score
    count: int
    sd: Decimal | None  # sample standard deviation (n - 1), two decimals
    spread: Decimal | None  # highest minus lowest review score
    disagreement: bool


def summarise(review_scores: list[Decimal | None], *, threshold: Decimal) -> Summary:
    values = [Decimal(v) for v in review_scores if v is not None]
    if not values:
        return Summary(None, 0, None, None, False)
    mean = sum(values, Decimal(0)) / len(values)
    sd = None
    if len(values) > 1:
        variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / (len(values) - 1)
        sd = quantize(variance.sqrt())
    spread = max(values) - min(values)
    return Summary(quantize(mean), len(values), sd, quantize(spread), spread > threshold)
