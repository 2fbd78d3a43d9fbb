"""Statistics core of the Kohorte programme evaluation.

Pure numpy/scipy; this module must not import Django so that it can be used
from the command line (``python -m kohorte.evaluation``), from tests without a
database and from the web layer alike.

All comparisons are *post minus pre* (or post minus then): a positive mean
difference, a positive t, a large Wilcoxon V and a positive d_z all mean that
the later measurement is higher.

The formulas are written down in ``docs/evaluation-statistics.md``.  In short:

* pairs are formed by position (row = respondent); a pair is used only where
  both values are present (NaN marks a missing value);
* paired t-test on the differences, ``t = mean(d) / (sd(d) / sqrt(n))``,
  ``df = n - 1``;
* Wilcoxon signed-rank test with R's conventions (``wilcox.test(post, pre,
  paired = TRUE)``): V = sum of the ranks of the positive differences, zero
  differences dropped, exact p-value if the number of non-zero differences is
  at most 25 and there are neither ties nor zeros, otherwise the normal
  approximation with tie and continuity correction;
* Cohen's d_z = mean(d) / sd(d) with a confidence interval obtained by
  inverting the noncentral t distribution (Steiger & Fouladi 1997; as in
  MBESS ``ci.sm``);
* Cronbach's alpha on complete cases.

Undefined values are returned as ``None`` (JSON ``null``) together with a
human-readable entry in ``notes``; no function in this module returns NaN or
infinity in its dict results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "ALTERNATIVES",
    "DEFAULT_CONF_LEVEL",
    "EXACT_MAX_N",
    "RANK_DECIMALS",
    "cronbach_alpha",
    "cronbach_alpha_from_cov",
    "dz_confidence_interval",
    "evaluation_report",
    "noncentrality_limits",
    "paired_arrays",
    "paired_batch",
    "paired_summary",
    "pool_cohorts",
    "scale_means",
    "standardized_alpha_from_corr",
    "wilcoxon_signed_rank",
]

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


# --------------------------------------------------------------------------
# exact null distribution of the Wilcoxon signed-rank statistic
# --------------------------------------------------------------------------
def _signrank_cdf_tables(nmax: int) -> list[np.ndarray]:
    """``tables[n][v] = P(V <= v)`` under H0 for n = 0..nmax.

    Under H0 each rank 1..n enters V independently with probability 1/2, so
    the number of rank subsets with sum v follows from the recursion
    c_n(v) = c_{n-1}(v) + c_{n-1}(v - n).  All counts are integers below
    2**25 and the divisions are by powers of two, so the table is exact in
    double precision.
    """
    tables = [np.array([1.0])]
    counts = np.array([1.0])
    for n in range(1, nmax + 1):
        nxt = np.zeros(n * (n + 1) // 2 + 1)
        nxt[: counts.size] += counts
        nxt[n : n + counts.size] += counts
        counts = nxt
        tables.append(np.cumsum(counts) / 2.0**n)
    return tables


_SIGNRANK_CDF = _signrank_cdf_tables(EXACT_MAX_N)


def _signrank_exact_p(v: float, n: int, alternative: str) -> float:
    """Exact p-value for V = v with n non-zero, untied differences (as R)."""
    cdf = _SIGNRANK_CDF[n]
    total = n * (n + 1) // 2
    k = int(round(v))
    p_le = float(cdf[k])  # P(V <= k)
    p_ge = float(cdf[total - k])  # P(V >= k) = P(V <= total - k) by symmetry
    if alternative == "less":
        return p_le
    if alternative == "greater":
        return p_ge
    p = p_ge if k > total / 4.0 else p_le
    return min(2.0 * p, 1.0)


# --------------------------------------------------------------------------
# noncentral t confidence limits
# --------------------------------------------------------------------------
#: Above this |t| the noncentral t cdf is integrated numerically instead of
#: calling scipy.special.nctdtr, whose series becomes slow (seconds per call)
#: once the noncentrality reaches the 10^5 range.
_NCT_SERIES_MAX_T = 1000.0
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite.hermgauss(64)
_GH_Z = np.sqrt(2.0) * _GH_NODES
_GH_W = _GH_WEIGHTS / np.sqrt(np.pi)


def _nct_cdf_large_t(df: np.ndarray, nc: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(T <= t) for t > 0 as E_Z[P(W >= (Z + nc) / t)], W = sqrt(chi2_df / df).

    T = (Z + nc) / W with Z standard normal.  For large t the integrand is a
    smooth function of Z, so 64-point Gauss-Hermite quadrature is accurate
    (checked against adaptive quadrature to 1e-13 for |t| >= 1000 and
    df from 1 to 10^6 during development).
    """
    arg = (_GH_Z[None, :] + nc[:, None]) / t[:, None]
    dfc = df[:, None]
    with np.errstate(all="ignore"):
        surv = np.where(arg > 0, special.chdtrc(dfc, dfc * np.maximum(arg, 0.0) ** 2), 1.0)
    return surv @ _GH_W


