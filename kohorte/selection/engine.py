"""Pure selection engine for Kohorte (no Django, no database, no I/O).

The rule, the canonical candidate-list form and the algorithm are documented in
``docs/selection.md``.  In short:

* every eligible application gets a rank key (tier, priority flag if the call
  uses it, score rounded half-up to two decimals, lottery position);
* the selection is the lexicographically best feasible set: applicants are
  visited in rank order and each one is taken if the selection made so far plus
  this applicant can still be completed to a selection of the maximal size
  ``K`` that meets every constraint (places, minimum and maximum per region,
  maximum per organisation (Träger), maximum per site);
* feasibility is a flow with lower bounds on the network
  source -> region -> site -> organisation -> sink.  Sites of one region and one
  organisation are parallel edges, so the network collapses to a bipartite
  graph "region x organisation".  The number of bounded regions is small, so the
  residual graph is kept in a compressed form in which every reachability
  question costs O(regions^2) instead of O(sites).

Public API: :func:`solve`, :func:`solve_detailed`, :func:`candidate_list_hash`,
:func:`rank_key`, :func:`round_score`, :func:`lottery_position`,
:func:`dumps`, :class:`InstanceError`, :class:`PolicyError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import deque
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

__all__ = [
    "InstanceError",
    "PolicyError",
    "candidate_list_hash",
    "canonical_candidate_list",
    "dumps",
    "loads",
    "lottery_position",
    "rank_key",
    "round_score",
    "solve",
    "solve_detailed",
]


class InstanceError(ValueError):
    """The instance is malformed (bad JSON shape, bad values, inconsistent data)."""


class PolicyError(InstanceError):
    """The policy (constraints of the call) is refused; the coordinator must change it.

    ``regions`` names the regions concerned, sorted.
    """

    def __init__(self, message: str, regions: list[str]):
        super().__init__(message)
        self.regions = list(regions)


# --------------------------------------------------------------------------
# Rank key
# --------------------------------------------------------------------------

_SCORE_RE = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?\Z")
_CENT = Decimal("0.01")
_DEC_CTX = Context(prec=100)
_SCORE_LIMIT = Decimal(10) ** 30


def round_score(value: Any) -> Decimal:
    """Return the score rounded half-up (away from zero on .5) to two decimals.

    Accepts a decimal string such as ``"4.125"``, an int, a :class:`Decimal`
    or a finite float (converted through its shortest ``repr``, never used in
    arithmetic).  Raises :class:`InstanceError` for anything else.
    """
    if isinstance(value, bool):
        raise InstanceError("score must be a number, not a boolean")
    if isinstance(value, str):
        if not _SCORE_RE.match(value):
            raise InstanceError(f"score {value!r} is not a decimal number")
        number = Decimal(value)
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InstanceError("score must be finite")
        number = Decimal(repr(value))
    else:
        raise InstanceError(f"score must be a decimal string or number, not {type(value).__name__}")
    if not number.is_finite() or abs(number) >= _SCORE_LIMIT:
        raise InstanceError(f"score {value!r} is not a finite number below 10^30")
    rounded = number.quantize(_CENT, rounding=ROUND_HALF_UP, context=_DEC_CTX)
    if rounded == 0:
        rounded = Decimal("0.00")  # no negative zero
    return rounded


def lottery_position(seed: str, reference: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 string ``"{seed}:{reference}"``."""
    return hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()


def rank_key(applicant: dict, seed: str, use_priority: bool) -> tuple:
    """Sort key of one applicant, best first.

    (tier, priority first if used, score descending at two decimals, lottery
    position ascending, id).  The id only breaks a SHA-256 collision.
    """
    score = round_score(applicant["score"])
    priority = bool(applicant.get("priority", False)) if use_priority else False
    return (
        applicant["tier"],
        0 if priority else 1,
        -score,
        lottery_position(seed, applicant["id"]),
        applicant["id"],
    )


