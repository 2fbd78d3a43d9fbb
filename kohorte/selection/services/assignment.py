"""Who reviews which application: a pure planner and the service that applies it.

The rule (``plan_assignments``, plain data in and out, no database):

* every application gets ``per_application`` distinct reviewers;
* a reviewer never gets an application they declared a conflict of interest for,
  by person (the application) or by Träger (the application's organisation);
* with ``one_per_institution`` no two reviewers of one application come from the same
  partner institution (with two reviewers and two universities: one from each). A
  reviewer without an institution counts as an institution of their own;
* assignments made earlier are kept; only the missing ones are added;
* as many of the missing assignments as possible are made. An application lacks
  reviewers only when too few are left for it (``Gap`` says why), never because the
  planner chose badly: reviewers have no upper load, so each application can be
  filled independently of the others;
* among all plans of that maximal size the reviewers' loads (earlier assignments
  included) are as even as possible: the plan minimises the sum of squared loads,
  which, for the load vectors of a flow network, also minimises the highest load and
  maximises the lowest one (Frank and Murota, "Discrete decreasing minimization",
  2022). So loads differ by at most one wherever conflicts and the institution rule
  allow it.

It is a minimum-cost flow: source → reviewer (the k-th new application of a reviewer
with ``e`` earlier ones costs ``2(e + k) − 1``, the growth of the squared load) →
(application, institution) → application → sink, solved exactly by networkx's network
simplex. ``kohorte/selection/tests/test_assignment_properties.py`` checks it against
brute force. The planner functions read no database; the service at the end of the
module feeds them a call's data and stores the result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.applications.models import Call
from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from ..models import ReviewAssignment
from ..selectors import reviews as selectors

# Why an application could not get all its reviewers.
TOO_FEW_REVIEWERS = "too_few_reviewers"
CONFLICTS = "conflicts"
INSTITUTIONS = "institutions"


@dataclass(frozen=True)
class Reviewer:
    id: int
    institution: int | None = None
    # False for someone who holds earlier assignments but no longer reviews: their
    # assignments count, they get no new ones.
    available: bool = True


@dataclass(frozen=True)
class Candidate:
    """An application to be reviewed, with the organisation (Träger) it belongs to."""

    id: int
    organisation: int | None = None


@dataclass(frozen=True)
class Conflict:
    """A reviewer must not review this application, or any application of this Träger."""

    reviewer: int
    organisation: int | None = None
    application: int | None = None


@dataclass(frozen=True)
class Gap:
    application: int
    missing: int  # reviewers still lacking after the plan
    reason: str  # TOO_FEW_REVIEWERS, CONFLICTS or INSTITUTIONS


@dataclass
class Plan:
    new: list[tuple[int, int]] = field(default_factory=list)  # (reviewer, application)
    gaps: list[Gap] = field(default_factory=list)
    loads: dict[int, int] = field(default_factory=dict)  # reviewer -> assignments after the plan


@dataclass(frozen=True)
class _Need:
    """What one application lacks and who may fill it (the part that needs no flow)."""

    deficit: int
    candidates: tuple[int, ...]  # reviewers allowed to take it, sorted
    fillable: int  # how many of the deficit can be filled
    reason: str | None


def _group(reviewer: Reviewer, one_per_institution: bool):
    if one_per_institution and reviewer.institution is not None:
        return ("institution", reviewer.institution)
    return ("reviewer", reviewer.id)


def _validate(applications, reviewers, per_application, conflicts, existing):
    if per_application < 1:
        raise ValueError("per_application must be at least 1")
    app_ids = [a.id for a in applications]
    reviewer_ids = [r.id for r in reviewers]
    if len(set(app_ids)) != len(app_ids) or len(set(reviewer_ids)) != len(reviewer_ids):
        raise ValueError("application and reviewer ids must be unique")
    known_apps, known_reviewers = set(app_ids), set(reviewer_ids)
    for reviewer, application in existing:
        if reviewer not in known_reviewers:
            raise ValueError(f"existing assignment names unknown reviewer {reviewer}")
        if application not in known_apps:
            raise ValueError(f"existing assignment names unknown application {application}")
    if len(set(existing)) != len(existing):
        raise ValueError("an existing assignment is listed twice")
    for conflict in conflicts:
        if conflict.organisation is None and conflict.application is None:
            raise ValueError("a conflict names an organisation or an application")


def assignment_needs(*, applications, reviewers, per_application, conflicts=(), existing=(),
                     one_per_institution=False) -> dict[int, _Need]:
    """For each application: its deficit, who may fill it and how far (no flow needed).

    Assignments are independent per application as long as reviewers have no upper
    load, so what can be filled, and why the rest cannot, is decided here.
    """
    applications, reviewers = list(applications), list(reviewers)
    conflicts, existing = list(conflicts), [tuple(pair) for pair in existing]
    _validate(applications, reviewers, per_application, conflicts, existing)
    by_id = {r.id: r for r in reviewers}
    have = defaultdict(set)
    for reviewer, application in existing:
        have[application].add(reviewer)
    barred_apps = defaultdict(set)  # reviewer -> applications
    barred_orgs = defaultdict(set)  # reviewer -> organisations
    for conflict in conflicts:
        if conflict.application is not None:
            barred_apps[conflict.reviewer].add(conflict.application)
        if conflict.organisation is not None:
            barred_orgs[conflict.reviewer].add(conflict.organisation)
    available = sorted((r for r in reviewers if r.available), key=lambda r: r.id)

    needs = {}
    for application in applications:
        present = have[application.id]
        deficit = max(0, per_application - len(present))
        used_groups = {_group(by_id[r], one_per_institution) for r in present}
        free = [r for r in available if r.id not in present]
        unconflicted = [
            r for r in free
            if application.id not in barred_apps[r.id]
            and (application.organisation is None
                 or application.organisation not in barred_orgs[r.id])
        ]
        allowed = [r for r in unconflicted
                   if _group(r, one_per_institution) not in used_groups]
        groups = {_group(r, one_per_institution) for r in allowed}
        fillable = min(deficit, len(groups))
        reason = None
        if fillable < deficit:
            if len(free) < deficit:
                reason = TOO_FEW_REVIEWERS
            elif len(unconflicted) < deficit:
                reason = CONFLICTS
            else:
                reason = INSTITUTIONS
        needs[application.id] = _Need(deficit, tuple(r.id for r in allowed), fillable, reason)
    return needs


def plan_assignments(*, applications, reviewers, per_application, conflicts=(), existing=(),
                     one_per_institution=False) -> Plan:
    """The assignments to add (see the module docstring for the rule).

    ``applications``: ``Candidate``s; ``reviewers``: ``Reviewer``s (every reviewer of
    an existing assignment must be listed, ``available=False`` if they take no new
    ones); ``conflicts``: ``Conflict``s; ``existing``: (reviewer, application) pairs
    kept as they are. The same input gives the same plan.
    """
    applications = sorted(applications, key=lambda a: a.id)
    reviewers = sorted(reviewers, key=lambda r: r.id)
    existing = [tuple(pair) for pair in existing]
    needs = assignment_needs(applications=applications, reviewers=reviewers,
                             per_application=per_application, conflicts=conflicts,
                             existing=existing, one_per_institution=one_per_institution)
    by_id = {r.id: r for r in reviewers}
    earlier = defaultdict(int)
    for reviewer, _application in existing:
        earlier[reviewer] += 1

    total = sum(need.fillable for need in needs.values())
    new = _min_cost_plan(needs, by_id, earlier, total, one_per_institution) if total else []

    loads = {r.id: earlier[r.id] for r in reviewers}
    for reviewer, _application in new:
        loads[reviewer] += 1
    gaps = [Gap(app_id, need.deficit - need.fillable, need.reason)
            for app_id, need in needs.items() if need.fillable < need.deficit]
    return Plan(new=new, gaps=gaps, loads=loads)


def _min_cost_plan(needs, by_id, earlier, total, one_per_institution):
    graph = nx.DiGraph()
    source, sink = ("source",), ("sink",)
    graph.add_node(source, demand=-total)
    graph.add_node(sink, demand=total)
    # How many new applications a reviewer could take at most: one slot each.
    slots = defaultdict(int)
    for need in needs.values():
        if need.fillable:
            for reviewer in need.candidates:
                slots[reviewer] += 1
    for reviewer in sorted(slots):
        for k in range(1, min(slots[reviewer], total) + 1):
            slot = ("slot", reviewer, k)
            graph.add_edge(source, slot, capacity=1, weight=2 * (earlier[reviewer] + k) - 1)
            graph.add_edge(slot, ("reviewer", reviewer), capacity=1, weight=0)
    for app_id, need in needs.items():
        if not need.fillable:
            continue
        for reviewer in need.candidates:
            group = ("group", app_id, _group(by_id[reviewer], one_per_institution))
            graph.add_edge(("reviewer", reviewer), group, capacity=1, weight=0)
            graph.add_edge(group, ("application", app_id), capacity=1, weight=0)
        graph.add_edge(("application", app_id), sink, capacity=need.fillable, weight=0)
    _cost, flow = nx.network_simplex(graph)
    new = []
    for reviewer in sorted(slots):
        for target, amount in flow[("reviewer", reviewer)].items():
            if amount:
                new.append((reviewer, target[1]))
    return sorted(new)


# --- The service: the planner applied to a call ------------------------------------


@dataclass
class AssignmentResult:
    created: list  # the new ReviewAssignment rows
    gaps: list  # (Application, Gap), in reference order
    policy_version: int


def planner_input(*, call, applications):
    """The planner's plain data for a call: applications, reviewers, conflicts, existing."""
    candidates = [Candidate(a.pk, a.organisation_id) for a in applications]
    app_ids = {a.pk for a in applications}
    existing = [(r, a) for r, a in selectors.assignment_pairs(call=call) if a in app_ids]
    reviewers = {role.user_id: Reviewer(role.user_id, role.institution_id)
                 for role in selectors.reviewer_roles(programme=call.programme_id)}
    for reviewer_id, _app in existing:
        if reviewer_id not in reviewers:
            reviewers[reviewer_id] = Reviewer(reviewer_id, None, available=False)
    conflicts = [Conflict(c.reviewer_id, c.organisation_id, c.application_id)
                 for c in selectors.conflicts_for_call(call=call)]
    return candidates, list(reviewers.values()), conflicts, existing


