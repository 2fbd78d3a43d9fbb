"""Unit tests of the selection engine (no database, no Django)."""

from __future__ import annotations

import copy
import hashlib
import random
from decimal import Decimal

import pytest

from kohorte.selection.engine import (
    InstanceError,
    PolicyError,
    candidate_list_hash,
    canonical_candidate_list,
    dumps,
    loads,
    lottery_position,
    rank_key,
    round_score,
    solve,
    solve_detailed,
)

SEED = "2026-11-03 Lotto 6aus49: 3 11 19 27 38 45"


def app(ident, region="Darmstadt", org="T-1", site=None, tier=1, priority=False, score="3.00"):
    return {"id": ident, "tier": tier, "priority": priority, "score": score, "region": region,
            "organisation": org, "site": site or f"S-{ident}"}


def inst(applicants, places, **policy):
    data = {"places": places, "seed": SEED, "applicants": applicants}
    data.update(policy)
    return data


def ranked(applicants, use_priority=False):
    return [a["id"] for a in sorted(applicants, key=lambda a: rank_key(a, SEED, use_priority))]


# --------------------------------------------------------------------------
# rank key
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4.125", "4.13"),
        ("4.124", "4.12"),
        ("4.115", "4.12"),
        ("4.1249999", "4.12"),
        ("4.005", "4.01"),
        ("-4.125", "-4.13"),
        ("-0.001", "0.00"),
        ("4", "4.00"),
        (4, "4.00"),
        (Decimal("2.675"), "2.68"),
        (2.675, "2.68"),  # via repr, never float arithmetic
        ("0.995", "1.00"),
    ],
)
def test_round_score_half_up_two_decimals(raw, expected):
    assert format(round_score(raw), "f") == expected


@pytest.mark.parametrize("raw", ["abc", "", "4,25", "1e3", " 4.2", "NaN", "Infinity", "4.", ".5",
                                 True, None, [], float("nan"), Decimal("Infinity"), "1" * 31])
def test_round_score_rejects_non_numbers(raw):
    with pytest.raises(InstanceError):
        round_score(raw)


def test_lottery_position_is_sha256_of_seed_colon_reference():
    assert lottery_position(SEED, "GWA-2026-0001") == (
        "f3286841f14c9c44df08fea8f1f1c6252406a47753132d4c72bde0c01e168d71"
    )
    assert lottery_position("s", "Jörg") == hashlib.sha256("s:Jörg".encode()).hexdigest()


def test_tier_beats_score_and_priority():
    a = app("A", tier=2, priority=True, score="9.99")
    b = app("B", tier=1, priority=False, score="0.00")
    assert ranked([a, b], use_priority=True) == ["B", "A"]


def test_priority_first_only_if_the_call_uses_it():
    a = app("A", priority=True, score="1.00")
    b = app("B", priority=False, score="2.00")
    assert ranked([a, b], use_priority=True) == ["A", "B"]
    assert ranked([a, b], use_priority=False) == ["B", "A"]


def test_score_compared_at_two_decimals_then_lottery():
    hi = app("HI", score="4.125")  # 4.13
    lo = app("LO", score="4.124")  # 4.12
    assert ranked([lo, hi]) == ["HI", "LO"]
    # 4.125 and 4.13 are equal at two decimals: the lottery decides
    x = app("X", score="4.125")
    y = app("Y", score="4.13")
    expected = sorted(["X", "Y"], key=lambda i: lottery_position(SEED, i))
    assert ranked([x, y]) == expected
    assert ranked([y, x]) == expected


def test_lottery_breaks_ties_in_hex_order():
    apps = [app(f"GWA-{k}") for k in range(20)]
    assert ranked(apps) == sorted((a["id"] for a in apps), key=lambda i: lottery_position(SEED, i))


# --------------------------------------------------------------------------
# candidate list hash
# --------------------------------------------------------------------------


