"""Reads of the survey pages: instruments, a cohort's surveys with their response
counts, who has not answered (never what anyone answered), a participant's open surveys."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from kohorte.courses.models import Cohort

from .models import Instrument, Invitation, Item, ItemGroup, PseudonymKey, Survey
from .services import invitation_token


def cohort_for_staff(*, pk):
    return Cohort.objects.select_related("call__programme").filter(pk=pk).first()


def survey_for_staff(*, pk):
    return (Survey.objects.select_related("cohort__call__programme", "instrument", "module")
            .filter(pk=pk).first())


def instrument_for_staff(*, pk):
    return Instrument.objects.select_related("programme").filter(pk=pk, programme__isnull=False
                                                                 ).first()


def instruments_of(programme):
    return (Instrument.objects.filter(programme=programme)
            .annotate(item_count=Count("items", distinct=True),
                      survey_count=Count("surveys", distinct=True))
            .order_by("key", "-version"))


def instrument_structure(instrument):
    """The dimensions with their items, in order (two queries)."""
    return list(instrument.groups.order_by("position").prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("position"))))


def group_of(instrument, pk) -> ItemGroup | None:
    return instrument.groups.filter(pk=pk).first()


def item_of(instrument, pk) -> Item | None:
    return instrument.items.select_related("group").filter(pk=pk).first()


def surveys_of(cohort):
    """The cohort's surveys with how many were invited and how many answered."""
    return (Survey.objects.filter(cohort=cohort).select_related("instrument", "module")
            .annotate(invited=Count("invitations"),
                      answered=Count("invitations", filter=Q(invitations__answered=True)))
            .order_by("opens_at", "pk"))


def survey_counts(survey) -> dict:
    counts = Invitation.objects.filter(survey=survey).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    return counts


def not_answered(survey):
    """The people invited who have not answered (names only: whether, never what)."""
    return (Invitation.objects.filter(survey=survey, answered=False)
            .select_related("participant").order_by("participant__last_name",
                                                    "participant__first_name", "pk"))


def key_count(cohort) -> int:
    return PseudonymKey.objects.filter(pseudonym__cohort=cohort).count()


def surveys_for_participant(participant, *, now=None) -> list[dict]:
    """The participant's surveys that are open now, with their personal link's token
    and whether they answered."""
    now = now or timezone.now()
    invitations = (Invitation.objects.filter(participant=participant,
                                             survey__state=Survey.State.OPEN,
                                             survey__opens_at__lte=now,
                                             survey__closes_at__gt=now)
                   .select_related("survey__instrument", "survey__module")
                   .order_by("survey__closes_at", "pk"))
    return [{"survey": invitation.survey, "answered": invitation.answered,
             "token": invitation_token(invitation)} for invitation in invitations]


def follow_up_consent_of(participant) -> bool | None:
    """The participant's consent to the follow-up; None before a pseudonym exists."""
    key = PseudonymKey.objects.select_related("pseudonym").filter(participant=participant).first()
    return key.pseudonym.follow_up_consent if key else None
