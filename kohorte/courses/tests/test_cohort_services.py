from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses.models import Participant, Session
from kohorte.courses.services.cohort import cohort_add_accepted, cohort_create, participant_leave

from .world import accept, add_module_dates, course_world, make_cohort

pytestmark = pytest.mark.django_db


def test_the_cohort_holds_everyone_who_accepted_and_the_published_module_dates(personas):
    w = course_world(personas, others=2)
    assert w.cohort.participants.count() == 3
    assert w.participant.first_name == w.participant.application.first_name
    assert w.cohort.modules.count() == 8
    # Two days of two half-days each, at the call's places, in Berlin time.
    sessions = list(w.module.sessions.order_by("starts_at"))
    assert len(sessions) == 4
    first = timezone.localtime(sessions[0].starts_at)
    assert (first.hour, first.minute) == (9, 0)
    assert sessions[0].place == "Fulda"
    assert w.other_module.sessions.first().place == "Wiesbaden"
    assert Session.objects.filter(module__cohort=w.cohort).count() == 32
    assert AuditEntry.objects.filter(action="cohort.create", object_id=str(w.cohort.pk)).exists()


def test_a_call_gets_one_cohort_only(personas):
    cohort = make_cohort(personas.call, others=1)
    with pytest.raises(ValidationError) as error:
        cohort_create(call=personas.call, actor=personas.coordinator)
    assert error.value.code == "exists"
    assert cohort.participants.count() == 1


def test_without_accepted_places_there_is_no_cohort(personas):
    add_module_dates(personas.call, first=timezone.localdate())
    f.make_application(personas.call, submit=True)
    with pytest.raises(ValidationError) as error:
        cohort_create(call=personas.call, actor=personas.coordinator)
    assert error.value.code == "empty"


def test_a_place_accepted_later_joins_the_cohort_once(personas):
    late = f.make_application(personas.call, submit=True)
    cohort = make_cohort(personas.call, others=1)
    accept(personas.call, [late])
    added = cohort_add_accepted(cohort=cohort, actor=personas.coordinator)
    assert [p.application_id for p in added] == [late.pk]
    assert cohort_add_accepted(cohort=cohort, actor=personas.coordinator) == []
    assert cohort.participants.count() == 2


def test_leaving_is_recorded_with_date_and_reason_and_never_deleted(personas):
    w = course_world(personas)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        participant_leave(participant=w.participant, left_on=today, reason="  ",
                          actor=personas.coordinator)
    participant_leave(participant=w.participant, left_on=today, reason="Stelle gewechselt",
                      actor=personas.coordinator)
    w.participant.refresh_from_db()
    assert w.participant.state == Participant.State.LEFT
    assert w.participant.left_on == today
    entry = AuditEntry.objects.get(action="participant.leave", object_id=str(w.participant.pk))
    assert entry.reason == "Stelle gewechselt"
    with pytest.raises(ValidationError):
        participant_leave(participant=w.participant, left_on=today, reason="nochmal",
                          actor=personas.coordinator)
    with pytest.raises(ValidationError):
        participant_leave(participant=w.other_participant,
                          left_on=w.other_participant.joined_on - timedelta(days=1),
                          reason="zu früh", actor=personas.coordinator)
