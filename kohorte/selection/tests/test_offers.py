"""Offers: accepting, declining, expiry and reminders, withdrawals, the refill of every
vacancy by the same rule, the waiting list and the deletion clocks it starts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.applications import services as application_services
from kohorte.applications.models import Application, Call
from kohorte.applications.retention import retention_run
from kohorte.core.models import AuditEntry
from kohorte.notifications.models import OutboxMail

from .. import engine, jobs
from ..models import Offer, SelectionRun
from ..selectors.selection import application_standing, waiting_list
from ..services import offers as services
from ..services.letters import months_after
from . import selection_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(personas):
    """Two places, at least one from Kassel. D1 and K1 get the offers; D2, D3, K2 wait."""
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=2)
    call.refresh_from_db()
    w.make_policy(call, region_bounds={"Kassel": {"min": 1}}, offer_days=14,
                  reminder_days_before_deadline=3)
    call.d1, call.d2, call.d3 = (w.make_reviewed(call, v, district="Darmstadt") for v in (5, 4, 3))
    call.k1, call.k2 = (w.make_reviewed(call, v, district="Kassel") for v in (2, 1))
    w.close(call)
    call.run = w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    return call


def offer_of(application) -> Offer:
    return Offer.objects.filter(application=application).latest("created_at", "id")


def holders(call):
    return set(Offer.objects.filter(call=call, state__in=Offer.HOLDS_PLACE)
               .values_list("application__reference", flat=True))


def test_the_confirmed_run_offers_the_places_as_the_rule_says(call):
    assert call.run.result["selected"] == [call.d1.reference, call.k1.reference]
    assert call.run.result["waiting_list"] == [call.d2.reference, call.d3.reference, call.k2.reference]
    assert holders(call) == {call.d1.reference, call.k1.reference}


# --- Accepting -------------------------------------------------------------------------

def test_accepting_takes_the_place_and_confirms_it_by_mail(call):
    offer = offer_of(call.d1)
    accepted = services.offer_accept(offer=offer, actor=call.d1.applicant)
    assert accepted.state == Offer.State.ACCEPTED and accepted.decided_at is not None
    assert OutboxMail.objects.filter(template="offer_accepted", about_id=str(call.d1.pk)).count() == 1
    entry = AuditEntry.objects.get(action="offer.accept")
    assert entry.object_id == str(call.d1.pk) and entry.actor == call.d1.applicant


def test_accepting_twice_changes_nothing_the_second_time(call):
    offer = offer_of(call.d1)
    services.offer_accept(offer=offer, actor=call.d1.applicant)
    services.offer_accept(offer=offer, actor=call.d1.applicant)
    assert AuditEntry.objects.filter(action="offer.accept").count() == 1
    assert OutboxMail.objects.filter(template="offer_accepted").count() == 1


def test_accepting_after_the_deadline_is_refused_even_before_the_job_ran(call):
    offer = offer_of(call.d1)
    with pytest.raises(services.OfferClosed) as caught:
        services.offer_accept(offer=offer, actor=call.d1.applicant,
                              now=offer.deadline + timedelta(seconds=1))
    assert caught.value.code == "expired"
    offer.refresh_from_db()
    assert offer.state == Offer.State.OPEN
    assert services.offer_accept(offer=offer, actor=call.d1.applicant,
                                 now=offer.deadline).state == Offer.State.ACCEPTED


def test_a_declined_offer_cannot_be_accepted(call):
    offer = offer_of(call.d1)
    services.offer_decline(offer=offer, actor=call.d1.applicant)
    with pytest.raises(services.OfferClosed):
        services.offer_accept(offer=offer, actor=call.d1.applicant)


def test_an_accepted_offer_cannot_be_declined(call):
    offer = offer_of(call.d1)
    services.offer_accept(offer=offer, actor=call.d1.applicant)
    with pytest.raises(services.OfferClosed):
        services.offer_decline(offer=offer, actor=call.d1.applicant)


# --- Declining and the refill ------------------------------------------------------------

def test_a_decline_refills_the_place_by_the_same_rule_and_names_the_skipped_order(call):
    services.offer_decline(offer=offer_of(call.k1), actor=call.k1.applicant)
    # The Kassel minimum passes over D2 and D3: K2 gets the place, with the reason.
    new = offer_of(call.k2)
    assert new.state == Offer.State.OPEN
    assert new.skip_reason == "Mindestzahl Regierungsbezirk Kassel"
    assert holders(call) == {call.d1.reference, call.k2.reference}
    refill = new.run
    assert refill.kind == SelectionRun.Kind.REFILL and refill.state == SelectionRun.State.CONFIRMED
    assert (refill.seed, refill.candidate_hash) == (call.run.seed, call.run.candidate_hash)
    assert refill.instance["fixed"] == [call.d1.reference]
    assert refill.instance["excluded"] == [call.k1.reference]
    assert engine.solve(refill.instance) == refill.result  # reproducible like any run
    mail = OutboxMail.objects.get(template="offer", about_id=str(call.k2.pk))
    assert "Mindestzahl Regierungsbezirk Kassel" in mail.body
    assert OutboxMail.objects.filter(template="offer_declined", about_id=str(call.k1.pk)).exists()


def test_a_decline_without_a_constraint_in_the_way_goes_to_the_next_in_order(call):
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant)
    new = offer_of(call.d2)
    assert new.skip_reason == "" and new.state == Offer.State.OPEN
    assert holders(call) == {call.d2.reference, call.k1.reference}


def test_declining_twice_refills_once(call):
    offer = offer_of(call.d1)
    services.offer_decline(offer=offer, actor=call.d1.applicant)
    services.offer_decline(offer=offer, actor=call.d1.applicant)
    assert SelectionRun.objects.filter(kind=SelectionRun.Kind.REFILL).count() == 1
    assert Offer.objects.count() == 3


def test_the_decliners_deletion_is_scheduled_six_months_on(call):
    now = timezone.now()
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant, now=now)
    call.d1.refresh_from_db()
    assert call.d1.erase_after == months_after(now, 6)


def test_vacancies_are_refilled_until_the_waiting_list_is_empty_and_never_overbooked(call):
    declined = 0
    while True:
        open_offer = Offer.objects.filter(call=call, state=Offer.State.OPEN).order_by("id").first()
        if open_offer is None:
            break
        services.offer_decline(offer=open_offer, actor=open_offer.application.applicant)
        declined += 1
        assert len(holders(call)) <= call.places
    assert declined == 5  # all five were offered a place in turn, each exactly once
    assert Offer.objects.count() == 5
    assert Offer.objects.values("application").distinct().count() == 5


# --- Expiry and reminders ------------------------------------------------------------

def test_the_job_expires_an_unanswered_offer_and_refills_the_place(call):
    offer = offer_of(call.d1)
    after = offer.deadline + timedelta(minutes=1)
    assert jobs.offers_expire_due(now=offer.deadline) == {"expired": 0}
    result = jobs.offers_expire_due(now=after)
    assert result == {"expired": 2}  # both first offers share the deadline
    offer.refresh_from_db()
    assert offer.state == Offer.State.EXPIRED
    assert OutboxMail.objects.filter(template="offer_expired").count() == 2
    assert holders(call) == {call.d2.reference, call.k2.reference}
    assert jobs.offers_expire_due(now=after) == {"expired": 0}


def test_the_reminder_goes_out_once_before_the_deadline(call):
    offer = offer_of(call.d1)
    due = offer.deadline - timedelta(days=3)
    assert jobs.offers_remind_due(now=due - timedelta(minutes=1)) == {"reminded": 0}
    assert jobs.offers_remind_due(now=due) == {"reminded": 2}
    assert jobs.offers_remind_due(now=due + timedelta(hours=1)) == {"reminded": 0}
    offer.refresh_from_db()
    assert offer.reminded_at == due
    mail = OutboxMail.objects.get(template="offer_reminder", about_id=str(call.d1.pk))
    assert f"/angebote/{offer.pk}/" in mail.body


def test_a_short_offer_is_reminded_only_after_half_its_time(call):
    offer = offer_of(call.d1)
    Offer.objects.filter(pk=offer.pk).update(created_at=offer.deadline - timedelta(days=2))
    offer.refresh_from_db()
    assert services.reminder_due_at(offer) == offer.deadline - timedelta(days=1)


def test_no_reminder_for_an_answered_offer(call):
    offer = offer_of(call.d1)
    services.offer_accept(offer=offer, actor=call.d1.applicant)
    assert not services.offer_remind(offer=offer, now=offer.deadline - timedelta(hours=1))


# --- Withdrawals ----------------------------------------------------------------------

def test_withdrawing_an_application_that_holds_an_offer_frees_and_refills_the_place(call):
    application_services.application_withdraw(application=call.d1, actor=call.d1.applicant)
    assert offer_of(call.d1).state == Offer.State.WITHDRAWN
    assert holders(call) == {call.d2.reference, call.k1.reference}
    entry = AuditEntry.objects.get(action="offer.withdraw")
    assert entry.object_id == str(call.d1.pk)


def test_withdrawing_after_accepting_frees_the_place_too(call):
    services.offer_accept(offer=offer_of(call.k1), actor=call.k1.applicant)
    application_services.application_withdraw(application=call.k1, actor=call.k1.applicant)
    assert offer_of(call.k1).state == Offer.State.WITHDRAWN
    assert holders(call) == {call.d1.reference, call.k2.reference}


def test_a_withdrawal_from_the_waiting_list_moves_the_others_up_without_a_refill(call):
    application_services.application_withdraw(application=call.d2, actor=call.d2.applicant)
    assert [e.application for e in waiting_list(call=call)] == [call.d3, call.k2]
    assert not SelectionRun.objects.filter(kind=SelectionRun.Kind.REFILL).exists()


def test_a_coordinator_withdraws_an_offer_with_a_reason(call, personas):
    offer = offer_of(call.d1)
    with pytest.raises(ValidationError):
        services.offer_withdraw(offer=offer, reason="", actor=personas.coordinator)
    services.offer_withdraw(offer=offer, reason="Keine Freistellung", actor=personas.coordinator)
    assert offer_of(call.d1).state == Offer.State.WITHDRAWN
    assert AuditEntry.objects.get(action="offer.withdraw").reason == "Keine Freistellung"
    assert call.d2.reference in holders(call)


# --- The waiting list ----------------------------------------------------------------

def test_the_waiting_list_follows_the_rule_and_shrinks_as_people_get_offers(call):
    assert [(e.position, e.application) for e in waiting_list(call=call)] == [
        (1, call.d2), (2, call.d3), (3, call.k2)]
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant)
    assert [(e.position, e.application) for e in waiting_list(call=call)] == [
        (1, call.d3), (2, call.k2)]


def test_no_refill_once_the_waiting_list_has_closed(call):
    Call.objects.filter(pk=call.pk).update(waiting_list_closes_on=timezone.localdate() - timedelta(days=1))
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant)
    assert not Offer.objects.filter(application=call.d2).exists()
    assert AuditEntry.objects.get(action="selection_run.refill_skipped").data["why"] == "waiting list closed"


def test_the_closed_waiting_list_starts_the_deletion_clock_of_those_on_it(call):
    closes = date(2027, 1, 15)
    Call.objects.filter(pk=call.pk).update(waiting_list_closes_on=closes)
    on_the_day = timezone.make_aware(timezone.datetime(2027, 1, 15, 12))
    assert jobs.waiting_list_close_due(now=on_the_day) == {"scheduled": 0}
    day_after = on_the_day + timedelta(days=1)
    assert jobs.waiting_list_close_due(now=day_after) == {"scheduled": 3}
    for application in (call.d2, call.d3, call.k2):
        application.refresh_from_db()
        assert timezone.localtime(application.erase_after).date() == date(2027, 7, 15)
    call.d1.refresh_from_db()
    assert call.d1.erase_after is None  # holds a place
    assert jobs.waiting_list_close_due(now=day_after) == {"scheduled": 0}


def test_a_declined_application_is_erased_when_its_time_comes(call):
    now = timezone.now()
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant, now=now)
    reference = call.d1.reference
    retention_run(now=months_after(now, 6) + timedelta(minutes=1))
    assert not Application.objects.filter(pk=call.d1.pk).exists()
    assert not Offer.objects.filter(application_id=call.d1.pk).exists()
    assert reference in SelectionRun.objects.get(kind="initial").result["selected"]


# --- Where an application stands ----------------------------------------------------------

def test_each_person_sees_where_their_application_stands(call, personas):
    assert application_standing(application=call.d1).kind == "offer"
    standing = application_standing(application=call.k2)
    assert (standing.kind, standing.position) == ("waiting", 3)
    assert "Warteliste Platz" not in standing.explanation  # the live position is shown apart
    assert standing.entry == {**standing.entry, "id": call.k2.reference, "tier": 1}
    services.offer_decline(offer=offer_of(call.d1), actor=call.d1.applicant)
    assert application_standing(application=call.d1).kind == "offer_ended"
    application_services.application_withdraw(application=call.d3, actor=call.d3.applicant)
    call.d3.refresh_from_db()
    assert application_standing(application=call.d3).kind == "withdrawn"


def test_before_the_confirmation_nothing_is_known(personas):
    application = w.make_reviewed(personas.call, 4)
    assert application_standing(application=application).kind == "pending"
