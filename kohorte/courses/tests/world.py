"""A course to test against: a closed call, accepted places, the cohort made from them.

``course_world(personas)`` gives a cohort of the personas' call with the applicant as
the first participant, ``others`` more participants, the personas' lecturer teaching
module 1, and a second cohort in the other programme (for the cases that must not see
it).
"""

from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone

from kohorte.applications.models import Call, CallModule
from kohorte.core.tests import factories as f
from kohorte.selection.models import Offer, SelectionPolicy, SelectionRun

from ..services.cohort import cohort_create


def add_module_dates(call, *, first: date, count: int = 8, places=("Fulda", "Wiesbaden")):
    """``count`` two-day modules, four weeks apart, alternating between the places."""
    for position in range(1, count + 1):
        start = first + timedelta(weeks=4 * (position - 1))
        CallModule.objects.get_or_create(
            call=call, position=position,
            defaults={"title": f"Baustein {position}", "start_date": start,
                      "end_date": start + timedelta(days=1),
                      "place": places[(position - 1) % len(places)]})


def accept(call, applications, *, now=None):
    """Accepted offers for ``applications`` without running the selection (a fixture)."""
    now = now or timezone.now()
    policy = SelectionPolicy.objects.filter(call=call).first() or SelectionPolicy.objects.create(
        call=call, version=1)
    # A confirmed run as the selection pages expect one (engine input and result).
    run = SelectionRun.objects.create(
        call=call, policy=policy, state=SelectionRun.State.CONFIRMED,
        instance={"applicants": []},
        result={"selected": [], "waiting_list": [], "explanations": {}})
    for application in applications:
        Offer.objects.create(application=application, call=call, run=run,
                             state=Offer.State.ACCEPTED, deadline=now + timedelta(days=7),
                             decided_at=now)


def make_cohort(call, *, applicants=(), others=2, first=None, lecturer=None, actor=None):
    """Submit applications for ``applicants`` (and ``others`` new people), accept them
    and make the cohort. Module 1 starts on ``first`` (default: in two weeks)."""
    first = first or timezone.localdate() + timedelta(days=14)
    add_module_dates(call, first=first)
    applications = [f.make_application(call, person, submit=True) for person in applicants]
    applications += [f.make_application(call, submit=True) for _ in range(others)]
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    accept(call, applications)
    cohort = cohort_create(call=call, actor=actor)
    if lecturer is not None:
        cohort.modules.get(position=1).lecturers.add(lecturer)
    return cohort


def course_world(personas, *, others=2, first=None):
    w = personas
    w.cohort = make_cohort(personas.call, applicants=[personas.applicant], others=others,
                           first=first, lecturer=personas.lecturer)
    w.participant = w.cohort.participants.get(user=personas.applicant)
    w.module = w.cohort.modules.get(position=1)
    w.other_module = w.cohort.modules.get(position=2)
    w.session = w.module.sessions.order_by("starts_at").first()
    other_call = f.make_call(personas.other_programme)
    w.other_cohort = make_cohort(other_call, applicants=[personas.second_applicant], others=1)
    w.other_participant = w.other_cohort.participants.get(user=personas.second_applicant)
    return w


__all__ = ["SimpleNamespace", "accept", "add_module_dates", "course_world", "make_cohort"]
