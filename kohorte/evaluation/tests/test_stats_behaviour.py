"""Behaviour of the statistics core: conventions, undefined values, batch API."""

import json
import math
import time

import numpy as np
import pytest

from kohorte.evaluation import stats

KEYS = {
    "n",
    "mean_pre",
    "mean_post",
    "mean_diff",
    "sd_diff",
    "t",
    "df",
    "p_t",
    "wilcoxon_statistic",
    "p_wilcoxon",
    "dz",
    "dz_ci_low",
    "dz_ci_high",
    "notes",
}


def _json_clean(obj):
    """Serialisable without NaN/Infinity (raises otherwise)."""
    return json.dumps(obj, allow_nan=False)


def test_summary_has_the_specified_keys():
    s = stats.paired_summary([1, 2, 3, 4], [2, 2, 5, 7])
    assert KEYS <= set(s)
    assert isinstance(s["notes"], list)
    _json_clean(s)


def test_direction_is_post_minus_pre():
    s = stats.paired_summary(pre=[1, 2, 3, 4, 5], post=[2, 4, 4, 6, 8])
    assert s["mean_diff"] > 0 and s["t"] > 0 and s["dz"] > 0
    assert s["wilcoxon_statistic"] == 15  # every difference positive: 1+2+3+4+5
    assert s["mean_pre"] == 3 and s["mean_post"] == pytest.approx(4.8)


def test_swapping_pre_and_post_mirrors_everything():
    rng = np.random.default_rng(7)
    pre = rng.normal(size=30)
    post = pre + rng.normal(0.3, 1, size=30)
    a = stats.paired_summary(pre, post)
    b = stats.paired_summary(post, pre)
    assert b["t"] == pytest.approx(-a["t"])
    assert b["p_t"] == pytest.approx(a["p_t"])
    assert b["dz_ci_low"] == pytest.approx(-a["dz_ci_high"])
    assert b["dz_ci_high"] == pytest.approx(-a["dz_ci_low"])
    k = a["n_wilcoxon"]
    assert b["wilcoxon_statistic"] == pytest.approx(k * (k + 1) / 2 - a["wilcoxon_statistic"])
    assert b["p_wilcoxon"] == pytest.approx(a["p_wilcoxon"])


def test_dz_is_t_over_root_n_and_ci_contains_it():
    rng = np.random.default_rng(3)
    pre = rng.normal(size=40)
    post = pre + rng.normal(0.5, 1, size=40)
    s = stats.paired_summary(pre, post)
    assert s["dz"] == pytest.approx(s["t"] / math.sqrt(s["n"]))
    assert s["dz"] == pytest.approx(s["mean_diff"] / s["sd_diff"])
    assert s["dz_ci_low"] < s["dz"] < s["dz_ci_high"]


def test_missing_values_drop_only_incomplete_pairs():
    pre = [1.0, np.nan, 3.0, 4.0, 2.0, 5.0]
    post = [2.0, 3.0, np.nan, 6.0, 2.5, 5.5]
    s = stats.paired_summary(pre, post)
    ref = stats.paired_summary([1.0, 4.0, 2.0, 5.0], [2.0, 6.0, 2.5, 5.5])
    assert s == ref
    assert s["n"] == 4


def test_none_in_lists_is_missing():
    s = stats.paired_summary([1, None, 3, 4], [2, 5, 4, 7])
    assert s["n"] == 3


# -------------------------------------------------------- undefined values
def test_constant_differences_give_null_t_and_dz_with_note():
    s = stats.paired_summary([1, 2, 3, 4], [2, 3, 4, 5])
    assert s["t"] is None and s["p_t"] is None
    assert s["dz"] is None and s["dz_ci_low"] is None and s["dz_ci_high"] is None
    assert s["sd_diff"] == 0 and s["df"] == 3 and s["mean_diff"] == 1
    assert stats.NOTE_CONSTANT_DIFF in s["notes"]
    # Wilcoxon stays defined: four tied positive differences -> normal approximation
    assert s["wilcoxon_statistic"] == 10 and s["p_wilcoxon"] is not None
    assert s["wilcoxon_method"].startswith("normal")
    _json_clean(s)


def test_all_differences_zero():
    s = stats.paired_summary([1, 2, 3], [1, 2, 3])
    assert s["t"] is None and s["dz"] is None
    assert s["wilcoxon_statistic"] is None and s["p_wilcoxon"] is None
    assert s["wilcoxon_method"] is None
    assert stats.NOTE_ALL_ZERO in s["notes"]
    assert stats.NOTE_CONSTANT_DIFF in s["notes"]
    assert s["n_zero_differences"] == 3
    _json_clean(s)


