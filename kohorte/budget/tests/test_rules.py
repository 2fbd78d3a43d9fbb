"""The overrun rule and the money arithmetic, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from kohorte.budget import rules
from kohorte.budget.rules import Line, LineState, assess, format_eur, parse_amount, percent_of


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,56", D("1234.56")),
    ("1234,56", D("1234.56")),
    ("1234.56", D("1234.56")),
    ("1234", D("1234.00")),
    ("1.234", D("1234.00")),  # German thousands dot
    ("1.234.567,8", D("1234567.80")),
    ("0,5", D("0.50")),
    (" 12,30 € ", D("12.30")),
    ("12,30 EUR", D("12.30")),
    ("1 234,56", D("1234.56")),
    ("-50,00", D("-50.00")),
    ("−50,00", D("-50.00")),
    ("12.5", D("12.50")),
])
def test_it_reads_german_and_plain_amounts_to_two_places(text, expected):
    value = parse_amount(text)
    assert value == expected
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize("text", ["1234,567", "1.234,567", "0.001", "12,3456"])
def test_it_refuses_more_than_two_decimals_instead_of_rounding(text):
    with pytest.raises(rules.AmountError, match="decimals"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["", "abc", "1,234,56", "12.34.5", "1.23,45", "1e5", "NaN",
                                  "12,", ",5x", "--5", "1.2345"])
def test_it_refuses_text_that_is_no_amount(text):
    with pytest.raises(rules.AmountError):
        parse_amount(text)


def test_workbook_numbers_become_exact_decimals():
    assert parse_amount(1234.56) == D("1234.56")
    assert parse_amount(0.1 + 0.2 - 0.3 + 5) == D("5.00")
    assert parse_amount(42) == D("42.00")
    with pytest.raises(rules.AmountError):
        parse_amount(1.005)


@pytest.mark.parametrize(("amount", "text"), [
    (D("1234.56"), "1.234,56\u00a0€"),
    (D("0"), "0,00\u00a0€"),
    (D("0.5"), "0,50\u00a0€"),
    (D("47500"), "47.500,00\u00a0€"),
    (D("1234567.891"), "1.234.567,89\u00a0€"),
    (D("-1234.5"), "-1.234,50\u00a0€"),
    (D("999.995"), "1.000,00\u00a0€"),  # half up
    (D("100"), "100,00\u00a0€"),
])
def test_amounts_are_shown_in_german(amount, text):
    assert format_eur(amount) == text


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (D("1"), D("3"), D("33.3")),
    (D("2"), D("3"), D("66.7")),
    (D("1.25"), D("1000"), D("0.1")),   # 0.125 -> 0.1
    (D("1.5"), D("1000"), D("0.2")),    # 0.15 exactly -> half up to 0.2
    (D("0.45"), D("100"), D("0.5")),    # 0.45 -> 0.5 (half up, not banker's 0.4)
    (D("6000"), D("5000"), D("120.0")),
    (D("0"), D("5000"), D("0.0")),
])
def test_percentages_are_rounded_half_up_to_one_place(part, whole, expected):
    assert percent_of(part, whole) == expected


def test_a_percentage_of_nothing_is_none_and_shown_as_a_dash():
    assert percent_of(D("5"), D("0")) is None
    assert rules.format_percent(None) == "–"
    assert rules.format_percent(D("12.5")) == "12,5\u00a0%"


def _states(*lines, overrun=D(20)):
    result = assess([Line(*line) for line in lines], overrun_percent=overrun)
    return [verdict.state for verdict in result.verdicts], result


def test_lines_within_their_plan_are_within_plan():
    states, result = _states(("a", D("1000.00"), D("1000.00")), ("b", D("500.00"), D("0.00")))
    assert states == [LineState.WITHIN, LineState.WITHIN]
    assert result.planned_total == D("1500.00")
    assert result.actual_total == D("1000.00")
    assert result.remaining == D("500.00")
    assert result.used_percent == D("66.7")


def test_an_overrun_up_to_twenty_percent_offset_by_savings_is_allowed():
    # a: 1000 plan, 1200 actual (exactly +20 %); b saves 300: total 1500 <= 1600.
    states, result = _states(("a", D("1000.00"), D("1200.00")), ("b", D("600.00"), D("300.00")))
    assert states == [LineState.OVER_OFFSET, LineState.WITHIN]
    assert result.offset
    assert result.verdicts[0].over_percent == D("20.0")
    assert result.verdicts[0].difference == D("200.00")


def test_one_cent_beyond_twenty_percent_needs_the_funders_consent():
    states, _ = _states(("a", D("1000.00"), D("1200.01")), ("b", D("600.00"), D("0.00")))
    assert states == [LineState.NEEDS_CONSENT, LineState.WITHIN]


def test_twenty_percent_is_exact_to_the_cent_on_odd_amounts():
    # 20 % of 333.33 is 66.666: the limit is 399.996, so 399.99 is within, 400.00 is not.
    assert _states(("a", D("333.33"), D("399.99")), ("b", D("100.00"), D("0")))[0][0] \
        == LineState.OVER_OFFSET
    assert _states(("a", D("333.33"), D("400.00")), ("b", D("100.00"), D("0")))[0][0] \
        == LineState.NEEDS_CONSENT


def test_an_overrun_without_savings_elsewhere_is_not_offset():
    # a +100 within 20 %, b exactly on plan: total 1100 + 500 = 1600 > 1500.
    states, result = _states(("a", D("1000.00"), D("1100.00")), ("b", D("500.00"), D("500.00")))
    assert states == [LineState.OVER_NOT_OFFSET, LineState.WITHIN]
    assert not result.offset
    assert result.difference == D("100.00")


def test_the_offset_is_judged_on_the_exact_total_to_the_cent():
    # Savings of 99.99 do not offset an overrun of 100.00; savings of 100.00 do.
    states, _ = _states(("a", D("1000.00"), D("1100.00")), ("b", D("500.00"), D("400.01")))
    assert states[0] == LineState.OVER_NOT_OFFSET
    states, _ = _states(("a", D("1000.00"), D("1100.00")), ("b", D("500.00"), D("400.00")))
    assert states[0] == LineState.OVER_OFFSET


def test_a_consent_covers_the_line_up_to_its_amount():
    states, _ = _states(("a", D("1000.00"), D("1500.00"), D("1500.00")),
                        ("b", D("600.00"), D("0")))
    assert states[0] == LineState.CONSENTED
    states, _ = _states(("a", D("1000.00"), D("1500.01"), D("1500.00")),
                        ("b", D("600.00"), D("0")))
    assert states[0] == LineState.NEEDS_CONSENT


def test_a_consent_below_the_actual_within_twenty_percent_falls_back_to_the_offset_rule():
    states, _ = _states(("a", D("1000.00"), D("1150.00"), D("1100.00")),
                        ("b", D("600.00"), D("0")))
    assert states[0] == LineState.OVER_OFFSET


def test_spending_on_a_line_planned_at_zero_needs_consent():
    states, result = _states(("a", D("0.00"), D("0.01")), ("b", D("600.00"), D("0")))
    assert states[0] == LineState.NEEDS_CONSENT
    assert result.verdicts[0].used_percent is None


def test_the_allowed_overrun_is_configurable():
    line = ("a", D("1000.00"), D("1100.00"))
    assert _states(line, ("b", D("500"), D("0")), overrun=D(10))[0][0] == LineState.OVER_OFFSET
    assert _states(line, ("b", D("500"), D("0")), overrun=D("9.99"))[0][0] \
        == LineState.NEEDS_CONSENT
    assert _states(line, ("b", D("500"), D("0")), overrun=D(0))[0][0] == LineState.NEEDS_CONSENT


def test_sums_of_many_cents_are_exact():
    lines = [Line(f"l{i}", D("0.10"), D("0.10")) for i in range(10)]
    result = assess(lines)
    assert result.planned_total == D("1.00")
    assert result.actual_total == D("1.00")
    assert result.used_percent == D("100.0")


def test_the_demo_plan_of_47500_euros_adds_up():
    amounts = [D("18000"), D("12600"), D("6400"), D("3200"), D("1800"), D("3500"), D("2000")]
    result = assess([Line(str(i), a, D(0)) for i, a in enumerate(amounts)])
    assert result.planned_total == D("47500")
    assert result.remaining == D("47500")
