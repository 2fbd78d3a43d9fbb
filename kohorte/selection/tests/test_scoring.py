from decimal import Decimal

from kohorte.selection.scoring import review_score, summarise


def test_not_applicable_is_left_out_of_the_weighted_mean_not_counted_as_zero():
    assert review_score([(Decimal("2"), 4), (Decimal("1"), None), (Decimal("1"), 1)]) == Decimal("3.00")


def test_the_weighted_mean_is_rounded_half_up_to_two_places():
    # (1*4 + 1*4 + 1*5) / 3 = 4.3333…; (2*4 + 1*5)/3 = 4.333…; (1*3 + 7*4)/8 = 3.875 -> 3.88
    assert review_score([(Decimal(1), 3), (Decimal(7), 4)]) == Decimal("3.88")


def test_a_review_with_only_not_applicable_has_no_score():
    assert review_score([(Decimal(1), None)]) is None


def test_the_summary_means_the_reviews_and_flags_a_wide_spread():
    summary = summarise([Decimal("4.50"), Decimal("2.00"), None], threshold=Decimal("1.50"))
    assert summary.score == Decimal("3.25") and summary.count == 2
    assert summary.spread == Decimal("2.50") and summary.disagreement
    assert summary.sd == Decimal("1.77")  # sqrt(((1.25)^2 * 2) / 1) = 1.7677…


def test_a_spread_at_the_threshold_is_not_yet_a_disagreement():
    assert not summarise([Decimal("4"), Decimal("2.5")], threshold=Decimal("1.5")).disagreement