def test_canonical_candidate_list_form():
    apps = [
        app("Jörg-3", region="Kassel", score="0.004"),
        app("GWA-2026-0002", tier=2, priority=True, score="-0.5"),
        app("GWA-2026-0001", score="4.125"),
    ]
    expected = (
        '[{"id":"GWA-2026-0001","priority":false,"score":"4.13","tier":1},'
        '{"id":"GWA-2026-0002","priority":true,"score":"-0.50","tier":2},'
        '{"id":"Jörg-3","priority":false,"score":"0.00","tier":1}]'
    ).encode()
    assert canonical_candidate_list(apps) == expected
    assert candidate_list_hash(apps) == (
        "60d37a2b98af40f003fbd5e2ce6417b32849c9e446295972bb98af3e855f410f"
    )
    assert candidate_list_hash(list(reversed(apps))) == candidate_list_hash(apps)


def test_candidate_list_hash_ignores_location_but_not_rank_data():
    apps = [app("A"), app("B")]
    moved = copy.deepcopy(apps)
    moved[0]["region"] = "Kassel"
    assert candidate_list_hash(moved) == candidate_list_hash(apps)
    changed = copy.deepcopy(apps)
    changed[0]["score"] = "3.01"
    assert candidate_list_hash(changed) != candidate_list_hash(apps)
    with pytest.raises(InstanceError):
        candidate_list_hash([app("A"), app("A")])


# --------------------------------------------------------------------------
# selection rule
# --------------------------------------------------------------------------


def test_plain_rank_order_and_places():
    apps = [app(f"A{k}", score=str(k)) for k in range(5)]
    result = solve(inst(apps, 3))
    assert result["selected"] == ["A4", "A3", "A2"]
    assert result["waiting_list"] == ["A1", "A0"]
    assert "alle Plätze vergeben" in result["explanations"]["A1"]
    assert result["explanations"]["A4"].startswith("Ausgewählt (Rang 1)")


def test_caps_per_site_and_organisation_name_the_cap():
    apps = [
        app("A", org="T-17", site="S-1", score="5"),
        app("B", org="T-17", site="S-1", score="4"),
        app("C", org="T-17", site="S-2", score="3"),
        app("D", org="T-18", site="S-3", score="2"),
        app("E", org="T-17", site="S-4", score="1"),
    ]
    result = solve(inst(apps, 4, max_per_site=1, max_per_organisation=2))
    assert result["selected"] == ["A", "C", "D"]
    ex = result["explanations"]
    assert "Höchstzahl je Standort S-1 erreicht" in ex["B"]
    assert "Höchstzahl je Träger T-17 erreicht" in ex["E"]
    # only three places can be filled; nobody is missing a reason
    assert result["waiting_list"] == ["B", "E"]


def test_region_maximum():
    apps = [app("A", score="3"), app("B", score="2"), app("C", region="Kassel", score="1")]
    result = solve(inst(apps, 3, regions={"Darmstadt": {"max": 1}}))
    assert result["selected"] == ["A", "C"]
    assert "Höchstzahl Regierungsbezirk Darmstadt erreicht" in result["explanations"]["B"]


def test_minimum_forces_a_lower_ranked_applicant_and_says_so():
    apps = [app("D1", score="5"), app("D2", score="4"), app("D3", score="3"),
            app("K1", region="Kassel", score="1")]
    result, details = solve_detailed(inst(apps, 3, regions={"Kassel": {"min": 1}}))
    assert result["selected"] == ["D1", "D2", "K1"]
    assert details["D3"] == ("minimum", ("Kassel",))
    assert "Mindestzahl Regierungsbezirk Kassel" in result["explanations"]["D3"]
    assert "Mindestzahl Regierungsbezirk Kassel" in result["explanations"]["K1"]
    assert "übersprungen" in result["explanations"]["K1"]


def test_fill_reason_names_binding_caps():
    # P=2, Darmstadt max 1, one Träger cap: A1 (Darmstadt, T1) would block both others
    apps = [
        app("A1", region="Darmstadt", org="T1", score="3"),
        app("A2", region="Darmstadt", org="T2", score="2"),
        app("B", region="Kassel", org="T1", score="1"),
    ]
    result, details = solve_detailed(
        inst(apps, 2, regions={"Darmstadt": {"max": 1}}, max_per_organisation=1)
    )
    assert result["selected"] == ["A2", "B"]
    kind, filled, binding = details["A1"]
    assert kind == "fill" and filled == 2
    assert binding == (("organisation", "T1"), ("region_max", "Darmstadt"))
    text = result["explanations"]["A1"]
    assert "sonst blieben Plätze unbesetzt" in text
    assert "Höchstzahl je Träger T1" in text and "Höchstzahl Regierungsbezirk Darmstadt" in text


