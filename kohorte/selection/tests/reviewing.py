"""Builders for the review-stage tests: criteria, reviewers, assignments, reviews."""

from datetime import timedelta
from decimal import Decimal

from kohorte.accounts.models import Role
from kohorte.applications.models import Call
from kohorte.core.tests import factories as f
from kohorte.selection.models import ReviewAssignment
from kohorte.selection.services import reviews as services

GWA_CRITERIA = (("Praxisbezug", "2"), ("Motivation", "1"), ("Transferpotenzial", "1"))


def make_criteria(call, spec=GWA_CRITERIA):
    return [services.review_criterion_add(call=call, name=name, weight=Decimal(weight),
                                          actor=None)
            for name, weight in spec]


def after_deadline(call):
    """An instant after the call's deadline (for services that take ``now``)."""
    return call.deadline + timedelta(days=1)


def close(call):
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    call.refresh_from_db()
    return call


def make_reviewer(programme, email=None, *, institution=None, name=""):
    user = f.make_staff(None, programme, email=email, name=name)
    Role.objects.create(user=user, programme=programme, kind=Role.Kind.REVIEWER,
                        institution=institution)
    return user


def assign(application, reviewer) -> ReviewAssignment:
    return ReviewAssignment.objects.create(application=application, reviewer=reviewer)


def review(assignment, values, *, comment="", submit=True):
    """Save (and submit) a review: ``values`` maps criterion name to 0–5 or None (N/A)."""
    criteria = {c.name: c for c in assignment.application.call.review_criteria.all()}
    answers = {criteria[name].pk: (value, "") for name, value in values.items()}
    services.review_save(assignment=assignment, actor=assignment.reviewer, answers=answers,
                         overall_comment=comment)
    if submit:
        services.review_submit(assignment=assignment, actor=assignment.reviewer)
    assignment.refresh_from_db()
    return assignment
