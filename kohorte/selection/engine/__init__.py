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

from .errors import InstanceError, PolicyError
from .ranking import (
    candidate_list_hash,
    canonical_candidate_list,
    lottery_position,
    rank_key,
    round_score,
)
from .solve import dumps, loads, solve, solve_detailed

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