def test_unreachable_minimum_is_relaxed_and_reported():
    apps = [app("K1", region="Kassel", score="1"), app("D1", score="5"), app("D2", score="4")]
    result = solve(inst(apps, 3, regions={"Kassel": {"min": 3}}))
    assert result["relaxed"] == [{"region": "Kassel", "min": 3, "reachable": 1}]
    assert result["selected"] == ["D1", "D2", "K1"]


def test_minimum_of_region_without_applicants_is_relaxed_to_zero():
    result = solve(inst([app("D1")], 1, regions={"Gießen": {"min": 1}}))
    assert result["relaxed"] == [{"region": "Gießen", "min": 1, "reachable": 0}]
    assert result["selected"] == ["D1"]


def test_reachable_counts_caps_and_fixed():
    # Kassel has three applicants at one Träger capped at 2; one of its places is
    # taken by a fixed Darmstadt applicant, so Kassel can reach 1 only.
    apps = [app("K1", region="Kassel", org="T", score="3"),
            app("K2", region="Kassel", org="T", score="2"),
            app("K3", region="Kassel", org="T", score="1"),
            app("DF", region="Darmstadt", org="T", score="0")]
    result = solve(inst(apps, 3, regions={"Kassel": {"min": 3}}, max_per_organisation=2,
                        fixed=["DF"]))
    assert result["relaxed"] == [{"region": "Kassel", "min": 3, "reachable": 1}]
    assert result["selected"] == ["K1", "DF"]


def test_refused_minimum_above_maximum():
    with pytest.raises(PolicyError) as err:
        solve(inst([app("A")], 5, regions={"Kassel": {"min": 3, "max": 2}}))
    assert err.value.regions == ["Kassel"]
    assert "Kassel" in str(err.value)


def test_refused_minima_above_places():
    with pytest.raises(PolicyError) as err:
        solve(inst([app("A")], 5, regions={"Kassel": {"min": 3}, "Darmstadt": {"min": 3}}))
    assert err.value.regions == ["Darmstadt", "Kassel"]
    assert "Darmstadt" in str(err.value) and "Kassel" in str(err.value)


def test_refused_minima_jointly_infeasible_names_the_conflict():
    # Träger T serves both Kassel and Darmstadt with cap 2; each minimum alone is
    # reachable, together they need 3 places at T.  Gießen is not involved.
    apps = [app("K1", region="Kassel", org="T"), app("K2", region="Kassel", org="T"),
            app("D1", region="Darmstadt", org="T"), app("G1", region="Gießen", org="U"),
            app("G2", region="Gießen", org="U")]
    policy = {"Kassel": {"min": 2}, "Darmstadt": {"min": 1}, "Gießen": {"min": 2}}
    with pytest.raises(PolicyError) as err:
        solve(inst(apps, 5, regions=policy, max_per_organisation=2))
    assert err.value.regions == ["Darmstadt", "Kassel"]
    assert "Darmstadt, Kassel" in str(err.value)


def test_fixed_exceeding_caps_are_kept_and_reported():
    apps = [app("F1", org="T", site="S", score="1"), app("F2", org="T", site="S", score="0"),
            app("A", org="T", site="S2", score="9"), app("B", org="U", site="S3", score="8"),
            app("C", org="T", site="S", score="7")]
    result = solve(inst(apps, 4, max_per_site=1, max_per_organisation=1, fixed=["F1", "F2"]))
    assert set(result["selected"]) == {"F1", "F2", "B"}
    assert result["selected"] == ["B", "F1", "F2"]
    assert result["violations"] == [
        {"constraint": "max_per_organisation", "organisation": "T", "limit": 1, "count": 2},
        {"constraint": "max_per_site", "site": "S", "limit": 1, "count": 2},
    ]
    assert "Höchstzahl je Träger T erreicht (2 von 1)" in result["explanations"]["A"]
    assert "Höchstzahl je Standort S erreicht" in result["explanations"]["C"]


