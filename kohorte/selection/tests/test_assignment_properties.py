"""The assignment planner against brute force (small instances) and against an
independent max-flow bound (larger ones), on random instances.

Brute force tries every way of adding reviewers that respects the rules and finds
(1) the largest number of assignments, and among plans of that size (2) the lowest
possible highest load, (3) the highest possible lowest load and (4) the least sum of
squared loads. The planner must reach all four at once.
"""

import itertools
import random
from collections import defaultdict

import networkx as nx
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kohorte.selection.services.assignment import (
    CONFLICTS,
    INSTITUTIONS,
    TOO_FEW_REVIEWERS,
    Candidate,
    Conflict,
    Reviewer,
    plan_assignments,
)

_BASE = settings().max_examples


@st.composite
def instances(draw, max_apps, max_reviewers, max_n):
    n_reviewers = draw(st.integers(1, max_reviewers))
    institutions = draw(st.integers(1, 3))
    reviewers = [
        Reviewer(100 + r, draw(st.one_of(st.none(), st.integers(1, institutions))),
                 available=draw(st.booleans()) or r == 0 or not draw(st.booleans()))
        for r in range(n_reviewers)
    ]
    apps = [Candidate(a, draw(st.one_of(st.none(), st.integers(1, 3))))
            for a in range(1, draw(st.integers(1, max_apps)) + 1)]
    pairs = [(r.id, a.id) for r in reviewers for a in apps]
    existing = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    conflicts = []
    for r in reviewers:
        if draw(st.integers(0, 3)) == 0:
            conflicts.append(Conflict(r.id, organisation=draw(st.integers(1, 3))))
        if draw(st.integers(0, 3)) == 0:
            conflicts.append(Conflict(r.id, application=draw(st.sampled_from(apps)).id))
    return {
        "applications": apps, "reviewers": reviewers, "conflicts": conflicts,
        "existing": existing if draw(st.booleans()) else [],
        "per_application": draw(st.integers(1, max_n)),
        "one_per_institution": draw(st.booleans()),
    }


def _group(reviewer, rule):
    return ("i", reviewer.institution) if rule and reviewer.institution is not None else ("r", reviewer.id)


def _allowed(instance, application):
    """Who may newly review ``application``, straight from the rules (brute force side)."""
    rule = instance["one_per_institution"]
    present = {r for r, a in instance["existing"] if a == application.id}
    by_id = {r.id: r for r in instance["reviewers"]}
    used = {_group(by_id[r], rule) for r in present}
    allowed = []
    for r in instance["reviewers"]:
        if not r.available or r.id in present or _group(r, rule) in used:
            continue
        if any(c.reviewer == r.id and (c.application == application.id or (
                c.organisation is not None and c.organisation == application.organisation))
               for c in instance["conflicts"]):
            continue
        allowed.append(r)
    return allowed, len(present)


def _options(instance, application):
    """Every set of new reviewers one application could get under the rules."""
    allowed, present = _allowed(instance, application)
    deficit = max(0, instance["per_application"] - present)
    rule = instance["one_per_institution"]
    options = []
    for size in range(deficit + 1):
        for combo in itertools.combinations(allowed, size):
            if len({_group(r, rule) for r in combo}) == size:
                options.append(tuple(r.id for r in combo))
    return options


def _loads(instance, new_pairs):
    loads = {r.id: 0 for r in instance["reviewers"] if r.available}
    for reviewer, _app in list(instance["existing"]) + list(new_pairs):
        if reviewer in loads:
            loads[reviewer] += 1
    return loads


def _check_rules(instance, plan):
    """Distinct reviewers, no conflict, institution rule, earlier assignments kept."""
    by_id = {r.id: r for r in instance["reviewers"]}
    apps = {a.id: a for a in instance["applications"]}
    assert len(set(plan.new)) == len(plan.new)
    assert not set(plan.new) & set(instance["existing"])
    rule = instance["one_per_institution"]
    new_by_app = defaultdict(list)
    for reviewer, application in plan.new:
        new_by_app[application].append(reviewer)
        assert by_id[reviewer].available
        for c in instance["conflicts"]:
            if c.reviewer == reviewer:
                assert c.application != application
                assert c.organisation is None or c.organisation != apps[application].organisation
    for application, reviewers in new_by_app.items():
        present = [r for r, a in instance["existing"] if a == application]
        groups = [_group(by_id[r], rule) for r in reviewers]
        assert len(set(groups)) == len(groups)
        assert not set(groups) & {_group(by_id[r], rule) for r in present}
        assert len(present) + len(reviewers) <= max(instance["per_application"], len(present))
    # An application is reported exactly when it stays short, with a fitting reason.
    gaps = {g.application: g for g in plan.gaps}
    for application in instance["applications"]:
        present = sum(1 for _r, a in instance["existing"] if a == application.id)
        total = present + len(new_by_app[application.id])
        short = max(0, instance["per_application"] - total)
        if short:
            assert gaps[application.id].missing == short
            assert gaps[application.id].reason in (TOO_FEW_REVIEWERS, CONFLICTS, INSTITUTIONS)
        else:
            assert application.id not in gaps


