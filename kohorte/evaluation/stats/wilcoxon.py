"""Exact null distribution of the Wilcoxon signed-rank statistic."""

from __future__ import annotations

import numpy as np

from .conventions import (
    EXACT_MAX_N,
)


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
