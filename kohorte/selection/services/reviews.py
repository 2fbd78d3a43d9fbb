"""Business actions of the review stage: criteria, the selection policy, conflicts of
interest and the reviews themselves (one function per action).

Every action runs in one transaction, writes its audit entry in it and names its actor.
The audit keeps numbers and reference numbers, never what a reviewer wrote about a
person (comments stay with the review, which is erased with the application).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.accounts.models import Role
from kohorte.applications.models import Call
from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from ..models import (
    ConflictOfInterest,
    CriterionScore,
    ReviewAssignment,
    ReviewCriterion,
    SelectionPolicy,
)
from ..scoring import review_score
from ..selectors import reviews as selectors

# --- Review criteria --------------------------------------------------------------------


def _lock_call(call) -> Call:
    # Criteria changes and review submissions take the call's row lock, so that a
    # criterion cannot change while the first review is being submitted.
    return Call.objects.select_for_update().get(pk=call.pk)


def _refuse_if_locked(call):
    if selectors.criteria_locked(call=call):
        raise ValidationError(_(
            "The criteria can no longer be changed: a review has already been submitted, "
            "and all reviews must be scored on the same criteria."))


def _check_name(call, name, *, exclude=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Please give the criterion a name."))
    clash = ReviewCriterion.objects.filter(call=call, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(_("The call already has a criterion named “%(name)s”.")
                              % {"name": name})
    return name


def _check_weight(weight):
    weight = Decimal(weight)
    if not Decimal("0.01") <= weight <= Decimal("99.99"):
        raise ValidationError(_("The weight must be between 0.01 and 99.99."))
    return weight.quantize(Decimal("0.01"))


@transaction.atomic
def review_criterion_add(*, call: Call, name: str, weight, description: str = "",
                         actor) -> ReviewCriterion:
    """Add a criterion at the end. Refused once a review is submitted."""
    call = _lock_call(call)
    _refuse_if_locked(call)
    name, weight = _check_name(call, name), _check_weight(weight)
    last = ReviewCriterion.objects.filter(call=call).aggregate(m=Max("position"))["m"] or 0
    criterion = ReviewCriterion.objects.create(call=call, name=name, weight=weight,
                                               description=description.strip(),
                                               position=last + 1)
    audit_record(actor=actor, action="review_criterion.add", obj=criterion,
                 data={"name": name, "weight": str(weight)})
    return criterion


@transaction.atomic
def review_criterion_edit(*, criterion: ReviewCriterion, name: str, weight,
                          description: str = "", actor) -> ReviewCriterion:
    """Change a criterion's name, weight or description. Refused once a review is submitted."""
    _lock_call(criterion.call)
    criterion = ReviewCriterion.objects.select_for_update().get(pk=criterion.pk)
    _refuse_if_locked(criterion.call)
    name = _check_name(criterion.call, name, exclude=criterion)
    weight = _check_weight(weight)
    before = {"name": criterion.name, "weight": str(criterion.weight)}
    criterion.name, criterion.weight, criterion.description = name, weight, description.strip()
    criterion.save(update_fields=["name", "weight", "description"])
    audit_record(actor=actor, action="review_criterion.edit", obj=criterion,
                 data={"before": before, "after": {"name": name, "weight": str(weight)}})
    return criterion


@transaction.atomic
def review_criterion_remove(*, criterion: ReviewCriterion, actor) -> None:
    """Remove a criterion and the draft answers given on it. Refused once a review is
    submitted. Recorded on the call, since the criterion is gone."""
    call = _lock_call(criterion.call)
    _refuse_if_locked(call)
    criterion = ReviewCriterion.objects.get(pk=criterion.pk)
    drafts = CriterionScore.objects.filter(criterion=criterion)
    dropped = drafts.count()
    drafts.delete()
    audit_record(actor=actor, action="review_criterion.remove", obj=call,
                 data={"name": criterion.name, "weight": str(criterion.weight),
                       "draft_answers_dropped": dropped})
    criterion.delete()
    _renumber(call)


