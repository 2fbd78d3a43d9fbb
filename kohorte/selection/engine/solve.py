"""The greedy driver: solve, solve_detailed, and the strict JSON helpers loads and dumps."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from .errors import InstanceError, PolicyError
from .explain import _relaxed_policy_text, _render_reason
from .flow import _UNBOUNDED, _Flow
from .instance import _Instance

# --------------------------------------------------------------------------
# JSON helpers (strict, deterministic)
# --------------------------------------------------------------------------


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise InstanceError(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _no_constant(name):
    raise InstanceError(f"{name} is not allowed in the instance")


def loads(text: str | bytes) -> dict:
    """Parse an instance: numbers with a fraction become Decimal, NaN/Infinity
    and duplicate keys are refused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InstanceError(f"input is not UTF-8: {exc}") from None
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        raise InstanceError(f"input is not valid JSON: {exc}") from None
    except RecursionError:
        raise InstanceError("input is nested too deeply") from None
    return data


def dumps(result: dict) -> str:
    """Deterministic text form of a result: sorted object keys (list order is
    kept), two-space indent, UTF-8 characters as themselves, newline at end."""
    return json.dumps(result, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


# --------------------------------------------------------------------------
# Solver
# --------------------------------------------------------------------------


class _Solver:
    def __init__(self, raw):
        self.inst = inst = _Instance(raw)
        self._check_policy()
        n = inst.n
        seed = inst.seed
        use_priority = inst.use_priority
        ids = inst.ids
        tiers = inst.tiers
        prios = inst.prios
        scores = inst.scores
        excluded = set(inst.excluded)
        eligible = [i for i in range(n) if ids[i] not in excluded]
        sha = hashlib.sha256
        keys = {}
        for i in eligible:
            ident = ids[i]
            keys[i] = (
                tiers[i],
                0 if (use_priority and prios[i]) else 1,
                -scores[i],
                sha(f"{seed}:{ident}".encode()).hexdigest(),
                ident,
            )
        eligible.sort(key=keys.__getitem__)
        self.order = eligible  # rank order, best first
        self.rank = {i: r + 1 for r, i in enumerate(eligible)}

    # -- policy ------------------------------------------------------------

    def _check_policy(self):
        inst = self.inst
        bad = sorted(
            name
            for name, low in inst.region_min.items()
            if name in inst.region_max and low > inst.region_max[name]
        )
        if bad:
            detail = ", ".join(f"{r} {inst.region_min[r]} > {inst.region_max[r]}" for r in bad)
            raise PolicyError(
                f"Vorgaben abgelehnt: Mindestzahl über Höchstzahl im Regierungsbezirk {detail} "
                f"/ policy refused: minimum above maximum in region(s) {', '.join(bad)}",
                bad,
            )
        total = sum(inst.region_min.values())
        if total > inst.places:
            named = sorted((r, v) for r, v in inst.region_min.items() if v > 0)
            regions = [r for r, _ in named]
            raise PolicyError(
                f"Vorgaben abgelehnt: Mindestzahlen ({_relaxed_policy_text(named)}; Summe {total}) "
                f"übersteigen die Zahl der Plätze {inst.places} "
                f"/ policy refused: minima of {', '.join(regions)} exceed the places",
                regions,
            )

    # -- network construction ----------------------------------------------

    def run(self):
        inst = self.inst
        fixed_idx = sorted(inst.index[f] for f in inst.fixed)
        fixed_set = set(fixed_idx)
        cap_site = inst.max_site
        cap_org = inst.max_org
        places = inst.places

        # counts of fixed applicants
        fixed_site: dict[str, int] = {}
        fixed_org: dict[str, int] = {}
        fixed_region: dict[str, int] = {}
        for i in fixed_idx:
            s, o, r = inst.app_site[i], inst.app_org[i], inst.app_region[i]
            fixed_site[s] = fixed_site.get(s, 0) + 1
            fixed_org[o] = fixed_org.get(o, 0) + 1
            fixed_region[r] = fixed_region.get(r, 0) + 1
        fixed_total = len(fixed_idx)
        self.fixed_total = fixed_total

        violations = []
        if fixed_total > places:
            violations.append(("0", "", {"constraint": "places", "limit": places, "count": fixed_total}))
        for r in sorted(fixed_region):
            limit = inst.region_max.get(r)
            if limit is not None and fixed_region[r] > limit:
                violations.append(
                    ("1", r, {"constraint": "region_max", "region": r, "limit": limit, "count": fixed_region[r]})
                )
        if cap_org is not None:
            for o in sorted(fixed_org):
                if fixed_org[o] > cap_org:
                    violations.append(
                        ("2", o, {"constraint": "max_per_organisation", "organisation": o,
                                  "limit": cap_org, "count": fixed_org[o]})
                    )
        if cap_site is not None:
            for s in sorted(fixed_site):
                if fixed_site[s] > cap_site:
                    violations.append(
                        ("3", s, {"constraint": "max_per_site", "site": s,
                                  "limit": cap_site, "count": fixed_site[s]})
                    )
        self.violations = [v for _, _, v in violations]

        # candidates (eligible, not fixed) per site
        cand = [i for i in self.order if i not in fixed_set]
        avail_site: dict[str, int] = {}
        for i in cand:
            s = inst.app_site[i]
            avail_site[s] = avail_site.get(s, 0) + 1

        region_names = sorted(set(inst.app_region) | set(inst.region_min) | set(inst.region_max))
        org_names = sorted(set(inst.app_org[i] for i in cand))
        org_index = {o: k for k, o in enumerate(org_names)}
        o_cap = []
        for o in org_names:
            if cap_org is None:
                o_cap.append(_UNBOUNDED)
            else:
                o_cap.append(max(0, cap_org - fixed_org.get(o, 0)))
        pcap = max(0, places - fixed_total)

        # site capacity for candidates: u_s = min(available, remaining site cap)
        site_u: dict[str, int] = {}
        site_org_of: dict[str, str] = {}
        site_region_of: dict[str, str] = {}
        for i in cand:
            s = inst.app_site[i]
            if s not in site_u:
                avail = avail_site[s]
                if cap_site is not None:
                    avail = min(avail, max(0, cap_site - fixed_site.get(s, 0)))
                site_u[s] = avail
                site_org_of[s] = inst.app_org[i]
                site_region_of[s] = inst.app_region[i]

        # region capacity by organisation (sum of site capacities)
        region_org_u: dict[str, dict[str, int]] = {}
        for s, u in site_u.items():
            per = region_org_u.setdefault(site_region_of[s], {})
            per[site_org_of[s]] = per.get(site_org_of[s], 0) + u

        # relax unreachable minima: reachable = fixed + max flow through the
        # region alone = min(region max left, places left, sum_o min(org cap
        # left, capacity of the region's sites of o))
        relaxed = []
        min_eff: dict[str, int] = {}
        for r in region_names:
            low = inst.region_min.get(r, 0)
            if low == 0:
                continue
            fixed_r = fixed_region.get(r, 0)
            r_max = inst.region_max.get(r)
            r_left = _UNBOUNDED if r_max is None else max(0, r_max - fixed_r)
            through = 0
            for o, u in region_org_u.get(r, {}).items():
                through += min(o_cap[org_index[o]], u)
            reachable = fixed_r + min(r_left, pcap, through)
            if low > reachable:
                relaxed.append({"region": r, "min": low, "reachable": reachable})
                low = reachable
            min_eff[r] = low
        self.relaxed = relaxed

        # hubs: regions with a lower bound left or with a maximum keep their own
        # hub; all other regions are merged into one free hub (exact: parallel
        # unbounded source edges into one node)
        hub_names: list[str | None] = []
        hub_of: dict[str, int] = {}
        hL = []
        hU = []
        for r in region_names:
            fixed_r = fixed_region.get(r, 0)
            low = max(0, min_eff.get(r, 0) - fixed_r)
            r_max = inst.region_max.get(r)
            if low > 0 or r_max is not None:
                hub_of[r] = len(hub_names)
                hub_names.append(r)
                hL.append(low)
                hU.append(_UNBOUNDED if r_max is None else max(0, r_max - fixed_r))
        free_hub = None
        for r in region_names:
            if r not in hub_of:
                if free_hub is None:
                    free_hub = len(hub_names)
                    hub_names.append(None)
                    hL.append(0)
                    hU.append(_UNBOUNDED)
                hub_of[r] = free_hub
        self.hub_names = hub_names

        pair_index: dict[tuple[int, int], int] = {}
        pair_hub: list[int] = []
        pair_org: list[int] = []
        pU: list[int] = []
        for s in sorted(site_u):
            key = (hub_of[site_region_of[s]], org_index[site_org_of[s]])
            p = pair_index.get(key)
            if p is None:
                p = len(pair_hub)
                pair_index[key] = p
                pair_hub.append(key[0])
                pair_org.append(key[1])
                pU.append(0)
            pU[p] += site_u[s]

        def new_flow(lower):
            return _Flow(lower, hU, pair_hub, pair_org, list(pU), o_cap, pcap)

        flow = new_flow(hL)
        if not flow.satisfy_minima():
            conflict = self._minimal_conflict(new_flow, hL)
            names = [hub_names[h] for h in conflict]
            raise PolicyError(
                f"Vorgaben abgelehnt: die Mindestzahlen der Regierungsbezirke {', '.join(names)} "
                f"sind zusammen nicht erfüllbar / policy refused: minima of regions "
                f"{', '.join(names)} cannot be met together",
                names,
            )
        flow.maximise()
        self.K = flow.total
        self.flow = flow
        self.pair_index = pair_index
        self.hub_of = hub_of
        self.org_index = org_index
        self.org_names = org_names
        self.fixed_idx = fixed_idx
        self.fixed_set = fixed_set
        self.fixed_site = fixed_site
        self.fixed_org = fixed_org
        self.fixed_region = fixed_region
        return self._greedy(cand)

    def _minimal_conflict(self, new_flow, hL):
        """Deletion filter: a minimal set of hubs whose minima cannot be met together."""
        active = [h for h in range(len(hL)) if hL[h] > 0]
        active.sort(key=lambda h: self.hub_names[h])
        keep = list(active)
        for h in active:
            trial = [x for x in keep if x != h]
            lower = [hL[x] if x in trial else 0 for x in range(len(hL))]
            if not new_flow(lower).satisfy_minima():
                keep = trial
        return keep

    # -- greedy selection ----------------------------------------------------

    def _greedy(self, cand):
        inst = self.inst
        flow = self.flow
        K = self.K
        places = inst.places
        cap_site = _UNBOUNDED if inst.max_site is None else inst.max_site
        cap_org = _UNBOUNDED if inst.max_org is None else inst.max_org
        region_max = inst.region_max
        site_taken = dict(self.fixed_site)
        org_taken = dict(self.fixed_org)
        region_taken = dict(self.fixed_region)
        total_taken = self.fixed_total
        taken_y = 0
        pair_index = self.pair_index
        hub_of = self.hub_of
        org_index = self.org_index
        dead = [False] * len(flow.pF)
        app_site = inst.app_site
        app_org = inst.app_org
        app_region = inst.app_region
        chosen = set()
        reasons: dict[int, tuple] = {}
        reason_cache: dict[int, tuple] = {}
        cache_version = -1
        version = 0
        for i in cand:
            if total_taken >= places:
                reasons[i] = ("places", places)
                continue
            s = app_site[i]
            o = app_org[i]
            r = app_region[i]
            n_site = site_taken.get(s, 0)
            if n_site >= cap_site:
                reasons[i] = ("site", s, n_site, cap_site)
                continue
            n_org = org_taken.get(o, 0)
            if n_org >= cap_org:
                reasons[i] = ("organisation", o, n_org, cap_org)
                continue
            n_region = region_taken.get(r, 0)
            r_max = region_max.get(r)
            if r_max is not None and n_region >= r_max:
                reasons[i] = ("region_max", r, n_region, r_max)
                continue
            h = hub_of[r]
            oi = org_index[o]
            p = pair_index[(h, oi)]
            if taken_y < K and not dead[p] and flow.try_take(p):
                chosen.add(i)
                taken_y += 1
                total_taken += 1
                site_taken[s] = n_site + 1
                org_taken[o] = n_org + 1
                region_taken[r] = n_region + 1
                version += 1
                continue
            dead[p] = True
            if cache_version != version:
                reason_cache.clear()
                cache_version = version
            reason = reason_cache.get(p)
            if reason is None:
                reason = self._complex_reason(h, oi, taken_y)
                reason_cache[p] = reason
            reasons[i] = reason
        if taken_y != K or any(flow.pF[p] != flow.pC[p] for p in range(len(flow.pF))):
            raise RuntimeError("selection engine invariant violated: completion not reached")
        self.chosen = chosen
        self.reasons = reasons
        return self._result()

    def _complex_reason(self, h, o, taken_y):
        """Why taking one more applicant of pair (h, o) leaves no completion.

        Each alternative is an exact relaxed feasibility question answered by
        reachability in the residual graph (see docs/selection.md):
        * ("minimum", regions): lowering the minimum of any one named region by
          one would admit the applicant;
        * ("fill", K, binding): admitting the applicant is possible only with
          one place fewer filled; binding lists the caps (own organisation,
          region maxima) whose increase by one would admit the applicant;
        * ("minimum_fill", regions): only lowering a named minimum by one and
          filling one place fewer together would admit the applicant.
        """
        flow = self.flow
        K = self.K
        if taken_y >= K:
            return ("complete", K + self.fixed_total)
        SRC = flow.SRC
        SINK = flow.SINK
        target = 1 << h
        reach_o = flow.closure(flow.org_start_mask(o))
        reach_src = flow.closure(1 << SRC)
        reach_sink = flow.closure(1 << SINK)
        mins = sorted(
            self.hub_names[x]
            for x in range(flow.H)
            if (reach_o >> x) & 1 and flow.hL[x] > 0 and flow.hH[x] == flow.hL[x]
        )
        if mins and reach_src & target:
            return ("minimum", tuple(mins))
        if (reach_o >> SRC) & 1 and reach_sink & target:
            binding = []
            if flow.oCap[o] < _UNBOUNDED and flow.oG[o] >= flow.oCap[o]:
                binding.append(("organisation", self.org_names[o]))
            for x in range(flow.H):
                if flow.hU[x] < _UNBOUNDED and flow.hH[x] >= flow.hU[x]:
                    if x == h or flow.closure(1 << x) & target:
                        binding.append(("region_max", self.hub_names[x]))
            binding.sort(key=lambda item: (item[0] != "organisation", item[1]))
            return ("fill", K + self.fixed_total, tuple(binding))
        if mins and reach_sink & target:
            return ("minimum_fill", tuple(mins))
        return ("internal",)

    # -- output ----------------------------------------------------------------

    def _result(self):
        inst = self.inst
        ids = inst.ids
        selected = []
        waiting = []
        explanations = {}
        skipped_keys: list[str] = []
        skipped_seen: set[str] = set()
        skipped_count = 0
        details = {}
        for i in self.order:
            ident = ids[i]
            rank = self.rank[i]
            if i in self.fixed_set:
                selected.append(ident)
                explanations[ident] = (
                    f"Ausgewählt (Rang {rank}): fest gesetzt "
                    "(Zusage, offenes Angebot oder Festlegung durch die Koordination)."
                )
                details[ident] = ("fixed",)
            elif i in self.chosen:
                selected.append(ident)
                if skipped_count:
                    shown = "; ".join(skipped_keys[:3])
                    more = len(skipped_keys) - 3
                    extra = f" und {more} weitere Gründe" if more > 0 else ""
                    explanations[ident] = (
                        f"Ausgewählt (Rang {rank}); {skipped_count} Bewerbung(en) mit besserem "
                        f"Rang übersprungen wegen: {shown}{extra}."
                    )
                else:
                    explanations[ident] = f"Ausgewählt (Rang {rank}) in der Reihenfolge der Rangliste."
                details[ident] = ("selected",)
            else:
                reason = self.reasons[i]
                key, text = _render_reason(reason)
                waiting.append(ident)
                explanations[ident] = f"Warteliste Platz {len(waiting)} (Rang {rank}): {text}."
                details[ident] = reason
                skipped_count += 1
                if key not in skipped_seen:
                    skipped_seen.add(key)
                    skipped_keys.append(key)
        for ident in inst.excluded:
            explanations[ident] = "Von der Koordination ausgeschlossen; nicht in Auswahl oder Warteliste."
            details[ident] = ("excluded",)
        result = {
            "selected": selected,
            "waiting_list": waiting,
            "relaxed": self.relaxed,
            "violations": self.violations,
            "explanations": explanations,
        }
        return result, details


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def solve_detailed(instance: dict) -> tuple[dict, dict]:
    """Like :func:`solve`, and also return the structured reason per applicant.

    The reason of a waiting-list applicant is a tuple whose first element is
    one of ``places``, ``site``, ``organisation``, ``region_max``, ``minimum``,
    ``fill``, ``minimum_fill``, ``complete``; selected applicants get
    ``("selected",)`` or ``("fixed",)``, excluded ones ``("excluded",)``.
    """
    return _Solver(instance).run()


def solve(instance: dict) -> dict:
    """Apply the selection rule to an instance (see module docstring).

    Raises :class:`InstanceError` for bad input and :class:`PolicyError` (a
    subclass) for a refused policy.
    """
    return solve_detailed(instance)[0]
