"""Selection runs: the published candidate list, the draw, the proposal, the coordinator's
pins and exclusions, the confirmation, and the refill of every vacancy.

The rule itself is the pure engine (``engine.solve``, docs/selection.md); these services
give it its input, store input and result whole (so a run can be reproduced and shown
to an applicant who asks) and turn the result into offers and letters.

Locks: every change of who holds a place runs under a row lock on the call, taken
first; application rows are locked after it (erasure scheduling). The withdrawal hook
keeps that order too (it runs before the application's own lock).
"""

import hashlib
from dataclasses import dataclass
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.applications.models import Application, Call, Eligibility
from kohorte.core.audit import audit_record
from kohorte.core.dates import local_datetime
from kohorte.core.models import AuditEntry

from .. import engine
from ..models import Candidate, MessageTemplate, Offer, SelectionPolicy, SelectionRun
from ..selectors.scores import score_summaries
from ..selectors.selection import (
    ELIGIBLE_TIERS,
    TIER_NUMBER,
    applications_by_reference,
    current_policy,
    latest_confirmed_run,
    readable,
    token_names,
    waiting_reason,
)
from .letters import absolute_url, format_deadline, letter_send, rejection_send, values_for
from .priority import SOURCE_COORDINATOR, candidates_priority_from_claims, priority_claims_use

SKIPPED_MARK = "übersprungen wegen: "
# Runs that are still being worked on; a call has at most one (of kind initial).
LIVE_STATES = (SelectionRun.State.HASH_PUBLISHED, SelectionRun.State.PROPOSED)


def lock_call(call_id) -> Call:
    """The row lock that serialises every change of who holds a place in a call."""
    return Call.objects.select_for_update().get(pk=call_id)


# --- The engine's input ------------------------------------------------------------------

def _district(application) -> str:
    # A listed site's own region, so that a site is never in two Regierungsbezirke.
    region = application.site.region if application.site_id else application.region
    return region.district if region is not None else "unbekannt"


def _organisation(application) -> str:
    if application.site_id:
        return f"T-{application.site.organisation_id}"
    if application.organisation_id:
        return f"T-{application.organisation_id}"
    # Free text: the same name (whatever its case and spacing) is one organisation.
    return "other:" + " ".join(application.organisation_other.split()).casefold()


def _site(application) -> str:
    if application.site_id:
        return f"S-{application.site_id}"
    return f"other-site:{application.reference}"  # a place of work of its own


def _eligible_applications(call):
    return [a for a in Application.objects.filter(call=call, state=Application.State.SUBMITTED)
            .select_related("eligibility", "region", "site", "site__region")
            .order_by("reference")
            if hasattr(a, "eligibility") and a.eligibility.tier in ELIGIBLE_TIERS]


@dataclass
class CandidateRows:
    rows: list
    unscored: list  # references of eligible applications without a submitted review


def candidate_rows(*, call, policy: SelectionPolicy) -> CandidateRows:
    """Every eligible application (submitted, tier 1 or 2) as the engine takes it."""
    summaries = score_summaries(call=call, threshold=policy.disagreement_threshold)
    priority = dict(Candidate.objects.filter(application__call=call)
                    .values_list("application_id", "priority"))
    rows, unscored = [], []
    for application in _eligible_applications(call):
        summary = summaries.get(application.pk)
        if summary is None or summary.score is None:
            unscored.append(application.reference)
            continue
        rows.append({
            "id": application.reference, "tier": TIER_NUMBER[application.eligibility.tier],
            "priority": bool(priority.get(application.pk, False)),
            "score": format(summary.score, "f"), "region": _district(application),
            "organisation": _organisation(application), "site": _site(application),
        })
    return CandidateRows(rows, unscored)


def _base_instance(call, policy, rows) -> dict:
    return {
        "places": call.places, "regions": policy.region_bounds or {},
        "max_per_organisation": policy.max_per_organisation,
        "max_per_site": policy.max_per_site, "use_priority": policy.use_priority,
        "applicants": rows, "fixed": [], "excluded": [],
    }


def _criteria_snapshot(call) -> list:
    return [{"position": c.position, "name": c.name, "weight": format(c.weight, "f")}
            for c in call.review_criteria.all()]


