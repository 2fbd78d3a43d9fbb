"""Rank key: score rounding, lottery position, canonical candidate list and its hash."""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from .errors import InstanceError

# --------------------------------------------------------------------------
# Rank key
# --------------------------------------------------------------------------

_SCORE_RE = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?\Z")
_CENT = Decimal("0.01")
_DEC_CTX = Context(prec=100)
_SCORE_LIMIT = Decimal(10) ** 30


def round_score(value: Any) -> Decimal:
    """Return the score rounded half-up (away from zero on .5) to two decimals.

    Accepts a decimal string such as ``"4.125"``, an int, a :class:`Decimal`
    or a finite float (converted through its shortest ``repr``, never used in
    arithmetic).  Raises :class:`InstanceError` for anything else.
    """
    if isinstance(value, bool):
        raise InstanceError("score must be a number, not a boolean")
    if isinstance(value, str):
        if not _SCORE_RE.match(value):
            raise InstanceError(f"score {value!r} is not a decimal number")
        number = Decimal(value)
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InstanceError("score must be finite")
        number = Decimal(repr(value))
    else:
        raise InstanceError(f"score must be a decimal string or number, not {type(value).__name__}")
    if not number.is_finite() or abs(number) >= _SCORE_LIMIT:
        raise InstanceError(f"score {value!r} is not a finite number below 10^30")
    rounded = number.quantize(_CENT, rounding=ROUND_HALF_UP, context=_DEC_CTX)
    if rounded == 0:
        rounded = Decimal("0.00")  # no negative zero
    return rounded


def lottery_position(seed: str, reference: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 string ``"{seed}:{reference}"``."""
    return hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()


def rank_key(applicant: dict, seed: str, use_priority: bool) -> tuple:
    """Sort key of one applicant, best first.

    (tier, priority first if used, score descending at two decimals, lottery
    position ascending, id).  The id only breaks a SHA-256 collision.
    """
    score = round_score(applicant["score"])
    priority = bool(applicant.get("priority", False)) if use_priority else False
    return (
        applicant["tier"],
        0 if priority else 1,
        -score,
        lottery_position(seed, applicant["id"]),
        applicant["id"],
    )


def canonical_candidate_list(applicants: list) -> bytes:
    """The canonical UTF-8 JSON form of the candidate list that is hashed.

    A JSON array of objects ``{"id", "priority", "score", "tier"}`` sorted by
    id (Unicode code point order), keys sorted, no whitespace, score as a
    two-decimal string after half-up rounding, priority as a boolean (false if
    missing), non-ASCII characters written as themselves (UTF-8).
    """
    if not isinstance(applicants, list):
        raise InstanceError("applicants must be a list")
    rows = []
    seen: set[str] = set()
    for position, item in enumerate(applicants):
        if not isinstance(item, dict):
            raise InstanceError(f"applicants[{position}] must be an object")
        ident = item.get("id")
        if not isinstance(ident, str) or not ident:
            raise InstanceError(f"applicants[{position}].id must be a non-empty string")
        if ident in seen:
            raise InstanceError(f"duplicate applicant id {ident!r}")
        seen.add(ident)
        tier = item.get("tier")
        if type(tier) is not int or tier < 1:
            raise InstanceError(f"applicant {ident!r}: tier must be an integer >= 1")
        priority = item.get("priority", False)
        if type(priority) is not bool:
            raise InstanceError(f"applicant {ident!r}: priority must be true or false")
        if "score" not in item:
            raise InstanceError(f"applicant {ident!r}: score is missing")
        score = round_score(item["score"])
        rows.append({"id": ident, "priority": priority, "score": format(score, "f"), "tier": tier})
    rows.sort(key=lambda row: row["id"])
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def candidate_list_hash(applicants: list) -> str:
    """Lowercase hex SHA-256 of :func:`canonical_candidate_list`."""
    return hashlib.sha256(canonical_candidate_list(applicants)).hexdigest()
