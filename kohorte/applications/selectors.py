"""Reads about calls and applications, scoped and with their related rows."""

from dataclasses import dataclass

from django.db.models import Count, Q

from kohorte.core.prepared import Prepared, columns, instances
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


def _call_page_query(slug):
    return (Call.objects.filter(slug=slug, state__in=[Call.State.PUBLISHED, Call.State.CLOSED])
            .values_list(*columns(Call), *(f"programme__{name}" for name in columns(Programme)),
                         *(f"programme__funder__{name}" for name in columns(Funder)),
                         *(f"programme__lead_institution__{name}" for name in columns(Institution)))
            .order_by())


# The public call page is the rush's first page (twice a journey): its reads are
# built once per process (core.prepared).
_CALL_PAGE = Prepared(_call_page_query, slug=str)
_CALL_MODULES = Prepared(lambda call_id: CallModule.objects.filter(call_id=call_id)
                         .values_list(*columns(CallModule)).order_by("position"), call_id=int)
_PARTNERS = Prepared(lambda programme_id: Institution.objects.filter(partner_programmes=programme_id)
                     .values_list(*columns(Institution)).order_by("pk"), programme_id=int)
_OWN_APPLICATION_KEY = Prepared(lambda call_id, user_id: Application.objects.filter(
    call_id=call_id, applicant_id=user_id).values_list("pk").order_by(), call_id=int, user_id=int)


@dataclass
class CallPage:
    call: Call
    modules: list
    partners: list  # the programme's partners besides the lead institution


def call_public(*, slug) -> Call | None:
    """A published or closed call with its programme, funder and lead institution;
    None when there is none."""
    rows = _CALL_PAGE.rows(slug=slug)
    if not rows:
        return None
    call, programme, funder, lead = instances(rows[0], Call, Programme, Funder, Institution)
    programme.funder, programme.lead_institution, call.programme = funder, lead, programme
    return call


def call_page(*, slug) -> CallPage | None:
    """``call_public`` with the module dates and the partners, for its public page."""
    call = call_public(slug=slug)
    if call is None:
        return None
    lead_id = call.programme.lead_institution_id
    modules = [instances(row, CallModule)[0] for row in _CALL_MODULES.rows(call_id=call.pk)]
    partners = [instances(row, Institution)[0]
                for row in _PARTNERS.rows(programme_id=call.programme_id)]
    return CallPage(call=call, modules=modules,
                    partners=[partner for partner in partners if partner.pk != lead_id])


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


_APPLICATION_COLUMNS = columns(Application)
_CALL_COLUMNS = columns(Call)
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
    application, call = instances(rows[0], Application, Call)
    application.call = call
    return application


def application_for_applicant(*, user, pk):
    """The person's own application with its call (whole rows), or None.

    Every step of the form loads it: only the call is joined. The answers' sites,
    documents and module dates are read by the few pages that show them (one query
    each), which made a journey some 20 % cheaper (bench/README.md); the query is built
    once per process (core.prepared).
    """
    return _with_call(_FOR_APPLICANT.rows(pk=int(pk), user_id=user.pk))


def answers_related(application: Application) -> bool:
    """Read what the answers' summary shows besides the application's own row, in two
    queries instead of four: the site (with its Träger), the employer and the Kreis
    by their keys, and the documents (kept on the object, as ``prefetch_related``
    does). Returns whether the employer's release is uploaded."""
    from django.db.models import prefetch_related_objects

    from .models import Document

    keys = [name for name in ("site", "organisation", "region")
            if getattr(application, f"{name}_id") is not None]
    if keys:
        related = (Application.objects.filter(pk=application.pk)
                   .select_related(*keys, *(["site__organisation"] if "site" in keys else []))
                   .only(*(f"{name}_id" for name in keys),
                         *(f"{name}__{field}" for name, fields in (
                             ("site", ("name", "municipality", "organisation_id")),
                             ("organisation", ("name",)), ("region", ("name", "kind")))
                           if name in keys for field in fields),
                         *(["site__organisation__name"] if "site" in keys else [])).first())
        for name in keys:
            setattr(application, name, getattr(related, name) if related else None)
    prefetch_related_objects([application], "documents")
    return any(document.kind == Document.Kind.EMPLOYER_RELEASE
               for document in application.documents.all())


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