def _solve(instance: dict) -> dict:
    try:
        return engine.solve(instance)
    except engine.PolicyError as exc:
        raise ValidationError(
            _("The selection policy cannot be met: the minima of %(regions)s conflict. "
              "Change the policy and prepare a new run."),
            code="policy", params={"regions": ", ".join(exc.regions)}) from exc
    except engine.InstanceError as exc:
        raise ValidationError(_("The selection engine refused its input: %(error)s"),
                              code="instance", params={"error": str(exc)}) from exc


def _places_overbooked(result) -> bool:
    return any(v.get("constraint") == "places" for v in result.get("violations", []))


def _flags(call, references, *, holders=frozenset()) -> tuple[set, set]:
    """(fixed, excluded) among ``references`` as things stand now.

    Excluded: taken out by the coordinator, withdrawn, or no longer eligible (their
    entry in the published list stays, so its hash still holds). Fixed: pinned.
    """
    fixed, excluded = set(), set()
    for application in applications_by_reference(call=call, references=references):
        ref = application.reference
        candidate = getattr(application, "candidate", None)
        eligible = (application.state == Application.State.SUBMITTED
                    and hasattr(application, "eligibility")
                    and application.eligibility.tier in ELIGIBLE_TIERS)
        if ref in holders:
            continue
        if not eligible or (candidate is not None and candidate.excluded):
            excluded.add(ref)
        elif candidate is not None and candidate.pinned:
            fixed.add(ref)
    return fixed, excluded


def _references(run) -> list[str]:
    return [row["id"] for row in run.instance["applicants"]]


# --- The run: prepare, draw, re-run, discard, confirm -------------------------------------

@transaction.atomic
def selection_run_prepare(*, call, actor, now=None) -> SelectionRun:
    """Freeze the candidate list of a closed call and publish its SHA-256 before the draw.

    Every eligible application needs a score: one without a submitted review is not
    given a score of 0 (that would decide against the person for want of a reviewer);
    the run is refused and the applications are named, to be reviewed first.
    The policy is tried on the list at once, so a hash is never published for a
    policy that cannot be met. Where the policy uses priority, applicants who consented
    to be remembered after an earlier call of the programme get it first.
    """
    now = now or timezone.now()
    call = lock_call(call.pk)
    if call.state == Call.State.DRAFT or call.is_open(now):
        raise ValidationError(_("The call is still open. Prepare the selection after its deadline."),
                              code="open")
    if SelectionRun.objects.filter(call=call, kind=SelectionRun.Kind.INITIAL).exclude(
            state=SelectionRun.State.DISCARDED).exists():
        raise ValidationError(_("This call already has a selection run. Discard it first to "
                                "prepare a new one."), code="exists")
    policy = current_policy(call=call)
    if policy is None:
        raise ValidationError(_("The call has no selection policy yet."), code="policy")
    if policy.use_priority:
        candidates_priority_from_claims(call=call, applications=_eligible_applications(call),
                                        actor=actor)
    collected = candidate_rows(call=call, policy=policy)
    if collected.unscored:
        raise ValidationError(
            _("These eligible applications have no submitted review yet: %(references)s. "
              "Every eligible application needs a score before the candidate list is "
              "published."), code="unscored",
            params={"references": ", ".join(collected.unscored)})
    if not collected.rows:
        raise ValidationError(_("There are no eligible applications to select from."),
                              code="empty")
    instance = _base_instance(call, policy, collected.rows)
    _solve({**instance, "seed": "probe"})  # the policy must be feasible on this list
    canonical = engine.canonical_candidate_list(collected.rows)
    run = SelectionRun.objects.create(
        call=call, policy=policy, kind=SelectionRun.Kind.INITIAL,
        state=SelectionRun.State.HASH_PUBLISHED, criteria_snapshot=_criteria_snapshot(call),
        candidate_list=canonical.decode("utf-8"),
        candidate_hash=hashlib.sha256(canonical).hexdigest(), hash_published_at=now,
        instance=instance, result={}, created_at=now, created_by=actor)
    audit_record(actor=actor, action="selection_run.prepare", obj=call,
                 data={"run": run.pk, "hash": run.candidate_hash,
                       "candidates": len(collected.rows), "policy_version": policy.version})
    return run