def canonical_candidate_list(applicants: list) -> bytes:
    """The canonical UTF-8 JSON form of the candidate list that is hashed.

    A JSON array of objects ``{"id", "priority", "score", "tier"}`` sorted by
    id (Unicode code point order), keys sorted, no whitespace, score as a
    two-decimal string after half-up rounding, priority as a boolean (false if
    missing), non-ASCII characters written as themselves (UTF-8).
    """
    if not isinstance(applicants, list):
        raise InstanceError("applicants must be a list")
    rows = []
    seen: set[str] = set()
    for position, item in enumerate(applicants):
        if not isinstance(item, dict):
            raise InstanceError(f"applicants[{position}] must be an object")
        ident = item.get("id")
        if not isinstance(ident, str) or not ident:
            raise InstanceError(f"applicants[{position}].id must be a non-empty string")
        if ident in seen:
            raise InstanceError(f"duplicate applicant id {ident!r}")
        seen.add(ident)
        tier = item.get("tier")
        if type(tier) is not int or tier < 1:
            raise InstanceError(f"applicant {ident!r}: tier must be an integer >= 1")
        priority = item.get("priority", False)
        if type(priority) is not bool:
            raise InstanceError(f"applicant {ident!r}: priority must be true or false")
        if "score" not in item:
            raise InstanceError(f"applicant {ident!r}: score is missing")
        score = round_score(item["score"])
        rows.append({"id": ident, "priority": priority, "score": format(score, "f"), "tier": tier})
    rows.sort(key=lambda row: row["id"])
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def candidate_list_hash(applicants: list) -> str:
    """Lowercase hex SHA-256 of :func:`canonical_candidate_list`."""
    return hashlib.sha256(canonical_candidate_list(applicants)).hexdigest()


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
# Instance parsing
# --------------------------------------------------------------------------

_TOP_KEYS = {
    "places",
    "seed",
    "regions",
    "max_per_organisation",
    "max_per_site",
    "use_priority",
    "applicants",
    "fixed",
    "excluded",
}
_APPLICANT_KEYS = {"id", "tier", "priority", "score", "region", "organisation", "site"}
_REQUIRED_APPLICANT_KEYS = ("id", "tier", "score", "region", "organisation", "site")


def _nonneg_int(value, what):
    if type(value) is not int or value < 0:
        raise InstanceError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def _optional_cap(instance, key):
    value = instance.get(key)
    if value is None:
        return None
    return _nonneg_int(value, key)


def _id_list(instance, key, known):
    value = instance.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InstanceError(f"{key} must be a list of applicant ids")
    seen = set()
    for item in value:
        if not isinstance(item, str):
            raise InstanceError(f"{key} must contain applicant ids (strings), got {item!r}")
        if item not in known:
            raise InstanceError(f"{key} names {item!r}, which is not an applicant")
        if item in seen:
            raise InstanceError(f"{key} names {item!r} twice")
        seen.add(item)
    return value