def _refuse_unless_possible(call: Call, now):
    """Refuse assignment before the deadline or without criteria (ValidationError)."""
    if call.state != Call.State.CLOSED and now <= call.deadline:
        raise ValidationError(_("Reviews are assigned after the call's deadline."))
    if not call.review_criteria.exists():
        raise ValidationError(_("Add the review criteria before assigning reviews."))


@transaction.atomic
def review_assignments_run(*, call: Call, actor, now=None) -> AssignmentResult:
    """Give every eligible application its reviewers, under the policy in force.

    Earlier assignments stay; only missing ones are added, so running it again after
    a conflict was declared or a late eligibility override fills just the holes. Each
    reviewer with new applications is told by e-mail (no applicant data in it).
    """
    now = now or timezone.now()
    call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
    _refuse_unless_possible(call, now)
    policy = selectors.policy_in_force(call=call)
    applications = list(selectors.eligible_applications(call=call))
    candidates, reviewers, conflicts, existing = planner_input(call=call,
                                                               applications=applications)
    plan = plan_assignments(applications=candidates, reviewers=reviewers,
                            per_application=policy.reviewers_per_application,
                            conflicts=conflicts, existing=existing,
                            one_per_institution=policy.one_reviewer_per_institution)
    created = ReviewAssignment.objects.bulk_create(
        [ReviewAssignment(application_id=a, reviewer_id=r, assigned_at=now) for r, a in plan.new])
    by_pk = {a.pk: a for a in applications}
    audit_record(actor=actor, action="review.assign", obj=call, data={
        "policy_version": policy.version or None,
        "reviewers_per_application": policy.reviewers_per_application,
        "assigned": [[r, by_pk[a].reference] for r, a in plan.new],
        "not_fully_assigned": [[by_pk[g.application].reference, g.missing, g.reason]
                               for g in plan.gaps],
    })
    _tell_reviewers(call=call, plan=plan)
    gaps = sorted(((by_pk[g.application], g) for g in plan.gaps),
                  key=lambda pair: pair[0].reference)
    return AssignmentResult(created=created, gaps=gaps, policy_version=policy.version)