def test_nearly_constant_differences_are_treated_as_constant_like_r():
    # floating-point noise only: R's t.test stops ("data are essentially constant")
    pre = np.array([0.1, 0.2, 0.7, 1.3])
    post = pre + 1 / 3
    s = stats.paired_summary(pre, post)
    assert s["t"] is None and stats.NOTE_CONSTANT_DIFF in s["notes"]


def test_batch_columns_with_zero_and_one_pair():
    pre = np.array([[1.0, np.nan, 1.0], [2.0, np.nan, np.nan], [3.0, 1.0, np.nan]])
    post = np.array([[2.0, 5.0, 4.0], [2.5, np.nan, 1.0], [3.7, np.nan, 1.0]])
    recs = stats.paired_batch(pre, post)
    assert [r["n"] for r in recs] == [3, 0, 1]
    empty, single = recs[1], recs[2]
    assert empty["notes"] == [stats.NOTE_NO_PAIRS]
    assert all(empty[k] is None for k in KEYS - {"n", "notes"})
    assert single["mean_diff"] == 3 and single["mean_pre"] == 1
    assert single["sd_diff"] is None and single["t"] is None and single["df"] is None
    assert stats.NOTE_ONE_PAIR in single["notes"]
    # one non-zero difference: R's exact test gives V = 1, p = 1
    assert single["wilcoxon_statistic"] == 1 and single["p_wilcoxon"] == 1
    _json_clean(recs)


def test_no_nan_or_infinity_in_any_result():
    rng = np.random.default_rng(11)
    pre = rng.integers(1, 6, size=(50, 12)).astype(float)
    post = pre.copy()
    post[:, :6] += rng.integers(-1, 2, size=(50, 6))
    post[:, 8] = pre[:, 8] + 2  # constant difference
    pre[rng.random(pre.shape) < 0.2] = np.nan
    post[:, 11] = np.nan  # no pairs
    _json_clean(stats.paired_batch(pre, post))


# ----------------------------------------------------------- batch == single
def test_batch_equals_single_column_calls():
    rng = np.random.default_rng(5)
    pre = rng.integers(1, 6, size=(200, 5)).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, size=pre.shape), 1, 5)
    pre[rng.random(pre.shape) < 0.1] = np.nan
    post[rng.random(post.shape) < 0.1] = np.nan
    batch = stats.paired_batch(pre, post)
    for j in range(5):
        assert batch[j] == stats.paired_summary(pre[:, j], post[:, j])


def test_paired_arrays_matches_records():
    rng = np.random.default_rng(6)
    pre = rng.normal(size=(20, 3))
    post = pre + rng.normal(size=(20, 3))
    arrays = stats.paired_arrays(pre, post)
    recs = stats.paired_batch(pre, post)
    for j in range(3):
        assert arrays["t"][j] == recs[j]["t"]
        assert arrays["dz_ci_low"][j] == recs[j]["dz_ci_low"]


# ---------------------------------------------------- exact/normal decision
def _untied(n, seed=0):
    rng = np.random.default_rng(seed)
    d = (rng.permutation(np.arange(1, n + 1)) + 0.5) * rng.choice([-1, 1], size=n)
    return np.zeros(n), d


def test_exact_up_to_25_nonzero_differences():
    pre, post = _untied(25)
    assert stats.paired_summary(pre, post)["wilcoxon_method"] == "exact"
    pre, post = _untied(26)
    assert stats.paired_summary(pre, post)["wilcoxon_method"].startswith("normal")


def test_ties_or_zeros_switch_to_normal_approximation():
    assert stats.paired_summary([0] * 4, [1, 2, 3, -4])["wilcoxon_method"] == "exact"
    tied = stats.paired_summary([0] * 4, [1, 2, 2, -4])
    assert tied["wilcoxon_method"].startswith("normal") and tied["wilcoxon_ties"]
    zero = stats.paired_summary([0] * 5, [1, 2, 3, -4, 0])
    assert zero["wilcoxon_method"].startswith("normal") and zero["n_zero_differences"] == 1
    assert zero["n_wilcoxon"] == 4 and zero["n"] == 5


def test_exact_false_forces_normal_approximation():
    pre, post = _untied(10)
    s = stats.paired_summary(pre, post, exact=False)
    assert s["wilcoxon_method"] == "normal approximation with continuity correction"


