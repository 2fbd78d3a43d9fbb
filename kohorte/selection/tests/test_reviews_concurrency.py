"""Races in the review stage: two assignment runs, a criterion change against the first
submission, a double submit. The threaded tests need PostgreSQL (row locks and
concurrent writers) and are skipped on SQLite, which serialises all writes.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from kohorte.applications.tests.test_concurrency import _run_together
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.selection.models import ReviewAssignment, ReviewCriterion
from kohorte.selection.services import reviews as services
from kohorte.selection.services.assignment import review_assignments_run

from .reviewing import after_deadline, assign, make_criteria, make_reviewer, review

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers with row locks need PostgreSQL; SQLite serialises all writes",
)


@pytest.mark.django_db
def test_the_database_holds_one_assignment_per_reviewer_and_application(personas):
    application = f.make_application(personas.call, submit=True)
    assign(application, personas.reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        assign(application, personas.reviewer)
    assert ReviewAssignment.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_assignment_runs_give_each_application_its_reviewers_once(personas):
    make_criteria(personas.call)
    for n in range(3):
        make_reviewer(personas.programme, f"extra{n}@example.org")
    applications = [f.make_application(personas.call, submit=True) for _ in range(5)]
    now = after_deadline(personas.call)

    def run(_index):
        return len(review_assignments_run(call=personas.call, actor=personas.coordinator,
                                          now=now).created)

    results, errors = _run_together(run, 4)
    assert errors == []
    assert sorted(results) == [0, 0, 0, 10]
    for application in applications:
        assert ReviewAssignment.objects.filter(application=application).count() == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_criterion_change_and_the_first_submission_never_both_succeed(personas):
    make_criteria(personas.call)
    application = f.make_application(personas.call, submit=True)
    assignment = review(assign(application, personas.reviewer),
                        {"Praxisbezug": 4, "Motivation": 3, "Transferpotenzial": 2}, submit=False)

    def act(index):
        if index == 0:
            return services.review_submit(assignment=assignment, actor=personas.reviewer)
        return services.review_criterion_add(call=personas.call, name="Neu", weight=1,
                                             actor=personas.coordinator)

    results, errors = _run_together(act, 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assignment.refresh_from_db()
    if assignment.submitted_at is not None:
        assert ReviewCriterion.objects.filter(call=personas.call).count() == 3
    else:
        assert ReviewCriterion.objects.filter(call=personas.call, name="Neu").exists()


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_review_submitted_twice_at_once_is_submitted_once(personas):
    make_criteria(personas.call)
    application = f.make_application(personas.call, submit=True)
    assignment = review(assign(application, personas.reviewer),
                        {"Praxisbezug": 4, "Motivation": 3, "Transferpotenzial": 2}, submit=False)

    def submit(_index):
        return services.review_submit(assignment=assignment, actor=personas.reviewer).score

    results, errors = _run_together(submit, 4)
    assert len(results) == 1 and len(errors) == 3
    assert AuditEntry.objects.filter(action="review.submit").count() == 1
