"""Property-based tests: the engine against brute force (tiny instances) and
against a networkx max-flow reference (medium instances).

The number of examples follows the Hypothesis profile (conftest.py):
HYPOTHESIS_PROFILE=ci or dev.
"""

from __future__ import annotations

import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kohorte.selection.engine import PolicyError, dumps, solve, solve_detailed
from kohorte.selection.tests.test_engine_reference import BruteForce, NxReference, Refused

REGIONS = ["Darmstadt", "Gießen", "Kassel"]
MORE_REGIONS = REGIONS + ["Köln", "Münster"]
SCORES = ["4.125", "4.124", "4.13", "4.12", "3", "3.5", "-1.005", "0", "2.999", "3.00"]
_BASE = settings().max_examples
MEDIUM = settings(max_examples=max(10, _BASE // 4))


@st.composite
def instances(draw, max_apps=8, max_sites=5, max_places=6, max_orgs=3):
    regions = REGIONS[: draw(st.integers(1, 3))]
    orgs = [f"T-{k}" for k in range(draw(st.integers(1, max_orgs)))]
    sites = [
        (f"S-{k}", draw(st.sampled_from(orgs)), draw(st.sampled_from(regions)))
        for k in range(draw(st.integers(1, max_sites)))
    ]
    n = draw(st.integers(0, max_apps))
    apps = []
    for k in range(n):
        site, org, region = draw(st.sampled_from(sites))
        apps.append({
            "id": f"GWA-2026-{k:04d}",
            "tier": draw(st.integers(1, 2)),
            "priority": draw(st.booleans()),
            "score": draw(st.sampled_from(SCORES)),
            "region": region,
            "organisation": org,
            "site": site,
        })
    data = {"places": draw(st.integers(0, max_places)), "seed": draw(st.text(min_size=1, max_size=8)),
            "applicants": apps}
    bounds = {}
    for region in regions + ["Köln"]:
        if draw(st.booleans()):
            b = {}
            if draw(st.booleans()):
                b["min"] = draw(st.integers(0, max(1, max_places // 2)))
            if draw(st.booleans()):
                b["max"] = draw(st.integers(0, max_places))
            bounds[region] = b
    if bounds or draw(st.booleans()):
        data["regions"] = bounds
    for key in ("max_per_organisation", "max_per_site"):
        cap = draw(st.one_of(st.none(), st.integers(0, 3)))
        if cap is not None or draw(st.booleans()):
            data[key] = cap
    if draw(st.booleans()):
        data["use_priority"] = draw(st.booleans())
    ids = [a["id"] for a in apps]
    if ids:
        fixed = draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
        rest = [i for i in ids if i not in fixed]
        excluded = draw(st.lists(st.sampled_from(rest), unique=True, max_size=2)) if rest else []
        if fixed or draw(st.booleans()):
            data["fixed"] = fixed
        if excluded:
            data["excluded"] = excluded
    return data


@st.composite
def tight_instances(draw):
    """Few places, Träger spanning regions, small caps and minima: the cases in
    which minima, caps and the fill requirement interact."""
    regions = MORE_REGIONS[: draw(st.integers(2, 5))]
    orgs = [f"T-{k}" for k in range(draw(st.integers(2, 3)))]
    sites = [
        (f"S-{k}", draw(st.sampled_from(orgs)), draw(st.sampled_from(regions)))
        for k in range(draw(st.integers(3, 6)))
    ]
    apps = []
    for k in range(draw(st.integers(4, 9))):
        site, org, region = draw(st.sampled_from(sites))
        apps.append({"id": f"A{k}", "tier": 1, "priority": False,
                     "score": draw(st.sampled_from(SCORES)), "region": region,
                     "organisation": org, "site": site})
    places = draw(st.integers(2, 5))
    bounds = {}
    for region in regions:
        b = {}
        if draw(st.booleans()):
            b["min"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            b["max"] = draw(st.integers(b.get("min", 1), 3))
        bounds[region] = b
    data = {"places": places, "seed": "t", "applicants": apps, "regions": bounds,
            "max_per_organisation": draw(st.integers(1, 2)),
            "max_per_site": draw(st.sampled_from([None, 1, 2]))}
    ids = [a["id"] for a in apps]
    data["fixed"] = draw(st.lists(st.sampled_from(ids), unique=True, max_size=1))
    return data


def _run_engine(data):
    try:
        return solve_detailed(copy.deepcopy(data)), None
    except PolicyError as exc:
        return None, exc


def _check_refusal(exc, ref, ref_error):
    assert ref_error is not None, f"engine refused ({exc}), reference did not"
    if ref_error.kind in ("min_max", "sum"):
        assert exc.regions == ref_error.regions
    else:
        # the named regions form a minimal set of minima that cannot be met together
        assert exc.regions
        assert not ref.minima_jointly_feasible(exc.regions)
        for region in exc.regions:
            assert ref.minima_jointly_feasible([r for r in exc.regions if r != region])
    assert "\n" not in str(exc)


def _taken_before(result, ref, ident):
    """Fixed applicants plus the selected ones ranked above ident."""
    fixed = set(ref.fixed)
    rank = ref.rank[ident]
    return [i for i in result["selected"] if i in fixed or ref.rank[i] < rank]


def _check_constraints(result, ref):
    selected = result["selected"]
    by_id = ref.by_id
    assert len(set(selected)) == len(selected)
    assert set(ref.fixed) <= set(selected)
    nfixed = len(ref.fixed)
    assert len(selected) <= max(ref.P, nfixed)
    counts, per_org, per_site = {}, {}, {}
    for i in selected:
        r = by_id[i]["region"]
        counts[r] = counts.get(r, 0) + 1
        o = by_id[i]["organisation"]
        per_org[o] = per_org.get(o, 0) + 1
        s = by_id[i]["site"]
        per_site[s] = per_site.get(s, 0) + 1
    for r, n in counts.items():
        if r in ref.rmax:
            assert n <= max(ref.rmax[r], ref.f_reg.get(r, 0)), f"maximum of {r} violated"
    if ref.cap_org is not None:
        for o, n in per_org.items():
            assert n <= max(ref.cap_org, ref.f_org.get(o, 0)), f"cap of {o} violated"
    if ref.cap_site is not None:
        for s, n in per_site.items():
            assert n <= max(ref.cap_site, ref.f_site.get(s, 0)), f"cap of {s} violated"
    for r, low in ref.minima.items():
        assert counts.get(r, 0) >= low, f"minimum of {r} violated"
    # rank order
    assert selected == sorted(selected, key=ref.rank.__getitem__)
    assert result["waiting_list"] == sorted(result["waiting_list"], key=ref.rank.__getitem__)
    assert set(selected) | set(result["waiting_list"]) == set(by_id)


def _check_reasons(result, details, ref, K):
    """Every waiting-list reason is real (checked by brute force)."""
    P = ref.P
    for ident in result["waiting_list"]:
        reason = details[ident]
        kind = reason[0]
        app = ref.by_id[ident]
        taken = _taken_before(result, ref, ident)
        text = result["explanations"][ident]
        must = taken + [ident]
        assert kind not in ("internal", "complete"), reason
        # the applicant really cannot be added
        assert not ref.completable(must, K), (ident, reason)
        if kind == "places":
            assert len(taken) >= P
            assert "alle Plätze vergeben" in text
        elif kind == "site":
            assert reason[1] == app["site"]
            assert sum(1 for i in taken if ref.by_id[i]["site"] == app["site"]) >= ref.cap_site
            assert f"Höchstzahl je Standort {app['site']} erreicht" in text
        elif kind == "organisation":
            org = app["organisation"]
            assert reason[1] == org
            assert sum(1 for i in taken if ref.by_id[i]["organisation"] == org) >= ref.cap_org
            assert f"Höchstzahl je Träger {org} erreicht" in text
        elif kind == "region_max":
            region = app["region"]
            assert reason[1] == region
            assert sum(1 for i in taken if ref.by_id[i]["region"] == region) >= ref.rmax[region]
            assert f"Höchstzahl Regierungsbezirk {region} erreicht" in text
        elif kind == "minimum":
            assert reason[1]
            for region in reason[1]:
                assert ref.completable(must, K, lower=[region]), (ident, region)
                assert f"Mindestzahl Regierungsbezirk {region}" in text
        elif kind == "fill":
            assert reason[1] == K
            assert ref.completable(must, K - 1)
            for what, name in reason[2]:
                assert ref.completable(must, K, lift=[(what, name)]), (ident, what, name)
                assert name in text
            assert "sonst blieben Plätze unbesetzt" in text
        elif kind == "minimum_fill":
            assert not ref.completable(must, K - 1)
            for region in reason[1]:
                assert not ref.completable(must, K, lower=[region])
                assert ref.completable(must, K - 1, lower=[region])
                assert f"Mindestzahl Regierungsbezirk {region}" in text
        else:
            raise AssertionError(f"unknown reason {reason}")


def _compare_with_reference(data, ref):
    """Engine and an independent reference agree on everything they both decide.

    Returns (result, details, expected), or None when both refused the policy alike.
    """
    engine, exc = _run_engine(data)
    try:
        expected = ref.solve()
        ref_error = None
    except Refused as err:
        expected, ref_error = None, err
    if exc is not None:
        _check_refusal(exc, ref, ref_error)
        return None
    assert ref_error is None, f"reference refused ({ref_error.kind}), engine did not"
    result, details = engine
    assert result["selected"] == expected["selected"]
    assert result["waiting_list"] == expected["waiting_list"]
    assert result["relaxed"] == expected["relaxed"]
    assert result["violations"] == ref.violations()
    _check_constraints(result, ref)
    return result, details, expected


@given(st.one_of(instances(), tight_instances()))
def test_engine_equals_brute_force_and_reasons_are_real(data):
    ref = BruteForce(data)
    compared = _compare_with_reference(data, ref)
    if compared is None:
        return
    result, details, expected = compared
    _check_reasons(result, details, ref, expected["K"])
    ids = {a["id"] for a in data["applicants"]}
    assert set(result["explanations"]) == ids


@given(instances(max_apps=10), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_input_order(data, rnd):
    try:
        first = dumps(solve(copy.deepcopy(data)))
    except PolicyError as exc:
        shuffled = copy.deepcopy(data)
        rnd.shuffle(shuffled["applicants"])
        try:
            solve(shuffled)
        except PolicyError as exc2:
            assert str(exc2) == str(exc)
        else:
            raise AssertionError("refusal depends on input order") from None
        return
    assert dumps(solve(copy.deepcopy(data))) == first
    shuffled = copy.deepcopy(data)
    rnd.shuffle(shuffled["applicants"])
    assert dumps(solve(shuffled)) == first


@MEDIUM
@given(instances(max_apps=70, max_sites=18, max_places=25, max_orgs=6))
def test_engine_equals_networkx_reference_on_medium_instances(data):
    _compare_with_reference(data, NxReference(data))


def _structured_medium(seed, n=120, places=30):
    """A denser medium instance like the benchmark: minima in every region."""
    rng = random.Random(seed)
    nsites = 24
    sites = [(f"S-{k}", f"T-{rng.randrange(8)}", REGIONS[rng.randrange(3)]) for k in range(nsites)]
    apps = []
    for k in range(n):
        s, o, r = sites[rng.randrange(nsites)]
        apps.append({"id": f"GWA-{k:04d}", "tier": rng.choice([1, 1, 2]),
                     "priority": rng.random() < 0.1, "score": f"{rng.randrange(100, 500) / 100:.3f}",
                     "region": r, "organisation": o, "site": s})
    return {"places": places, "seed": f"seed {seed}", "applicants": apps,
            "regions": {"Darmstadt": {"min": 6, "max": 14}, "Gießen": {"min": 5},
                        "Kassel": {"min": 6, "max": 12}},
            "max_per_organisation": 5, "max_per_site": 2, "use_priority": True,
            "fixed": [apps[rng.randrange(n)]["id"]]}


@MEDIUM
@given(st.integers(0, 10_000))
def test_engine_equals_networkx_reference_on_structured_instances(seed):
    data = _structured_medium(seed)
    ref = NxReference(data)
    try:
        expected = ref.solve()
    except Refused as err:
        try:
            solve(copy.deepcopy(data))
        except PolicyError as exc:
            _check_refusal(exc, ref, err)
            return
        raise AssertionError("reference refused, engine did not") from None
    result = solve(copy.deepcopy(data))
    assert result["selected"] == expected["selected"]
    assert result["waiting_list"] == expected["waiting_list"]
    assert result["relaxed"] == expected["relaxed"]
    _check_constraints(result, ref)
