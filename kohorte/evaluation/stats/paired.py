"""Paired comparisons (t-test, Wilcoxon signed-rank, d_z), vectorised over columns."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from .conventions import (
    _EPS,
    DEFAULT_CONF_LEVEL,
    EXACT_MAX_N,
    NOTE_ALL_ZERO,
    NOTE_CI_FAILED,
    NOTE_CONSTANT_DIFF,
    NOTE_NO_PAIRS,
    NOTE_ONE_PAIR,
    RANK_DECIMALS,
    _as_float_array,
    _check_alternative,
    _check_conf_level,
    _num,
)
from .effect_size import noncentrality_limits
from .wilcoxon import _signrank_exact_p


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
