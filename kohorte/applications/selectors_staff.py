"""Reads for the staff back office: calls and applications with their related rows.

Access is checked by the views (``kohorte.core.access``) on the call's programme; these
functions fetch what the pages show with a fixed number of queries, however long the
list.
"""

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from kohorte.core.audit import audit_entries_for

from .models import Application, Call, Document, Eligibility

# The tier filter's value for applications without a check (drafts).
TIER_NONE = "none"
TIER_CHOICES = [*Eligibility.Tier.choices, (TIER_NONE, _("Not checked yet"))]


def effective_tier():
    """The override if a coordinator set one, else the computed pre-check."""
    return Coalesce(
        NullIf("eligibility__override_tier", Value("")),
        "eligibility__computed_tier",
        Value(TIER_NONE),
    )


def call_for_staff(*, pk) -> Call | None:
    return (Call.objects.filter(pk=pk).select_related("programme")
            .prefetch_related("modules").first())


def application_list_for_staff(*, call, q="", state="", tier="", district="", region=None,
                               organisation=None):
    """The applications of a call, filtered; each row with everything the list shows."""
    applications = (
        Application.objects.filter(call=call)
        .select_related("organisation", "site", "site__organisation", "region", "eligibility")
        .annotate(effective_tier=effective_tier())
        .order_by(F("reference").asc(nulls_last=True), "id")
    )
    if q:
        applications = applications.filter(
            Q(reference__icontains=q) | Q(first_name__icontains=q)
            | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    if state:
        applications = applications.filter(state=state)
    if tier:
        applications = applications.filter(effective_tier=tier)
    if district:
        applications = applications.filter(region__district=district)
    if region is not None:
        applications = applications.filter(region=region)
    if organisation is not None:
        applications = applications.filter(organisation=organisation)
    return applications


def application_counts_for_staff(applications) -> dict:
    """Counts per state and per tier of a (filtered) list, every choice listed."""
    base = applications.order_by()
    by_state = dict(base.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    by_tier = dict(base.values_list("effective_tier").annotate(n=Count("id"))
                   .values_list("effective_tier", "n"))
    return {
        "total": sum(by_state.values()),
        "states": [(value, label, by_state.get(value, 0))
                   for value, label in Application.State.choices],
        "tiers": [(value, label, by_tier.get(value, 0)) for value, label in TIER_CHOICES],
    }


def application_for_staff(*, pk) -> Application | None:
    return (
        Application.objects.filter(pk=pk)
        .select_related("call", "call__programme", "organisation", "site",
                        "site__organisation", "site__region", "region", "eligibility",
                        "eligibility__override_by")
        .prefetch_related("documents")
        .first()
    )


def eligibility_of(application: Application) -> Eligibility | None:
    """The application's check, or None for a draft (no query when already loaded)."""
    try:
        return application.eligibility
    except Eligibility.DoesNotExist:
        return None


def application_history(*, application: Application):
    return list(audit_entries_for(application))


def document_for_staff(*, application_pk, pk) -> Document | None:
    return (Document.objects.filter(pk=pk, application_id=application_pk)
            .select_related("application", "application__call__programme").first())