def test_floating_point_ties_between_scale_means_are_ties():
    # 11/3 - 10/3 and 14/3 - 13/3 are both 1/3 but differ in the last bit
    pre = np.array([10, 13, 7, 2]) / 3
    post = np.array([11, 14, 9, 6]) / 3
    d = post - pre
    assert d[0] != d[1]  # the premise of this test
    s = stats.paired_summary(pre, post)
    assert s["wilcoxon_ties"] and s["wilcoxon_method"].startswith("normal")
    assert s["wilcoxon_statistic"] == 10
    raw = stats.paired_summary(pre, post, rank_decimals=None)  # R's digits.rank = Inf
    assert not raw["wilcoxon_ties"] and raw["wilcoxon_method"] == "exact"


def test_exact_distribution_sums_to_one_and_is_symmetric():
    for n in (1, 5, 17, 25):
        cdf = stats._SIGNRANK_CDF[n]
        total = n * (n + 1) // 2
        assert cdf[-1] == 1.0 and cdf.size == total + 1
        pmf = np.diff(np.concatenate(([0.0], cdf)))
        assert np.allclose(pmf, pmf[::-1])


# ------------------------------------------------------------- d_z interval
def test_ci_limits_satisfy_their_definition():
    from scipy import stats as sps

    for t, n in [(2.5, 12), (-0.4, 5), (0.0, 30), (8.0, 200), (45.0, 10000)]:
        (lo,), (hi,) = stats.noncentrality_limits([t], [n - 1])
        assert sps.nct.cdf(t, n - 1, lo) == pytest.approx(0.975, abs=1e-8)
        assert sps.nct.cdf(t, n - 1, hi) == pytest.approx(0.025, abs=1e-8)
        low, high = stats.dz_confidence_interval(t, n)
        assert low == pytest.approx(lo / math.sqrt(n)) and high == pytest.approx(hi / math.sqrt(n))


def test_ci_for_large_sample_is_close_to_normal_theory():
    # for large n, d_z is approximately normal with se sqrt(1/n + d^2 / (2n))
    n, d = 10000, 0.4
    lo, hi = stats.dz_confidence_interval(d * math.sqrt(n), n)
    se = math.sqrt(1 / n + d * d / (2 * n))
    assert lo == pytest.approx(d - 1.959964 * se, abs=1e-3)
    assert hi == pytest.approx(d + 1.959964 * se, abs=1e-3)


def test_ci_undefined_inputs():
    assert stats.dz_confidence_interval(float("nan"), 10) == (None, None)
    assert stats.dz_confidence_interval(1.0, 1) == (None, None)


def test_conf_level_is_validated_and_used():
    pre, post = [1, 2, 3, 4, 5], [2, 2, 4, 6, 5.5]
    s90 = stats.paired_summary(pre, post, conf_level=0.90)
    s95 = stats.paired_summary(pre, post)
    assert s90["dz_ci_high"] - s90["dz_ci_low"] < s95["dz_ci_high"] - s95["dz_ci_low"]
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError):
            stats.paired_summary(pre, post, conf_level=bad)


# ---------------------------------------------------------- input checking
@pytest.mark.parametrize(
    "pre, post, exc",
    [
        ([1, 2, 3], [1, 2], ValueError),
        ([1, 2, float("inf")], [1, 2, 3], ValueError),
        ([True, False, True], [1, 2, 3], TypeError),
        (["1", "2"], [1, 2], TypeError),
        ([1, True, 3], [1, 2, 3], TypeError),
        ([1, [2], 3], [1, 2, 3], TypeError),
        (np.array([1.0, 2.0]), np.array([True, False]), TypeError),
        (5, 6, TypeError),
    ],
)
def test_bad_input_is_rejected(pre, post, exc):
    with pytest.raises(exc):
        stats.paired_summary(pre, post)


def test_bad_alternative():
    with pytest.raises(ValueError):
        stats.paired_summary([1, 2], [2, 4], alternative="two.sided")


# ------------------------------------------------------------ Cronbach alpha
def test_alpha_listwise_deletion():
    data = np.array([[1, 2, 3], [2, 3, 3], [4, 4, 5], [np.nan, 1, 2], [5, 5, 4]], dtype=float)
    res = stats.cronbach_alpha(data)
    assert res["n"] == 4 and res["n_excluded"] == 1 and res["k"] == 3
    assert res["alpha"] == stats.cronbach_alpha(data[[0, 1, 2, 4]])["alpha"]


def test_alpha_equals_variance_formula():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 1)) + rng.normal(size=(60, 5))
    k = 5
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert stats.cronbach_alpha(x)["alpha"] == pytest.approx(expected)


