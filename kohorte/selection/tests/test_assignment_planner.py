"""The assignment planner on plain data: worked examples (no database)."""

import pytest

from kohorte.selection.services.assignment import (
    CONFLICTS,
    INSTITUTIONS,
    TOO_FEW_REVIEWERS,
    Candidate,
    Conflict,
    Reviewer,
    plan_assignments,
)


def _reviewers_of(plan):
    by_app = {}
    for reviewer, application in plan.new:
        by_app.setdefault(application, []).append(reviewer)
    return by_app


def test_every_application_gets_two_distinct_reviewers_and_loads_differ_by_at_most_one():
    apps = [Candidate(a) for a in range(1, 12)]
    reviewers = [Reviewer(r) for r in (101, 102, 103, 104, 105)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2)
    by_app = _reviewers_of(plan)
    assert sorted(by_app) == list(range(1, 12))
    assert all(len(set(rs)) == 2 == len(rs) for rs in by_app.values())
    assert sum(plan.loads.values()) == 22
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
    assert plan.gaps == []


def test_a_conflict_with_a_traeger_keeps_the_reviewer_off_all_its_applications():
    apps = [Candidate(1, organisation=7), Candidate(2, organisation=7), Candidate(3, organisation=8)]
    reviewers = [Reviewer(r) for r in (101, 102, 103)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                            conflicts=[Conflict(101, organisation=7)])
    by_app = _reviewers_of(plan)
    assert sorted(by_app[1]) == sorted(by_app[2]) == [102, 103]
    assert 101 in by_app[3]


def test_a_conflict_for_one_application_touches_only_that_application():
    apps = [Candidate(1, organisation=7), Candidate(2, organisation=7)]
    reviewers = [Reviewer(r) for r in (101, 102)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=1,
                            conflicts=[Conflict(101, application=1)])
    assert _reviewers_of(plan) == {1: [102], 2: [101]}


def test_with_the_institution_rule_each_application_gets_one_reviewer_of_each_university():
    fulda, rheinmain = 1, 2
    reviewers = [Reviewer(101, fulda), Reviewer(102, fulda), Reviewer(103, fulda),
                 Reviewer(201, rheinmain)]
    apps = [Candidate(a) for a in range(1, 5)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                            one_per_institution=True)
    institution = {r.id: r.institution for r in reviewers}
    for rs in _reviewers_of(plan).values():
        assert sorted(institution[r] for r in rs) == [fulda, rheinmain]
    # The three Fulda reviewers share the Fulda half: 2, 1, 1; RheinMain takes all four.
    assert sorted(plan.loads[r] for r in (101, 102, 103)) == [1, 1, 2]
    assert plan.loads[201] == 4


def test_without_the_institution_rule_the_same_reviewers_are_balanced_freely():
    reviewers = [Reviewer(101, 1), Reviewer(102, 1), Reviewer(103, 1), Reviewer(201, 2)]
    plan = plan_assignments(applications=[Candidate(a) for a in range(1, 5)],
                            reviewers=reviewers, per_application=2)
    assert sorted(plan.loads.values()) == [2, 2, 2, 2]


def test_an_application_that_cannot_be_filled_is_reported_with_the_reason():
    fulda = 1
    reviewers = [Reviewer(101, fulda), Reviewer(102, fulda), Reviewer(103)]
    apps = [Candidate(1), Candidate(2, organisation=9), Candidate(3)]
    conflicts = [Conflict(101, organisation=9), Conflict(103, application=2)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                            conflicts=conflicts, one_per_institution=True)
    gaps = {g.application: (g.missing, g.reason) for g in plan.gaps}
    # 2: only reviewer 102 is free of conflicts; 1 and 3 get 103 and one Fulda reviewer.
    assert gaps == {2: (1, CONFLICTS)}
    by_app = _reviewers_of(plan)
    assert by_app[2] == [102] and 103 in by_app[1] and 103 in by_app[3]

    too_few = plan_assignments(applications=[Candidate(1)], reviewers=[Reviewer(101)],
                               per_application=2)
    assert [(g.missing, g.reason) for g in too_few.gaps] == [(1, TOO_FEW_REVIEWERS)]
    assert too_few.new == [(101, 1)]

    same_house = plan_assignments(applications=[Candidate(1)],
                                  reviewers=[Reviewer(101, fulda), Reviewer(102, fulda)],
                                  per_application=2, one_per_institution=True)
    assert [(g.missing, g.reason) for g in same_house.gaps] == [(1, INSTITUTIONS)]


def test_earlier_assignments_are_kept_and_count_towards_the_load():
    reviewers = [Reviewer(101), Reviewer(102), Reviewer(103)]
    apps = [Candidate(a) for a in range(1, 5)]
    existing = [(101, 1), (101, 2), (101, 3)]
    plan = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                            existing=existing)
    assert not set(existing) & set(plan.new)
    # 5 new: 1, 2, 3 lack one each, 4 lacks two; 101 (already 3) gets none of them.
    assert plan.loads[101] == 3 and sorted([plan.loads[102], plan.loads[103]]) == [2, 3]
    # Nothing is missing any more: a second run adds nothing.
    again = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                             existing=existing + plan.new)
    assert again.new == [] and again.gaps == []


def test_a_former_reviewer_keeps_their_assignments_but_gets_no_new_ones():
    reviewers = [Reviewer(101, available=False), Reviewer(102), Reviewer(103)]
    plan = plan_assignments(applications=[Candidate(1), Candidate(2)], reviewers=reviewers,
                            per_application=2, existing=[(101, 1)])
    by_app = _reviewers_of(plan)
    assert sorted(by_app[2]) == [102, 103]
    assert len(by_app[1]) == 1 and by_app[1][0] in (102, 103)
    assert plan.loads[101] == 1


def test_the_same_input_in_another_order_gives_the_same_plan():
    apps = [Candidate(a, organisation=a % 3) for a in range(1, 9)]
    reviewers = [Reviewer(r, r % 2) for r in range(101, 106)]
    conflicts = [Conflict(101, organisation=1), Conflict(104, application=5)]
    one = plan_assignments(applications=apps, reviewers=reviewers, per_application=2,
                           conflicts=conflicts, one_per_institution=True)
    two = plan_assignments(applications=apps[::-1], reviewers=reviewers[::-1],
                           per_application=2, conflicts=conflicts[::-1],
                           one_per_institution=True)
    assert one == two


@pytest.mark.parametrize("kwargs, message", [
    ({"per_application": 0}, "at least 1"),
    ({"existing": [(999, 1)]}, "unknown reviewer"),
    ({"existing": [(101, 999)]}, "unknown application"),
    ({"existing": [(101, 1), (101, 1)]}, "twice"),
    ({"conflicts": [Conflict(101)]}, "names an organisation or an application"),
])
def test_malformed_input_is_refused(kwargs, message):
    arguments = {"applications": [Candidate(1)], "reviewers": [Reviewer(101)],
                 "per_application": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        plan_assignments(**arguments)
