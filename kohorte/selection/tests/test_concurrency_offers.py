"""No overbooking, ever: accepts, declines, expiries, withdrawals and refills at the same
moment, from threads with their own database connections.

Every change of who holds a place locks the call's row first, so the refills run one
after the other and each sees the others' offers; the partial unique constraint keeps
a person from two live offers. These tests need row locks and concurrent writers: they
run on PostgreSQL and are skipped on SQLite.
"""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from kohorte.applications import services as application_services
from kohorte.applications.models import Call
from kohorte.core.models import AuditEntry
from kohorte.notifications.models import OutboxMail

from .. import jobs
from ..models import Offer, SelectionRun
from ..selectors.selection import waiting_list
from ..services import offers as services
from . import selection_world as w

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers with row locks need PostgreSQL; SQLite serialises all writes",
)
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run_together(tasks):
    """Start every task at the same moment in its own thread; (results, errors)."""
    barrier = threading.Barrier(len(tasks))
    results, errors = [], []

    def worker(task):
        try:
            barrier.wait()
            results.append(task())
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    return results, errors


def _setup(personas, *, places, applicants):
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=places)
    call.refresh_from_db()
    w.make_policy(call, region_bounds={"Kassel": {"min": 1}})
    districts = ["Darmstadt", "Gießen", "Kassel"]
    call.apps = [w.make_reviewed(call, 1 + n % 5, district=districts[n % 3])
                 for n in range(applicants)]
    w.close(call)
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    return call


def _live(call):
    return list(Offer.objects.filter(call=call, state__in=Offer.HOLDS_PLACE)
                .select_related("application"))


def _assert_never_overbooked_and_each_vacancy_refilled_once(call):
    offers = list(Offer.objects.filter(call=call))
    live = [o for o in offers if o.state in Offer.HOLDS_PLACE]
    ended = [o for o in offers if o.state not in Offer.HOLDS_PLACE]
    accepted = [o for o in offers if o.state == Offer.State.ACCEPTED]
    assert len(accepted) <= len(live) <= call.places
    # Each person was offered a place at most once.
    assert len({o.application_id for o in offers}) == len(offers)
    # Every place that became free went to exactly one new person (the list is long enough).
    assert len(offers) == call.places + len(ended)
    assert len(live) == call.places
    refills = SelectionRun.objects.filter(call=call, kind=SelectionRun.Kind.REFILL)
    assert sum(len(r.offers.all()) for r in refills) == len(ended)
    for run in refills:
        assert len(run.instance["fixed"]) + run.offers.count() <= call.places


@needs_postgresql
@concurrent
def test_many_declines_at_once_refill_every_place_exactly_once(personas):
    call = _setup(personas, places=6, applicants=14)
    first = _live(call)
    assert len(first) == 6
    results, errors = _run_together([
        (lambda o=offer: services.offer_decline(offer=o, actor=o.application.applicant))
        for offer in first])
    assert errors == []
    _assert_never_overbooked_and_each_vacancy_refilled_once(call)
    assert SelectionRun.objects.filter(kind=SelectionRun.Kind.REFILL).count() == 6
    assert OutboxMail.objects.filter(template="offer").count() == 12


@needs_postgresql
@concurrent
def test_accepts_declines_withdrawals_and_expiry_together_never_overbook(personas):
    call = _setup(personas, places=4, applicants=14)
    a, b, c, d = _live(call)
    # The first two on the waiting list: the refills want to offer them their places
    # while they withdraw.
    waiting = [entry.application for entry in waiting_list(call=call)[:2]]
    late = d.deadline + timedelta(seconds=1)
    tasks = [
        lambda: services.offer_accept(offer=a, actor=a.application.applicant),
        lambda: services.offer_accept(offer=a, actor=a.application.applicant),  # double click
        lambda: services.offer_decline(offer=b, actor=b.application.applicant),
        lambda: application_services.application_withdraw(application=c.application,
                                                          actor=c.application.applicant),
        # d: the person accepts in the last second while the expiry job runs just after it.
        lambda: services.offer_accept(offer=d, actor=d.application.applicant, now=d.deadline),
        lambda: services.offer_expire(offer=d, now=late),
        *[(lambda app=app: application_services.application_withdraw(
            application=app, actor=app.applicant)) for app in waiting],
    ]
    results, errors = _run_together(tasks)
    assert all(isinstance(e, services.OfferClosed) for e in errors), errors
    assert len(errors) <= 1  # only the loser of the race over d (if the expiry won)
    d.refresh_from_db()
    assert d.state in (Offer.State.ACCEPTED, Offer.State.EXPIRED)
    assert (d.state == Offer.State.EXPIRED) == (len(errors) == 1)
    a.refresh_from_db()
    assert a.state == Offer.State.ACCEPTED
    assert AuditEntry.objects.filter(action="offer.accept", object_id=str(a.application_id)).count() == 1
    _assert_never_overbooked_and_each_vacancy_refilled_once(call)
    # Whoever withdrew holds no place, even if a refill offered one a moment before.
    assert not Offer.objects.filter(application__in=waiting,
                                    state__in=Offer.HOLDS_PLACE).exists()


@needs_postgresql
@concurrent
def test_refills_racing_with_the_expiry_job_offer_each_place_once(personas):
    call = _setup(personas, places=4, applicants=12)
    first = _live(call)
    late = first[0].deadline + timedelta(seconds=1)
    tasks = [lambda: jobs.offers_expire_due(now=late), lambda: jobs.offers_expire_due(now=late),
             *[(lambda o=o: services.offer_decline(offer=o, actor=o.application.applicant))
               for o in first[:2]]]
    results, errors = _run_together(tasks)
    assert errors == []
    for offer in first:
        offer.refresh_from_db()
        assert offer.state in (Offer.State.DECLINED, Offer.State.EXPIRED)
    # The refills' own new offers are not yet due: they stay open.
    _assert_never_overbooked_and_each_vacancy_refilled_once(call)


@needs_postgresql
@concurrent
def test_eight_clicks_on_accept_at_once_accept_once(personas):
    call = _setup(personas, places=2, applicants=4)
    offer = _live(call)[0]
    results, errors = _run_together([
        (lambda: services.offer_accept(offer=offer, actor=offer.application.applicant))
        for _ in range(8)])
    assert errors == [] and len(results) == 8
    assert {r.state for r in results} == {Offer.State.ACCEPTED}
    assert OutboxMail.objects.filter(template="offer_accepted").count() == 1


@needs_postgresql
@concurrent
def test_the_database_refuses_a_second_live_offer_for_one_person(personas):
    call = _setup(personas, places=2, applicants=4)
    offer = _live(call)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(application=offer.application, call=call, run=offer.run,
                             deadline=offer.deadline)
