"""Test set-up for the selection: reviewed applications of a closed call, a policy, runs.

Reviews are written straight through the ORM (the reviewers' pages are another part of
the selection stage): one criterion of weight 1, and one submitted review per value
given, so an application's score is the mean of its values.
"""

from decimal import Decimal

from django.utils import timezone

from kohorte.accounts.models import User
from kohorte.applications.models import Call
from kohorte.core.tests import factories as f

from ..models import CriterionScore, ReviewAssignment, ReviewCriterion, SelectionPolicy
from ..services import selection as services

# A Kreis in each Regierungsbezirk (names as in data/hessen-kreise.csv).
KREIS_IN = {"Darmstadt": "Wetteraukreis", "Gießen": "Gießen", "Kassel": "Fulda"}
SEED = "2026-11-03 Lotto 6aus49: 3 11 19 27 38 45"


def make_policy(call, **kwargs) -> SelectionPolicy:
    version = (SelectionPolicy.objects.filter(call=call).order_by("-version")
               .values_list("version", flat=True).first() or 0) + 1
    return SelectionPolicy.objects.create(call=call, version=version, **kwargs)


def _reviewer(call, number: int) -> User:
    email = f"gutachtung-{call.pk}-{number}@example.org"
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email, f.PASSWORD, is_staff=True)


def review(application, *values, now=None):
    """One submitted review per value (0–5) on the call's criterion."""
    call = application.call
    criterion, _created = ReviewCriterion.objects.get_or_create(
        call=call, name="Praxisbezug", defaults={"weight": Decimal("1")})
    for number, value in enumerate(values, start=1):
        assignment = ReviewAssignment.objects.create(
            application=application, reviewer=_reviewer(call, number),
            submitted_at=now or timezone.now(), score=Decimal(value))
        CriterionScore.objects.create(assignment=assignment, criterion=criterion, value=value)


def make_reviewed(call, *values, district="Kassel", funded=True, site=None, applicant=None,
                  **answers):
    """A submitted application of ``district`` (tier 1 if its site is funded), reviewed."""
    site = site or f.make_site(call.programme, funded_year=call.funding_year if funded else None,
                               region_name=KREIS_IN[district])
    state = call.state
    if state == Call.State.CLOSED:  # a late addition: submitted as if before the close
        Call.objects.filter(pk=call.pk).update(state=Call.State.PUBLISHED)
        call.refresh_from_db()
    application = f.make_application(call, applicant, site=site, submit=True, **answers)
    if state == Call.State.CLOSED:
        close(call)
    if values:
        review(application, *values)
    return application


def close(call) -> Call:
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    call.refresh_from_db()
    return call


def drawn(call, *, by, seed=SEED):
    run = services.selection_run_prepare(call=call, actor=by)
    return services.selection_run_draw(run=run, seed=seed, seed_source="Lotto", actor=by)


def confirmed(call, *, drawn_by, confirmed_by, seed=SEED):
    run = drawn(call, by=drawn_by, seed=seed)
    return services.selection_run_confirm(run=run, actor=confirmed_by)
