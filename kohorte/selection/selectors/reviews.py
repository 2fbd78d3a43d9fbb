"""Reads for the review stage: criteria, policy, assignments, reviews and the overview.

Access is checked by the views (``kohorte.core.access``); what a reviewer may see is
narrowed here as well (only their own assignments, the others' reviews only after
their own is submitted). Each function runs a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Value
from django.db.models.functions import Coalesce, NullIf

from kohorte.accounts.models import Role, User
from kohorte.applications.models import Application, Eligibility
from kohorte.core.access import programmes_where
from kohorte.programmes.models import Organisation, Region

from ..models import (
    ConflictOfInterest,
    CriterionScore,
    ReviewAssignment,
    ReviewCriterion,
    SelectionPolicy,
)
from ..scoring import Summary, review_score, summarise
from .scores import score_summaries

ELIGIBLE_TIERS = (Eligibility.Tier.TIER_1, Eligibility.Tier.TIER_2)


def effective_tier(prefix=""):
    """The override if a coordinator set one, else the pre-check (from ``prefix``)."""
    return Coalesce(NullIf(f"{prefix}eligibility__override_tier", Value("")),
                    f"{prefix}eligibility__computed_tier", Value(""))


# --- Policy and criteria ---------------------------------------------------------------

def policy_current(*, call) -> SelectionPolicy | None:
    return SelectionPolicy.objects.filter(call=call).order_by("-version").first()


def policy_in_force(*, call) -> SelectionPolicy:
    """The newest version, or (before the first save) the defaults as version 0, unsaved."""
    return policy_current(call=call) or SelectionPolicy(call=call, version=0)


def policy_versions(*, call):
    return list(SelectionPolicy.objects.filter(call=call).select_related("created_by")
                .order_by("-version"))


def districts() -> list[str]:
    """The Regierungsbezirke, as the regions name them."""
    return list(Region.objects.order_by("district").values_list("district", flat=True).distinct())


def criteria_for_call(*, call) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(call=call).order_by("position", "id"))


def criterion_for_staff(*, pk) -> ReviewCriterion | None:
    return ReviewCriterion.objects.filter(pk=pk).select_related("call__programme").first()


def criteria_locked(*, call) -> bool:
    """Criteria are fixed once a review has been submitted: all are scored alike."""
    return ReviewAssignment.objects.filter(application__call=call,
                                           submitted_at__isnull=False).exists()


# --- Who reviews what ---------------------------------------------------------------------

def eligible_applications(*, call):
    """Submitted applications of tier 1 or 2 (a coordinator's override counts)."""
    return (Application.objects.filter(call=call, state=Application.State.SUBMITTED)
            .select_related("organisation", "site", "region", "eligibility")
            .annotate(effective_tier=effective_tier())
            .filter(effective_tier__in=ELIGIBLE_TIERS)
            .order_by("reference", "id"))


def reviewer_roles(*, programme):
    """The reviewer roles of a programme held by active staff, with their institution."""
    return (Role.objects.filter(programme=programme, kind=Role.Kind.REVIEWER,
                                user__is_active=True, user__is_staff=True)
            .select_related("user", "institution").order_by("user__display_name", "user__email"))


def reviewer_users(*, programme):
    """The reviewers of a programme as users (for choosing one in a form)."""
    return (User.objects.filter(roles__programme=programme, roles__kind=Role.Kind.REVIEWER,
                                is_active=True, is_staff=True)
            .distinct().order_by("display_name", "email"))


def users(*, ids):
    return User.objects.filter(pk__in=list(ids)).order_by("pk")


def assignment_pairs(*, call) -> list[tuple[int, int]]:
    return list(ReviewAssignment.objects.filter(application__call=call)
                .values_list("reviewer_id", "application_id"))


def conflicts_for_call(*, call, reviewer=None):
    conflicts = (ConflictOfInterest.objects.filter(call=call)
                 .select_related("reviewer", "organisation", "application")
                 .order_by("-declared_at", "-id"))
    if reviewer is not None:
        conflicts = conflicts.filter(reviewer=reviewer)
    return conflicts


def organisations_for_call(*, call):
    """The Träger of the call's submitted applications (for declaring a conflict)."""
    return (Organisation.objects.filter(applications__call=call,
                                        applications__state=Application.State.SUBMITTED)
            .distinct().order_by("name"))


def open_assignments_of(*, reviewer, call):
    """The reviewer's applications in this call whose review is not yet submitted."""
    return (eligible_applications(call=call)
            .filter(review_assignments__reviewer=reviewer,
                    review_assignments__submitted_at__isnull=True))


# --- The reviewer's side ---------------------------------------------------------------------

def _reviewer_assignments(reviewer):
    return (ReviewAssignment.objects.filter(
        reviewer=reviewer, application__state=Application.State.SUBMITTED,
        application__call__programme__in=programmes_where(reviewer, "review", "view_assigned"))
        .annotate(tier=effective_tier("application__"))
        .filter(tier__in=ELIGIBLE_TIERS))


def assignments_for_reviewer(*, reviewer):
    """The reviewer's assignments in every programme they review for, call by call."""
    return list(_reviewer_assignments(reviewer)
                .select_related("application", "application__call",
                                "application__call__programme", "application__organisation")
                .annotate(answered=Count("scores"))
                .order_by("-application__call__closes_at", "application__call_id",
                          "application__reference"))


def assignment_for_reviewer(*, reviewer, application_pk) -> ReviewAssignment | None:
    """The reviewer's own assignment for this application, or None (so: 404)."""
    return (_reviewer_assignments(reviewer).filter(application_id=application_pk)
            .select_related("application", "application__call",
                            "application__call__programme", "application__organisation",
                            "application__site", "application__region",
                            "application__eligibility", "reviewer")
            .prefetch_related("scores")
            .first())


def review_sheet(*, assignment, criteria) -> list[tuple[ReviewCriterion, CriterionScore | None]]:
    """Each criterion with the reviewer's answer so far (None: not answered yet)."""
    answers = {s.criterion_id: s for s in assignment.scores.all()}
    return [(criterion, answers.get(criterion.pk)) for criterion in criteria]


def review_preview(*, sheet) -> Decimal | None:
    """The score the review would get if submitted now (unanswered criteria left out)."""
    return review_score([(c.weight, s.value) for c, s in sheet if s is not None])


def other_reviews(*, assignment, criteria) -> list[tuple[ReviewAssignment, list]]:
    """The other submitted reviews of the application, each with its sheet; shown to a
    reviewer only once their own is submitted, so that no one scores to the others."""
    if assignment.submitted_at is None:
        return []
    others = (ReviewAssignment.objects
              .filter(application_id=assignment.application_id, submitted_at__isnull=False)
              .exclude(pk=assignment.pk)
              .select_related("reviewer")
              .prefetch_related("scores")
              .order_by("submitted_at", "id"))
    return [(other, review_sheet(assignment=other, criteria=criteria)) for other in others]


# --- The coordinators' side -----------------------------------------------------------------

def assignment_for_staff(*, pk) -> ReviewAssignment | None:
    return (ReviewAssignment.objects.filter(pk=pk)
            .select_related("application", "application__call",
                            "application__call__programme", "application__organisation",
                            "application__region", "reviewer")
            .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects
                                       .select_related("criterion")))
            .first())


