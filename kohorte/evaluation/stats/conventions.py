"""Defaults, the fixed wording of notes, and input checks shared by the statistics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Allowed values of the ``alternative`` argument (R: "two.sided", "less", "greater").
ALTERNATIVES = ("two-sided", "less", "greater")
#: Confidence level of the d_z interval unless told otherwise.
DEFAULT_CONF_LEVEL = 0.95
#: The exact Wilcoxon distribution is used up to this many non-zero differences
#: (and only without ties and zeros).  R's default would be n < 50; the
#: project's specification says n <= 25.
EXACT_MAX_N = 25
#: Differences are rounded to this many decimal places before the Wilcoxon
#: test decides which differences are zero or tied and ranks them, so that
#: differences that are equal in exact arithmetic (e.g. between scale means
#: such as 11/3 - 10/3 and 14/3 - 13/3) are treated as ties.  ``None``
#: reproduces R's default (``digits.rank = Inf``: no rounding).
RANK_DECIMALS: int | None = 9

_EPS = np.finfo(float).eps

# --------------------------------------------------------------------------
# notes (fixed wording, so that the web layer can show or translate them)
# --------------------------------------------------------------------------
NOTE_NO_PAIRS = "no complete pair (pre and post both present): all statistics are undefined"
NOTE_ONE_PAIR = (
    "sd_pre, sd_post, sd_diff, t, df, p_t, dz, dz_ci_low, dz_ci_high: "
    "undefined with fewer than 2 complete pairs"
)
NOTE_CONSTANT_DIFF = (
    "t, p_t, dz, dz_ci_low, dz_ci_high: undefined because all differences "
    "(post - pre) are equal, so their standard deviation is zero"
)
NOTE_ALL_ZERO = (
    "wilcoxon_statistic, p_wilcoxon: undefined because every difference is zero "
    "(zero differences are dropped, so no observation is left)"
)
NOTE_CI_FAILED = (
    "dz_ci_low, dz_ci_high: the noncentral t confidence limits could not be "
    "computed to the required accuracy"
)
NOTE_ALPHA_FEW_ITEMS = "alpha: undefined with fewer than 2 items"
NOTE_ALPHA_FEW_CASES = "alpha: undefined with fewer than 2 complete cases"
NOTE_ALPHA_ZERO_TOTAL = "alpha: undefined because the total score has zero variance"
NOTE_STD_ALPHA_ZERO_ITEM = (
    "standardized_alpha: undefined because at least one item has zero variance"
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")
    return alternative


def _check_conf_level(conf_level: float) -> float:
    if isinstance(conf_level, bool) or not isinstance(conf_level, (int, float)):
        raise TypeError("conf_level must be a number")
    if not 0.0 < float(conf_level) < 1.0:
        raise ValueError("conf_level must lie strictly between 0 and 1")
    return float(conf_level)


def _as_float_array(name: str, values: Any, ndim: int) -> np.ndarray:
    """Convert to a float64 array of ``ndim`` dimensions (1-D accepted for 2-D).

    NaN (and ``None`` inside a list) marks a missing value.  Booleans and
    infinite values are rejected: they are errors, not missing values.
    """
    if isinstance(values, np.ndarray):
        arr = values
    else:
        # go through object dtype so that numpy cannot silently turn a
        # boolean inside a list of numbers into 0 or 1
        arr = np.array(values, dtype=object)
        if arr.ndim == 0:
            raise TypeError(f"{name}: expected a sequence of numbers")
    if arr.dtype == bool:
        raise TypeError(f"{name}: booleans are not numbers")
    if arr.dtype.kind not in "biuf" and arr.dtype != object:
        raise TypeError(f"{name}: expected numbers, got dtype {arr.dtype}")
    if arr.dtype == object:
        flat = arr.ravel()
        for v in flat:
            if isinstance(v, bool) or not (v is None or isinstance(v, (int, float, np.number))):
                raise TypeError(f"{name}: expected numbers, got {type(v).__name__}")
        arr = np.array([np.nan if v is None else v for v in flat], dtype=float).reshape(arr.shape)
    arr = np.asarray(arr, dtype=float)
    if ndim == 2 and arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got {arr.ndim}-D")
    if np.isinf(arr).any():
        raise ValueError(f"{name}: infinite values are not allowed (use NaN for missing)")
    return arr


def _num(x: Any) -> float | None:
    """A finite Python float, or None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
