"""Reads about calls and applications, scoped and with their related rows."""

from dataclasses import dataclass

from django.db.models import Count, Q

from kohorte.core.prepared import Prepared, instance
from kohorte.programmes.models import Funder, Institution, Programme

from .models import Application, Call, CallModule


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


def _columns(model):
    return [field.attname for field in model._meta.concrete_fields]


def _call_page_query(slug):
    return (Call.objects.filter(slug=slug, state__in=[Call.State.PUBLISHED, Call.State.CLOSED])
            .values_list(*_columns(Call), *(f"programme__{name}" for name in _columns(Programme)),
                         *(f"programme__funder__{name}" for name in _columns(Funder)),
                         *(f"programme__lead_institution__{name}" for name in _columns(Institution)))
            .order_by())


# The public call page is the rush's first page (twice a journey): its reads are
# built once per process (core.prepared).
_CALL_PAGE = Prepared(_call_page_query, slug=str)
_CALL_MODULES = Prepared(lambda call_id: CallModule.objects.filter(call_id=call_id)
                         .values_list(*_columns(CallModule)).order_by("position"), call_id=int)
_PARTNERS = Prepared(lambda programme_id: Institution.objects.filter(partner_programmes=programme_id)
                     .values_list(*_columns(Institution)).order_by("pk"), programme_id=int)
_OWN_APPLICATION_KEY = Prepared(lambda call_id, user_id: Application.objects.filter(
    call_id=call_id, applicant_id=user_id).values_list("pk").order_by(), call_id=int, user_id=int)


def _split(row, *models):
    """Model instances from one row holding each model's columns in turn."""
    objects, start = [], 0
    for model in models:
        columns = _columns(model)
        objects.append(instance(model, dict(zip(columns, row[start:start + len(columns)],
                                                strict=True))))
        start += len(columns)
    return objects


@dataclass
class CallPage:
    call: Call
    modules: list
    partners: list  # the programme's partners besides the lead institution


def call_page(*, slug) -> CallPage | None:
    """A published or closed call with its programme, funder, lead institution, module
    dates and partners, for its public page; None when there is none."""
    rows = _CALL_PAGE.rows(slug=slug)
    if not rows:
        return None
    call, programme, funder, lead = _split(rows[0], Call, Programme, Funder, Institution)
    programme.funder, programme.lead_institution, call.programme = funder, lead, programme
    modules = [_split(row, CallModule)[0] for row in _CALL_MODULES.rows(call_id=call.pk)]
    partners = [_split(row, Institution)[0] for row in _PARTNERS.rows(programme_id=programme.pk)]
    return CallPage(call=call, modules=modules,
                    partners=[partner for partner in partners if partner.pk != lead.pk])


def own_application_key(*, call, user):
    """The key of the person's application to the call, or None."""
    rows = _OWN_APPLICATION_KEY.rows(call_id=call.pk, user_id=user.pk)
    return rows[0][0] if rows else None


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