def _lock_run(run) -> SelectionRun:
    return (SelectionRun.objects.select_for_update(of=("self",)).select_related("policy")
            .get(pk=run.pk))


@transaction.atomic
def selection_run_draw(*, run, seed: str, seed_source: str, actor, now=None) -> SelectionRun:
    """Enter the seed drawn at the public event; the engine proposes the selection.

    Pins and exclusions count as they stand now; applications withdrawn or found
    ineligible since the hash was published are excluded (their entry stays in the list).
    """
    now = now or timezone.now()
    call = lock_call(run.call_id)
    run = _lock_run(run)
    if run.state != SelectionRun.State.HASH_PUBLISHED:
        raise ValidationError(_("The seed of this run has already been entered."), code="state")
    seed, seed_source = seed.strip(), " ".join(seed_source.split())
    if not seed:
        raise ValidationError(_("Enter the seed."), code="seed")
    fixed, excluded = _flags(call, _references(run))
    instance = {**run.instance, "seed": seed, "fixed": sorted(fixed), "excluded": sorted(excluded)}
    result = _solve(instance)
    if _places_overbooked(result):
        raise ValidationError(_("More applicants are pinned than there are places."),
                              code="overbooked")
    run.seed, run.seed_source, run.instance, run.result = seed, seed_source, instance, result
    run.state = SelectionRun.State.PROPOSED
    run.save(update_fields=["seed", "seed_source", "instance", "result", "state"])
    audit_record(actor=actor, action="selection_run.draw", obj=call,
                 data={"run": run.pk, "seed": seed, "seed_source": seed_source,
                       "selected": len(result["selected"])})
    return run


def _rerun(*, call, run, actor, now) -> SelectionRun:
    """The proposal again with the same list and seed, after a pin or an exclusion.

    The old proposal is kept (discarded), the new one stored whole beside it.
    """
    fixed, excluded = _flags(call, _references(run))
    instance = {**run.instance, "fixed": sorted(fixed), "excluded": sorted(excluded)}
    result = _solve(instance)
    if _places_overbooked(result):
        raise ValidationError(_("More applicants are pinned than there are places."),
                              code="overbooked")
    new = SelectionRun.objects.create(
        call=call, policy=run.policy, kind=run.kind, state=SelectionRun.State.PROPOSED,
        criteria_snapshot=run.criteria_snapshot, candidate_list=run.candidate_list,
        candidate_hash=run.candidate_hash, hash_published_at=run.hash_published_at,
        seed=run.seed, seed_source=run.seed_source, instance=instance, result=result,
        created_at=now, created_by=actor)
    run.state = SelectionRun.State.DISCARDED
    run.save(update_fields=["state"])
    audit_record(actor=actor, action="selection_run.rerun", obj=call,
                 data={"run": new.pk, "replaces": run.pk, "fixed": instance["fixed"],
                       "excluded": instance["excluded"]})
    return new


@transaction.atomic
def selection_run_discard(*, run, reason: str, actor, now=None) -> SelectionRun:
    """Set aside a run not yet confirmed (with a reason), to prepare a new one."""
    call = lock_call(run.call_id)
    run = _lock_run(run)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for discarding the run."), code="reason")
    if run.state not in LIVE_STATES:
        raise ValidationError(_("Only a run that is not confirmed yet can be discarded."),
                              code="state")
    run.state = SelectionRun.State.DISCARDED
    run.save(update_fields=["state"])
    audit_record(actor=actor, action="selection_run.discard", obj=call, reason=reason,
                 data={"run": run.pk, "hash": run.candidate_hash})
    return run


def proposal_author_id(run) -> int | None:
    """Who made the proposal as it stands: the last to draw it or to re-run it."""
    entry = (AuditEntry.objects.filter(
        object_type="applications.call", object_id=str(run.call_id),
        action__in=["selection_run.draw", "selection_run.rerun"], data__run=run.pk)
        .order_by("-created_at", "-id").values_list("actor_id", flat=True).first())
    return entry if entry is not None else run.created_by_id


