"""Reads about calls and applications, scoped and with their related rows."""

from django.db.models import Count, Exists, OuterRef, Q

from kohorte.core.prepared import Prepared, instance
from kohorte.programmes.models import Institution, Programme, SiteFunding

from .models import Application, Call


def call_list_open(*, now):
    return list(
        Call.objects.filter(state=Call.State.PUBLISHED, opens_at__lte=now)
        .select_related("programme", "programme__funder", "programme__lead_institution")
        .order_by("closes_at")
    )


def call_list_public(*, now):
    """Published calls, open ones first; closed calls remain readable."""
    return list(
        Call.objects.filter(state__in=[Call.State.PUBLISHED, Call.State.CLOSED], opens_at__lte=now)
        .select_related("programme", "programme__funder", "programme__lead_institution")
        .order_by("-closes_at")
    )


def call_public(*, slug):
    return (Call.objects.filter(slug=slug, state__in=[Call.State.PUBLISHED, Call.State.CLOSED])
            .select_related("programme", "programme__funder", "programme__lead_institution")
            .prefetch_related("modules", "programme__partners").first())


def applications_of(*, user):
    return list(Application.objects.filter(applicant=user)
                .select_related("call").order_by("-created_at"))


def _for_applicant_query(pk, user_id):
    return (Application.objects.filter(applicant_id=user_id, pk=pk)
            .values_list(*_APPLICATION_COLUMNS, *(f"call__{name}" for name in _CALL_COLUMNS))
            .order_by())


_APPLICATION_COLUMNS = [field.attname for field in Application._meta.concrete_fields]
_CALL_COLUMNS = [field.attname for field in Call._meta.concrete_fields]
# Every request of the application form reads it: built once per process.
_FOR_APPLICANT = Prepared(_for_applicant_query, pk=int, user_id=int)


def application_for_applicant(*, user, pk):
    """The person's own application with its call (whole rows), or None.

    Every step of the form loads it: only the call is joined. The answers' sites,
    documents and module dates are read by the few pages that show them (one query
    each), which made a journey some 20 % cheaper (bench/README.md); the query is built
    once per process (core.prepared).
    """
    rows = _FOR_APPLICANT.rows(pk=int(pk), user_id=user.pk)
    if not rows:
        return None
    count = len(_APPLICATION_COLUMNS)
    application = instance(Application, dict(zip(_APPLICATION_COLUMNS, rows[0][:count],
                                                 strict=True)))
    application.call = instance(Call, dict(zip(_CALL_COLUMNS, rows[0][count:], strict=True)))
    return application


# What the final submit needs before its locked read, which brings the answers up to
# date (services.submission.application_submit): the owner check, the call, the lead
# institution's name (the e-mail's signature) and whether the site is funded.
SUBMIT_APPLICATION_FIELDS = ["id", "call_id", "applicant_id", "state", "site_id"]
SUBMIT_CALL_FIELDS = ["id", "title", "state", "opens_at", "closes_at", "release_due_date",
                      "programme_id", "funding_year", "min_weekly_hours", "reference_prefix"]


def _submit_query(pk, user_id):
    funded = SiteFunding.objects.filter(site_id=OuterRef("site_id"),
                                        programme_id=OuterRef("call__programme_id"),
                                        year=OuterRef("call__funding_year"))
    return (Application.objects.filter(applicant_id=user_id, pk=pk)
            .annotate(site_funded=Exists(funded))
            .values_list(*SUBMIT_APPLICATION_FIELDS,
                         *(f"call__{name}" for name in SUBMIT_CALL_FIELDS),
                         "call__programme__lead_institution_id",
                         "call__programme__lead_institution__name", "site_funded")
            .order_by())


# The submit is the deadline's hot path: this read is built once per process.
_SUBMIT_READ = Prepared(_submit_query, pk=int, user_id=int)


def application_to_submit(*, user, pk):
    """The signed-in person's own application as the final submit needs it, or None:
    one read (``_submit_query``) with only those columns; the answers are deferred, as
    the submit reads them again under the row lock. ``site_funded`` is set on it."""
    rows = _SUBMIT_READ.rows(pk=int(pk), user_id=user.pk)
    if not rows:
        return None
    row = rows[0]
    count = len(SUBMIT_APPLICATION_FIELDS)
    application = instance(Application, dict(zip(SUBMIT_APPLICATION_FIELDS, row[:count],
                                                 strict=True)))
    call = instance(Call, dict(zip(SUBMIT_CALL_FIELDS, row[count:count + len(SUBMIT_CALL_FIELDS)],
                                   strict=True)))
    lead_id, lead_name, site_funded = row[count + len(SUBMIT_CALL_FIELDS):]
    programme = instance(Programme, {"id": call.programme_id, "lead_institution_id": lead_id})
    programme.lead_institution = instance(Institution, {"id": lead_id, "name": lead_name})
    call.programme = programme
    application.call = call
    application.site_funded = bool(site_funded)
    return application


def application_counts(*, call):
    return Application.objects.filter(call=call).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(state=Application.State.SUBMITTED)),
        drafts=Count("id", filter=Q(state=Application.State.DRAFT)),
        withdrawn=Count("id", filter=Q(state=Application.State.WITHDRAWN)),
    )