class _Instance:
    """Validated instance; applicants as parallel lists indexed 0..n-1."""

    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise InstanceError("instance must be a JSON object")
        unknown = set(raw) - _TOP_KEYS
        if unknown:
            raise InstanceError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
        if "places" not in raw:
            raise InstanceError("places is required")
        self.places = _nonneg_int(raw["places"], "places")
        seed = raw.get("seed")
        if not isinstance(seed, str) or not seed:
            raise InstanceError("seed is required and must be a non-empty string")
        self.seed = seed
        use_priority = raw.get("use_priority", False)
        if type(use_priority) is not bool:
            raise InstanceError("use_priority must be true or false")
        self.use_priority = use_priority
        self.max_org = _optional_cap(raw, "max_per_organisation")
        self.max_site = _optional_cap(raw, "max_per_site")

        regions = raw.get("regions")
        if regions is None:
            regions = {}
        if not isinstance(regions, dict):
            raise InstanceError("regions must be an object {name: {min, max}}")
        self.region_min: dict[str, int] = {}
        self.region_max: dict[str, int] = {}
        for name, bounds in regions.items():
            if not isinstance(name, str) or not name:
                raise InstanceError("region names must be non-empty strings")
            if not isinstance(bounds, dict):
                raise InstanceError(f"regions[{name!r}] must be an object with min and/or max")
            extra = set(bounds) - {"min", "max"}
            if extra:
                raise InstanceError(f"regions[{name!r}] has unknown key(s): {', '.join(sorted(extra))}")
            if bounds.get("min") is not None:
                self.region_min[name] = _nonneg_int(bounds["min"], f"regions[{name!r}].min")
            if bounds.get("max") is not None:
                self.region_max[name] = _nonneg_int(bounds["max"], f"regions[{name!r}].max")

        apps = raw.get("applicants")
        if not isinstance(apps, list):
            raise InstanceError("applicants must be a list")
        n = len(apps)
        self.n = n
        ids: list[str] = [""] * n
        tiers = [0] * n
        prios = [False] * n
        scores: list[Decimal] = [Decimal(0)] * n
        app_region = [""] * n
        app_org = [""] * n
        app_site = [""] * n
        index: dict[str, int] = {}
        site_org: dict[str, str] = {}
        site_region: dict[str, str] = {}
        for i, item in enumerate(apps):
            if type(item) is not dict:
                raise InstanceError(f"applicants[{i}] must be an object")
            for key in _REQUIRED_APPLICANT_KEYS:
                if key not in item:
                    raise InstanceError(f"applicants[{i}] lacks {key}")
            if len(item) > 6 and not _APPLICANT_KEYS.issuperset(item):
                bad = sorted(map(str, set(item) - _APPLICANT_KEYS))
                raise InstanceError(f"applicants[{i}] has unknown key(s): {', '.join(bad)}")
            ident = item["id"]
            if type(ident) is not str or not ident:
                raise InstanceError(f"applicants[{i}].id must be a non-empty string")
            if ident in index:
                raise InstanceError(f"duplicate applicant id {ident!r}")
            index[ident] = i
            ids[i] = ident
            tier = item["tier"]
            if type(tier) is not int or tier < 1:
                raise InstanceError(f"applicant {ident!r}: tier must be an integer >= 1")
            tiers[i] = tier
            priority = item.get("priority", False)
            if type(priority) is not bool:
                raise InstanceError(f"applicant {ident!r}: priority must be true or false")
            prios[i] = priority
            try:
                scores[i] = round_score(item["score"])
            except InstanceError as exc:
                raise InstanceError(f"applicant {ident!r}: {exc}") from None
            region = item["region"]
            org = item["organisation"]
            site = item["site"]
            if type(region) is not str or not region:
                raise InstanceError(f"applicant {ident!r}: region must be a non-empty string")
            if type(org) is not str or not org:
                raise InstanceError(f"applicant {ident!r}: organisation must be a non-empty string")
            if type(site) is not str or not site:
                raise InstanceError(f"applicant {ident!r}: site must be a non-empty string")
            known_org = site_org.get(site)
            if known_org is None:
                site_org[site] = org
                site_region[site] = region
            else:
                if known_org != org:
                    raise InstanceError(
                        f"site {site!r} belongs to two organisations ({known_org!r}, {org!r})"
                    )
                if site_region[site] != region:
                    raise InstanceError(
                        f"site {site!r} lies in two regions ({site_region[site]!r}, {region!r})"
                    )
            app_region[i] = region
            app_org[i] = org
            app_site[i] = site
        self.ids = ids
        self.index = index
        self.tiers = tiers
        self.prios = prios
        self.scores = scores
        self.app_region = app_region
        self.app_org = app_org
        self.app_site = app_site
        self.fixed = _id_list(raw, "fixed", index)
        self.excluded = _id_list(raw, "excluded", index)
        both = set(self.fixed) & set(self.excluded)
        if both:
            raise InstanceError(f"id(s) both fixed and excluded: {', '.join(sorted(both))}")


# --------------------------------------------------------------------------
# Compressed residual network
# --------------------------------------------------------------------------

_UNBOUNDED = 1 << 60

# kinds of path steps (see _Flow._augment)
_START = 0  # start of a search at SRC (phase 2)
_START_SRC_HUB = 1  # phase 1: src -> deficient hub
_START_BWD = 2  # candidate test: org -> hub, taking flow back from a pair
_START_SINK = 3  # candidate test: org -> sink, using spare organisation capacity
_HUB_HUB = 4  # hub -> org -> hub
_HUB_SINK = 5  # hub -> org -> sink
_SINK_HUB = 6  # sink -> org -> hub
_HUB_SRC = 7  # hub -> src (region above its minimum)
_SRC_HUB = 8  # src -> hub (region below its maximum)
_SINK_SRC = 9  # total below the (remaining) places


