"""Reads about cohorts, their schedule and materials, scoped to who asks.

Coordinators (``cohort manage``) see every cohort of their programme; lecturers see a
cohort only when they teach one of its modules, and there only the modules they teach
(docs/permissions.md). Participants see their own participations. Every list loads
its related rows up front, so that no page runs a query per row.
"""

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from kohorte.accounts.models import Role
from kohorte.core.access import can, programmes_where

from ..models import Cohort, Material, Module, Participant, Session

# --- Who may see what ------------------------------------------------------------------


def manages_cohort(user, cohort) -> bool:
    return can(user, cohort.call.programme, "cohort", "manage")


def teaches_in(user, cohort) -> bool:
    return (user.is_authenticated
            and Module.objects.filter(cohort=cohort, lecturers=user).exists())


def may_view_cohort(user, cohort) -> bool:
    """The matrix's ``cohort view``, narrowed for lecturers to cohorts they teach in."""
    programme = cohort.call.programme
    if not can(user, programme, "cohort", "view"):
        return False
    return manages_cohort(user, cohort) or teaches_in(user, cohort)


def may_view_module(user, module) -> bool:
    cohort = module.cohort
    if not can(user, cohort.call.programme, "cohort", "view"):
        return False
    return manages_cohort(user, cohort) or module.lecturers.filter(pk=user.pk).exists()


def may_manage_materials(user, module) -> bool:
    """``material manage``: coordinators for every module, lecturers for their own."""
    programme = module.cohort.call.programme
    if not can(user, programme, "material", "manage"):
        return False
    return manages_cohort(user, module.cohort) or module.lecturers.filter(pk=user.pk).exists()


# --- Staff -------------------------------------------------------------------------------

def _cohorts():
    return Cohort.objects.select_related("call", "call__programme")


def cohorts_for_staff(*, user):
    """'Meine Kurse': the cohorts a staff member may open, newest first."""
    managed = programmes_where(user, "cohort", "manage")
    viewing = programmes_where(user, "cohort", "view")
    return list(
        _cohorts().filter(Q(call__programme__in=managed)
                          | Q(call__programme__in=viewing, modules__lecturers=user))
        .distinct().order_by("-created_at", "-pk")
        .prefetch_related(Prefetch("modules", queryset=Module.objects.filter(lecturers=user),
                                   to_attr="my_modules"))
    )


def cohort_by_pk(*, pk) -> Cohort | None:
    return _cohorts().filter(pk=pk).first()


def cohort_of_call(*, call) -> Cohort | None:
    return _cohorts().filter(call=call).first()


def accepted_count(*, call) -> int:
    """How many people hold an accepted place in the call (who would form the cohort)."""
    from kohorte.selection.models import Offer

    return Offer.objects.filter(call=call, state=Offer.State.ACCEPTED).count()


def module_by_pk(*, pk) -> Module | None:
    return (Module.objects.filter(pk=pk)
            .select_related("cohort", "cohort__call", "cohort__call__programme").first())


def session_by_pk(*, pk) -> Session | None:
    return (Session.objects.filter(pk=pk)
            .select_related("module", "module__cohort", "module__cohort__call",
                            "module__cohort__call__programme").first())


def material_by_pk(*, pk) -> Material | None:
    return (Material.objects.filter(pk=pk)
            .select_related("module", "module__cohort", "module__cohort__call",
                            "module__cohort__call__programme").first())


def participant_by_pk(*, pk) -> Participant | None:
    return (Participant.objects.filter(pk=pk)
            .select_related("cohort", "cohort__call", "cohort__call__programme").first())


def _with_schedule(modules, *, programme_id):
    return modules.order_by("position").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
        Prefetch("lecturers", queryset=_lecturer_users(programme_id)),
        Prefetch("materials", queryset=Material.objects.order_by("uploaded_at", "pk")),
    )


def schedule(*, cohort, lecturer=None) -> list[Module]:
    """The cohort's modules in order, each with its sessions, lecturers and materials
    loaded (four queries, whatever the size). ``lecturer``: only the modules they teach."""
    modules = Module.objects.filter(cohort=cohort)
    if lecturer is not None:
        modules = modules.filter(lecturers=lecturer)
    return list(_with_schedule(modules, programme_id=cohort.call.programme_id))