def four_eyes_required() -> bool:
    return settings.KOHORTE_SELECTION_FOUR_EYES


@transaction.atomic
def selection_run_confirm(*, run, actor, now=None) -> SelectionRun:
    """Confirm the proposal: offers go out, the waiting list and the unsuccessful are told.

    Four eyes (settings.KOHORTE_SELECTION_FOUR_EYES): whoever drew the proposal or last
    changed it cannot confirm it; a second coordinator does.
    Unsuccessful are those taken out by the coordinator and the ineligible; their
    letter starts the six-month deletion clock.
    """
    now = now or timezone.now()
    call = lock_call(run.call_id)
    run = _lock_run(run)
    if run.state != SelectionRun.State.PROPOSED or run.kind != SelectionRun.Kind.INITIAL:
        raise ValidationError(_("Only a proposed selection can be confirmed."), code="state")
    if four_eyes_required() and proposal_author_id(run) == actor.pk:
        raise ValidationError(_("You made this proposal; another coordinator must confirm it "
                                "(four eyes)."), code="four_eyes")
    deadline = offer_deadline(policy=run.policy, call=call, now=now)
    if deadline is None:
        raise ValidationError(_("The course starts too soon for an offer to be answered in "
                                "time (see the selection policy)."), code="too_late")
    run.state, run.confirmed_at, run.confirmed_by = SelectionRun.State.CONFIRMED, now, actor
    run.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    result, names = run.result, token_names(run.instance)
    explanations = result["explanations"]
    by_reference = {a.reference: a for a in applications_by_reference(
        call=call, references=_references(run))}
    for reference in result["selected"]:
        offer_make(run=run, application=by_reference[reference], deadline=deadline,
                   explanation=readable(explanations[reference], names), actor=actor, now=now)
    for position, reference in enumerate(result["waiting_list"], start=1):
        application = by_reference[reference]
        letter_send(application=application, key=MessageTemplate.Key.WAITING,
                    values=values_for(application, position=position, reason=waiting_reason(
                        readable(explanations[reference], names))),
                    idempotency_key=f"waiting-{application.pk}")
    rejected = _send_rejections(call=call, run=run, by_reference=by_reference, actor=actor,
                                now=now)
    if run.policy.use_priority:
        prioritised = [by_reference[row["id"]] for row in run.instance["applicants"]
                       if row["priority"] and row["id"] in by_reference]
        priority_claims_use(call=call, applications=prioritised, actor=actor)
    audit_record(actor=actor, action="selection_run.confirm", obj=call,
                 data={"run": run.pk, "offers": len(result["selected"]),
                       "waiting": len(result["waiting_list"]), "rejected": rejected})
    return run


def _ineligibility_reason(eligibility) -> str:
    if eligibility.override_tier:
        return eligibility.override_reason
    return " ".join(item["message"] for item in eligibility.reasons)


def _send_rejections(*, call, run, by_reference, actor, now) -> int:
    notice = run.policy.legal_remedies_notice
    count = 0
    for reference in run.instance["excluded"]:
        application = by_reference.get(reference)
        if application is None:
            continue  # erased meanwhile
        candidate = getattr(application, "candidate", None)
        if application.state != Application.State.SUBMITTED:
            continue  # withdrawn: no letter; its own clock runs since the withdrawal
        if candidate is not None and candidate.excluded:
            reason = candidate.reason
        else:
            reason = _ineligibility_reason(application.eligibility)
        count += rejection_send(application=application, reason=reason, legal_remedies=notice,
                                actor=actor, now=now) is not None
    ineligible = (Application.objects
                  .filter(call=call, state=Application.State.SUBMITTED)
                  .exclude(reference__in=list(by_reference))
                  .select_related("eligibility", "call"))
    for application in ineligible:
        eligibility = getattr(application, "eligibility", None)
        if eligibility is None or eligibility.tier != Eligibility.Tier.INELIGIBLE:
            continue  # eligible since the list was published: neither chosen nor refused
        count += rejection_send(application=application,
                                reason=_ineligibility_reason(eligibility),
                                legal_remedies=notice, actor=actor, now=now) is not None
    return count


