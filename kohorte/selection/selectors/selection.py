"""Reads of the selection stage: runs, proposals, offers, the waiting list, an applicant's
own standing. Access is checked by the views; each function runs a fixed number of
queries however long the list.
"""

import json
import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from kohorte.applications.models import Application, Eligibility
from kohorte.programmes.models import Organisation, Site

from ..models import Offer, PriorityClaim, SelectionPolicy, SelectionRun

TIER_NUMBER = {Eligibility.Tier.TIER_1: 1, Eligibility.Tier.TIER_2: 2}
ELIGIBLE_TIERS = tuple(TIER_NUMBER)

# The engine names organisations and sites by the tokens services/selection.py gives them.
_TOKEN = re.compile(r"\b([TS])-(\d+)\b")


def current_policy(*, call) -> SelectionPolicy | None:
    return SelectionPolicy.objects.filter(call=call).order_by("-version").first()


def run_for_staff(*, pk) -> SelectionRun | None:
    return (SelectionRun.objects.filter(pk=pk)
            .select_related("call", "call__programme", "policy", "created_by", "confirmed_by")
            .first())


def runs_of_call(*, call) -> list[SelectionRun]:
    return list(SelectionRun.objects.filter(call=call)
                .select_related("policy", "created_by", "confirmed_by")
                .order_by("-created_at", "-id"))


def live_run(*, call) -> SelectionRun | None:
    """The initial run being worked on (hash published or proposed), if any."""
    return (SelectionRun.objects.filter(call=call, kind=SelectionRun.Kind.INITIAL,
                                        state__in=[SelectionRun.State.HASH_PUBLISHED,
                                                   SelectionRun.State.PROPOSED])
            .select_related("policy").order_by("-created_at", "-id").first())


def latest_confirmed_run(*, call) -> SelectionRun | None:
    """The run whose result stands: the confirmed selection or its latest refill."""
    return (SelectionRun.objects.filter(call=call, state=SelectionRun.State.CONFIRMED)
            .select_related("policy").order_by("-confirmed_at", "-id").first())


def applications_by_reference(*, call, references) -> list[Application]:
    return list(Application.objects.filter(call=call, reference__in=list(references))
                .select_related("call", "eligibility", "candidate", "organisation", "site",
                                "site__region", "region"))


def token_names(instance: dict) -> dict[str, str]:
    """{"T-17": "Träger name", "S-40": "Fulda: Quartier"} for the tokens of a run."""
    wanted = {"T": set(), "S": set()}
    for row in instance.get("applicants", []):
        for value in (row.get("organisation", ""), row.get("site", "")):
            match = _TOKEN.fullmatch(value)
            if match:
                wanted[match.group(1)].add(int(match.group(2)))
    names = {f"T-{pk}": name for pk, name in
             Organisation.objects.filter(pk__in=wanted["T"]).values_list("pk", "name")}
    names.update({f"S-{site.pk}": str(site) for site in Site.objects.filter(pk__in=wanted["S"])})
    return names


def readable(text: str, names: dict[str, str]) -> str:
    """An engine explanation with organisations and sites named instead of numbered."""
    return _TOKEN.sub(lambda m: names.get(m.group(0), m.group(0)), text)


_WAITING_PREFIX = re.compile(r"^Warteliste Platz \d+ \(Rang \d+\): ")


def waiting_reason(explanation: str) -> str:
    """Why someone waits, without the engine's position (it moves as others leave)."""
    return _WAITING_PREFIX.sub("", explanation)


# --- The proposal ----------------------------------------------------------------------

@dataclass
class ProposalRow:
    reference: str
    tier: int
    priority: bool
    score: str
    status: str  # selected / fixed / waiting / excluded / listed (before the draw)
    rank: int | None
    explanation: str
    application: Application | None


def proposal_rows(*, run) -> list[ProposalRow]:
    """The run's candidates: selected and waiting in rank order, then the excluded.

    Before the draw, the published list in the order of its references.
    """
    applicants = {row["id"]: row for row in run.instance.get("applicants", [])}
    apps = {a.reference: a for a in applications_by_reference(call=run.call,
                                                              references=applicants)}
    names = token_names(run.instance)
    result = run.result or {}
    explanations = result.get("explanations", {})
    fixed = set(run.instance.get("fixed", []))

    def row(ref, status, rank):
        data = applicants[ref]
        return ProposalRow(ref, data["tier"], data.get("priority", False), data["score"], status,
                           rank, readable(explanations.get(ref, ""), names), apps.get(ref))

    if not result:
        return [row(ref, "listed", None) for ref in sorted(applicants)]
    rows = [row(ref, "fixed" if ref in fixed else "selected", n)
            for n, ref in enumerate(result["selected"], start=1)]
    rows += [row(ref, "waiting", n) for n, ref in enumerate(result["waiting_list"], start=1)]
    rows += [row(ref, "excluded", None) for ref in run.instance.get("excluded", [])]
    return rows


