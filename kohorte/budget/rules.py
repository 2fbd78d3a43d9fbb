"""The budget's arithmetic, free of Django: amounts, the overrun rule and its words.

The overrun rule (ANBest-P 1.2, DOMAIN §4): the financing plan is binding in total; a
single expense line may exceed its plan by up to ``overrun_percent`` (default 20 %) if
savings on other lines offset it, i.e. total expenditure stays within the total plan.
Beyond that the funder must consent; a recorded consent (up to an amount) covers the
line up to that amount. Sums are exact Decimals; only percentages shown are rounded
(ROUND_HALF_UP, one decimal place).
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class AmountError(ValueError):
    """Text that is no amount of euros with at most two decimals."""


# "1.234,56" / "1234,56" / "1.234" (German) and "1234.56" / "1234" (plain).
_GERMAN = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


def parse_amount(text) -> Decimal:
    """A euro amount from German or plain notation, as a Decimal with exactly 2 places.

    "1.234,56" and "1234.56" are both 1234.56; a dot followed by exactly three digits
    and no comma ("1.234") is read as a German thousands separator. A leading minus is
    kept (callers decide whether it is allowed); more than two decimals are refused
    rather than rounded, since nobody pays fractions of a cent.
    """
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        raw = str(text or "").replace("€", "").replace("EUR", "")
        raw = re.sub(r"[\s\u00a0\u202f']", "", raw)
        sign = ""
        if raw and raw[0] in "-−+":
            sign = "-" if raw[0] in "-−" else ""
            raw = raw[1:]
        if not raw:
            raise AmountError("empty")
        if _GERMAN.match(raw) and ("," in raw or re.search(r"\.\d{3}$", raw)):
            normal = raw.replace(".", "").replace(",", ".")
        elif _PLAIN.match(raw):
            normal = raw
        else:
            raise AmountError("format")
        try:
            value = Decimal(sign + normal)
        except InvalidOperation as exc:
            raise AmountError("format") from exc
    if not value.is_finite():
        raise AmountError("format")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise AmountError("decimals")
    return value.quantize(CENT)


def format_eur(amount) -> str:
    """German notation with thousands dots and two decimals: "1.234,56 €"."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{cents}\u00a0€"


def percent_of(part, whole, places=1) -> Decimal | None:
    """``part`` as a percentage of ``whole``, rounded half up; None if whole is 0."""
    whole = Decimal(whole)
    if whole == 0:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(part) * HUNDRED / whole).quantize(exponent, rounding=ROUND_HALF_UP)


def format_percent(value) -> str:
    """ "12,5 %" (German decimal comma); "–" for no value."""
    if value is None:
        return "–"
    return f"{value}".replace(".", ",") + "\u00a0%"


class LineState(StrEnum):
    WITHIN = "within"
    OVER_OFFSET = "over_offset"
    OVER_NOT_OFFSET = "over_not_offset"
    NEEDS_CONSENT = "needs_consent"
    CONSENTED = "consented"


# States that need someone to act before the proof of use.
PROBLEM_STATES = frozenset({LineState.OVER_NOT_OFFSET, LineState.NEEDS_CONSENT})


@dataclass(frozen=True)
class Line:
    key: str
    planned: Decimal
    actual: Decimal
    # The amount up to which the funder consented to this line, if they did.
    consented_up_to: Decimal | None = None


@dataclass(frozen=True)
class Verdict:
    key: str
    state: LineState
    planned: Decimal
    actual: Decimal
    difference: Decimal  # actual − planned (positive: over plan)
    used_percent: Decimal | None  # actual as % of planned, rounded for display
    over_percent: Decimal | None  # how far over plan, in % of planned (0 if within)


@dataclass(frozen=True)
class Assessment:
    verdicts: list[Verdict]
    planned_total: Decimal
    actual_total: Decimal
    offset: bool  # total expenditure within the total plan
    used_percent: Decimal | None

    @property
    def remaining(self) -> Decimal:
        return self.planned_total - self.actual_total

    @property
    def difference(self) -> Decimal:
        return self.actual_total - self.planned_total


def within_tolerance(*, planned, actual, overrun_percent) -> bool:
    """actual ≤ planned × (1 + p/100), compared exactly (no division, no rounding)."""
    return Decimal(actual) * HUNDRED <= Decimal(planned) * (HUNDRED + Decimal(overrun_percent))


def line_state(line: Line, *, offset: bool, overrun_percent) -> LineState:
    """The state of one expense line, given whether the total is within the plan."""
    if line.actual <= line.planned:
        return LineState.WITHIN
    if line.consented_up_to is not None and line.actual <= line.consented_up_to:
        return LineState.CONSENTED
    if not within_tolerance(planned=line.planned, actual=line.actual,
                            overrun_percent=overrun_percent):
        return LineState.NEEDS_CONSENT
    return LineState.OVER_OFFSET if offset else LineState.OVER_NOT_OFFSET


def assess(lines: list[Line], *, overrun_percent=Decimal(20)) -> Assessment:
    """Every expense line's state, and the totals they rest on."""
    planned_total = sum((Decimal(line.planned) for line in lines), ZERO)
    actual_total = sum((Decimal(line.actual) for line in lines), ZERO)
    offset = actual_total <= planned_total
    verdicts = []
    for line in lines:
        difference = line.actual - line.planned
        over = percent_of(difference, line.planned) if difference > 0 else Decimal("0.0")
        verdicts.append(Verdict(
            key=line.key, state=line_state(line, offset=offset, overrun_percent=overrun_percent),
            planned=line.planned, actual=line.actual, difference=difference,
            used_percent=percent_of(line.actual, line.planned), over_percent=over,
        ))
    return Assessment(verdicts=verdicts, planned_total=planned_total, actual_total=actual_total,
                      offset=offset, used_percent=percent_of(actual_total, planned_total))
