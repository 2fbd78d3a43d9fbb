"""Feasibility core: the compressed residual network."""

from __future__ import annotations

from collections import deque

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
