"""Internal consistency: Cronbach's alpha."""

from __future__ import annotations

from typing import Any

import numpy as np

from .conventions import (
    NOTE_ALPHA_FEW_CASES,
    NOTE_ALPHA_FEW_ITEMS,
    NOTE_ALPHA_ZERO_TOTAL,
    NOTE_STD_ALPHA_ZERO_ITEM,
    _as_float_array,
    _num,
)


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
