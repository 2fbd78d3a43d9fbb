"""Checks against published reference values (not against this implementation).

Each reference value carries its source in a comment.  Orientation: the
module always reports post - pre; R's ``wilcox.test(x, y, paired = TRUE)`` and
``t.test(x, y, paired = TRUE)`` work on x - y, so R's x is passed as ``post``
and R's y as ``pre``.
"""

import math

import numpy as np
import pytest

from kohorte.evaluation import stats

# Hollander & Wolfe (1973, p. 29f.): Hamilton depression scale factor IV,
# first (x) and second (y) visit; example data of R's ?wilcox.test.
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# Student's sleep data (Cushny & Peebles), R's datasets::sleep, extra hours
# of sleep of the same 10 patients under drug 1 and drug 2 (ID order).
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# ---------------------------------------------------------------- Wilcoxon
def test_wilcoxon_hollander_wolfe_two_sided():
    # Source: R documentation ?wilcox.test (package stats), depression example,
    # wilcox.test(x, y, paired = TRUE) two-sided: V = 40, p-value = 0.03906.
    res = stats.wilcoxon_signed_rank(pre=HW_Y, post=HW_X)
    assert res["statistic"] == 40
    assert res["method"] == "exact"
    assert round(res["p_value"], 5) == 0.03906


def test_wilcoxon_hollander_wolfe_greater():
    # Source: R documentation ?wilcox.test, the example as printed there:
    # wilcox.test(x, y, paired = TRUE, alternative = "greater"):
    # V = 40, p-value = 0.01953.
    res = stats.wilcoxon_signed_rank(pre=HW_Y, post=HW_X, alternative="greater")
    assert res["statistic"] == 40
    assert round(res["p_value"], 5) == 0.01953


def test_wilcoxon_hollander_wolfe_large_sample_approximation():
    # Source: R documentation ?wilcox.test, example
    # wilcox.test(y - x, alternative = "less", exact = FALSE, correct = FALSE)
    # "H&W large sample approximation".  Reference value from the textbook
    # formula z = (V - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24) = (5 - 22.5) /
    # sqrt(71.25) = -2.0732, Phi(z) = 0.01908 (Hollander & Wolfe 1973, ch. 3).
    res = stats.wilcoxon_signed_rank(
        pre=HW_X, post=HW_Y, alternative="less", exact=False, correct=False
    )
    assert res["statistic"] == 5
    assert res["method"] == "normal approximation"
    assert round(res["p_value"], 5) == 0.01908


def test_wilcoxon_sleep_ties_and_zero_use_normal_approximation():
    # Source: R output of wilcox.test(extra ~ group, data = sleep, paired = TRUE)
    # (R >= 4.4 spells it with Pair(); same test), widely reproduced in R
    # tutorials: V = 0, p-value = 0.009091, with the warnings "cannot compute
    # exact p-value with ties" and "... with zeroes".  Also independently
    # reproduced with scipy.stats.wilcoxon in test_stats_crosscheck.py.
    res = stats.wilcoxon_signed_rank(pre=SLEEP_2, post=SLEEP_1)
    assert res["statistic"] == 0
    assert res["n"] == 9 and res["n_zero_differences"] == 1 and res["ties"]
    assert res["method"] == "normal approximation with continuity correction"
    assert round(res["p_value"], 6) == 0.009091


def test_wilcoxon_zero_difference_forces_normal_approximation():
    # Source: Cross Validated question 229358 ("Wilcoxon signed rank test to
    # test paired data"), R output for difference = c(10,-9,8,5,-6,0,2):
    # wilcox.test(difference, correct = F, alternative = 'less', exact = T)
    # -> V = 13, p-value = 0.6999 (warning: cannot compute exact p-value with
    # zeroes), and after removing the zero: V = 13, p-value = 0.7187
    # (= psignrank(13, 6) = 0.71875).
    diff = [10, -9, 8, 5, -6, 0, 2]
    res = stats.wilcoxon_signed_rank(pre=[0] * 7, post=diff, alternative="less", correct=False)
    assert res["statistic"] == 13
    assert res["method"] == "normal approximation"
    assert round(res["p_value"], 4) == 0.6999

    no_zero = [v for v in diff if v != 0]
    res = stats.wilcoxon_signed_rank(pre=[0] * 6, post=no_zero, alternative="less")
    assert res["statistic"] == 13
    assert res["method"] == "exact"
    assert res["p_value"] == pytest.approx(0.71875, abs=1e-12)


def test_wilcoxon_darwin_zea_mays_exact():
    # Source: SciPy documentation of scipy.stats.wilcoxon, example with
    # Darwin's Zea mays height differences (Fisher 1935):
    # two-sided p = 0.041259765625 (SciPy reports min(R+, R-) = 24, so R's
    # V = R+ = 120 - 24 = 96); alternative="greater": statistic 96,
    # p = 0.0206298828125.  n = 15 <= 25, no ties -> exact in both.
    d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    two = stats.wilcoxon_signed_rank(pre=[0] * 15, post=d)
    assert two["statistic"] == 96
    assert two["p_value"] == pytest.approx(0.041259765625, abs=1e-12)
    greater = stats.wilcoxon_signed_rank(pre=[0] * 15, post=d, alternative="greater")
    assert greater["p_value"] == pytest.approx(0.0206298828125, abs=1e-12)