class _Flow:
    """A flow on the network src -> hub -> (hub, org) pair -> org -> sink.

    A hub is a bounded region, or the merge of all regions without bounds.
    Pair p carries pF[p] in [pC[p], pU[p]] where pC is the number of already
    taken (non-fixed) applicants of that pair and pU the summed site capacity
    (min(available, remaining site cap)).  Organisation o carries oG[o] <= oCap[o],
    hub h carries hH[h] in [hL[h], hU[h]], the total is at most pcap.

    Residual reachability is kept in compressed form: for every organisation the
    set of hubs whose pair can still take flow (FW) or give flow back (BW), and
    per hub pair (h1, h2) the set of organisations that connect h1 -> org -> h2
    in the residual graph.  All searches run on hubs + SRC + SINK only.
    """

    def __init__(self, hL, hU, pair_hub, pair_org, pU, oCap, pcap):
        H = len(hL)
        self.H = H
        self.SRC = H
        self.SINK = H + 1
        self.hL = list(hL)
        self.hU = list(hU)
        self.hH = [0] * H
        npairs = len(pair_hub)
        self.p_hub = pair_hub
        self.p_org = pair_org
        self.pU = pU
        self.pF = [0] * npairs
        self.pC = [0] * npairs
        self.p_fw = [False] * npairs
        self.p_bw = [False] * npairs
        norgs = len(oCap)
        self.oCap = oCap
        self.oG = [0] * norgs
        self.o_un = [cap > 0 for cap in oCap]
        self.org_pair: list[dict[int, int]] = [{} for _ in range(norgs)]
        for p in range(npairs):
            self.org_pair[pair_org[p]][pair_hub[p]] = p
        self.FW: list[set[int]] = [set() for _ in range(norgs)]
        self.BW: list[set[int]] = [set() for _ in range(norgs)]
        self.W: list[list[set[int]]] = [[set() for _ in range(H)] for _ in range(H)]
        self.WS: list[set[int]] = [set() for _ in range(H)]
        self.WT: list[set[int]] = [set() for _ in range(H)]
        self.total = 0
        self.pcap = pcap
        self._adj = None
        self._closures: dict[int, int] = {}
        for p in range(npairs):
            self._refresh_pair(p)

    # -- bookkeeping ------------------------------------------------------

    def _refresh_pair(self, p):
        h = self.p_hub[p]
        o = self.p_org[p]
        fw = self.pF[p] < self.pU[p]
        bw = self.pF[p] > self.pC[p]
        if fw != self.p_fw[p]:
            self.p_fw[p] = fw
            W = self.W
            if fw:
                self.FW[o].add(h)
                for h2 in self.BW[o]:
                    if h2 != h:
                        W[h][h2].add(o)
                if self.oG[o] < self.oCap[o]:
                    self.WS[h].add(o)
            else:
                self.FW[o].discard(h)
                for h2 in self.BW[o]:
                    if h2 != h:
                        W[h][h2].discard(o)
                self.WS[h].discard(o)
        if bw != self.p_bw[p]:
            self.p_bw[p] = bw
            W = self.W
            if bw:
                self.BW[o].add(h)
                for h1 in self.FW[o]:
                    if h1 != h:
                        W[h1][h].add(o)
                self.WT[h].add(o)
            else:
                self.BW[o].discard(h)
                for h1 in self.FW[o]:
                    if h1 != h:
                        W[h1][h].discard(o)
                self.WT[h].discard(o)

    def _refresh_org(self, o):
        un = self.oG[o] < self.oCap[o]
        if un != self.o_un[o]:
            self.o_un[o] = un
            for h in self.FW[o]:
                if un:
                    self.WS[h].add(o)
                else:
                    self.WS[h].discard(o)

    def invalidate(self):
        self._adj = None
        self._closures.clear()

    # -- search and augmentation -------------------------------------------

    def _search(self, parent, queue, target):
        """Breadth-first search in the residual graph over hubs, SRC and SINK.

        parent[node] = (previous node, step kind, organisation).  Returns True
        when target has been reached.
        """
        H = self.H
        SRC = self.SRC
        SINK = self.SINK
        W = self.W
        WS = self.WS
        WT = self.WT
        hH = self.hH
        hL = self.hL
        hU = self.hU
        while queue:
            u = queue.popleft()
            if u < H:
                Wu = W[u]
                for v in range(H):
                    if parent[v] is None and Wu[v]:
                        parent[v] = (u, _HUB_HUB, next(iter(Wu[v])))
                        if v == target:
                            return True
                        queue.append(v)
                if parent[SINK] is None and WS[u]:
                    parent[SINK] = (u, _HUB_SINK, next(iter(WS[u])))
                    if target == SINK:
                        return True
                    queue.append(SINK)
                if parent[SRC] is None and hH[u] > hL[u]:
                    parent[SRC] = (u, _HUB_SRC, -1)
                    if target == SRC:
                        return True
                    queue.append(SRC)
            elif u == SINK:
                for v in range(H):
                    if parent[v] is None and WT[v]:
                        parent[v] = (SINK, _SINK_HUB, next(iter(WT[v])))
                        if v == target:
                            return True
                        queue.append(v)
                if parent[SRC] is None and self.total < self.pcap:
                    parent[SRC] = (SINK, _SINK_SRC, -1)
                    if target == SRC:
                        return True
                    queue.append(SRC)
            else:  # SRC
                for v in range(H):
                    if parent[v] is None and hH[v] < hU[v]:
                        parent[v] = (SRC, _SRC_HUB, -1)
                        if v == target:
                            return True
                        queue.append(v)
        return False

    def _augment(self, parent, target, touched_pairs):
        """Push one unit along the path recorded in parent, ending at target."""
        pF = self.pF
        oG = self.oG
        org_pair = self.org_pair
        touched_orgs = []
        v = target
        while True:
            prev, kind, o = parent[v]
            if kind == _HUB_HUB:
                p1 = org_pair[o][prev]
                p2 = org_pair[o][v]
                pF[p1] += 1
                pF[p2] -= 1
                touched_pairs.append(p1)
                touched_pairs.append(p2)
            elif kind == _HUB_SINK:
                p1 = org_pair[o][prev]
                pF[p1] += 1
                oG[o] += 1
                self.total += 1
                touched_pairs.append(p1)
                touched_orgs.append(o)
            elif kind == _SINK_HUB:
                p2 = org_pair[o][v]
                pF[p2] -= 1
                oG[o] -= 1
                self.total -= 1
                touched_pairs.append(p2)
                touched_orgs.append(o)
            elif kind == _HUB_SRC:
                self.hH[prev] -= 1
            elif kind == _SRC_HUB:
                self.hH[v] += 1
            elif kind == _START_BWD:
                p2 = org_pair[o][v]
                pF[p2] -= 1
                touched_pairs.append(p2)
            elif kind == _START_SINK:
                oG[o] += 1
                self.total += 1
                touched_orgs.append(o)
            elif kind == _START_SRC_HUB:
                self.hH[v] += 1
            # _SINK_SRC and _START change no stored quantity: the total is the
            # sum of the organisation flows and is updated through them.
            if prev is None:
                break
            v = prev
        for p in touched_pairs:
            self._refresh_pair(p)
        for o in touched_orgs:
            self._refresh_org(o)
        self.invalidate()

    def satisfy_minima(self) -> bool:
        """Phase 1: raise every hub to its lower bound (Ford-Fulkerson on the
        standard lower-bound transformation).  Returns False if impossible."""
        H = self.H
        hH = self.hH
        hL = self.hL
        progress = True
        while progress:
            progress = False
            for h in range(H):
                while hH[h] < hL[h]:
                    parent = [None] * (H + 2)
                    parent[h] = (None, _START_SRC_HUB, -1)
                    if not self._search(parent, deque([h]), self.SRC):
                        break
                    self._augment(parent, self.SRC, [])
                    progress = True
        return all(hH[h] >= hL[h] for h in range(H))

    def maximise(self):
        """Phase 2: augment src -> sink paths while the total is below pcap."""
        H = self.H
        while self.total < self.pcap:
            parent = [None] * (H + 2)
            parent[self.SRC] = (None, _START, -1)
            if not self._search(parent, deque([self.SRC]), self.SINK):
                break
            self._augment(parent, self.SINK, [])

    def try_take(self, p) -> bool:
        """Raise the lower bound of pair p by one if the flow can follow.

        Precondition: the site concerned has capacity left.  If the pair already
        carries more than its lower bound, the completion already contains an
        interchangeable applicant of that pair; otherwise look for a residual
        path org -> ... -> hub that lets one more unit through the pair while the
        total stays the same.
        """
        if self.pF[p] > self.pC[p]:
            self.pC[p] += 1
            self._refresh_pair(p)
            self.invalidate()
            return True
        h = self.p_hub[p]
        o = self.p_org[p]
        H = self.H
        parent = [None] * (H + 2)
        queue = deque()
        for h2 in self.BW[o]:
            parent[h2] = (None, _START_BWD, o)
            queue.append(h2)
        if self.oG[o] < self.oCap[o]:
            parent[self.SINK] = (None, _START_SINK, o)
            queue.append(self.SINK)
        if parent[h] is None and not self._search(parent, queue, h):
            return False
        self.pF[p] += 1
        self.pC[p] += 1
        self._augment(parent, h, [p])
        return True

    # -- reachability for explanations ---------------------------------------

    def _adjacency(self):
        if self._adj is None:
            H = self.H
            SRC = self.SRC
            SINK = self.SINK
            adj = [0] * (H + 2)
            for h in range(H):
                mask = 0
                Wh = self.W[h]
                for h2 in range(H):
                    if Wh[h2]:
                        mask |= 1 << h2
                if self.WS[h]:
                    mask |= 1 << SINK
                if self.hH[h] > self.hL[h]:
                    mask |= 1 << SRC
                adj[h] = mask
            mask = 0
            for h in range(H):
                if self.WT[h]:
                    mask |= 1 << h
            if self.total < self.pcap:
                mask |= 1 << SRC
            adj[SINK] = mask
            mask = 0
            for h in range(H):
                if self.hH[h] < self.hU[h]:
                    mask |= 1 << h
            adj[SRC] = mask
            self._adj = adj
        return self._adj

    def closure(self, start_mask: int) -> int:
        """Bit mask of nodes reachable from start_mask (start included)."""
        cached = self._closures.get(start_mask)
        if cached is not None:
            return cached
        adj = self._adjacency()
        seen = start_mask
        frontier = start_mask
        while frontier:
            nxt = 0
            bits = frontier
            while bits:
                low = bits & -bits
                nxt |= adj[low.bit_length() - 1]
                bits ^= low
            frontier = nxt & ~seen
            seen |= nxt
        self._closures[start_mask] = seen
        return seen

    def org_start_mask(self, o) -> int:
        mask = 0
        for h in self.BW[o]:
            mask |= 1 << h
        if self.oG[o] < self.oCap[o]:
            mask |= 1 << self.SINK
        return mask


