"""Cohen's d_z confidence limits by inverting the noncentral t distribution."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from .conventions import (
    _EPS,
    DEFAULT_CONF_LEVEL,
    _check_conf_level,
    _num,
)

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
