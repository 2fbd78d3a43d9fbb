"""The assignment service against the database: who is eligible, what is kept, audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kohorte.applications.services import eligibility_override
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.programmes.models import Institution
from kohorte.selection.models import ReviewAssignment
from kohorte.selection.services import reviews as services
from kohorte.selection.services.assignment import (
    CONFLICTS,
    assignment_outlook,
    review_assignments_run,
)

from .reviewing import after_deadline, assign, make_criteria, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked in the English source, whatever the translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def setting(personas):
    """The personas' call with criteria, three reviewers and four applications."""
    s = personas
    make_criteria(s.call)
    s.reviewer2 = make_reviewer(s.programme, "reviewer2@example.org")
    s.reviewer3 = make_reviewer(s.programme, "reviewer3@example.org")
    s.tier1 = f.make_application(s.call, submit=True)
    s.tier2 = f.make_application(s.call, submit=True, site=f.make_site())
    s.volunteer = f.make_application(s.call, submit=True, employment_kind="volunteer")
    s.draft = f.make_application(s.call)
    s.now = after_deadline(s.call)
    return s


def _pairs(call):
    return set(ReviewAssignment.objects.filter(application__call=call)
               .values_list("reviewer_id", "application_id"))


def test_eligible_applications_get_two_reviewers_and_the_run_is_audited(setting):
    s = setting
    result = review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    assert len(result.created) == 4 and result.gaps == []
    by_app = {}
    for reviewer, app in _pairs(s.call):
        by_app.setdefault(app, set()).add(reviewer)
    assert set(by_app) == {s.tier1.pk, s.tier2.pk}  # not the volunteer, not the draft
    assert all(len(reviewers) == 2 for reviewers in by_app.values())
    assert ReviewAssignment.objects.filter(application__call=s.call).first().assigned_at == s.now
    entry = AuditEntry.objects.get(action="review.assign")
    assert entry.actor == s.coordinator and entry.object_id == str(s.call.pk)
    assert len(entry.data["assigned"]) == 4 and entry.data["reviewers_per_application"] == 2
    mails = OutboxMail.objects.filter(template="review_assigned")
    assert mails.count() == len({r for r, _a in _pairs(s.call)})
    assert s.call.title in mails.first().subject
    assert s.tier1.full_name not in mails.first().body


def test_an_override_to_tier_2_counts_and_one_to_ineligible_takes_the_application_out(setting):
    s = setting
    eligibility_override(application=s.volunteer, tier="tier2", reason="Honorarkraft",
                         actor=s.coordinator)
    eligibility_override(application=s.tier2, tier="ineligible", reason="kein GWA-Kontext",
                         actor=s.coordinator)
    review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    assert {a for _r, a in _pairs(s.call)} == {s.tier1.pk, s.volunteer.pk}


def test_running_again_keeps_the_assignments_and_adds_only_the_missing_ones(setting):
    s = setting
    kept = assign(s.tier1, s.reviewer)
    review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    first = _pairs(s.call)
    assert (s.reviewer.pk, s.tier1.pk) in first and len(first) == 4
    late = f.make_application(s.call, submit=True)
    result = review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    assert len(result.created) == 2
    assert _pairs(s.call) - first == {(r.reviewer_id, r.application_id) for r in result.created}
    assert {a for _r, a in _pairs(s.call) - first} == {late.pk}
    assert ReviewAssignment.objects.filter(pk=kept.pk).exists()


def test_a_conflict_with_the_traeger_is_respected_and_a_shortage_is_reported(setting):
    s = setting
    for reviewer in (s.reviewer, s.reviewer2):
        services.conflict_declare(call=s.call, reviewer=reviewer, actor=reviewer,
                                  organisation=s.tier1.organisation)
    result = review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    reviewers_of_tier1 = {r for r, a in _pairs(s.call) if a == s.tier1.pk}
    assert reviewers_of_tier1 == {s.reviewer3.pk}
    assert [(a.pk, g.missing, g.reason) for a, g in result.gaps] == [(s.tier1.pk, 1, CONFLICTS)]
    entry = AuditEntry.objects.get(action="review.assign")
    assert entry.data["not_fully_assigned"] == [[s.tier1.reference, 1, CONFLICTS]]


def test_with_the_institution_rule_the_reviewers_come_from_both_universities(setting):
    s = setting
    fulda = Institution.objects.create(name="Hochschule Fulda", short_name="HS Fulda")
    rheinmain = Institution.objects.create(name="Hochschule RheinMain", short_name="HS RM")
    for user, institution in ((s.reviewer, fulda), (s.reviewer2, fulda), (s.reviewer3, rheinmain)):
        user.roles.filter(kind="reviewer").update(institution=institution)
    services.selection_policy_save(call=s.call, actor=s.coordinator,
                                   one_reviewer_per_institution=True)
    review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    for app in (s.tier1, s.tier2):
        reviewers = {r for r, a in _pairs(s.call) if a == app.pk}
        assert s.reviewer3.pk in reviewers and len(reviewers) == 2


def test_the_policy_sets_the_number_of_reviewers(setting):
    s = setting
    services.selection_policy_save(call=s.call, actor=s.coordinator, reviewers_per_application=3,
                                   disagreement_threshold=Decimal("1.00"))
    review_assignments_run(call=s.call, actor=s.coordinator, now=s.now)
    assert len(_pairs(s.call)) == 6


def test_assignment_is_refused_before_the_deadline_and_without_criteria(setting):
    s = setting
    with pytest.raises(ValidationError, match="after the call's deadline"):
        review_assignments_run(call=s.call, actor=s.coordinator, now=s.call.deadline)
    empty = f.make_call(s.programme)
    with pytest.raises(ValidationError, match="criteria"):
        review_assignments_run(call=empty, actor=s.coordinator, now=after_deadline(empty))
    assert not ReviewAssignment.objects.exists()
    assert not AuditEntry.objects.filter(action="review.assign").exists()


def test_the_outlook_tells_what_a_run_would_add_without_adding_it(setting):
    s = setting
    assign(s.tier1, s.reviewer)
    outlook = assignment_outlook(call=s.call)
    assert outlook.to_add == 3 and outlook.gaps == []
    assert ReviewAssignment.objects.count() == 1
