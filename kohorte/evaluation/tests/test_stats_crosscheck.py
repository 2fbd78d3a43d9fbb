"""Agreement with SciPy's independent implementations on random data.

SciPy's ``wilcoxon`` reports min(R+, R-) for the two-sided test, R's V is R+;
the p-values are comparable directly.  SciPy's exact two-sided p-value is
computed the same way as R's when there are no ties and no zeros.
"""

import numpy as np
import pytest
from scipy import stats as sps

from kohorte.evaluation import stats


def _r_plus(d):
    d = np.asarray(d, dtype=float)
    d = d[d != 0]
    ranks = sps.rankdata(np.abs(d))
    return ranks[d > 0].sum()


@pytest.mark.parametrize("seed", range(8))
def test_t_test_matches_scipy_ttest_rel(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 200))
    pre = rng.normal(size=n)
    post = pre + rng.normal(0.2, 1.0, size=n)
    s = stats.paired_summary(pre, post)
    ref = sps.ttest_rel(post, pre)
    assert s["t"] == pytest.approx(ref.statistic, rel=1e-12)
    assert s["p_t"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert s["df"] == n - 1


@pytest.mark.parametrize("seed", range(8))
def test_normal_approximation_with_ties_and_zeros_matches_scipy(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(10, 400))
    pre = rng.integers(1, 6, size=n).astype(float)
    post = np.clip(pre + rng.integers(-2, 3, size=n), 1, 5)
    s = stats.paired_summary(pre, post)
    d = post - pre
    assert s["wilcoxon_method"] == "normal approximation with continuity correction"
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="approx")
    assert s["p_wilcoxon"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert s["wilcoxon_statistic"] == _r_plus(d)


def test_sleep_data_against_scipy():
    # the published sleep example (test_stats_reference.py), independently via SciPy
    g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    ref = sps.wilcoxon(g1 - g2, zero_method="wilcox", correction=True, method="approx")
    assert stats.paired_summary(g2, g1)["p_wilcoxon"] == pytest.approx(ref.pvalue, rel=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("n", [1, 2, 5, 12, 25])
def test_exact_p_matches_scipy(n, alternative):
    rng = np.random.default_rng(n)
    d = (rng.permutation(n) + 1 + rng.random(n) * 0.5) * rng.choice([-1, 1], size=n)
    s = stats.paired_summary(np.zeros(n), d, alternative=alternative)
    assert s["wilcoxon_method"] == "exact"
    ref = sps.wilcoxon(d, alternative=alternative, method="exact")
    assert s["p_wilcoxon"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert s["wilcoxon_statistic"] == _r_plus(d)


@pytest.mark.parametrize("seed", range(150))
def test_likert_pairs_property(seed):
    # random small Likert samples: many ties, zeros, constant differences
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 61))
    pre = rng.integers(1, 6, size=n).astype(float)
    post = rng.integers(1, 6, size=n).astype(float)
    if seed % 10 == 0:
        post = np.clip(pre + 1, 1, 5)  # often constant differences
    s = stats.paired_summary(pre, post)
    d = post - pre
    k = int((d != 0).sum())
    assert s["n"] == n and s["n_wilcoxon"] == k
    if k == 0:
        assert s["wilcoxon_statistic"] is None and s["p_wilcoxon"] is None
    else:
        assert s["wilcoxon_statistic"] == _r_plus(d)
        assert 0 <= s["p_wilcoxon"] <= 1
        if s["wilcoxon_method"] != "exact":
            ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="approx")
            assert s["p_wilcoxon"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    if np.ptp(d) == 0:
        assert s["t"] is None and s["dz"] is None and s["notes"]
    else:
        ref_t = sps.ttest_rel(post, pre)
        assert s["t"] == pytest.approx(ref_t.statistic, rel=1e-9)
        assert s["dz_ci_low"] <= s["dz"] <= s["dz_ci_high"]
