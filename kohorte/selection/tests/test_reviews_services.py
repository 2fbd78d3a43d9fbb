"""Services of the review stage against the database, each with its audit entry."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.selection.models import (
    ConflictOfInterest,
    CriterionScore,
    ReviewAssignment,
    ReviewCriterion,
    SelectionPolicy,
)
from kohorte.selection.services import reviews as services

from .reviewing import assign, make_criteria, make_reviewer, review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked in the English source, whatever the translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def setting(personas):
    s = personas
    s.criteria = make_criteria(s.call)
    s.application = f.make_application(s.call, submit=True)
    s.assignment = assign(s.application, s.reviewer)
    return s


def _audit(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


# --- Criteria ------------------------------------------------------------------------------

def test_a_coordinator_adds_a_criterion_at_the_end_and_it_is_audited(setting):
    s = setting
    criterion = services.review_criterion_add(call=s.call, name="Teamfähigkeit", weight="1.5",
                                              description="Arbeit im Team", actor=s.coordinator)
    assert criterion.position == 4 and criterion.weight == Decimal("1.5")
    entry = _audit("review_criterion.add")
    assert entry.actor == s.coordinator and entry.object_id == str(criterion.pk)
    assert entry.data == {"name": "Teamfähigkeit", "weight": "1.50"}


def test_two_criteria_of_a_call_cannot_share_a_name(setting):
    with pytest.raises(ValidationError, match="already has a criterion"):
        services.review_criterion_add(call=setting.call, name="motivation", weight=1,
                                      actor=setting.coordinator)


def test_a_weight_of_zero_is_refused(setting):
    with pytest.raises(ValidationError, match="between 0.01"):
        services.review_criterion_add(call=setting.call, name="Neu", weight=0,
                                      actor=setting.coordinator)


def test_editing_a_criterion_keeps_the_old_and_new_values_in_the_audit(setting):
    s = setting
    praxis = s.criteria[0]
    services.review_criterion_edit(criterion=praxis, name="Praxisbezug im Quartier", weight=3,
                                   description="", actor=s.coordinator)
    praxis.refresh_from_db()
    assert (praxis.name, praxis.weight) == ("Praxisbezug im Quartier", Decimal("3"))
    assert _audit("review_criterion.edit").data == {
        "before": {"name": "Praxisbezug", "weight": "2.00"},
        "after": {"name": "Praxisbezug im Quartier", "weight": "3.00"}}


def test_moving_a_criterion_swaps_it_with_its_neighbour(setting):
    s = setting
    services.review_criterion_move(criterion=s.criteria[2], up=True, actor=s.coordinator)
    names = list(ReviewCriterion.objects.filter(call=s.call).values_list("name", flat=True))
    assert names == ["Praxisbezug", "Transferpotenzial", "Motivation"]
    services.review_criterion_move(criterion=s.criteria[0], up=True, actor=s.coordinator)
    assert list(ReviewCriterion.objects.filter(call=s.call).values_list("name", flat=True)) == names
    assert _audit("review_criterion.move").data == {"name": "Transferpotenzial", "position": 2}


def test_removing_a_criterion_drops_its_draft_answers_and_renumbers_the_rest(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 3}, submit=False)
    services.review_criterion_remove(criterion=s.criteria[0], actor=s.coordinator)
    assert list(ReviewCriterion.objects.filter(call=s.call).values_list("name", "position")) == [
        ("Motivation", 1), ("Transferpotenzial", 2)]
    assert list(CriterionScore.objects.values_list("value", flat=True)) == [3]
    entry = _audit("review_criterion.remove")
    assert entry.object_id == str(s.call.pk)
    assert entry.data == {"name": "Praxisbezug", "weight": "2.00", "draft_answers_dropped": 1}


def test_after_the_first_submitted_review_every_criterion_change_is_refused(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 3, "Transferpotenzial": None})
    praxis = s.criteria[0]
    changes = [
        lambda: services.review_criterion_add(call=s.call, name="Neu", weight=1, actor=s.coordinator),
        lambda: services.review_criterion_edit(criterion=praxis, name="X", weight=1, actor=s.coordinator),
        lambda: services.review_criterion_move(criterion=praxis, up=False, actor=s.coordinator),
        lambda: services.review_criterion_remove(criterion=praxis, actor=s.coordinator),
    ]
    for change in changes:
        with pytest.raises(ValidationError, match="can no longer be changed"):
            change()
    assert ReviewCriterion.objects.filter(call=s.call).count() == 3
    assert not AuditEntry.objects.filter(action__startswith="review_criterion.",
                                         actor=s.coordinator).exists()


# --- The selection policy ------------------------------------------------------------------

def test_every_save_of_the_policy_is_a_new_version_and_old_versions_stay(setting):
    s = setting
    first = services.selection_policy_save(
        call=s.call, actor=s.coordinator, max_per_organisation=2,
        region_bounds={"Darmstadt": {"min": 5, "max": None}, "Kassel": {"min": None}})
    second = services.selection_policy_save(call=s.call, actor=s.coordinator,
                                            max_per_organisation=1, reviewers_per_application=3)
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.max_per_organisation == 2 and first.region_bounds == {"Darmstadt": {"min": 5}}
    assert first.created_by == s.coordinator
    # What the second save did not name is carried over from the first.
    assert second.region_bounds == {"Darmstadt": {"min": 5}}
    assert SelectionPolicy.objects.filter(call=s.call).count() == 2
    entry = _audit("selection_policy.save")
    assert entry.object_id == str(second.pk) and entry.data["version"] == 2
    assert entry.data["changed"] == ["max_per_organisation", "reviewers_per_application"]


def test_a_minimum_above_its_maximum_is_refused_naming_the_region(setting):
    with pytest.raises(ValidationError) as caught:
        services.selection_policy_save(call=setting.call, actor=setting.coordinator,
                                       region_bounds={"Gießen": {"min": 4, "max": 2}})
    assert "Gießen" in caught.value.messages[0] and "above the maximum" in caught.value.messages[0]
    assert not SelectionPolicy.objects.exists()


def test_minima_adding_up_to_more_than_the_places_are_refused_naming_the_regions(setting):
    s = setting  # the call has 20 places
    with pytest.raises(ValidationError) as caught:
        services.selection_policy_save(call=s.call, actor=s.coordinator, region_bounds={
            "Darmstadt": {"min": 10}, "Gießen": {"min": 6}, "Kassel": {"min": 5}})
    message = caught.value.messages[0]
    assert "Darmstadt 10, Gießen 6, Kassel 5" in message and "21" in message and "20" in message
    policy = services.selection_policy_save(call=s.call, actor=s.coordinator, region_bounds={
        "Darmstadt": {"min": 10}, "Gießen": {"min": 5}, "Kassel": {"min": 5}})
    assert policy.version == 1


def test_a_policy_with_a_field_out_of_range_is_refused(setting):
    with pytest.raises(ValidationError):
        services.selection_policy_save(call=setting.call, actor=setting.coordinator,
                                       reviewers_per_application=9)


# --- Conflicts of interest ------------------------------------------------------------------

def test_a_declared_conflict_removes_the_open_assignment_and_is_audited(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 2}, submit=False)
    conflict = services.conflict_declare(call=s.call, reviewer=s.reviewer, actor=s.reviewer,
                                         organisation=s.application.organisation, note="Ex-Kollegin")
    assert conflict.organisation == s.application.organisation
    assert not ReviewAssignment.objects.filter(pk=s.assignment.pk).exists()
    assert not CriterionScore.objects.exists()
    entry = _audit("conflict.declare")
    assert entry.actor == s.reviewer and entry.object_id == str(conflict.pk)
    assert entry.data["assignments_removed"] == [s.application.reference]


def test_declaring_the_same_conflict_twice_keeps_one_record(setting):
    s = setting
    for _ in range(2):
        services.conflict_declare(call=s.call, reviewer=s.reviewer, actor=s.coordinator,
                                  application=s.application)
    assert ConflictOfInterest.objects.count() == 1
    assert _audit("conflict.declare").data["again"] is True


def test_a_conflict_is_refused_once_the_review_is_submitted(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    with pytest.raises(ValidationError, match="reopen"):
        services.conflict_declare(call=s.call, reviewer=s.reviewer, actor=s.reviewer,
                                  application=s.application)
    assert ReviewAssignment.objects.filter(pk=s.assignment.pk).exists()


def test_only_reviewers_of_the_programme_can_have_a_conflict(setting):
    s = setting
    with pytest.raises(ValidationError, match="Only reviewers"):
        services.conflict_declare(call=s.call, reviewer=s.lecturer, actor=s.coordinator,
                                  application=s.application)
    with pytest.raises(ValidationError, match="either"):
        services.conflict_declare(call=s.call, reviewer=s.reviewer, actor=s.reviewer)


# --- Reviews --------------------------------------------------------------------------------

def test_a_draft_keeps_scores_not_applicable_and_comments_and_leaves_the_rest_open(setting):
    s = setting
    praxis, motivation, _transfer = s.criteria
    services.review_save(assignment=s.assignment, actor=s.reviewer, overall_comment="gut",
                         answers={praxis.pk: (4, "konkret"), motivation.pk: (None, "")})
    rows = {c.criterion_id: (c.value, c.comment) for c in CriterionScore.objects.all()}
    assert rows == {praxis.pk: (4, "konkret"), motivation.pk: (None, "")}
    s.assignment.refresh_from_db()
    assert s.assignment.submitted_at is None and s.assignment.score is None
    assert s.assignment.overall_comment == "gut"
    assert _audit("review.save").data == {"answered": 2, "criteria": 3}
    # Saving again without an answer withdraws it.
    services.review_save(assignment=s.assignment, actor=s.reviewer, answers={praxis.pk: (5, "")})
    assert list(CriterionScore.objects.values_list("criterion_id", "value")) == [(praxis.pk, 5)]


def test_submitting_stores_the_weighted_mean_with_not_applicable_left_out(setting):
    s = setting
    done = review(s.assignment, {"Praxisbezug": 4, "Motivation": None, "Transferpotenzial": 1})
    # (2*4 + 1*1) / 3 = 3.00; counting N/A as 0 would give 2.25.
    assert done.score == Decimal("3.00") and done.submitted_at is not None
    entry = _audit("review.submit")
    assert entry.actor == s.reviewer and entry.data == {"score": "3.00"}


def test_the_score_is_rounded_half_up_to_two_decimals(setting):
    s = setting
    done = review(s.assignment, {"Praxisbezug": 5, "Motivation": 4, "Transferpotenzial": 4})
    assert done.score == Decimal("4.50")
    other = review(assign(s.application, make_reviewer(s.programme)),
                   {"Praxisbezug": 4, "Motivation": 5, "Transferpotenzial": None})
    assert other.score == Decimal("4.33")  # 13/3


def test_a_review_with_an_unanswered_criterion_cannot_be_submitted(setting):
    s = setting
    with pytest.raises(ValidationError, match="Transferpotenzial"):
        review(s.assignment, {"Praxisbezug": 4, "Motivation": 4})
    s.assignment.refresh_from_db()
    assert s.assignment.submitted_at is None


def test_a_review_with_every_criterion_not_applicable_cannot_be_submitted(setting):
    with pytest.raises(ValidationError, match="at least one criterion"):
        review(setting.assignment, {"Praxisbezug": None, "Motivation": None,
                                    "Transferpotenzial": None})


def test_only_the_assigned_reviewer_writes_the_review(setting):
    s = setting
    with pytest.raises(ValidationError, match="Only the assigned reviewer"):
        services.review_save(assignment=s.assignment, actor=s.coordinator,
                             answers={s.criteria[0].pk: (3, "")})
    with pytest.raises(ValidationError, match="Only the assigned reviewer"):
        services.review_submit(assignment=s.assignment, actor=s.coordinator)


def test_scores_outside_0_to_5_are_refused(setting):
    s = setting
    for value in (6, -1, "3"):
        with pytest.raises(ValidationError, match="0 to 5"):
            services.review_save(assignment=s.assignment, actor=s.reviewer,
                                 answers={s.criteria[0].pk: (value, "")})


def test_a_submitted_review_is_read_only(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    with pytest.raises(ValidationError, match="submitted"):
        services.review_save(assignment=s.assignment, actor=s.reviewer,
                             answers={s.criteria[0].pk: (0, "")})
    with pytest.raises(ValidationError, match="submitted"):
        services.review_submit(assignment=s.assignment, actor=s.reviewer)
    assert set(CriterionScore.objects.values_list("value", flat=True)) == {4}


def test_a_coordinator_reopens_a_review_with_a_reason_and_the_reviewer_is_told(setting):
    s = setting
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    services.review_reopen(assignment=s.assignment, actor=s.coordinator,
                           reason="Motivation bitte begründen")
    s.assignment.refresh_from_db()
    assert s.assignment.submitted_at is None and s.assignment.score is None
    entry = _audit("review.reopen")
    assert entry.actor == s.coordinator and entry.reason == "Motivation bitte begründen"
    assert entry.data == {"score": "4.00"}
    mail = OutboxMail.objects.get(template="review_reopened")
    assert mail.to == s.reviewer.email and "Motivation bitte begründen" in mail.body
    assert s.application.reference in mail.subject
    # It can be changed and submitted again.
    again = review(s.assignment, {"Praxisbezug": 2, "Motivation": 4, "Transferpotenzial": 4})
    assert again.score == Decimal("3.00")


def test_reopening_needs_a_reason_and_a_submitted_review(setting):
    s = setting
    with pytest.raises(ValidationError, match="not submitted"):
        services.review_reopen(assignment=s.assignment, actor=s.coordinator, reason="x")
    review(s.assignment, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    with pytest.raises(ValidationError, match="reason"):
        services.review_reopen(assignment=s.assignment, actor=s.coordinator, reason="  ")
    assert not AuditEntry.objects.filter(action="review.reopen").exists()


def test_an_open_assignment_can_be_removed_with_a_reason_a_submitted_one_not(setting):
    s = setting
    services.review_assignment_remove(assignment=s.assignment, actor=s.coordinator,
                                      reason="Gutachterin erkrankt")
    assert not ReviewAssignment.objects.exists()
    entry = _audit("review.unassign")
    assert entry.reason == "Gutachterin erkrankt" and entry.object_id == str(s.call.pk)
    assert entry.data == {"reviewer": s.reviewer.pk, "application": s.application.reference}
    done = review(assign(s.application, s.reviewer),
                  {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    with pytest.raises(ValidationError, match="reopen it first"):
        services.review_assignment_remove(assignment=done, actor=s.coordinator, reason="x")