# ------------------------------------------------------------------ t-test
def test_paired_t_sleep():
    # Source: R documentation ?t.test (package stats), sleep example,
    # paired t-test of group 1 vs group 2: t = -4.0621, df = 9,
    # p-value = 0.002833, mean difference -1.58.
    s = stats.paired_summary(pre=SLEEP_2, post=SLEEP_1)
    assert s["n"] == 10
    assert round(s["t"], 4) == -4.0621
    assert s["df"] == 9
    assert round(s["p_t"], 6) == 0.002833
    assert s["mean_diff"] == pytest.approx(-1.58, abs=1e-12)


# ------------------------------------------------------------ d_z interval
def test_dz_ci_mote_summary_statistics():
    # Source: R package MOTE (Buchanan, Gillenwaters, Scofield & Valentine),
    # d_dep_t_diff(mdiff = 1.14, sddiff = 2.12, n = 7, a = .05): d = 0.5377358,
    # dlow = -0.2791857, dhigh = 1.317321 (documentation example; values from
    # tests/testthat/test-d_dep_t_diff.R).  MOTE inverts the noncentral t.
    n = 7
    t = 1.14 / (2.12 / math.sqrt(n))
    lo, hi = stats.dz_confidence_interval(t, n)
    assert lo == pytest.approx(-0.2791857, abs=5e-7)
    assert hi == pytest.approx(1.317321, abs=5e-6)


def test_dz_ci_mote_from_t():
    # Source: R package MOTE, d_dep_t_diff_t(t_value = 1.43, n = 7, a = .05):
    # d = 0.5404892, dlow = -0.2770679, dhigh = 1.320576
    # (tests/testthat/test-d_dep_t_diff_t.R).
    lo, hi = stats.dz_confidence_interval(1.43, 7)
    assert 1.43 / math.sqrt(7) == pytest.approx(0.5404892, abs=5e-8)
    assert lo == pytest.approx(-0.2770679, abs=5e-7)
    assert hi == pytest.approx(1.320576, abs=5e-6)


def test_dz_ci_from_raw_data_matches_mote_example():
    # Same MOTE reference (mdiff = 1.14, sddiff = 2.12, n = 7), reached through
    # raw data: differences built to have exactly that mean and SD.
    z = np.array([-1.5, -0.7, -0.2, 0.1, 0.4, 0.9, 1.0])
    z = (z - z.mean()) / z.std(ddof=1)
    post = 1.14 + 2.12 * z
    s = stats.paired_summary(pre=np.zeros(7), post=post)
    assert s["dz"] == pytest.approx(0.5377358, abs=5e-8)
    assert s["dz_ci_low"] == pytest.approx(-0.2791857, abs=5e-7)
    assert s["dz_ci_high"] == pytest.approx(1.317321, abs=5e-6)


# ----------------------------------------------------------- Cronbach alpha
def test_alpha_shrout_fleiss():
    # Source: Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations:
    # uses in assessing rater reliability. Psychological Bulletin 86, 420-428.
    # Table 1 data (6 targets x 4 judges); Table 4 gives ICC(3,k) = .91, and
    # ICC(3,k) is identical to Cronbach's alpha (judges taken as items).
    data = [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ]
    res = stats.cronbach_alpha(data)
    assert res["n"] == 6 and res["k"] == 4
    assert round(res["alpha"], 2) == 0.91


def test_alpha_denis_spss_example():
    # Source: Denis, D. J., Applied Univariate, Bivariate, and Multivariate
    # Statistics (Wiley), SPSS RELIABILITY example with 5 items and N = 10:
    # Cronbach's alpha = .633, alpha based on standardized items = .691.
    # The book prints the item SDs and the inter-item correlations (3 decimals);
    # the covariance matrix is rebuilt from them, hence the 0.001 tolerance.
    sd = np.array([2.71006, 5.05085, 4.74810, 2.71621, 3.80058])
    r = np.array(
        [
            [1.000, 0.679, 0.351, 0.827, 0.022],
            [0.679, 1.000, 0.612, 0.743, -0.463],
            [0.351, 0.612, 1.000, 0.462, -0.129],
            [0.827, 0.743, 0.462, 1.000, -0.011],
            [0.022, -0.463, -0.129, -0.011, 1.000],
        ]
    )
    cov = r * np.outer(sd, sd)
    assert stats.cronbach_alpha_from_cov(cov) == pytest.approx(0.633, abs=0.001)
    assert stats.standardized_alpha_from_corr(r) == pytest.approx(0.691, abs=0.001)