def test_fixed_beyond_places_and_region_max():
    apps = [app("F1", score="1"), app("F2", score="2"), app("A", score="9")]
    result = solve(inst(apps, 1, regions={"Darmstadt": {"max": 1}}, fixed=["F1", "F2"]))
    assert result["selected"] == ["F2", "F1"]
    assert result["violations"] == [
        {"constraint": "places", "limit": 1, "count": 2},
        {"constraint": "region_max", "region": "Darmstadt", "limit": 1, "count": 2},
    ]
    assert "alle Plätze vergeben" in result["explanations"]["A"]


def test_excluded_applicants_are_left_out():
    apps = [app("A", score="3"), app("B", score="2"), app("C", score="1")]
    result = solve(inst(apps, 2, excluded=["A"]))
    assert result["selected"] == ["B", "C"]
    assert result["waiting_list"] == []
    assert "ausgeschlossen" in result["explanations"]["A"]


def test_vacancy_rerun_offers_the_next_one_with_the_reason():
    apps = [app("D1", score="9"), app("D2", score="8"), app("D3", score="7"),
            app("K1", region="Kassel", score="5"), app("K2", region="Kassel", score="4")]
    policy = {"Kassel": {"min": 2}}
    first = solve(inst(apps, 4, regions=policy))
    assert first["selected"] == ["D1", "D2", "K1", "K2"]
    # K2 declines: the coordinator excludes K2, the others hold offers (fixed)
    second = solve(inst(apps, 4, regions=policy, excluded=["K2"], fixed=["D1", "D2", "K1"]))
    assert second["selected"] == ["D1", "D2", "D3", "K1"]
    assert second["relaxed"] == [{"region": "Kassel", "min": 2, "reachable": 1}]
    # with a third Kassel applicant the minimum still binds and skips D3
    apps.append(app("K3", region="Kassel", score="1"))
    third, details = solve_detailed(
        inst(apps, 4, regions=policy, excluded=["K2"], fixed=["D1", "D2", "K1"]))
    assert third["selected"] == ["D1", "D2", "K1", "K3"]
    assert details["D3"] == ("minimum", ("Kassel",))
    assert "Mindestzahl Regierungsbezirk Kassel" in third["explanations"]["K3"]


def test_regions_without_bounds_are_unbounded():
    apps = [app(f"X{k}", region=f"R{k % 4}", score=str(k)) for k in range(8)]
    result = solve(inst(apps, 8, regions={"R0": {}}))
    assert len(result["selected"]) == 8


def test_zero_places_and_no_applicants():
    assert solve(inst([], 0)) == {"selected": [], "waiting_list": [], "relaxed": [],
                                  "violations": [], "explanations": {}}
    result = solve(inst([app("A")], 0))
    assert result["waiting_list"] == ["A"]


def test_every_applicant_gets_an_explanation():
    apps = [app(f"A{k}", org=f"T{k % 3}", region=["Darmstadt", "Kassel"][k % 2], score=str(k % 5))
            for k in range(30)]
    result = solve(inst(apps, 10, max_per_organisation=4, regions={"Kassel": {"min": 5}},
                        excluded=["A0"], fixed=["A1"]))
    assert set(result["explanations"]) == {a["id"] for a in apps}


# --------------------------------------------------------------------------
# determinism and output form
# --------------------------------------------------------------------------


def _medium_instance():
    rng = random.Random(7)
    apps = []
    for k in range(60):
        site = rng.randrange(12)
        apps.append({"id": f"GWA-2026-{k:04d}", "tier": rng.choice([1, 2]),
                     "priority": rng.random() < 0.2, "score": f"{rng.randrange(0, 500) / 100:.2f}",
                     "region": ["Darmstadt", "Gießen", "Kassel"][site % 3],
                     "organisation": f"T-{site % 5}", "site": f"S-{site}"})
    return inst(apps, 15, regions={"Kassel": {"min": 4}, "Darmstadt": {"min": 2, "max": 6}},
                max_per_organisation=4, max_per_site=2, use_priority=True)