def _renumber(call):
    for position, criterion in enumerate(ReviewCriterion.objects.filter(call=call)
                                         .order_by("position", "id"), start=1):
        if criterion.position != position:
            criterion.position = position
            criterion.save(update_fields=["position"])


@transaction.atomic
def review_criterion_move(*, criterion: ReviewCriterion, up: bool, actor) -> None:
    """Move a criterion one place up or down (the order reviewers see)."""
    call = _lock_call(criterion.call)
    _refuse_if_locked(call)
    _renumber(call)
    ordered = list(ReviewCriterion.objects.filter(call=call).order_by("position", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    a, b = ordered[index], ordered[other]
    a.position, b.position = b.position, a.position
    a.save(update_fields=["position"])
    b.save(update_fields=["position"])
    audit_record(actor=actor, action="review_criterion.move", obj=a,
                 data={"name": a.name, "position": a.position})


# --- The selection policy -----------------------------------------------------------------

POLICY_FIELDS = (
    "reviewers_per_application", "one_reviewer_per_institution", "disagreement_threshold",
    "use_priority", "max_per_organisation", "max_per_site", "region_bounds", "offer_days",
    "offer_latest_days_before_start", "reminder_days_before_deadline", "legal_remedies_notice",
)


@dataclass(frozen=True)
class BoundProblem:
    district: str | None  # None: the minima together
    bound: str | None  # "min", "max" or None
    message: str


def region_bounds_problems(bounds: dict, *, places: int) -> list[BoundProblem]:
    """What is wrong with the minimum and maximum per Regierungsbezirk, naming the region.

    A minimum above its maximum can never be met; minima adding up to more than the
    places cannot all be met at once. (The selection engine refuses both as well.)
    """
    problems = []
    for district, bound in sorted(bounds.items()):
        low, high = bound.get("min"), bound.get("max")
        for key, value in (("min", low), ("max", high)):
            if value is not None and (not isinstance(value, int) or value < 0):
                problems.append(BoundProblem(district, key, _(
                    "%(district)s: the number must be a whole number of at least 0.")
                    % {"district": district}))
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(BoundProblem(district, "min", _(
                "%(district)s: the minimum (%(min)s) is above the maximum (%(max)s).")
                % {"district": district, "min": low, "max": high}))
    minima = {d: b["min"] for d, b in sorted(bounds.items())
              if isinstance(b.get("min"), int) and b["min"] > 0}
    if sum(minima.values()) > places:
        listing = ", ".join(f"{d} {n}" for d, n in minima.items())
        problems.append(BoundProblem(None, None, _(
            "The minimums per Regierungsbezirk (%(listing)s) add up to %(total)s, more than "
            "the %(places)s places of the call.")
            % {"listing": listing, "total": sum(minima.values()), "places": places}))
    return problems


def _clean_bounds(bounds):
    """Only the bounds that are set: {"Kassel": {"min": 3}}, nothing for empty ones."""
    cleaned = {}
    for district, bound in (bounds or {}).items():
        kept = {k: v for k, v in (bound or {}).items() if k in ("min", "max") and v is not None}
        if kept:
            cleaned[district] = kept
    return cleaned


@transaction.atomic
def selection_policy_save(*, call: Call, actor, now=None, **values) -> SelectionPolicy:
    """Save the call's selection policy as a new version; a version is never changed.

    Selection runs name the version they used, so a decision can always be explained
    by the rules that were in force when it was made. Fields not given are carried
    over from the newest version (or take their defaults).
    """
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    call = _lock_call(call)
    latest = selectors.policy_current(call=call)
    if latest is not None:
        values = {**{name: getattr(latest, name) for name in POLICY_FIELDS}, **values}
    values["region_bounds"] = _clean_bounds(values.get("region_bounds"))
    problems = region_bounds_problems(values["region_bounds"], places=call.places)
    if problems:
        raise ValidationError([p.message for p in problems])
    policy = SelectionPolicy(call=call, version=(latest.version if latest else 0) + 1,
                             created_at=now or timezone.now(), created_by=actor, **values)
    policy.full_clean()
    policy.save()
    changed = sorted(name for name in POLICY_FIELDS
                     if latest is None or getattr(latest, name) != getattr(policy, name))
    audit_record(actor=actor, action="selection_policy.save", obj=policy,
                 data={"version": policy.version, "changed": changed})
    return policy


# --- Conflicts of interest ------------------------------------------------------------------

@transaction.atomic
def conflict_declare(*, call: Call, reviewer, actor, organisation=None, application=None,
                     note: str = "", now=None) -> ConflictOfInterest:
    """Record that ``reviewer`` must not review an application or a Träger's applications.

    Open assignments it touches are removed (with their draft answers), so that the
    next assignment run gives the application to someone else. A submitted review
    must first be reopened by a coordinator: a conflict found afterwards is a matter
    for them to judge.
    """
    if (organisation is None) == (application is None):
        raise ValidationError(_("Name either an organisation (Träger) or an application."))
    if application is not None and application.call_id != call.pk:
        raise ValidationError(_("The application does not belong to this call."))
    if not Role.objects.filter(user=reviewer, programme_id=call.programme_id,
                               kind=Role.Kind.REVIEWER).exists():
        raise ValidationError(_("Only reviewers of the programme can declare a conflict."))
    affected = ReviewAssignment.objects.select_for_update().filter(
        reviewer=reviewer, application__call=call)
    affected = (affected.filter(application=application) if application is not None
                else affected.filter(application__organisation=organisation))
    affected = list(affected.select_related("application"))
    if any(a.submitted_at is not None for a in affected):
        raise ValidationError(_(
            "A review of this has already been submitted. A coordinator must reopen it "
            "before the conflict can be recorded."))
    conflict = ConflictOfInterest.objects.filter(
        call=call, reviewer=reviewer, organisation=organisation, application=application).first()
    created = conflict is None
    if created:
        conflict = ConflictOfInterest.objects.create(
            call=call, reviewer=reviewer, organisation=organisation, application=application,
            note=note.strip(), declared_at=now or timezone.now())
    removed = [a.application.reference for a in affected]
    ReviewAssignment.objects.filter(pk__in=[a.pk for a in affected]).delete()
    audit_record(actor=actor, action="conflict.declare", obj=conflict, data={
        "reviewer": reviewer.pk,
        "organisation": organisation.pk if organisation is not None else None,
        "application": application.reference if application is not None else None,
        "assignments_removed": removed, "again": not created,
    })
    return conflict


# --- Reviews ---------------------------------------------------------------------------------

NOT_APPLICABLE = None


def _lock_assignment(assignment) -> ReviewAssignment:
    return (ReviewAssignment.objects.select_for_update()
            .select_related("application__call").get(pk=assignment.pk))


def _own_open_review(assignment, actor) -> ReviewAssignment:
    assignment = _lock_assignment(assignment)
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the assigned reviewer can write this review."))
    if assignment.submitted_at is not None:
        raise ValidationError(_("This review has been submitted and can no longer be changed."))
    return assignment


@transaction.atomic
def review_save(*, assignment: ReviewAssignment, actor, answers: dict,
                overall_comment: str = "") -> ReviewAssignment:
    """Save a review as a draft.

    ``answers`` maps a criterion id to ``(value, comment)``: value 0–5, or None for
    "not applicable". A criterion left out of ``answers`` is not answered yet.
    """
    _lock_call(assignment.application.call)  # no criterion changes meanwhile
    assignment = _own_open_review(assignment, actor)
    criteria = {c.pk: c for c in selectors.criteria_for_call(call=assignment.application.call)}
    unknown = set(answers) - set(criteria)
    if unknown:
        raise ValidationError(_("The criteria have changed; please reload the page."))
    for value, _comment in answers.values():
        if value is not NOT_APPLICABLE and (not isinstance(value, int) or not 0 <= value <= 5):
            raise ValidationError(_("A score is a whole number from 0 to 5."))
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    for criterion_id, (value, comment) in answers.items():
        row = existing.get(criterion_id)
        if row is None:
            CriterionScore.objects.create(assignment=assignment, criterion_id=criterion_id,
                                          value=value, comment=comment.strip())
        elif (row.value, row.comment) != (value, comment.strip()):
            row.value, row.comment = value, comment.strip()
            row.save(update_fields=["value", "comment"])
    CriterionScore.objects.filter(assignment=assignment).exclude(
        criterion_id__in=list(answers)).delete()
    assignment.overall_comment = overall_comment.strip()
    assignment.save(update_fields=["overall_comment"])
    audit_record(actor=actor, action="review.save", obj=assignment,
                 data={"answered": len(answers), "criteria": len(criteria)})
    return assignment


@transaction.atomic
def review_submit(*, assignment: ReviewAssignment, actor, now=None) -> ReviewAssignment:
    """Submit a review: every criterion answered, at least one scored.

    The score is the weighted mean of the scored criteria ("not applicable" left out,
    never counted as 0), two decimals half-up, kept with the review. After this the
    review is read-only; only a coordinator can reopen it.
    """
    _lock_call(assignment.application.call)
    assignment = _own_open_review(assignment, actor)
    criteria = selectors.criteria_for_call(call=assignment.application.call)
    answers = {s.criterion_id: s.value for s in assignment.scores.all()}
    missing = [c.name for c in criteria if c.pk not in answers]
    if not criteria:
        raise ValidationError(_("The call has no review criteria yet."))
    if missing:
        raise ValidationError(_("Please answer every criterion before submitting: %(names)s.")
                              % {"names": ", ".join(missing)})
    score = review_score([(c.weight, answers[c.pk]) for c in criteria])
    if score is None:
        raise ValidationError(_(
            "Please score at least one criterion: a review with every criterion “not "
            "applicable” has no score."))
    assignment.submitted_at, assignment.score = now or timezone.now(), score
    assignment.save(update_fields=["submitted_at", "score"])
    audit_record(actor=actor, action="review.submit", obj=assignment,
                 data={"score": str(score)})
    return assignment


@transaction.atomic
def review_reopen(*, assignment: ReviewAssignment, actor, reason: str) -> ReviewAssignment:
    """A coordinator reopens a submitted review (with a reason) so the reviewer can
    change it; its score no longer counts until it is submitted again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason for reopening the review."))
    assignment = _lock_assignment(assignment)
    if assignment.submitted_at is None:
        raise ValidationError(_("This review is not submitted, so it is open already."))
    old_score = assignment.score
    assignment.submitted_at, assignment.score = None, None
    assignment.save(update_fields=["submitted_at", "score"])
    audit_record(actor=actor, action="review.reopen", obj=assignment, reason=reason,
                 data={"score": str(old_score) if old_score is not None else None})
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[assignment.application_id])
    mail_enqueue(to=assignment.reviewer.email, template="review_reopened", about=assignment,
                 context={"assignment": assignment, "call": assignment.application.call,
                          "reason": reason, "actor": actor, "link": link})
    return assignment


@transaction.atomic
def review_assignment_remove(*, assignment: ReviewAssignment, actor, reason: str) -> None:
    """Take an application away from a reviewer (e.g. absent), before their review is
    submitted; the next assignment run gives it to someone else."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason for removing the assignment."))
    assignment = _lock_assignment(assignment)
    if assignment.submitted_at is not None:
        raise ValidationError(_("A submitted review cannot be removed; reopen it first."))
    audit_record(actor=actor, action="review.unassign", obj=assignment.application.call,
                 reason=reason, data={"reviewer": assignment.reviewer_id,
                                      "application": assignment.application.reference})
    assignment.delete()