def module_with_schedule(*, module) -> Module:
    """One module with its sessions, lecturers and materials loaded."""
    loaded = _with_schedule(Module.objects.filter(pk=module.pk),
                            programme_id=module.cohort.call.programme_id).get()
    loaded.cohort = module.cohort
    return loaded


def _with_institution(users, programme_id):
    """Each lecturer with ``institution_name``: the partner their lecturer role names."""
    institution = (Role.objects.filter(user=OuterRef("pk"), programme_id=programme_id,
                                       kind=Role.Kind.LECTURER)
                   .values("institution__name")[:1])
    return users.annotate(institution_name=Subquery(institution))


def _lecturer_users(programme_id):
    from django.contrib.auth import get_user_model

    return _with_institution(get_user_model().objects.order_by("display_name", "email"),
                             programme_id)


def schedule_for_viewer(*, cohort, user) -> list[Module]:
    """The whole schedule for coordinators, a lecturer's own modules for a lecturer."""
    return schedule(cohort=cohort, lecturer=None if manages_cohort(user, cohort) else user)


def participants_of(*, cohort) -> list[Participant]:
    return list(cohort.participants.select_related("application")
                .order_by("state", "last_name", "first_name", "pk"))


def lecturer_choices(*, programme):
    """Staff with a lecturer role in the programme (they may come from any partner)."""
    from django.contrib.auth import get_user_model

    return _with_institution(
        get_user_model().objects
        .filter(roles__programme=programme, roles__kind=Role.Kind.LECTURER, is_active=True)
        .distinct().order_by("display_name", "email"), programme.pk)


def cohort_sessions(*, cohort) -> list[Session]:
    return list(Session.objects.filter(module__cohort=cohort).select_related("module")
                .order_by("starts_at", "pk"))


# --- Participants ------------------------------------------------------------------------

def participations_of(*, user) -> list[Participant]:
    """Every place a person had, newest cohort first (a person may take part again)."""
    if not user.is_authenticated:
        return []
    return list(Participant.objects.filter(user=user)
                .select_related("cohort", "cohort__call", "cohort__call__programme")
                .order_by("-cohort__created_at", "-pk"))


def participation_for_user(*, user, pk) -> Participant | None:
    """The person's own participation, or None (never another's)."""
    if not user.is_authenticated:
        return None
    return (Participant.objects.filter(pk=pk, user=user)
            .select_related("cohort", "cohort__call", "cohort__call__programme",
                            "cohort__call__programme__lead_institution").first())


def participant_by_feed_token(*, token) -> Participant | None:
    return Participant.objects.filter(feed_token=token).select_related("cohort").first()


def cohort_by_feed_token(*, token) -> Cohort | None:
    return Cohort.objects.filter(feed_token=token).first()


def sessions_for_participant(participant, *, now=None) -> list[Session]:
    """The sessions a participant is scheduled for: all of their cohort's, and none
    from their leaving day on (a left participant's feed and page are then empty)."""
    now = now or timezone.now()
    sessions = Session.objects.filter(module__cohort_id=participant.cohort_id)
    if participant.left_on is not None:
        if timezone.localdate(now) >= participant.left_on:
            return []
        sessions = sessions.filter(starts_at__date__lt=participant.left_on)
    return list(sessions.select_related("module").order_by("starts_at", "pk"))


def next_session_of(participant, *, now=None) -> Session | None:
    """The participant's next session in one query."""
    now = now or timezone.now()
    if participant.left_on is not None and timezone.localdate(now) >= participant.left_on:
        return None
    sessions = Session.objects.filter(module__cohort_id=participant.cohort_id, ends_at__gt=now)
    if participant.left_on is not None:
        sessions = sessions.filter(starts_at__date__lt=participant.left_on)
    return sessions.select_related("module").order_by("starts_at", "pk").first()


def materials_visible_to(participant) -> bool:
    """Materials are for the cohort's active participants only."""
    return participant.state == Participant.State.ACTIVE
