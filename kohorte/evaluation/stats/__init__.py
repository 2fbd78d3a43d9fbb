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

# The note texts and the exact Wilcoxon table are re-exported (``X as X``)
# because callers and tests use them as ``stats.NOTE_...`` / ``stats._SIGNRANK_CDF``.
from .conventions import (
    ALTERNATIVES,
    DEFAULT_CONF_LEVEL,
    EXACT_MAX_N,
    RANK_DECIMALS,
)
from .conventions import NOTE_ALL_ZERO as NOTE_ALL_ZERO
from .conventions import NOTE_ALPHA_FEW_CASES as NOTE_ALPHA_FEW_CASES
from .conventions import NOTE_ALPHA_FEW_ITEMS as NOTE_ALPHA_FEW_ITEMS
from .conventions import NOTE_ALPHA_ZERO_TOTAL as NOTE_ALPHA_ZERO_TOTAL
from .conventions import NOTE_CI_FAILED as NOTE_CI_FAILED
from .conventions import NOTE_CONSTANT_DIFF as NOTE_CONSTANT_DIFF
from .conventions import NOTE_NO_PAIRS as NOTE_NO_PAIRS
from .conventions import NOTE_ONE_PAIR as NOTE_ONE_PAIR
from .conventions import NOTE_STD_ALPHA_ZERO_ITEM as NOTE_STD_ALPHA_ZERO_ITEM
from .effect_size import dz_confidence_interval, noncentrality_limits
from .paired import paired_arrays, paired_batch, paired_summary, wilcoxon_signed_rank
from .reliability import cronbach_alpha, cronbach_alpha_from_cov, standardized_alpha_from_corr
from .report import evaluation_report, pool_cohorts, scale_means
from .wilcoxon import _SIGNRANK_CDF as _SIGNRANK_CDF

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
