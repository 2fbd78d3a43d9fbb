"""Reads about calls and applications, scoped and with their related rows."""

from django.db.models import Count, Q

from kohorte.core.prepared import Prepared, instance

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


def _locked_query(pk):
    return (Application.objects.select_for_update(of=("self",)).filter(pk=pk)
            .values_list(*_APPLICATION_COLUMNS, *(f"call__{name}" for name in _CALL_COLUMNS))
            .order_by())


# Every step saved reads the application again under its row lock: built once too.
_LOCKED = Prepared(_locked_query, pk=int)


def _with_call(rows):
    if not rows:
        return None
    count = len(_APPLICATION_COLUMNS)
    application = instance(Application, dict(zip(_APPLICATION_COLUMNS, rows[0][:count],
                                                 strict=True)))
    application.call = instance(Call, dict(zip(_CALL_COLUMNS, rows[0][count:], strict=True)))
    return application


def application_for_applicant(*, user, pk):
    """The person's own application with its call (whole rows), or None.

    Every step of the form loads it: only the call is joined. The answers' sites,
    documents and module dates are read by the few pages that show them (one query
    each), which made a journey some 20 % cheaper (bench/README.md); the query is built
    once per process (core.prepared).
    """
    return _with_call(_FOR_APPLICANT.rows(pk=int(pk), user_id=user.pk))


def application_locked(*, pk):
    """The application with its call (whole rows), its row locked until the
    transaction ends (the call's row is not locked); None when there is none. Only
    inside a transaction."""
    return _with_call(_LOCKED.rows(pk=int(pk)))


def application_counts(*, call):
    return Application.objects.filter(call=call).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(state=Application.State.SUBMITTED)),
        drafts=Count("id", filter=Q(state=Application.State.DRAFT)),
        withdrawn=Count("id", filter=Q(state=Application.State.WITHDRAWN)),
    )