# --------------------------------------------------------------------------
# Solver
# --------------------------------------------------------------------------


def _relaxed_policy_text(names_with_min):
    return ", ".join(f"{name} {value}" for name, value in names_with_min)


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


def _render_reason(reason):
    """(short key, German text) for a waiting-list reason."""
    kind = reason[0]
    if kind == "places":
        return "alle Plätze vergeben", f"alle Plätze vergeben ({reason[1]} von {reason[1]})"
    if kind == "site":
        key = f"Höchstzahl je Standort {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "organisation":
        key = f"Höchstzahl je Träger {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "region_max":
        key = f"Höchstzahl Regierungsbezirk {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "minimum":
        key = "; ".join(f"Mindestzahl Regierungsbezirk {r}" for r in reason[1])
        return key, (
            f"{key} (mit dieser Bewerbung wäre die Mindestzahl nicht mehr erreichbar; "
            "die verbleibenden Plätze werden dafür gebraucht)"
        )
    if kind == "fill":
        names = []
        for what, name in reason[2]:
            if what == "organisation":
                names.append(f"Höchstzahl je Träger {name}")
            else:
                names.append(f"Höchstzahl Regierungsbezirk {name}")
        key = "sonst blieben Plätze unbesetzt"
        if names:
            key += " (bindend: " + ", ".join(names) + ")"
        return key, (
            f"{key}; mit dieser Bewerbung wären höchstens {reason[1] - 1} statt {reason[1]} "
            "Plätze besetzbar"
        )
    if kind == "minimum_fill":
        key = "; ".join(f"Mindestzahl Regierungsbezirk {r}" for r in reason[1])
        key += " und sonst unbesetzte Plätze"
        return key, (
            f"{key} (mit dieser Bewerbung wäre die Mindestzahl nur um den Preis "
            "unbesetzter Plätze erreichbar)"
        )
    if kind == "complete":
        key = "alle nach den Vorgaben besetzbaren Plätze vergeben"
        return key, f"{key} ({reason[1]})"
    key = "Vorgaben lassen keine weitere Auswahl zu"
    return key, key


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