@settings(max_examples=_BASE, deadline=None)
@given(instances(max_apps=4, max_reviewers=4, max_n=3))
def test_the_planner_matches_brute_force_on_small_instances(instance):
    options = [_options(instance, a) for a in instance["applications"]]
    size = 1
    for o in options:
        size *= len(o)
    assume(size <= 20000)
    plan = plan_assignments(**instance)
    _check_rules(instance, plan)

    best_total, best_max, best_min, best_squares = -1, None, None, None
    for choice in itertools.product(*options):
        total = sum(len(c) for c in choice)
        if total < best_total:
            continue
        pairs = [(r, a.id) for c, a in zip(choice, instance["applications"], strict=True)
                 for r in c]
        loads = list(_loads(instance, pairs).values()) or [0]
        squares = sum(x * x for x in loads)
        if total > best_total:
            best_total, best_max, best_min, best_squares = total, max(loads), min(loads), squares
        else:
            best_max, best_min = min(best_max, max(loads)), max(best_min, min(loads))
            best_squares = min(best_squares, squares)

    loads = list(_loads(instance, plan.new).values()) or [0]
    assert len(plan.new) == best_total
    assert max(loads) == best_max, "the highest load is not as low as it can be"
    assert min(loads) == best_min, "the lowest load is not as high as it can be"
    assert sum(x * x for x in loads) == best_squares


def _lowest_possible_highest_load(instance, total):
    """Independent of the planner: the least cap on every reviewer's load under which
    a plain max flow still places ``total`` new assignments."""
    earlier = _loads(instance, [])

    def placed(cap):
        graph = nx.DiGraph()
        for application in instance["applications"]:
            allowed, present = _allowed(instance, application)
            deficit = max(0, instance["per_application"] - present)
            graph.add_edge(("a", application.id), "t", capacity=deficit)
            for r in allowed:
                group = ("g", application.id, _group(r, instance["one_per_institution"]))
                graph.add_edge(("r", r.id), group, capacity=1)
                graph.add_edge(group, ("a", application.id), capacity=1)
        for reviewer, load in earlier.items():
            graph.add_edge("s", ("r", reviewer), capacity=max(0, cap - load))
        if "s" not in graph or "t" not in graph:
            return 0
        return nx.maximum_flow_value(graph, "s", "t")

    low = max(earlier.values(), default=0)
    while placed(low) < total:
        low += 1
    return low


@settings(max_examples=max(10, _BASE // 4), deadline=None)
@given(instances(max_apps=25, max_reviewers=8, max_n=3), st.randoms(use_true_random=False))
def test_on_larger_instances_the_rules_hold_and_the_highest_load_is_minimal(instance, rnd):
    plan = plan_assignments(**instance)
    _check_rules(instance, plan)
    loads = _loads(instance, plan.new)
    if loads:
        assert max(loads.values()) == _lowest_possible_highest_load(instance, len(plan.new))
    shuffled = {**instance}
    for key in ("applications", "reviewers", "conflicts", "existing"):
        shuffled[key] = list(instance[key])
        rnd.shuffle(shuffled[key])
    assert plan_assignments(**shuffled) == plan


def test_a_programme_sized_instance_with_enough_reviewers_is_filled_evenly():
    rng = random.Random(7)
    reviewers = [Reviewer(100 + r, 1 + r % 2) for r in range(10)]
    apps = [Candidate(a, rng.randint(1, 40)) for a in range(1, 121)]
    conflicts = [Conflict(100 + r, organisation=rng.randint(1, 40)) for r in range(10)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                            conflicts=conflicts, one_per_institution=True)
    assert plan.gaps == [] and len(plan.new) == 240
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