def run_counts(run) -> dict:
    result = run.result or {}
    return {"candidates": len(run.instance.get("applicants", [])),
            "selected": len(result.get("selected", [])),
            "waiting": len(result.get("waiting_list", [])),
            "excluded": len(run.instance.get("excluded", []))}


def eligible_not_listed(*, call, run) -> list[str]:
    """References of applications eligible now but not in the run's published list."""
    listed = {row["id"] for row in run.instance.get("applicants", [])}
    return [ref for ref, override, computed in
            Application.objects.filter(call=call, state=Application.State.SUBMITTED)
            .values_list("reference", "eligibility__override_tier", "eligibility__computed_tier")
            if (override or computed) in ELIGIBLE_TIERS and ref not in listed]


def grouped_hash(hexdigest: str) -> str:
    """A SHA-256 in groups of eight characters, for reading aloud and comparing."""
    return " ".join(hexdigest[i:i + 8] for i in range(0, len(hexdigest), 8))


def pretty_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- Offers and the waiting list --------------------------------------------------------

def offers_of_call(*, call) -> list[Offer]:
    return list(Offer.objects.filter(call=call).select_related("application")
                .order_by("-created_at", "-id"))


def offer_counts(offers) -> dict:
    counts = {state: 0 for state in Offer.State.values}
    for offer in offers:
        counts[offer.state] += 1
    return counts


@dataclass
class WaitingEntry:
    position: int
    application: Application
    explanation: str


def waiting_list(*, call) -> list[WaitingEntry]:
    """The waiting list as it stands: the last confirmed order, without whoever has had
    an offer since, withdrew, or is no longer eligible."""
    run = latest_confirmed_run(call=call)
    if run is None:
        return []
    references = run.result.get("waiting_list", [])
    had_offer = Offer.objects.filter(application=OuterRef("pk"))
    apps = {a.reference: a for a in
            Application.objects.filter(call=call, reference__in=references,
                                       state=Application.State.SUBMITTED)
            .annotate(had_offer=Exists(had_offer))
            .select_related("call", "eligibility", "organisation", "site", "region")}
    names = token_names(run.instance)
    entries = []
    for reference in references:
        application = apps.get(reference)
        if (application is None or application.had_offer
                or not hasattr(application, "eligibility")
                or application.eligibility.tier not in ELIGIBLE_TIERS):
            continue
        explanation = run.result["explanations"].get(reference, "")
        entries.append(WaitingEntry(len(entries) + 1, application,
                                    waiting_reason(readable(explanation, names))))
    return entries


GROUPS = ("waiting", "open", "accepted")


def group_members(*, call, group: str) -> list[tuple[Application, dict]]:
    """The people of a group, each with the placeholder values that fit it."""
    if group == "waiting":
        return [(entry.application, {"position": entry.position})
                for entry in waiting_list(call=call)]
    state = {"open": Offer.State.OPEN, "accepted": Offer.State.ACCEPTED}[group]
    offers = (Offer.objects.filter(call=call, state=state)
              .select_related("application", "application__call").order_by("application__reference"))
    return [(offer.application, {"offer": offer}) for offer in offers]


# --- The applicant's own view -----------------------------------------------------------

def offer_for_applicant(*, user, pk) -> Offer | None:
    return (Offer.objects.filter(pk=pk, application__applicant=user)
            .select_related("application", "application__call", "call", "run").first())


@dataclass
class Standing:
    """Where an application stands in the selection, as its person may see it."""

    kind: str  # pending / offer / offer_ended / waiting / unsuccessful / withdrawn
    offer: Offer | None = None
    position: int | None = None
    explanation: str = ""
    run: SelectionRun | None = None
    entry: dict = field(default_factory=dict)  # the person's row of the published list


def application_standing(*, application) -> Standing:
    if application.state == Application.State.WITHDRAWN:
        return Standing("withdrawn")
    run = latest_confirmed_run(call=application.call)
    if run is None or not application.reference:
        return Standing("pending")
    entry = next((row for row in run.instance["applicants"]
                  if row["id"] == application.reference), {})
    names = token_names(run.instance) if entry else {}
    explanation = readable(run.result["explanations"].get(application.reference, ""), names)
    offer = (Offer.objects.filter(application=application).select_related("call")
             .order_by("-created_at", "-id").first())
    standing = Standing("unsuccessful", offer=offer, explanation=explanation, run=run,
                        entry=entry)
    if offer is not None:
        standing.kind = "offer" if offer.state in Offer.HOLDS_PLACE else "offer_ended"
        return standing
    for waiting in waiting_list(call=application.call):
        if waiting.application.pk == application.pk:
            standing.kind, standing.position = "waiting", waiting.position
            standing.explanation = waiting.explanation
            break
    return standing


def open_priority_claim(*, user, programme_id) -> PriorityClaim | None:
    """The person's consent to be remembered in the programme, while it is open."""
    return PriorityClaim.objects.filter(user=user, programme_id=programme_id,
                                        used_in_call__isnull=True,
                                        withdrawn_at__isnull=True).first()