# --- Pins and exclusions -------------------------------------------------------------------

class CandidateAction:
    PIN = "pin"
    EXCLUDE = "exclude"
    CLEAR = "clear"
    ALL = (PIN, EXCLUDE, CLEAR)


@transaction.atomic
def candidate_set(*, application, action: str, reason: str, actor, now=None) -> Candidate:
    """Pin (always selected) or take out an applicant, with a written reason, or undo it.

    Allowed until the selection is confirmed; a proposal on the table is re-run at once
    with the same seed. An exclusion's reason goes into the person's rejection letter.
    """
    now = now or timezone.now()
    call = lock_call(application.call_id)
    if action not in CandidateAction.ALL:
        raise ValidationError(_("Unknown action."), code="action")
    reason = reason.strip()
    if action != CandidateAction.CLEAR and not reason:
        raise ValidationError(_("Give a reason: it is kept in the audit log and an excluded "
                                "person reads it in their letter."), code="reason")
    if latest_confirmed_run(call=call) is not None:
        raise ValidationError(_("The selection is confirmed. Withdraw the offer instead."),
                              code="confirmed")
    eligibility = getattr(application, "eligibility", None)
    if action == CandidateAction.PIN and not (
            application.state == Application.State.SUBMITTED and eligibility is not None
            and eligibility.tier in ELIGIBLE_TIERS):
        raise ValidationError(_("Only a submitted, eligible application can be pinned."),
                              code="ineligible")
    candidate, _created = Candidate.objects.select_for_update().get_or_create(
        application=application)
    before = "pinned" if candidate.pinned else "excluded" if candidate.excluded else "none"
    candidate.pinned = action == CandidateAction.PIN
    candidate.excluded = action == CandidateAction.EXCLUDE
    candidate.reason = "" if action == CandidateAction.CLEAR else reason
    candidate.save(update_fields=["pinned", "excluded", "reason"])
    audit_record(actor=actor, action=f"candidate.{action}", obj=application, reason=reason,
                 data={"from": before})
    proposed = SelectionRun.objects.select_for_update().filter(
        call=call, kind=SelectionRun.Kind.INITIAL, state=SelectionRun.State.PROPOSED).first()
    if proposed is not None:
        _rerun(call=call, run=proposed, actor=actor, now=now)
    return candidate