def test_byte_identical_output_and_input_order_independent():
    data = _medium_instance()
    text = dumps(solve(data))
    assert text == dumps(solve(copy.deepcopy(data)))
    shuffled = copy.deepcopy(data)
    random.Random(1).shuffle(shuffled["applicants"])
    assert dumps(solve(shuffled)) == text
    assert text.endswith("}\n")
    assert loads(text.encode())["selected"] == solve(data)["selected"]


def test_dumps_keeps_non_ascii_and_rank_order():
    data = inst([app("Jörg", region="Gießen", score="2"), app("Ärzte", region="Gießen", score="3")], 2)
    text = dumps(solve(data))
    assert "Jörg" in text and "\\u" not in text
    assert loads(text)["selected"] == ["Ärzte", "Jörg"]


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


def _good():
    return inst([app("A", org="T", site="S"), app("B", org="T", site="S")], 1)


def _mutate(fn):
    data = _good()
    fn(data)
    return data


BAD = {
    "not an object": [],
    "places missing": _mutate(lambda d: d.pop("places")),
    "negative places": _mutate(lambda d: d.update(places=-1)),
    "places not int": _mutate(lambda d: d.update(places="3")),
    "places bool": _mutate(lambda d: d.update(places=True)),
    "seed missing": _mutate(lambda d: d.pop("seed")),
    "seed not string": _mutate(lambda d: d.update(seed=5)),
    "unknown top key": _mutate(lambda d: d.update(plaetze=3)),
    "duplicate id": _mutate(lambda d: d["applicants"][1].update(id="A")),
    "score not number": _mutate(lambda d: d["applicants"][0].update(score="viel")),
    "score bool": _mutate(lambda d: d["applicants"][0].update(score=False)),
    "score missing": _mutate(lambda d: d["applicants"][0].pop("score")),
    "tier zero": _mutate(lambda d: d["applicants"][0].update(tier=0)),
    "tier string": _mutate(lambda d: d["applicants"][0].update(tier="1")),
    "priority string": _mutate(lambda d: d["applicants"][0].update(priority="yes")),
    "unknown applicant key": _mutate(lambda d: d["applicants"][0].update(name="x")),
    "empty region": _mutate(lambda d: d["applicants"][0].update(region="")),
    "site under two organisations": _mutate(lambda d: d["applicants"][1].update(organisation="U")),
    "site in two regions": _mutate(lambda d: d["applicants"][1].update(region="Kassel")),
    "fixed not applicant": _mutate(lambda d: d.update(fixed=["Z"])),
    "fixed twice": _mutate(lambda d: d.update(fixed=["A", "A"])),
    "fixed not list": _mutate(lambda d: d.update(fixed="A")),
    "excluded not applicant": _mutate(lambda d: d.update(excluded=["Z"])),
    "fixed and excluded": _mutate(lambda d: d.update(fixed=["A"], excluded=["A"])),
    "regions not object": _mutate(lambda d: d.update(regions=["Kassel"])),
    "region bound unknown key": _mutate(lambda d: d.update(regions={"Kassel": {"minimum": 1}})),
    "region min negative": _mutate(lambda d: d.update(regions={"Kassel": {"min": -1}})),
    "cap negative": _mutate(lambda d: d.update(max_per_site=-1)),
    "cap string": _mutate(lambda d: d.update(max_per_organisation="2")),
    "use_priority not bool": _mutate(lambda d: d.update(use_priority=1)),
    "applicants not list": _mutate(lambda d: d.update(applicants={})),
    "applicant not object": _mutate(lambda d: d.update(applicants=["A"])),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_instance_error(name):
    with pytest.raises(InstanceError):
        solve(BAD[name])


def test_policy_error_is_an_instance_error():
    assert issubclass(PolicyError, InstanceError)
    assert issubclass(InstanceError, ValueError)


@pytest.mark.parametrize("text", ["", "{", "[1,]", '{"places": NaN}', '{"a": 1, "a": 2}', b"\xff"])
def test_loads_rejects_non_json(text):
    with pytest.raises(InstanceError):
        loads(text)


def test_loads_reads_fractions_as_decimal():
    data = loads('{"x": 4.125}')
    assert data["x"] == Decimal("4.125")
    assert format(round_score(data["x"]), "f") == "4.13"