@dataclass
class ReviewerProgress:
    user: User
    institution: object
    assigned: int = 0
    submitted: int = 0
    conflicts: int = 0

    @property
    def open(self):
        return self.assigned - self.submitted


@dataclass
class ScoreRow:
    application: Application
    assignments: list
    summary: Summary

    @property
    def submitted(self):
        return sum(1 for a in self.assignments if a.submitted_at is not None)


@dataclass
class Overview:
    rows: list[ScoreRow] = field(default_factory=list)
    reviewers: list[ReviewerProgress] = field(default_factory=list)
    assigned: int = 0
    submitted: int = 0


ORDERS = {
    "reference": lambda row: (row.application.reference or "",),
    # Highest score first; unscored last.
    "score": lambda row: (row.summary.score is None, -(row.summary.score or 0),
                          row.application.reference or ""),
    "spread": lambda row: (row.summary.spread is None, -(row.summary.spread or 0),
                           row.application.reference or ""),
}


def review_overview(*, call, threshold: Decimal, order="reference",
                    only_disagreement=False) -> Overview:
    """Assignments, progress per reviewer and the score table of a call's eligible
    applications (mean, SD, count, spread and the disagreement flag)."""
    applications = list(eligible_applications(call=call).prefetch_related(
        Prefetch("review_assignments", queryset=ReviewAssignment.objects
                 .select_related("reviewer").order_by("reviewer__display_name", "reviewer__email"))))
    summaries = score_summaries(call=call, threshold=threshold)
    empty = summarise([], threshold=threshold)
    rows = [ScoreRow(a, list(a.review_assignments.all()), summaries.get(a.pk, empty))
            for a in applications]

    progress = {}
    for role in reviewer_roles(programme=call.programme_id):
        progress[role.user_id] = ReviewerProgress(role.user, role.institution)
    counts = (ReviewAssignment.objects.filter(application__in=[a.pk for a in applications])
              .values("reviewer").annotate(n=Count("id"),
                                           done=Count("id", filter=Q(submitted_at__isnull=False))))
    missing = [c["reviewer"] for c in counts if c["reviewer"] not in progress]
    for user in users(ids=missing):
        progress[user.pk] = ReviewerProgress(user, None)
    for c in counts:
        progress[c["reviewer"]].assigned = c["n"]
        progress[c["reviewer"]].submitted = c["done"]
    by_reviewer = defaultdict(int)
    for reviewer_id in ConflictOfInterest.objects.filter(call=call).values_list("reviewer_id",
                                                                                 flat=True):
        by_reviewer[reviewer_id] += 1
    for reviewer_id, n in by_reviewer.items():
        if reviewer_id in progress:
            progress[reviewer_id].conflicts = n

    overview = Overview(
        reviewers=list(progress.values()),
        assigned=sum(p.assigned for p in progress.values()),
        submitted=sum(p.submitted for p in progress.values()),
    )
    if only_disagreement:
        rows = [row for row in rows if row.summary.disagreement]
    overview.rows = sorted(rows, key=ORDERS.get(order, ORDERS["reference"]))
    return overview


def criterion_means(*, call) -> dict[int, dict[int, Decimal]]:
    """{application id: {criterion id: mean over the submitted reviews}}, N/A left out."""
    values = defaultdict(list)
    for app_id, criterion_id, value in (
            CriterionScore.objects.filter(assignment__application__call=call,
                                          assignment__submitted_at__isnull=False,
                                          value__isnull=False)
            .values_list("assignment__application_id", "criterion_id", "value")):
        values[(app_id, criterion_id)].append(Decimal(value))
    means = defaultdict(dict)
    for (app_id, criterion_id), vs in values.items():
        means[app_id][criterion_id] = summarise(vs, threshold=Decimal(0)).score
    return means


def submitted_reviews_for_call(*, call):
    """Every submitted review of the call's eligible applications, with its scores."""
    return list(ReviewAssignment.objects
                .filter(application__in=eligible_applications(call=call).values("pk"),
                        submitted_at__isnull=False)
                .select_related("application", "reviewer")
                .prefetch_related("scores")
                .order_by("application__reference", "submitted_at", "id"))