@transaction.atomic
def candidate_priority_set(*, application, priority: bool, reason: str, actor,
                           now=None) -> Candidate:
    """The coordinator gives or takes away priority by hand, with a written reason.

    Priority is part of the published candidate list, so it can change only before the
    list is frozen (discard a run to change it). A flag set by hand is kept when the
    list is prepared, whatever the person's consent says.
    """
    call = lock_call(application.call_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason: it is kept in the audit log."), code="reason")
    if latest_confirmed_run(call=call) is not None:
        raise ValidationError(_("The selection is confirmed; priority can no longer change."),
                              code="confirmed")
    if SelectionRun.objects.filter(call=call, kind=SelectionRun.Kind.INITIAL,
                                   state__in=LIVE_STATES).exists():
        raise ValidationError(_("The candidate list is published and priority is part of it. "
                                "Discard the run to change it."), code="published")
    candidate, _created = Candidate.objects.select_for_update().get_or_create(
        application=application)
    if candidate.priority == priority:
        return candidate
    candidate.priority = priority
    candidate.save(update_fields=["priority"])
    audit_record(actor=actor, action="candidate.priority", obj=application, reason=reason,
                 data={"priority": priority, "source": SOURCE_COORDINATOR})
    return candidate


# --- Offers and the refill -----------------------------------------------------------------

def offer_deadline(*, policy, call, now):
    """When an offer made now must be answered: the end of a day in Europe/Berlin.

    ``policy.offer_days`` from today, but never later than
    ``offer_latest_days_before_start`` days before the first module: the nearer the
    start, the shorter the time. None when even today is too late.
    """
    today = timezone.localdate(now)
    day = today + timedelta(days=policy.offer_days)
    start = call.modules.order_by("start_date").values_list("start_date", flat=True).first()
    if start is not None:
        day = min(day, start - timedelta(days=policy.offer_latest_days_before_start))
    if day < today:
        return None
    return local_datetime(day, time.max)


def skip_reason_of(explanation: str) -> str:
    """The reasons for which better-ranked applicants were skipped, from the explanation."""
    if SKIPPED_MARK not in explanation:
        return ""
    return explanation.split(SKIPPED_MARK, 1)[1].rstrip(".")


def offer_make(*, run, application, deadline, explanation: str, actor, now) -> Offer:
    """Offer a place (inside the caller's transaction, under the call's lock)."""
    offer = Offer.objects.create(application=application, call_id=run.call_id, run=run,
                                 deadline=deadline, skip_reason=skip_reason_of(explanation),
                                 created_at=now)
    audit_record(actor=actor, action="offer.make", obj=application,
                 data={"offer": offer.pk, "run": run.pk, "deadline": deadline.isoformat(),
                       "skip_reason": offer.skip_reason})
    letter_send(application=application, key=MessageTemplate.Key.OFFER,
                values=values_for(application, deadline=format_deadline(deadline),
                                  reason=explanation, link=offer_link(offer)),
                idempotency_key=f"offer-{offer.pk}")
    return offer


def offer_link(offer) -> str:
    return absolute_url("selection:offer_detail", offer.pk)


def waiting_list_closed(call, now) -> bool:
    return (call.waiting_list_closes_on is not None
            and timezone.localdate(now) > call.waiting_list_closes_on)


def selection_refill(*, call, actor, now, cause: str) -> SelectionRun | None:
    """Fill vacancies: the rule again, everyone who accepted or holds an open offer fixed.

    Called inside the transaction that made the vacancy, with the call's row locked.
    Whoever declined, let an offer expire or had it withdrawn is excluded; the seed
    and candidate list are those of the confirmed run, so the waiting list's order
    holds. The new run is stored whole (kind refill). No refill once the waiting list
    has closed, or when an offer could no longer be answered before the course starts.
    """
    base = latest_confirmed_run(call=call)
    if base is None:
        return None
    if waiting_list_closed(call, now):
        audit_record(actor=actor, action="selection_run.refill_skipped", obj=call,
                     data={"cause": cause, "why": "waiting list closed"})
        return None
    deadline = offer_deadline(policy=base.policy, call=call, now=now)
    if deadline is None:
        audit_record(actor=actor, action="selection_run.refill_skipped", obj=call,
                     data={"cause": cause, "why": "too close to the start"})
        return None
    offers = list(Offer.objects.filter(call=call).values_list("application__reference", "state"))
    holders = {ref for ref, state in offers if state in Offer.HOLDS_PLACE}
    places = base.instance["places"]
    if len(holders) >= places:
        return None
    ended = {ref for ref, state in offers} - holders
    _pinned, excluded = _flags(call, _references(base), holders=holders)
    instance = {**base.instance, "fixed": sorted(holders),
                "excluded": sorted((excluded | ended) - holders)}
    result = _solve(instance)
    new = [ref for ref in result["selected"] if ref not in holders]
    if len(holders) + len(new) > places:  # the engine never does this; a guard all the same
        raise ValidationError(_("A refill would exceed the number of places."), code="overbooked")
    staff = actor if actor is not None and actor.is_staff else None
    run = SelectionRun.objects.create(
        call=call, policy=base.policy, kind=SelectionRun.Kind.REFILL,
        state=SelectionRun.State.CONFIRMED, criteria_snapshot=base.criteria_snapshot,
        candidate_list=base.candidate_list, candidate_hash=base.candidate_hash,
        hash_published_at=base.hash_published_at, seed=base.seed, seed_source=base.seed_source,
        instance=instance, result=result, created_at=now, created_by=staff, confirmed_at=now,
        confirmed_by=staff)
    names = token_names(instance)
    by_reference = {a.reference: a for a in applications_by_reference(call=call, references=new)}
    for reference in new:
        offer_make(run=run, application=by_reference[reference], deadline=deadline,
                   explanation=readable(result["explanations"][reference], names), actor=actor,
                   now=now)
    audit_record(actor=actor, action="selection_run.refill", obj=call,
                 data={"run": run.pk, "cause": cause, "offers": new})
    return run