def _nct_cdf(df: np.ndarray, nc: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(T <= t) for T ~ noncentral t(df, nc), elementwise."""
    big = np.abs(t) > _NCT_SERIES_MAX_T
    v = np.empty(t.shape)
    small = ~big
    if small.any():
        with np.errstate(all="ignore"):
            vs = special.nctdtr(df[small], nc[small], t[small])
        bad = ~np.isfinite(vs)
        if bad.any():  # far tails: the probability is 0 or 1
            vs = np.where(bad, np.where(nc[small] > t[small], 0.0, 1.0), vs)
        v[small] = vs
    if big.any():
        pos = big & (t > 0)
        neg = big & (t < 0)
        if pos.any():
            v[pos] = _nct_cdf_large_t(df[pos], nc[pos], t[pos])
        if neg.any():  # P(T <= t | nc) = 1 - P(T <= -t | -nc)
            v[neg] = 1.0 - _nct_cdf_large_t(df[neg], -nc[neg], -t[neg])
    return v


def _solve_ncp(t: np.ndarray, df: np.ndarray, prob: float) -> np.ndarray:
    """Noncentrality nc with P(T <= t | df, nc) = prob, elementwise.

    The cdf is strictly decreasing in nc, so a bracket is widened until it
    contains the root and then halved (bisection) to machine precision.
    Elements whose root cannot be found are NaN.
    """
    t = np.asarray(t, dtype=float)
    df = np.asarray(df, dtype=float)
    out = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.isfinite(df) & (df > 0)
    if not ok.any():
        return out
    tt, dd = t[ok], df[ok]
    width = 4.0 * (1.0 + np.abs(tt) / np.sqrt(dd))
    lo, hi = tt - width, tt + width
    for _ in range(200):
        need = _nct_cdf(dd, lo, tt) < prob
        if not need.any():
            break
        lo = np.where(need, tt - 2.0 * (tt - lo), lo)
    for _ in range(200):
        need = _nct_cdf(dd, hi, tt) > prob
        if not need.any():
            break
        hi = np.where(need, tt + 2.0 * (hi - tt), hi)
    # Each element is bisected until its own bracket is tight and then left
    # alone, so that a result does not depend on the other elements of the
    # batch (paired_summary and paired_batch agree to the last bit).
    active = np.ones(tt.shape, dtype=bool)
    for _ in range(400):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        mid = 0.5 * (lo[idx] + hi[idx])
        above = _nct_cdf(dd[idx], mid, tt[idx]) > prob  # root lies above mid
        lo[idx] = np.where(above, mid, lo[idx])
        hi[idx] = np.where(above, hi[idx], mid)
        done = hi[idx] - lo[idx] <= 4.0 * _EPS * np.maximum(1.0, np.abs(mid))
        active[idx[done]] = False
    root = 0.5 * (lo + hi)
    check = np.abs(_nct_cdf(dd, root, tt) - prob) <= 1e-7
    out[ok] = np.where(check, root, np.nan)
    return out


def noncentrality_limits(
    t: Any, df: Any, conf_level: float = DEFAULT_CONF_LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence limits for the noncentrality parameter of t.

    ``lower`` solves P(T <= t | lower) = 1 - a/2 and ``upper`` solves
    P(T <= t | upper) = a/2 with a = 1 - conf_level (Steiger & Fouladi 1997).
    Vectorised; NaN where undefined.
    """
    conf_level = _check_conf_level(conf_level)
    a = 1.0 - conf_level
    t = np.atleast_1d(np.asarray(t, dtype=float))
    df = np.broadcast_to(np.asarray(df, dtype=float), t.shape)
    return _solve_ncp(t, df, 1.0 - a / 2.0), _solve_ncp(t, df, a / 2.0)


def dz_confidence_interval(
    t: float, n: int, conf_level: float = DEFAULT_CONF_LEVEL
) -> tuple[float | None, float | None]:
    """Confidence interval for d_z given the paired t statistic and n pairs.

    The limits for the noncentrality parameter (df = n - 1) are divided by
    sqrt(n), because t = d_z * sqrt(n).  Returns ``(None, None)`` when
    undefined.
    """
    if n < 2 or t is None or not math.isfinite(float(t)):
        return None, None
    lo, hi = noncentrality_limits([float(t)], [n - 1.0], conf_level)
    root_n = math.sqrt(n)
    return _num(lo[0] / root_n), _num(hi[0] / root_n)


# --------------------------------------------------------------------------
# paired comparisons, vectorised over columns
# --------------------------------------------------------------------------
def _sd(values: np.ndarray, mean: np.ndarray, valid: np.ndarray, n: np.ndarray) -> np.ndarray:
    dev = np.where(valid, values - mean[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.einsum("ij,ij->i", dev, dev) / (n - 1)
    return np.where(n >= 2, np.sqrt(var), np.nan)


def paired_arrays(
    pre: Any,
    post: Any,
    *,
    conf_level: float = DEFAULT_CONF_LEVEL,
    alternative: str = "two-sided",
    correct: bool = True,
    exact: bool = True,
    rank_decimals: int | None = RANK_DECIMALS,
) -> dict[str, np.ndarray]:
    """All paired statistics for every column of ``pre``/``post`` at once.

    ``pre`` and ``post`` are (respondents x variables) arrays with NaN for a
    missing value; column j of ``post`` is compared with column j of
    ``pre``.  A 1-D input is one variable.  ``exact=False`` never uses the
    exact Wilcoxon distribution (R's ``exact = FALSE``); ``correct=False``
    drops the continuity correction (R's ``correct = FALSE``).  Returns a dict of 1-D numpy
    arrays (one entry per column) with NaN where a value is undefined, plus
    the boolean arrays ``no_pairs``, ``one_pair``, ``constant_diff``,
    ``all_zero`` and ``ci_failed`` that say why.  Most callers want
    :func:`paired_batch` (JSON-ready dicts) instead.
    """
    conf_level = _check_conf_level(conf_level)
    alternative = _check_alternative(alternative)
    x = _as_float_array("pre", pre, 2)
    y = _as_float_array("post", post, 2)
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same shape, got {x.shape} and {y.shape}")

    # variables in rows: reductions and sorts run over contiguous memory
    x = np.ascontiguousarray(x.T)
    y = np.ascontiguousarray(y.T)
    m = x.shape[0]
    valid = ~(np.isnan(x) | np.isnan(y))
    n = valid.sum(axis=1)
    nf = n.astype(float)
    xv = np.where(valid, x, 0.0)
    yv = np.where(valid, y, 0.0)
    d = yv - xv  # zero where the pair is incomplete

    with np.errstate(invalid="ignore", divide="ignore"):
        mean_pre = xv.sum(axis=1) / nf
        mean_post = yv.sum(axis=1) / nf
        mean_diff = d.sum(axis=1) / nf
    sd_pre = _sd(xv, mean_pre, valid, n)
    sd_post = _sd(yv, mean_post, valid, n)
    sd_diff = _sd(d, mean_diff, valid, n)

    # ---- paired t-test (R: t.test(post, pre, paired = TRUE)) -------------
    has_two = n >= 2
    df = np.where(has_two, nf - 1.0, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd_diff / np.sqrt(nf)
        # R stops with "data are essentially constant" in the same situation
        constant = has_two & ((sd_diff == 0) | (se < 10.0 * _EPS * np.abs(mean_diff)))
        t_ok = has_two & ~constant
        t = np.where(t_ok, mean_diff / se, np.nan)
        dz = np.where(t_ok, mean_diff / sd_diff, np.nan)
    tt = np.where(t_ok, t, 0.0)
    dd = np.where(t_ok, df, 1.0)
    if alternative == "two-sided":
        p_t = 2.0 * special.stdtr(dd, -np.abs(tt))
    elif alternative == "less":
        p_t = special.stdtr(dd, tt)
    else:
        p_t = special.stdtr(dd, -tt)
    p_t = np.where(t_ok, np.minimum(p_t, 1.0), np.nan)

    # ---- d_z confidence interval (noncentral t inversion) -----------------
    ci_low = np.full(m, np.nan)
    ci_high = np.full(m, np.nan)
    if t_ok.any():
        lo, hi = noncentrality_limits(t[t_ok], df[t_ok], conf_level)
        root_n = np.sqrt(nf[t_ok])
        ci_low[t_ok] = lo / root_n
        ci_high[t_ok] = hi / root_n
    ci_failed = t_ok & ~(np.isfinite(ci_low) & np.isfinite(ci_high))

    # ---- Wilcoxon signed-rank test (R: wilcox.test(post, pre, paired = TRUE))
    raw = np.where(valid, y - x, np.nan)
    if rank_decimals is not None:
        raw = np.round(raw, rank_decimals)
    w_stat = np.full(m, np.nan)
    w_p = np.full(m, np.nan)
    w_n = np.zeros(m, dtype=int)
    w_zeros = np.zeros(m, dtype=int)
    w_ties = np.zeros(m, dtype=bool)
    w_exact = np.zeros(m, dtype=bool)
    for j in range(m):
        row = raw[j][valid[j]]
        nonzero = row[row != 0]
        k = nonzero.size
        w_n[j] = k
        w_zeros[j] = row.size - k
        if k == 0:
            continue
        absd = np.abs(nonzero)
        srt = np.sort(absd)
        pos = absd[nonzero > 0]
        # mid-rank of a value = (first position + last position) / 2, 1-based
        left = np.searchsorted(srt, pos, side="left")
        right = np.searchsorted(srt, pos, side="right")
        v = float((left + right + 1).sum()) / 2.0
        w_stat[j] = v
        breaks = np.flatnonzero(srt[1:] != srt[:-1])
        if breaks.size == k - 1:
            tie_term = 0.0
        else:
            w_ties[j] = True
            sizes = np.diff(np.concatenate(([0], breaks + 1, [k]))).astype(float)
            tie_term = float((sizes**3 - sizes).sum())
        if exact and k <= EXACT_MAX_N and not w_ties[j] and w_zeros[j] == 0:
            w_exact[j] = True
            w_p[j] = _signrank_exact_p(v, k, alternative)
            continue
        z = v - k * (k + 1) / 4.0
        sigma = math.sqrt(k * (k + 1) * (2 * k + 1) / 24.0 - tie_term / 48.0)
        if correct:
            if alternative == "two-sided":
                z -= math.copysign(0.5, z) if z != 0 else 0.0
            elif alternative == "greater":
                z -= 0.5
            else:
                z += 0.5
        z /= sigma
        if alternative == "two-sided":
            w_p[j] = min(2.0 * float(special.ndtr(-abs(z))), 1.0)
        elif alternative == "greater":
            w_p[j] = float(special.ndtr(-z))
        else:
            w_p[j] = float(special.ndtr(z))

    return {
        "n": n,
        "mean_pre": mean_pre,
        "mean_post": mean_post,
        "sd_pre": sd_pre,
        "sd_post": sd_post,
        "mean_diff": mean_diff,
        "sd_diff": sd_diff,
        "t": t,
        "df": df,
        "p_t": p_t,
        "wilcoxon_statistic": w_stat,
        "p_wilcoxon": w_p,
        "wilcoxon_exact": w_exact,
        "n_wilcoxon": w_n,
        "n_zero_differences": w_zeros,
        "wilcoxon_ties": w_ties,
        "dz": dz,
        "dz_ci_low": ci_low,
        "dz_ci_high": ci_high,
        "no_pairs": n == 0,
        "one_pair": n == 1,
        "constant_diff": constant,
        "all_zero": (n > 0) & (w_n == 0),
        "ci_failed": ci_failed,
    }


def _records(
    arrays: dict[str, np.ndarray], conf_level: float, alternative: str, correct: bool
) -> list[dict[str, Any]]:
    out = []
    for j in range(arrays["n"].shape[0]):
        notes = []
        if arrays["no_pairs"][j]:
            notes.append(NOTE_NO_PAIRS)
        else:
            if arrays["one_pair"][j]:
                notes.append(NOTE_ONE_PAIR)
            if arrays["constant_diff"][j]:
                notes.append(NOTE_CONSTANT_DIFF)
            if arrays["all_zero"][j]:
                notes.append(NOTE_ALL_ZERO)
            if arrays["ci_failed"][j]:
                notes.append(NOTE_CI_FAILED)
        if arrays["n_wilcoxon"][j] == 0:
            method = None
        elif arrays["wilcoxon_exact"][j]:
            method = "exact"
        else:
            method = "normal approximation" + (" with continuity correction" if correct else "")
        df = arrays["df"][j]
        out.append(
            {
                "n": int(arrays["n"][j]),
                "mean_pre": _num(arrays["mean_pre"][j]),
                "mean_post": _num(arrays["mean_post"][j]),
                "sd_pre": _num(arrays["sd_pre"][j]),
                "sd_post": _num(arrays["sd_post"][j]),
                "mean_diff": _num(arrays["mean_diff"][j]),
                "sd_diff": _num(arrays["sd_diff"][j]),
                "t": _num(arrays["t"][j]),
                "df": int(df) if math.isfinite(df) else None,
                "p_t": _num(arrays["p_t"][j]),
                "wilcoxon_statistic": _num(arrays["wilcoxon_statistic"][j]),
                "p_wilcoxon": _num(arrays["p_wilcoxon"][j]),
                "wilcoxon_method": method,
                "n_wilcoxon": int(arrays["n_wilcoxon"][j]),
                "n_zero_differences": int(arrays["n_zero_differences"][j]),
                "wilcoxon_ties": bool(arrays["wilcoxon_ties"][j]),
                "dz": _num(arrays["dz"][j]),
                "dz_ci_low": _num(arrays["dz_ci_low"][j]),
                "dz_ci_high": _num(arrays["dz_ci_high"][j]),
                "conf_level": conf_level,
                "alternative": alternative,
                "notes": notes,
            }
        )
    return out


def paired_batch(
    pre: Any,
    post: Any,
    *,
    conf_level: float = DEFAULT_CONF_LEVEL,
    alternative: str = "two-sided",
    correct: bool = True,
    exact: bool = True,
    rank_decimals: int | None = RANK_DECIMALS,
) -> list[dict[str, Any]]:
    """Paired statistics for many variables at once (one dict per column).

    ``pre``/``post``: 2-D arrays, respondents x variables, NaN = missing; a
    pair enters a column's statistics only where both values are present.
    Each dict has the keys of :func:`paired_summary`.
    """
    arrays = paired_arrays(
        pre,
        post,
        conf_level=conf_level,
        alternative=alternative,
        correct=correct,
        exact=exact,
        rank_decimals=rank_decimals,
    )
    return _records(arrays, float(conf_level), alternative, correct)


def paired_summary(
    pre: Any,
    post: Any,
    *,
    conf_level: float = DEFAULT_CONF_LEVEL,
    alternative: str = "two-sided",
    correct: bool = True,
    exact: bool = True,
    rank_decimals: int | None = RANK_DECIMALS,
) -> dict[str, Any]:
    """Paired statistics for one variable (post minus pre).

    Keys: ``n, mean_pre, mean_post, sd_pre, sd_post, mean_diff, sd_diff, t,
    df, p_t, wilcoxon_statistic, p_wilcoxon, wilcoxon_method, n_wilcoxon,
    n_zero_differences, wilcoxon_ties, dz, dz_ci_low, dz_ci_high,
    conf_level, alternative, notes``.  Values are Python numbers or ``None``
    (with an explanation in ``notes``).
    """
    x = _as_float_array("pre", pre, 1)
    y = _as_float_array("post", post, 1)
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, got {x.size} and {y.size}")
    return paired_batch(
        x[:, None],
        y[:, None],
        conf_level=conf_level,
        alternative=alternative,
        correct=correct,
        exact=exact,
        rank_decimals=rank_decimals,
    )[0]


def wilcoxon_signed_rank(
    pre: Any,
    post: Any,
    *,
    alternative: str = "two-sided",
    correct: bool = True,
    exact: bool = True,
    rank_decimals: int | None = RANK_DECIMALS,
) -> dict[str, Any]:
    """Wilcoxon signed-rank test of post - pre, as ``wilcox.test(post, pre, paired = TRUE)``.

    Returns ``statistic`` (V), ``p_value``, ``method``, ``n`` (non-zero
    differences), ``n_zero_differences``, ``ties`` and ``notes``.
    """
    s = paired_summary(
        pre,
        post,
        alternative=alternative,
        correct=correct,
        exact=exact,
        rank_decimals=rank_decimals,
    )
    return {
        "statistic": s["wilcoxon_statistic"],
        "p_value": s["p_wilcoxon"],
        "method": s["wilcoxon_method"],
        "n": s["n_wilcoxon"],
        "n_zero_differences": s["n_zero_differences"],
        "ties": s["wilcoxon_ties"],
        "alternative": alternative,
        "notes": [note for note in s["notes"] if "wilcoxon" in note or note == NOTE_NO_PAIRS],
    }


# --------------------------------------------------------------------------
# internal consistency
# --------------------------------------------------------------------------
def cronbach_alpha_from_cov(cov: Any) -> float | None:
    """Cronbach's alpha from a k x k covariance matrix (None if undefined).

    alpha = k / (k - 1) * (1 - trace(C) / sum(C)); sum(C) is the variance of
    the sum score.
    """
    c = _as_float_array("cov", cov, 2)
    k = c.shape[0]
    if c.shape != (k, k):
        raise ValueError("cov must be a square matrix")
    if k < 2 or np.isnan(c).any():
        return None
    total = float(c.sum())
    if not total > 0:
        return None
    return _num(k / (k - 1.0) * (1.0 - float(np.trace(c)) / total))


def standardized_alpha_from_corr(corr: Any) -> float | None:
    """Standardized alpha from a k x k correlation matrix (None if undefined).

    alpha_std = k * rbar / (1 + (k - 1) * rbar), rbar = mean off-diagonal r.
    """
    r = _as_float_array("corr", corr, 2)
    k = r.shape[0]
    if r.shape != (k, k):
        raise ValueError("corr must be a square matrix")
    if k < 2 or np.isnan(r).any():
        return None
    rbar = (float(r.sum()) - float(np.trace(r))) / (k * (k - 1.0))
    denom = 1.0 + (k - 1.0) * rbar
    if denom == 0:
        return None
    return _num(k * rbar / denom)


def cronbach_alpha(matrix: Any) -> dict[str, Any]:
    """Cronbach's alpha of a respondents x items matrix (NaN = missing).

    Respondents with any missing item are left out (listwise deletion, as
    SPSS RELIABILITY and R ``psych::alpha(use = "complete.obs")``).  Returns
    ``alpha``, ``standardized_alpha`` (from the mean inter-item
    correlation), ``n`` (complete cases), ``k`` (items), ``n_excluded`` and
    ``notes``.
    """
    x = _as_float_array("matrix", matrix, 2)
    complete = ~np.isnan(x).any(axis=1)
    xc = x[complete]
    n, k = xc.shape
    result: dict[str, Any] = {
        "alpha": None,
        "standardized_alpha": None,
        "n": int(n),
        "k": int(k),
        "n_excluded": int(x.shape[0] - n),
        "notes": [],
    }
    if k < 2:
        result["notes"].append(NOTE_ALPHA_FEW_ITEMS)
        return result
    if n < 2:
        result["notes"].append(NOTE_ALPHA_FEW_CASES)
        return result
    cov = np.cov(xc, rowvar=False, ddof=1)
    alpha = cronbach_alpha_from_cov(cov)
    if alpha is None:
        result["notes"].append(NOTE_ALPHA_ZERO_TOTAL)
    result["alpha"] = alpha
    item_sd = np.sqrt(np.diag(cov))
    if np.all(item_sd > 0):
        result["standardized_alpha"] = standardized_alpha_from_corr(
            cov / np.outer(item_sd, item_sd)
        )
    else:
        result["notes"].append(NOTE_STD_ALPHA_ZERO_ITEM)
    return result


# --------------------------------------------------------------------------
# scale means and pooling
# --------------------------------------------------------------------------
def scale_means(
    matrix: Any,
    dimensions: Mapping[str, Sequence[int]],
    *,
    min_items: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-respondent scale mean of each dimension.

    ``matrix``: respondents x items (NaN = missing); ``dimensions`` maps a
    dimension name to the column indices of its items.  A respondent's scale
    mean is the mean of the items they answered if they answered at least
    ``min_items`` of them (default: all items of the dimension), else NaN.
    """
    x = _as_float_array("matrix", matrix, 2)
    out: dict[str, np.ndarray] = {}
    for name, cols in dimensions.items():
        idx = np.asarray(list(cols), dtype=int)
        if idx.size == 0:
            raise ValueError(f"dimension {name!r} has no items")
        if idx.min() < 0 or idx.max() >= x.shape[1]:
            raise ValueError(f"dimension {name!r} refers to a column outside the matrix")
        need = idx.size if min_items is None else int(min_items)
        if not 1 <= need <= idx.size:
            raise ValueError(f"min_items must be between 1 and {idx.size} for {name!r}")
        block = x[:, idx]
        answered = (~np.isnan(block)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.nansum(block, axis=1) / answered
        out[name] = np.where(answered >= need, means, np.nan)
    return out


def pool_cohorts(arrays: Sequence[Any]) -> np.ndarray:
    """Pool cohorts by concatenating their respondents (rows).

    Every array must have the same number of columns (items) in the same
    order.  Pooled statistics are then computed on the concatenated pairs,
    i.e. every respondent counts once and cohorts are weighted by their
    number of complete pairs; no cohort effect is modelled.
    """
    if len(arrays) == 0:
        raise ValueError("no cohort to pool")
    parts = [_as_float_array(f"cohort {i}", a, 2) for i, a in enumerate(arrays)]
    widths = {p.shape[1] for p in parts}
    if len(widths) != 1:
        raise ValueError(f"cohorts have different numbers of columns: {sorted(widths)}")
    pooled = np.concatenate(parts, axis=0)
    return pooled[:, 0] if np.ndim(arrays[0]) == 1 else pooled


# --------------------------------------------------------------------------
# the full report
# --------------------------------------------------------------------------
def evaluation_report(
    pre: Any,
    post: Any,
    then: Any = None,
    *,
    dimensions: Mapping[str, Sequence[int]] | None = None,
    item_labels: Sequence[str] | None = None,
    conf_level: float = DEFAULT_CONF_LEVEL,
    min_items: int | None = None,
) -> dict[str, Any]:
    """Item- and dimension-level statistics for one (possibly pooled) sample.

    ``pre``, ``post`` and optionally ``then`` (retrospective pre-test) are
    respondents x items arrays with the same shape and row order (NaN =
    missing).  For every item and every dimension's scale mean the result
    holds ``pre_post`` (post - pre) and, with ``then``, ``then_post`` (post -
    then) in the form of :func:`paired_summary`; every dimension also holds
    Cronbach's alpha at each measurement.  To pool cohorts, concatenate
    them first with :func:`pool_cohorts`.
    """
    conf_level = _check_conf_level(conf_level)
    x_pre = _as_float_array("pre", pre, 2)
    x_post = _as_float_array("post", post, 2)
    shapes = {x_pre.shape, x_post.shape}
    x_then = None
    if then is not None:
        x_then = _as_float_array("then", then, 2)
        shapes.add(x_then.shape)
    if len(shapes) != 1:
        raise ValueError(f"pre, post and then must have the same shape, got {sorted(shapes)}")
    n_resp, k = x_pre.shape
    labels = list(item_labels) if item_labels is not None else [str(i) for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"{len(labels)} item labels for {k} items")
    dims = dict(dimensions or {})

    measurements = {"pre": x_pre, "post": x_post}
    if x_then is not None:
        measurements["then"] = x_then
    dim_names = list(dims)
    scales = {
        name: scale_means(m, dims, min_items=min_items) if dims else {}
        for name, m in measurements.items()
    }

    def stack(measure: str) -> np.ndarray:
        cols = [measurements[measure]]
        if dim_names:
            cols.append(np.column_stack([scales[measure][d] for d in dim_names]))
        return np.hstack(cols)

    baselines = ["pre"] + (["then"] if x_then is not None else [])
    lefts = np.hstack([stack(b) for b in baselines])
    rights = np.hstack([stack("post")] * len(baselines))
    records = paired_batch(lefts, rights, conf_level=conf_level)
    width = k + len(dim_names)
    by_baseline = {b: records[i * width : (i + 1) * width] for i, b in enumerate(baselines)}

    items_out = []
    for i, label in enumerate(labels):
        entry: dict[str, Any] = {"item": label}
        for b in baselines:
            entry[f"{b}_post"] = by_baseline[b][i]
        items_out.append(entry)
    dims_out = []
    for j, name in enumerate(dim_names):
        entry = {"dimension": name, "items": [labels[c] for c in dims[name]]}
        for b in baselines:
            entry[f"{b}_post"] = by_baseline[b][k + j]
        entry["alpha"] = {
            meas: cronbach_alpha(matrix[:, list(dims[name])])
            for meas, matrix in measurements.items()
        }
        dims_out.append(entry)
    return {
        "n_respondents": int(n_resp),
        "conf_level": conf_level,
        "comparisons": [f"{b}_post" for b in baselines],
        "items": items_out,
        "dimensions": dims_out,
    }
