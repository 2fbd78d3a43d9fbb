"""Independent reference solvers for the selection rule, used by the tests and
by bench/selection.py.  They share no code with kohorte.selection.engine:

* BruteForce enumerates subsets (tiny instances only);
* NxReference runs the greedy rule with one networkx max-flow (lower bounds via
  the textbook circulation transformation) per decision that is not already
  certified by the previous flow.

The tests at the bottom check the two references against each other.
"""

from __future__ import annotations

import hashlib
import itertools
from decimal import ROUND_HALF_UP, Decimal

import networkx as nx

__all__ = ["BruteForce", "NxReference", "Refused", "ref_order"]


class Refused(Exception):
    """The reference refuses the policy; kind in {"min_max", "sum", "joint"}."""

    def __init__(self, kind, regions=None):
        super().__init__(kind)
        self.kind = kind
        self.regions = regions


def ref_order(applicants, seed, use_priority):
    """Rank order, computed independently of the engine."""

    def key(app):
        score = Decimal(str(app["score"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        prio = 0 if (use_priority and app.get("priority", False)) else 1
        lottery = hashlib.sha256((seed + ":" + app["id"]).encode("utf-8")).hexdigest()
        return (app["tier"], prio, -score, lottery)

    return sorted(applicants, key=key)


class _Model:
    def __init__(self, inst):
        self.inst = inst
        self.P = inst["places"]
        regions = inst.get("regions") or {}
        self.rmin = {r: (b.get("min") or 0) for r, b in regions.items()}
        self.rmax = {r: b["max"] for r, b in regions.items() if b.get("max") is not None}
        self.cap_org = inst.get("max_per_organisation")
        self.cap_site = inst.get("max_per_site")
        excluded = set(inst.get("excluded") or [])
        eligible = [a for a in inst["applicants"] if a["id"] not in excluded]
        self.order = ref_order(eligible, inst["seed"], inst.get("use_priority", False))
        self.by_id = {a["id"]: a for a in self.order}
        self.fixed = [a["id"] for a in self.order if a["id"] in set(inst.get("fixed") or [])]
        fixed = set(self.fixed)
        self.free = [a for a in self.order if a["id"] not in fixed]
        self.rank = {a["id"]: k for k, a in enumerate(self.order)}
        self.f_site, self.f_org, self.f_reg = {}, {}, {}
        for i in self.fixed:
            a = self.by_id[i]
            self.f_site[a["site"]] = self.f_site.get(a["site"], 0) + 1
            self.f_org[a["organisation"]] = self.f_org.get(a["organisation"], 0) + 1
            self.f_reg[a["region"]] = self.f_reg.get(a["region"], 0) + 1
        self.regions = sorted(set(a["region"] for a in inst["applicants"]) | set(regions))

    def check_policy(self):
        bad = sorted(r for r in self.rmin if r in self.rmax and self.rmin[r] > self.rmax[r])
        if bad:
            raise Refused("min_max", bad)
        if sum(self.rmin.values()) > self.P:
            raise Refused("sum", sorted(r for r, v in self.rmin.items() if v > 0))

    def violations(self):
        out = []
        nf = len(self.fixed)
        if nf > self.P:
            out.append({"constraint": "places", "limit": self.P, "count": nf})
        for r in sorted(self.f_reg):
            if r in self.rmax and self.f_reg[r] > self.rmax[r]:
                out.append({"constraint": "region_max", "region": r, "limit": self.rmax[r],
                            "count": self.f_reg[r]})
        if self.cap_org is not None:
            for o in sorted(self.f_org):
                if self.f_org[o] > self.cap_org:
                    out.append({"constraint": "max_per_organisation", "organisation": o,
                                "limit": self.cap_org, "count": self.f_org[o]})
        if self.cap_site is not None:
            for s in sorted(self.f_site):
                if self.f_site[s] > self.cap_site:
                    out.append({"constraint": "max_per_site", "site": s, "limit": self.cap_site,
                                "count": self.f_site[s]})
        return out


class BruteForce(_Model):
    """Enumerates every subset of the non-fixed eligible applicants."""

    def __init__(self, inst):
        super().__init__(inst)
        self.m = len(self.free)
        assert self.m <= 14, "brute force is for tiny instances"

    def caps_ok(self, ids, lift=()):
        lift = set(lift)
        if len(ids) > max(self.P, len(self.fixed)) + (1 if ("places",) in lift else 0):
            return False
        cs, co, cr = {}, {}, {}
        for i in ids:
            a = self.by_id[i]
            cs[a["site"]] = cs.get(a["site"], 0) + 1
            co[a["organisation"]] = co.get(a["organisation"], 0) + 1
            cr[a["region"]] = cr.get(a["region"], 0) + 1
        if self.cap_site is not None:
            for s, n in cs.items():
                if n > max(self.cap_site, self.f_site.get(s, 0)) + (1 if ("site", s) in lift else 0):
                    return False
        if self.cap_org is not None:
            for o, n in co.items():
                limit = max(self.cap_org, self.f_org.get(o, 0))
                if n > limit + (1 if ("organisation", o) in lift else 0):
                    return False
        for r, n in cr.items():
            if r in self.rmax:
                limit = max(self.rmax[r], self.f_reg.get(r, 0))
                if n > limit + (1 if ("region_max", r) in lift else 0):
                    return False
        return True

    def region_count(self, ids, r):
        return sum(1 for i in ids if self.by_id[i]["region"] == r)

    def all_sets(self):
        free_ids = [a["id"] for a in self.free]
        for k in range(self.m + 1):
            for combo in itertools.combinations(free_ids, k):
                yield self.fixed + list(combo)

    def minima_ok(self, ids, minima):
        return all(self.region_count(ids, r) >= v for r, v in minima.items())

    def solve(self):
        """Returns dict(selected, waiting_list, relaxed, K, minima) or raises Refused."""
        self.check_policy()
        cap_sets = [s for s in self.all_sets() if self.caps_ok(s)]
        relaxed = []
        minima = {}
        for r in self.regions:
            low = self.rmin.get(r, 0)
            if low == 0:
                continue
            reachable = max(self.region_count(s, r) for s in cap_sets)
            if low > reachable:
                relaxed.append({"region": r, "min": low, "reachable": reachable})
                low = reachable
            minima[r] = low
        self.minima = minima
        feasible = [s for s in cap_sets if self.minima_ok(s, minima)]
        if not feasible:
            raise Refused("joint")
        K = max(len(s) for s in feasible)
        best = min(
            (s for s in feasible if len(s) == K),
            key=lambda s: sorted(self.rank[i] for i in s),
        )
        chosen = set(best)
        selected = [a["id"] for a in self.order if a["id"] in chosen]
        waiting = [a["id"] for a in self.order if a["id"] not in chosen]
        self.K = K
        return {"selected": selected, "waiting_list": waiting, "relaxed": relaxed, "K": K,
                "minima": minima}

    def minima_jointly_feasible(self, regions):
        """Can the (relaxed) minima of just these regions be met together?"""
        cap_sets = [s for s in self.all_sets() if self.caps_ok(s)]
        minima = {}
        for r in regions:
            reachable = max(self.region_count(s, r) for s in cap_sets)
            minima[r] = min(self.rmin[r], reachable)
        return any(self.minima_ok(s, minima) for s in cap_sets)

    def completable(self, must, target, lower=(), lift=()):
        """Is there a selection containing `must` with at least `target` members
        that meets the caps (with `lift` caps raised by one) and the relaxed
        minima (with the minima of regions in `lower` lowered by one)?"""
        minima = dict(self.minima)
        for r in lower:
            minima[r] -= 1
        must = set(must)
        rest = [a["id"] for a in self.free if a["id"] not in must]
        base = list(must | set(self.fixed))
        for k in range(len(rest) + 1):
            for combo in itertools.combinations(rest, k):
                s = base + list(combo)
                if len(s) >= target and self.caps_ok(s, lift) and self.minima_ok(s, minima):
                    return True
        return False


class NxReference(_Model):
    """Greedy rule with networkx max-flow feasibility checks (site-level network)."""

    def __init__(self, inst):
        super().__init__(inst)
        self.pcap = max(0, self.P - len(self.fixed))
        self.sites = {}
        for a in self.free:
            s = a["site"]
            entry = self.sites.setdefault(s, {"org": a["organisation"], "region": a["region"], "n": 0})
            entry["n"] += 1
        for entry_site, entry in self.sites.items():
            u = entry["n"]
            if self.cap_site is not None:
                u = min(u, max(0, self.cap_site - self.f_site.get(entry_site, 0)))
            entry["u"] = u
        self.solves = 0

    def _org_cap(self, o):
        if self.cap_org is None:
            return None
        return max(0, self.cap_org - self.f_org.get(o, 0))

    def _region_cap(self, r):
        if r not in self.rmax:
            return None
        return max(0, self.rmax[r] - self.f_reg.get(r, 0))

    def feasible(self, lower_site, region_lower, total_lo, total_hi, only_region=None):
        """Feasible circulation with lower bounds?  Returns (ok, y per site)."""
        self.solves += 1
        edges = []  # (u, v, low, cap or None)
        big = self.pcap + sum(e["u"] for e in self.sites.values()) + 1
        for r in self.regions:
            if only_region is not None and r != only_region:
                continue
            cap = self._region_cap(r)
            edges.append(("S", ("R", r), region_lower.get(r, 0), big if cap is None else cap))
        orgs = set()
        for s, e in self.sites.items():
            if only_region is not None and e["region"] != only_region:
                continue
            edges.append((("R", e["region"]), ("s", s), lower_site.get(s, 0), e["u"]))
            edges.append((("s", s), ("O", e["org"]), 0, big))
            orgs.add(e["org"])
        for o in orgs:
            cap = self._org_cap(o)
            edges.append((("O", o), "T", 0, big if cap is None else cap))
        edges.append(("T", "S", total_lo, total_hi))
        G = nx.DiGraph()
        excess = {}
        for u, v, low, cap in edges:
            if low > cap:
                return False, None
            G.add_edge(u, v, capacity=cap - low)
            excess[v] = excess.get(v, 0) + low
            excess[u] = excess.get(u, 0) - low
        need = 0
        for node, ex in excess.items():
            if ex > 0:
                G.add_edge("SS", node, capacity=ex)
                need += ex
            elif ex < 0:
                G.add_edge(node, "TT", capacity=-ex)
        if need == 0:
            flow = {u: {v: 0 for v in G[u]} for u in G}
        else:
            value, flow = nx.maximum_flow(G, "SS", "TT")
            if value != need:
                return False, None
        y = {}
        for s, e in self.sites.items():
            if only_region is not None and e["region"] != only_region:
                continue
            y[s] = flow[("R", e["region"])][("s", s)] + lower_site.get(s, 0)
        return True, y

    def max_total(self, lower_site, region_lower, only_region=None):
        lo, hi = 0, self.pcap
        ok, _ = self.feasible(lower_site, region_lower, 0, self.pcap, only_region)
        if not ok:
            return None
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.feasible(lower_site, region_lower, mid, self.pcap, only_region)[0]:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def solve(self):
        self.check_policy()
        relaxed = []
        minima = {}
        for r in self.regions:
            low = self.rmin.get(r, 0)
            if low == 0:
                continue
            reachable = self.f_reg.get(r, 0) + self.max_total({}, {}, only_region=r)
            if low > reachable:
                relaxed.append({"region": r, "min": low, "reachable": reachable})
                low = reachable
            minima[r] = low
        self.minima = minima
        region_lower = {r: max(0, v - self.f_reg.get(r, 0)) for r, v in minima.items()}
        self.region_lower = region_lower
        K = self.max_total({}, region_lower)
        if K is None:
            raise Refused("joint")
        self.K = K
        ok, witness = self.feasible({}, region_lower, K, self.pcap)
        assert ok
        c = {}
        dead = set()
        chosen = set(self.fixed)
        for a in self.free:
            s = a["site"]
            if s in dead:
                continue
            if witness[s] > c.get(s, 0):
                c[s] = c.get(s, 0) + 1
                chosen.add(a["id"])
                continue
            trial = dict(c)
            trial[s] = trial.get(s, 0) + 1
            ok, y = self.feasible(trial, region_lower, K, self.pcap)
            if ok:
                c = trial
                witness = y
                chosen.add(a["id"])
            else:
                dead.add(s)
        selected = [a["id"] for a in self.order if a["id"] in chosen]
        waiting = [a["id"] for a in self.order if a["id"] not in chosen]
        return {"selected": selected, "waiting_list": waiting, "relaxed": relaxed,
                "K": K + len(self.fixed)}

    def minima_jointly_feasible(self, regions):
        lower = {}
        for r in regions:
            reachable = self.f_reg.get(r, 0) + self.max_total({}, {}, only_region=r)
            lower[r] = max(0, min(self.rmin[r], reachable) - self.f_reg.get(r, 0))
        return self.feasible({}, lower, 0, self.pcap)[0]


# --------------------------------------------------------------------------
# The two references agree (sanity of the test oracle itself)
# --------------------------------------------------------------------------


def _tiny(seed_text, spec, **policy):
    apps = []
    for k, (tier, prio, score, region, org, site) in enumerate(spec):
        apps.append({"id": f"X-{k:02d}", "tier": tier, "priority": prio, "score": score,
                     "region": region, "organisation": org, "site": site})
    inst = {"places": 3, "seed": seed_text, "applicants": apps}
    inst.update(policy)
    return inst


def test_references_agree_on_a_handmade_instance():
    spec = [
        (1, False, "4.5", "Darmstadt", "T1", "S1"),
        (1, False, "4.4", "Darmstadt", "T1", "S2"),
        (1, True, "3.0", "Kassel", "T1", "S3"),
        (2, False, "5.0", "Kassel", "T2", "S4"),
        (1, False, "4.0", "Gießen", "T2", "S5"),
        (1, False, "4.0", "Gießen", "T3", "S6"),
    ]
    inst = _tiny("s", spec, places=4, max_per_organisation=2, max_per_site=1,
                 regions={"Kassel": {"min": 2}, "Darmstadt": {"max": 1}}, use_priority=True)
    a = BruteForce(inst).solve()
    b = NxReference(inst).solve()
    assert a["selected"] == b["selected"]
    assert a["waiting_list"] == b["waiting_list"]
    assert a["relaxed"] == b["relaxed"]
    assert a["K"] == b["K"]


def test_references_agree_on_relaxation_and_refusal():
    spec = [
        (1, False, "1", "Kassel", "T1", "S1"),
        (1, False, "2", "Darmstadt", "T1", "S2"),
        (1, False, "3", "Darmstadt", "T2", "S3"),
    ]
    inst = _tiny("s", spec, places=3, regions={"Kassel": {"min": 2}})
    assert BruteForce(inst).solve()["relaxed"] == [{"region": "Kassel", "min": 2, "reachable": 1}]
    assert NxReference(inst).solve()["relaxed"] == [{"region": "Kassel", "min": 2, "reachable": 1}]
    # each minimum reachable alone, not together (T1 capped at one)
    inst = _tiny("s", spec, places=3, max_per_organisation=1,
                 regions={"Kassel": {"min": 1}, "Darmstadt": {"min": 2}})
    for ref in (BruteForce(inst), NxReference(inst)):
        try:
            ref.solve()
        except Refused as exc:
            assert exc.kind == "joint"
        else:
            raise AssertionError("expected refusal")