def test_alpha_undefined_cases():
    one_item = stats.cronbach_alpha([[1], [2], [3]])
    assert one_item["alpha"] is None and stats.NOTE_ALPHA_FEW_ITEMS in one_item["notes"]
    one_case = stats.cronbach_alpha([[1, 2, 3], [np.nan, 1, 1]])
    assert one_case["alpha"] is None and stats.NOTE_ALPHA_FEW_CASES in one_case["notes"]
    flat = stats.cronbach_alpha([[2, 2], [2, 2], [2, 2]])
    assert flat["alpha"] is None and stats.NOTE_ALPHA_ZERO_TOTAL in flat["notes"]
    assert flat["standardized_alpha"] is None
    one_flat_item = stats.cronbach_alpha([[1, 2], [2, 2], [3, 2]])
    assert one_flat_item["alpha"] == 0.0
    assert stats.NOTE_STD_ALPHA_ZERO_ITEM in one_flat_item["notes"]
    _json_clean([one_item, one_case, flat, one_flat_item])


def test_alpha_can_be_negative():
    res = stats.cronbach_alpha([[1, 5], [2, 4], [3, 3], [4, 2], [5, 1.5]])
    assert res["alpha"] < 0


# ------------------------------------------------------- scale means, pooling
def test_scale_means_default_requires_all_items():
    m = np.array([[1, 2, 3, 4], [2, np.nan, 4, 4], [np.nan, np.nan, 1, 1]], dtype=float)
    dims = {"A": [0, 1], "B": [2, 3]}
    out = stats.scale_means(m, dims)
    assert out["A"][0] == 1.5 and math.isnan(out["A"][1]) and math.isnan(out["A"][2])
    assert list(out["B"]) == [3.5, 4.0, 1.0]
    lenient = stats.scale_means(m, dims, min_items=1)
    assert lenient["A"][1] == 2.0 and math.isnan(lenient["A"][2])
    with pytest.raises(ValueError):
        stats.scale_means(m, {"C": [3, 4]})
    with pytest.raises(ValueError):
        stats.scale_means(m, dims, min_items=3)