def _tell_reviewers(*, call, plan):
    counts = defaultdict(int)
    for reviewer, _app in plan.new:
        counts[reviewer] += 1
    if not counts:
        return
    link = settings.SITE_URL + reverse("reviews:my_reviews")
    for user in selectors.users(ids=counts):
        mail_enqueue(to=user.email, template="review_assigned", about=call,
                     context={"reviewer": user, "call": call, "count": counts[user.pk],
                              "link": link})


@dataclass
class Outlook:
    to_add: int  # assignments a run would add now
    gaps: list  # (Application, Gap): what a run could not fill, in reference order


def assignment_outlook(*, call: Call) -> Outlook:
    """What an assignment run would do now, without doing it (reads only)."""
    policy = selectors.policy_in_force(call=call)
    applications = list(selectors.eligible_applications(call=call))
    candidates, reviewers, conflicts, existing = planner_input(call=call,
                                                               applications=applications)
    needs = assignment_needs(applications=candidates, reviewers=reviewers,
                             per_application=policy.reviewers_per_application,
                             conflicts=conflicts, existing=existing,
                             one_per_institution=policy.one_reviewer_per_institution)
    by_pk = {a.pk: a for a in applications}
    gaps = [(by_pk[app_id], Gap(app_id, need.deficit - need.fillable, need.reason))
            for app_id, need in needs.items() if need.fillable < need.deficit]
    return Outlook(to_add=sum(n.fillable for n in needs.values()),
                   gaps=sorted(gaps, key=lambda pair: pair[0].reference))
