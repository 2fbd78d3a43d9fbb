"""Benchmark of the selection engine on synthetic instances.

    .venv/bin/python bench/selection.py [--quick]

Sizes: 200 / 10,000 / 100,000 applicants with 20 / 500 / 5,000 places
(--quick: the two smaller sizes only).  For each size the instance is built by
`generate` (explicit parameters, fixed random seed), then

* solve seconds: wall time of one `solve(instance)` call (dict in, dict out:
  validation, ranking, the selection and all explanations; JSON text
  serialisation is timed separately as dumps_seconds);
* peak memory: tracemalloc peak of a second, separate `solve` call (Python heap
  allocated by the engine on top of the instance, in MiB); the process-wide
  ru_maxrss at the end is printed too;
* check: 200 and 10,000 against the independent networkx reference
  (kohorte/selection/tests/test_engine_reference.py); 100,000 for feasibility
  (every constraint counted directly), for size (maximum completion size from a
  networkx max-flow with lower bounds) and for a named, verified reason on
  every skipped applicant ranked above the last selected one.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kohorte.selection.engine import dumps, solve, solve_detailed  # noqa: E402

REGIONS = ("Darmstadt", "Gießen", "Kassel")


def generate(
    applicants: int,
    places: int,
    *,
    seed: int = 2026,
    applicants_per_site: int = 10,
    sites_per_organisation: int = 4,
    region_weights: tuple[float, float, float] = (0.55, 0.27, 0.18),
    region_min_share: tuple[float, float, float] = (0.30, 0.20, 0.20),
    region_max_share: tuple[float | None, float | None, float | None] = (0.50, None, None),
    region_score_shift: tuple[float, float, float] = (0.0, -0.1, -0.4),
    tier2_share: float = 0.3,
    priority_share: float = 0.1,
    site_cap_factor: float = 1.5,
    organisation_cap_factor: float = 1.5,
    fixed_share: float = 0.02,
    excluded_share: float = 0.001,
) -> dict:
    """Synthetic call: sites scale with the applicants (applicants_per_site),
    organisations with the sites; each site belongs to one organisation and
    lies in one of the three Regierungsbezirke (drawn with region_weights).
    Caps: per site ceil(site_cap_factor * places / sites) and per organisation
    ceil(organisation_cap_factor * places / organisations).  Region minima and
    maxima are shares of the places.  Scores are 1.000..5.000 with three
    decimals (so half-up rounding matters), shifted per region."""
    rng = random.Random(seed)
    n_sites = max(1, applicants // applicants_per_site)
    n_orgs = max(1, n_sites // sites_per_organisation)
    orgs = [f"T-{k:05d}" for k in range(n_orgs)]
    sites = []
    for k in range(n_sites):
        region = rng.choices(range(3), weights=region_weights)[0]
        # every organisation gets at least one site, the rest at random
        org = orgs[k] if k < n_orgs else orgs[rng.randrange(n_orgs)]
        sites.append((f"S-{k:06d}", org, region))
    apps = []
    for k in range(applicants):
        site, org, region = sites[rng.randrange(n_sites)]
        score = min(5000, max(1000, int(rng.gauss(3000, 700) + 1000 * region_score_shift[region])))
        apps.append({
            "id": f"GWA-2026-{k:06d}",
            "tier": 2 if rng.random() < tier2_share else 1,
            "priority": rng.random() < priority_share,
            "score": f"{score // 1000}.{score % 1000:03d}",
            "region": REGIONS[region],
            "organisation": org,
            "site": site,
        })
    regions = {}
    for r, name in enumerate(REGIONS):
        bounds = {"min": int(places * region_min_share[r])}
        if region_max_share[r] is not None:
            bounds["max"] = int(places * region_max_share[r])
        regions[name] = bounds
    ids = [a["id"] for a in apps]
    picked = rng.sample(ids, int(places * fixed_share) + int(applicants * excluded_share))
    n_fixed = int(places * fixed_share)
    return {
        "places": places,
        "seed": f"2026-11-03 Lotto 6aus49: 3 11 19 27 38 45 / bench {seed}",
        "regions": regions,
        "max_per_organisation": math.ceil(organisation_cap_factor * places / n_orgs),
        "max_per_site": math.ceil(site_cap_factor * places / n_sites),
        "use_priority": True,
        "applicants": apps,
        "fixed": picked[:n_fixed],
        "excluded": picked[n_fixed:],
    }


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------


def check_against_reference(instance, result):
    from kohorte.selection.tests.test_engine_reference import NxReference

    ref = NxReference(instance)
    start = time.perf_counter()
    expected = ref.solve()
    seconds = time.perf_counter() - start
    same = (
        expected["selected"] == result["selected"]
        and expected["waiting_list"] == result["waiting_list"]
        and expected["relaxed"] == result["relaxed"]
    )
    return {
        "check": "networkx reference",
        "equal": same,
        "reference_seconds": round(seconds, 2),
        "reference_maxflow_solves": ref.solves,
    }


def check_large(instance, result, details):
    """Feasibility, size K (networkx) and a verified reason for every applicant
    skipped above the last selected one."""
    from kohorte.selection.tests.test_engine_reference import NxReference, ref_order

    by_id = {a["id"]: a for a in instance["applicants"]}
    fixed = set(instance.get("fixed") or [])
    selected = result["selected"]
    problems = []
    cap_site = instance["max_per_site"]
    cap_org = instance["max_per_organisation"]
    f_site, f_org, f_reg = {}, {}, {}
    for i in fixed:
        a = by_id[i]
        f_site[a["site"]] = f_site.get(a["site"], 0) + 1
        f_org[a["organisation"]] = f_org.get(a["organisation"], 0) + 1
        f_reg[a["region"]] = f_reg.get(a["region"], 0) + 1
    c_site, c_org, c_reg = {}, {}, {}
    for i in selected:
        a = by_id[i]
        c_site[a["site"]] = c_site.get(a["site"], 0) + 1
        c_org[a["organisation"]] = c_org.get(a["organisation"], 0) + 1
        c_reg[a["region"]] = c_reg.get(a["region"], 0) + 1
    if len(selected) > max(instance["places"], len(fixed)):
        problems.append("places")
    problems += [s for s, n in c_site.items() if n > max(cap_site, f_site.get(s, 0))]
    problems += [o for o, n in c_org.items() if n > max(cap_org, f_org.get(o, 0))]
    relaxed = {x["region"]: x["reachable"] for x in result["relaxed"]}
    for r, bounds in instance["regions"].items():
        low = min(bounds.get("min", 0), relaxed.get(r, bounds.get("min", 0)))
        if c_reg.get(r, 0) < low:
            problems.append(f"min {r}")
        if "max" in bounds and c_reg.get(r, 0) > max(bounds["max"], f_reg.get(r, 0)):
            problems.append(f"max {r}")
    if not fixed <= set(selected):
        problems.append("fixed missing")

    # maximal completion size with networkx (binary search over max-flow calls)
    start = time.perf_counter()
    ref = NxReference(instance)
    minima = {}
    for r, bounds in instance["regions"].items():
        low = min(bounds.get("min", 0), relaxed.get(r, bounds.get("min", 0)))
        minima[r] = max(0, low - ref.f_reg.get(r, 0))
    K = ref.max_total({}, minima)
    k_ok = K is not None and K + len(fixed) == len(selected)
    k_seconds = time.perf_counter() - start

    # reasons: recount in rank order (independent rank implementation)
    excluded = set(instance.get("excluded") or [])
    eligible = [a for a in instance["applicants"] if a["id"] not in excluded]
    everyone = [a["id"] for a in ref_order(eligible, instance["seed"], instance["use_priority"])]
    rank = {i: k for k, i in enumerate(everyone)}
    if result["selected"] != sorted(result["selected"], key=rank.__getitem__):
        problems.append("selected not in rank order")
    if result["waiting_list"] != sorted(result["waiting_list"], key=rank.__getitem__):
        problems.append("waiting list not in rank order")
    last_selected_rank = max((rank[i] for i in selected if i not in fixed), default=-1)
    t_site, t_org, t_reg = dict(f_site), dict(f_org), dict(f_reg)
    total = len(fixed)
    skipped = 0
    verified = 0
    kinds: dict[str, int] = {}
    chosen = set(selected)
    for ident in everyone:
        if ident in fixed:
            continue
        a = by_id[ident]
        if ident in chosen:
            t_site[a["site"]] = t_site.get(a["site"], 0) + 1
            t_org[a["organisation"]] = t_org.get(a["organisation"], 0) + 1
            t_reg[a["region"]] = t_reg.get(a["region"], 0) + 1
            total += 1
            continue
        if rank[ident] > last_selected_rank:
            continue
        skipped += 1
        reason = details[ident]
        kind = reason[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        ok = False
        if kind == "site":
            ok = reason[1] == a["site"] and t_site.get(a["site"], 0) >= cap_site
        elif kind == "organisation":
            ok = reason[1] == a["organisation"] and t_org.get(a["organisation"], 0) >= cap_org
        elif kind == "region_max":
            ok = (reason[1] == a["region"]
                  and t_reg.get(a["region"], 0) >= instance["regions"][a["region"]]["max"])
        elif kind == "places":
            ok = total >= instance["places"]
        elif kind == "minimum":
            ok = bool(reason[1]) and all(r in instance["regions"] for r in reason[1])
        elif kind in ("fill", "minimum_fill"):
            ok = True
        text = result["explanations"][ident]
        ok = ok and "Warteliste" in text and len(text) > 30
        if ok:
            verified += 1
        else:
            problems.append(f"reason {ident} {reason}")
    return {
        "check": "feasibility + size (networkx) + reasons",
        "feasible": not [p for p in problems if not p.startswith("reason")],
        "size_equals_networkx_max": k_ok,
        "networkx_size_seconds": round(k_seconds, 2),
        "skipped_above_last_selected": skipped,
        "reasons_verified": verified,
        "reason_kinds": kinds,
        "problems": problems[:5],
    }


# --------------------------------------------------------------------------


def run_size(applicants, places):
    instance = generate(applicants, places)
    start = time.perf_counter()
    result = solve(instance)
    solve_seconds = time.perf_counter() - start
    start = time.perf_counter()
    text = dumps(result)
    dumps_seconds = time.perf_counter() - start
    # second, separate call for the memory figure (tracemalloc slows Python down)
    tracemalloc.start()
    result2, details = solve_detailed(instance)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert dumps(result2) == text, "solve is not deterministic"
    row = {
        "applicants": applicants,
        "places": places,
        "sites": len({a["site"] for a in instance["applicants"]}),
        "organisations": len({a["organisation"] for a in instance["applicants"]}),
        "selected": len(result["selected"]),
        "relaxed": result["relaxed"],
        "solve_seconds": round(solve_seconds, 3),
        "dumps_seconds": round(dumps_seconds, 3),
        "peak_tracemalloc_mib": round(peak / 2**20, 1),
    }
    skipped_kinds: dict[str, int] = {}
    for ident in result["waiting_list"]:
        kind = details[ident][0]
        skipped_kinds[kind] = skipped_kinds.get(kind, 0) + 1
    row["waiting_reason_kinds"] = skipped_kinds
    if applicants <= 10_000:
        row.update(check_against_reference(instance, result))
    else:
        row.update(check_large(instance, result, details))
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def _summary_row(row):
    out = {k: row[k] for k in ("applicants", "places", "selected", "solve_seconds",
                               "dumps_seconds", "peak_tracemalloc_mib")}
    if "equal" in row:
        out["check"] = "equal to networkx reference" if row["equal"] else "DIFFERS from reference"
    else:
        ok = row["feasible"] and row["size_equals_networkx_max"] and not row["problems"]
        out["check"] = (
            f"feasible, size = networkx max, {row['reasons_verified']}/"
            f"{row['skipped_above_last_selected']} skipped reasons verified"
            if ok else f"FAILED: {row['problems']}"
        )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 200 and 10,000 applicants")
    args = parser.parse_args(argv)
    sizes = [(200, 20), (10_000, 500)]
    if not args.quick:
        sizes.append((100_000, 5_000))
    rows = [run_size(n, p) for n, p in sizes]
    goals = {"10000_under_0.5s": None, "100000_under_3s": None, "peak_under_500MiB": None}
    for row in rows:
        if row["applicants"] == 10_000:
            goals["10000_under_0.5s"] = row["solve_seconds"] < 0.5
        if row["applicants"] == 100_000:
            goals["100000_under_3s"] = row["solve_seconds"] < 3.0
    goals["peak_under_500MiB"] = all(r["peak_tracemalloc_mib"] < 500 for r in rows)
    checks_ok = all(r.get("equal", True) and r.get("feasible", True)
                    and r.get("size_equals_networkx_max", True) and not r.get("problems")
                    for r in rows)
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    summary = {
        "bench": "selection",
        "python": platform.python_version(),
        "memory": "peak_tracemalloc_mib = tracemalloc peak of a separate solve() call; "
                  "ru_maxrss_mib = whole process at the end (instance generation and references included)",
        "sizes": [_summary_row(r) for r in rows],
        "ru_maxrss_mib": round(maxrss_mib, 1),
        "checks_ok": checks_ok,
        "goals": goals,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if checks_ok else 1


if __name__ == "__main__":
    sys.exit(main())