def test_pooling_concatenates_pairs():
    rng = np.random.default_rng(9)
    cohorts_pre = [rng.normal(size=(n, 3)) for n in (12, 30, 7)]
    cohorts_post = [p + rng.normal(0.2, 1, size=p.shape) for p in cohorts_pre]
    pre = stats.pool_cohorts(cohorts_pre)
    post = stats.pool_cohorts(cohorts_post)
    assert pre.shape == (49, 3)
    pooled = stats.paired_batch(pre, post)
    assert pooled[1] == stats.paired_summary(
        np.concatenate([c[:, 1] for c in cohorts_pre]),
        np.concatenate([c[:, 1] for c in cohorts_post]),
    )
    assert stats.pool_cohorts([[1, 2], [3]]).tolist() == [1, 2, 3]
    with pytest.raises(ValueError):
        stats.pool_cohorts([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError):
        stats.pool_cohorts([])


# ---------------------------------------------------------------- the report
def _survey(n=300, k=8, seed=4):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    base = np.clip(np.round(3 + trait + rng.normal(0, 0.8, size=(n, k))), 1, 5)
    post = np.clip(base + rng.integers(0, 2, size=(n, k)), 1, 5)
    then = np.clip(base - rng.integers(0, 2, size=(n, k)), 1, 5)
    for a in (base, post, then):
        a[rng.random((n, k)) < 0.05] = np.nan
    return base, post, then


def test_report_structure_and_consistency():
    pre, post, then = _survey()
    dims = {"skills": [0, 1, 2, 3], "attitude": [4, 5, 6, 7]}
    labels = [f"q{i}" for i in range(8)]
    rep = stats.evaluation_report(pre, post, then, dimensions=dims, item_labels=labels)
    assert rep["comparisons"] == ["pre_post", "then_post"]
    assert [it["item"] for it in rep["items"]] == labels
    assert rep["items"][3]["pre_post"] == stats.paired_summary(pre[:, 3], post[:, 3])
    assert rep["items"][3]["then_post"] == stats.paired_summary(then[:, 3], post[:, 3])
    skills = rep["dimensions"][0]
    assert skills["dimension"] == "skills" and skills["items"] == labels[:4]
    sm_pre = stats.scale_means(pre, dims)["skills"]
    sm_post = stats.scale_means(post, dims)["skills"]
    assert skills["pre_post"] == stats.paired_summary(sm_pre, sm_post)
    assert set(skills["alpha"]) == {"pre", "post", "then"}
    assert skills["alpha"]["post"] == stats.cronbach_alpha(post[:, :4])
    _json_clean(rep)


def test_report_with_a_follow_up_compares_it_with_before():
    pre, post, then = _survey()
    rng = np.random.default_rng(9)
    follow = np.clip(pre + rng.integers(-1, 2, size=pre.shape), 1, 5)
    follow[rng.random(pre.shape) < 0.3] = np.nan  # fewer answer months later
    dims = {"skills": [0, 1, 2, 3], "attitude": [4, 5, 6, 7]}
    rep = stats.evaluation_report(pre, post, then, follow_up=follow, dimensions=dims)
    assert rep["comparisons"] == ["pre_post", "then_post", "pre_follow_up"]
    assert rep["items"][5]["pre_follow_up"] == stats.paired_summary(pre[:, 5], follow[:, 5])
    assert rep["items"][5]["pre_post"] == stats.paired_summary(pre[:, 5], post[:, 5])
    attitude = rep["dimensions"][1]
    assert attitude["pre_follow_up"] == stats.paired_summary(
        stats.scale_means(pre, dims)["attitude"], stats.scale_means(follow, dims)["attitude"])
    assert attitude["alpha"]["follow_up"] == stats.cronbach_alpha(follow[:, 4:])
    # Without the look back the follow-up is still compared with before.
    alone = stats.evaluation_report(pre, post, follow_up=follow, dimensions=dims)
    assert alone["comparisons"] == ["pre_post", "pre_follow_up"]
    assert alone["items"][5]["pre_follow_up"] == rep["items"][5]["pre_follow_up"]
    with pytest.raises(ValueError):
        stats.evaluation_report(pre, post, follow_up=follow[:, :3])
    _json_clean(rep)


def test_report_without_then_or_dimensions():
    pre, post, _ = _survey(n=40, k=3)
    rep = stats.evaluation_report(pre, post)
    assert rep["comparisons"] == ["pre_post"]
    assert rep["dimensions"] == [] and len(rep["items"]) == 3
    assert set(rep["items"][0]) == {"item", "pre_post"}
    with pytest.raises(ValueError):
        stats.evaluation_report(pre, post[:, :2])


def test_report_speed_at_programme_scale():
    # 10,000 respondents x 32 items x 3 measurements, 4 dimensions.  Measured
    # at about 0.1 s on the development machine; the bound is loose on purpose.
    rng = np.random.default_rng(0)
    shape = (10_000, 32)
    pre = rng.integers(1, 6, size=shape).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, size=shape), 1, 5)
    then = np.clip(pre + rng.integers(-1, 2, size=shape), 1, 5)
    for a in (pre, post, then):
        a[rng.random(shape) < 0.05] = np.nan
    dims = {f"d{i}": list(range(8 * i, 8 * i + 8)) for i in range(4)}
    start = time.perf_counter()
    rep = stats.evaluation_report(pre, post, then, dimensions=dims)
    elapsed = time.perf_counter() - start
    assert len(rep["items"]) == 32 and len(rep["dimensions"]) == 4
    assert elapsed < 2.0


def test_ci_for_huge_t_is_fast_and_sensible():
    # Near-constant differences give an enormous t.  For large t the limits
    # approach t * sqrt(chi2_{df, q} / df) (the noise of Z becomes negligible).
    from scipy import stats as sps

    start = time.perf_counter()
    s = stats.paired_summary([0.0, 0.0], [1.0, 1.0000001])
    assert time.perf_counter() - start < 2.0
    t, n = s["t"], s["n"]
    assert t > 1e7
    expect_low = t * math.sqrt(sps.chi2.ppf(0.025, n - 1) / (n - 1)) / math.sqrt(n)
    expect_high = t * math.sqrt(sps.chi2.ppf(0.975, n - 1) / (n - 1)) / math.sqrt(n)
    assert s["dz_ci_low"] == pytest.approx(expect_low, rel=1e-4)
    assert s["dz_ci_high"] == pytest.approx(expect_high, rel=1e-4)
    # mirrored for a negative t
    lo, hi = stats.noncentrality_limits([-t], [n - 1])
    assert lo[0] == pytest.approx(-expect_high * math.sqrt(n), rel=1e-4)
    assert hi[0] == pytest.approx(-expect_low * math.sqrt(n), rel=1e-4)


def test_ci_is_continuous_where_the_cdf_method_switches():
    below = stats.noncentrality_limits([999.9999], [9])
    above = stats.noncentrality_limits([1000.0001], [9])
    assert below[0][0] == pytest.approx(above[0][0], rel=1e-6)
    assert below[1][0] == pytest.approx(above[1][0], rel=1e-6)
