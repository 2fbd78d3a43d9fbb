"""The submit's writes prepared before its transaction (``submission._plan_ahead``).

On SQLite every write transaction holds the one write lock from its start, so the
submit works out its writes before it (with a stand-in for the reference) and only
checks, counts and writes under the lock. These tests run outside a test
transaction, as the server does: inside one there is nothing to plan ahead.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from kohorte.applications import services
from kohorte.applications.models import Application, Eligibility
from kohorte.applications.services import submission
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBMITTERS = {
    "object": lambda application, user, now: services.application_submit(
        application=Application.objects.select_related("call").get(pk=application.pk),
        actor=user, now=now),
    "form": lambda application, user, now: services.application_submit_own(
        pk=application.pk, user=user, now=now),
}


class Rollback(Exception):
    pass


@pytest.fixture
def watched(monkeypatch):
    """What the submit did: the plans made, and how often its writes were worked out."""
    seen = {"plans": [], "worked_out": 0}
    plan_ahead, submit_writes = submission._plan_ahead, submission._submit_writes

    def plan_ahead_watched(*args, **kwargs):
        plan = plan_ahead(*args, **kwargs)
        seen["plans"].append(plan)
        return plan

    def submit_writes_watched(*args, **kwargs):
        seen["worked_out"] += 1
        return submit_writes(*args, **kwargs)

    monkeypatch.setattr(submission, "_plan_ahead", plan_ahead_watched)
    monkeypatch.setattr(submission, "_submit_writes", submit_writes_watched)
    return seen


def written(application):
    """Everything the submit wrote for the application, without keys and write times."""
    return {
        "application": Application.objects.filter(pk=application.pk).values(
            "state", "reference", "submitted_at").get(),
        "mails": list(OutboxMail.objects.filter(about_id=str(application.pk)).values(
            "to", "subject", "body", "template", "about_type", "idempotency_key",
            "erase_after_delivery", "state")),
        "audit": list(AuditEntry.objects.filter(
            object_id=str(application.pk),
            action__in=["eligibility.assess", "application.submit"]).order_by("id").values(
            "actor_id", "actor_label", "action", "object_type", "object_repr", "reason",
            "data")),
        "pre_check": list(Eligibility.objects.filter(application=application).values(
            "computed_tier", "reasons", "computed_at", "override_tier")),
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan is made on SQLite only")
@pytest.mark.parametrize("submit_as", SUBMITTERS.values(), ids=SUBMITTERS.keys())
def test_the_planned_submit_writes_exactly_what_the_submit_under_the_lock_writes(
        personas, watched, submit_as):
    application = f.make_application(personas.call, personas.applicant)
    now = personas.call.closes_at - timedelta(hours=1)
    # Inside a transaction nothing is planned: the writes are worked out under the lock.
    # Undone afterwards, the count of references included, so the planned submit below
    # gets the same number.
    with pytest.raises(Rollback), transaction.atomic():
        submit_as(application, personas.applicant, now)
        under_the_lock = written(application)
        raise Rollback
    assert watched["plans"] == [None] and watched["worked_out"] == 1
    assert written(application)["application"]["state"] == Application.State.DRAFT

    submitted = submit_as(application, personas.applicant, now)

    (plan,) = watched["plans"][1:]
    assert plan is not None
    assert watched["worked_out"] == 2  # once for the plan, not again under the lock
    planned = written(application)
    assert planned == under_the_lock
    assert planned["application"]["reference"] == submitted.reference
    assert submitted.reference.endswith("-0001")
    assert plan.marker not in repr(planned)
    assert f"Ihre Bewerbungsnummer lautet {submitted.reference}." in planned["mails"][0]["body"]
    assert [entry["object_repr"] for entry in planned["audit"]] == [submitted.reference] * 2
    if submit_as is SUBMITTERS["form"]:
        # The row under the lock is the planned one: the plan's objects are used, none
        # built anew from the row.
        assert submitted is plan.application
        assert submitted.state == Application.State.SUBMITTED


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan is made on SQLite only")
@pytest.mark.parametrize("submit_as", SUBMITTERS.values(), ids=SUBMITTERS.keys())
def test_answers_changed_after_the_plan_are_submitted_as_they_stand_under_the_lock(
        personas, watched, submit_as, monkeypatch):
    application = f.make_application(personas.call, personas.applicant)
    submit = submission._submit

    def submit_after_a_change(read, **kwargs):
        # Another request of the same person saves a step between the plan and the lock.
        Application.objects.filter(pk=application.pk).update(first_name="Ayla")
        return submit(read, **kwargs)

    monkeypatch.setattr(submission, "_submit", submit_after_a_change)
    submitted = submit_as(application, personas.applicant, None)

    assert watched["plans"][0] is not None
    assert watched["worked_out"] == 2  # the plan is dropped, worked out anew
    assert submitted.first_name == "Ayla"
    mail = OutboxMail.objects.get(about_id=str(application.pk))
    assert mail.body.startswith(f"Guten Tag Ayla {application.last_name},")
    assert watched["plans"][0].marker not in mail.subject + mail.body
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1
    assert Eligibility.objects.filter(application=application).count() == 1
    assert AuditEntry.objects.filter(object_id=str(application.pk),
                                     action="application.submit").count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan is made on SQLite only")
def test_a_submit_made_meanwhile_is_not_made_twice(personas, watched, monkeypatch):
    # A double click: the other request submits between this one's plan and its lock.
    application = f.make_application(personas.call, personas.applicant)
    submit = submission._submit
    calls = []

    def the_other_request_first(read, **kwargs):
        if not calls:
            calls.append("other")
            monkeypatch.setattr(submission, "_submit", submit)
            services.application_submit_own(pk=application.pk, user=personas.applicant)
        return submit(read, **kwargs)

    monkeypatch.setattr(submission, "_submit", the_other_request_first)
    submitted = services.application_submit_own(pk=application.pk, user=personas.applicant)
    assert submitted.state == Application.State.SUBMITTED
    assert submitted.reference.endswith("-0001")
    assert Application.objects.get(pk=application.pk).reference == submitted.reference
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1
    assert AuditEntry.objects.filter(object_id=str(application.pk),
                                     action="application.submit").count() == 1
    assert f.next_reference_number(personas.call) == 2


@pytest.mark.parametrize("submit_as", SUBMITTERS.values(), ids=SUBMITTERS.keys())
def test_an_incomplete_application_is_refused_and_nothing_is_written(personas, watched,
                                                                   submit_as):
    application = services.application_start(call=personas.call, applicant=personas.applicant)
    with pytest.raises(ValidationError) as refused:
        submit_as(application, personas.applicant, None)
    assert refused.value.code == "incomplete"
    assert watched["plans"] == [None]  # no plan for a submit that is refused
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT and application.reference is None
    assert not OutboxMail.objects.filter(template="application_submitted").exists()
    assert not Eligibility.objects.filter(application=application).exists()
    assert f.next_reference_number(personas.call) == 1


def test_only_sqlite_plans_ahead(personas, watched):
    application = f.make_application(personas.call, personas.applicant)
    services.application_submit_own(pk=application.pk, user=personas.applicant)
    (plan,) = watched["plans"]
    # PostgreSQL locks rows, not the database: other submits run meanwhile anyway.
    assert (plan is not None) == (connection.vendor == "sqlite")
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED
