"""The review pages: what reviewers and coordinators see and do, and who is refused."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.selection.models import (
    ConflictOfInterest,
    CriterionScore,
    ReviewAssignment,
    ReviewCriterion,
    SelectionPolicy,
)

from .reviewing import assign, close, make_criteria, make_reviewer, review

pytestmark = pytest.mark.django_db
NEEDS = "Rollstuhlgerechter Raum erbeten"
OTHER_COMMENT = "Sehr überzeugendes Praxisprojekt"


@pytest.fixture
def world(personas):
    w = personas
    w.criteria = make_criteria(w.call)
    w.reviewer2 = make_reviewer(w.programme, "reviewer2@example.org", name="Zweite Gutachterin")
    w.application = f.make_application(
        w.call, submit=True, motivation={"motivation": "Ich will Beteiligung lernen."},
        accessibility={"accessibility_needs": NEEDS, "accessibility_consent": True})
    w.unassigned = f.make_application(w.call, submit=True)
    w.mine = assign(w.application, w.reviewer)
    w.theirs = assign(w.application, w.reviewer2)
    return w


def _as(client, user):
    f.login_staff(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(name, *args):
    return reverse(f"reviews:{name}", args=args)


def _answers(w, values, action="entwurf", overall=""):
    data = {"aktion": action, "overall_comment": overall}
    for criterion in w.criteria:
        value = values.get(criterion.name)
        if value is not None:
            data[f"kriterium_{criterion.pk}"] = value
            data[f"kriterium_{criterion.pk}_kommentar"] = f"zu {criterion.name}"
    return data


# --- The reviewer's list and review page -----------------------------------------------------

def test_a_reviewer_sees_the_applications_assigned_to_them(client, world):
    response = _as(client, world.reviewer).get(_url("my_reviews"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.application.reference in page and world.unassigned.reference not in page


def test_the_list_of_reviews_is_refused_to_staff_without_the_reviewer_role(client, world):
    assert _as(client, world.coordinator).get(_url("my_reviews")).status_code == 403


def test_the_review_page_shows_the_answers_but_no_contact_health_data_or_documents(client, world):
    response = _as(client, world.reviewer).get(_url("review_detail", world.application.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ich will Beteiligung lernen." in page and world.application.full_name in page
    assert world.application.organisation.name in page and "Tier 1" in page
    assert NEEDS not in page
    assert world.application.email not in page
    assert "freistellung.pdf" not in page.lower()
    assert "dokumente" not in page


def test_a_reviewer_gets_404_for_an_application_not_assigned_to_them(client, world):
    _as(client, world.reviewer)
    assert client.get(_url("review_detail", world.unassigned.pk)).status_code == 404
    assert client.post(_url("review_detail", world.unassigned.pk),
                       _answers(world, {"Praxisbezug": "3"})).status_code == 404
    assert client.get(_url("review_confirm", world.unassigned.pk)).status_code == 404


def test_a_coordinator_cannot_open_the_reviewers_page_of_an_application(client, world):
    response = _as(client, world.coordinator).get(_url("review_detail", world.application.pk))
    assert response.status_code == 404


def test_another_reviewers_scores_are_hidden_until_the_own_review_is_submitted(client, world):
    review(world.theirs, {"Praxisbezug": 1, "Motivation": 1, "Transferpotenzial": 1},
           comment=OTHER_COMMENT)
    _as(client, world.reviewer)
    before = client.get(_url("review_detail", world.application.pk)).content.decode()
    assert OTHER_COMMENT not in before and "Zweite Gutachterin" not in before
    review(world.mine, {"Praxisbezug": 5, "Motivation": 5, "Transferpotenzial": 5})
    after = client.get(_url("review_detail", world.application.pk)).content.decode()
    assert OTHER_COMMENT in after and "Zweite Gutachterin" in after and "1.00" in after


def test_a_draft_is_saved_and_shown_again(client, world):
    _as(client, world.reviewer)
    response = client.post(_url("review_detail", world.application.pk),
                           _answers(world, {"Praxisbezug": "4", "Motivation": "na"},
                                    overall="Entwurf"))
    assert response.status_code == 302
    values = dict(CriterionScore.objects.values_list("criterion__name", "value"))
    assert values == {"Praxisbezug": 4, "Motivation": None}
    again = client.get(_url("review_detail", world.application.pk))
    praxis, motivation = world.criteria[0].pk, world.criteria[1].pk
    initial = again.context["form"].initial
    assert initial[f"kriterium_{praxis}"] == "4" and initial[f"kriterium_{motivation}"] == "na"
    assert f"kriterium_{world.criteria[2].pk}" not in initial
    page = again.content.decode()
    assert f'value="4" class="kern-form-check__radio" id="id_kriterium_{praxis}_4" checked' in page
    assert "Entwurf" in page


def test_continuing_to_submit_needs_every_criterion_answered(client, world):
    _as(client, world.reviewer)
    response = client.post(_url("review_detail", world.application.pk),
                           _answers(world, {"Praxisbezug": "4"}, action="absenden"))
    assert response.status_code == 400
    assert "Choose a score or “not applicable”" in response.content.decode()
    assert not CriterionScore.objects.exists()


def test_a_comment_without_a_score_is_refused_rather_than_lost(client, world):
    data = _answers(world, {})
    data[f"kriterium_{world.criteria[0].pk}_kommentar"] = "nur ein Kommentar"
    response = _as(client, world.reviewer).post(_url("review_detail", world.application.pk), data)
    assert response.status_code == 400 and not CriterionScore.objects.exists()


def test_a_review_is_checked_then_submitted_and_is_read_only_afterwards(client, world):
    _as(client, world.reviewer)
    response = client.post(_url("review_detail", world.application.pk), _answers(
        world, {"Praxisbezug": "4", "Motivation": "na", "Transferpotenzial": "1"},
        action="absenden"))
    assert response.url == _url("review_confirm", world.application.pk)
    check = client.get(response.url)
    assert check.status_code == 200 and "3.00" in check.content.decode()
    world.mine.refresh_from_db()
    assert world.mine.submitted_at is None
    assert client.post(_url("review_confirm", world.application.pk)).status_code == 302
    world.mine.refresh_from_db()
    assert world.mine.submitted_at is not None and world.mine.score == Decimal("3.00")
    page = client.get(_url("review_detail", world.application.pk)).content.decode()
    assert f'name="kriterium_{world.criteria[0].pk}"' not in page
    again = client.post(_url("review_detail", world.application.pk),
                        _answers(world, {"Praxisbezug": "0", "Motivation": "0",
                                         "Transferpotenzial": "0"}))
    assert again.status_code == 400
    world.mine.refresh_from_db()
    assert world.mine.score == Decimal("3.00")


def test_the_check_page_offers_no_submit_while_criteria_are_open(client, world):
    review(world.mine, {"Praxisbezug": 3}, submit=False)
    _as(client, world.reviewer)
    page = client.get(_url("review_confirm", world.application.pk)).content.decode()
    assert "Motivation" in page and "Submit the review" not in page
    assert client.post(_url("review_confirm", world.application.pk)).status_code == 409


# --- Conflicts of interest ------------------------------------------------------------------

def test_a_reviewer_declares_a_conflict_with_a_traeger_and_loses_the_assignment(client, world):
    _as(client, world.reviewer)
    page = client.get(_url("conflicts", world.call.pk))
    assert page.status_code == 200 and 'name="reviewer"' not in page.content.decode()
    response = client.post(_url("conflicts", world.call.pk), {
        "organisation": world.application.organisation_id, "application": "",
        "reviewer": world.reviewer2.pk, "note": "früherer Arbeitgeber"})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert conflict.reviewer == world.reviewer  # never for someone else
    assert not ReviewAssignment.objects.filter(pk=world.mine.pk).exists()
    assert ReviewAssignment.objects.filter(pk=world.theirs.pk).exists()


def test_a_reviewer_can_name_only_their_own_applications_in_a_conflict(client, world):
    response = _as(client, world.reviewer).post(_url("conflicts", world.call.pk), {
        "application": world.unassigned.pk})
    assert response.status_code == 400 and not ConflictOfInterest.objects.exists()


def test_a_coordinator_declares_a_conflict_for_a_reviewer(client, world):
    _as(client, world.coordinator)
    assert 'name="reviewer"' in client.get(_url("conflicts", world.call.pk)).content.decode()
    response = client.post(_url("conflicts", world.call.pk), {
        "reviewer": world.reviewer2.pk, "application": world.application.pk})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.reviewer, conflict.application) == (world.reviewer2, world.application)
    assert AuditEntry.objects.get(action="conflict.declare").actor == world.coordinator


def test_a_conflict_names_either_a_traeger_or_an_application(client, world):
    response = _as(client, world.reviewer).post(_url("conflicts", world.call.pk), {
        "organisation": world.application.organisation_id, "application": world.application.pk})
    assert response.status_code == 400 and not ConflictOfInterest.objects.exists()


def test_conflicts_are_refused_to_a_lecturer(client, world):
    assert _as(client, world.lecturer).get(_url("conflicts", world.call.pk)).status_code == 403


# --- The coordinators' overview and assignment -------------------------------------------------

def test_the_overview_shows_progress_scores_and_the_disagreement_flag(client, world):
    review(world.mine, {"Praxisbezug": 5, "Motivation": 5, "Transferpotenzial": 5})
    review(world.theirs, {"Praxisbezug": 1, "Motivation": 2, "Transferpotenzial": 1})
    response = _as(client, world.coordinator).get(_url("overview", world.call.pk))
    assert response.status_code == 200
    overview = response.context["overview"]
    row = next(r for r in overview.rows if r.application == world.application)
    # 5.00 and 1.25: mean 3.13 (3.125 half up), spread 3.75 > 1.50.
    assert row.summary.score == Decimal("3.13") and row.summary.count == 2
    assert row.summary.spread == Decimal("3.75") and row.summary.disagreement
    assert overview.assigned == 2 and overview.submitted == 2
    page = response.content.decode()
    assert "3.13" in page and "disagreement" in page and world.unassigned.reference in page
    # The unassigned application is still to be assigned, and nothing blocks it.
    assert response.context["outlook"].to_add == 2


def test_the_overview_can_show_only_the_disagreements_ordered_by_score(client, world):
    review(world.mine, {"Praxisbezug": 5, "Motivation": 5, "Transferpotenzial": 5})
    review(world.theirs, {"Praxisbezug": 1, "Motivation": 2, "Transferpotenzial": 1})
    response = _as(client, world.coordinator).get(_url("overview", world.call.pk),
                                                  {"order": "score", "disagreement": "on"})
    assert [r.application for r in response.context["overview"].rows] == [world.application]
    bad = client.get(_url("overview", world.call.pk), {"order": "nonsense"})
    assert bad.status_code == 400


def test_the_overview_is_refused_to_reviewers_and_other_programmes(client, world):
    assert _as(client, world.reviewer).get(_url("overview", world.call.pk)).status_code == 403
    assert _as(client, world.outsider).get(_url("overview", world.call.pk)).status_code == 403


def test_a_coordinator_assigns_reviewers_after_the_deadline(client, world):
    close(world.call)
    response = _as(client, world.coordinator).post(_url("assign", world.call.pk))
    assert response.status_code == 302
    assert ReviewAssignment.objects.filter(application=world.unassigned).count() == 2


def test_assignment_before_the_deadline_is_refused_with_a_message(client, world):
    response = _as(client, world.coordinator).post(_url("assign", world.call.pk), follow=True)
    assert "Reviews are assigned after the call" in response.content.decode()
    assert not ReviewAssignment.objects.filter(application=world.unassigned).exists()


def test_assignment_is_refused_to_reviewers(client, world):
    close(world.call)
    assert _as(client, world.reviewer).post(_url("assign", world.call.pk)).status_code == 403
    assert not ReviewAssignment.objects.filter(application=world.unassigned).exists()


# --- One review, reopened or removed ------------------------------------------------------------

def test_a_coordinator_reads_a_submitted_review_and_reopens_it_with_a_reason(client, world):
    review(world.mine, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4},
           comment="Gesamturteil")
    _as(client, world.coordinator)
    page = client.get(_url("assignment_detail", world.mine.pk))
    assert page.status_code == 200 and "Gesamturteil" in page.content.decode()
    assert client.post(_url("review_reopen", world.mine.pk), {"reason": ""}).status_code == 400
    response = client.post(_url("review_reopen", world.mine.pk), {"reason": "Bitte begründen"})
    assert response.status_code == 302
    world.mine.refresh_from_db()
    assert world.mine.submitted_at is None
    assert AuditEntry.objects.get(action="review.reopen").reason == "Bitte begründen"


def test_a_draft_is_not_shown_to_the_coordinator(client, world):
    review(world.mine, {"Praxisbezug": 4}, comment="noch unfertig", submit=False)
    page = _as(client, world.coordinator).get(_url("assignment_detail", world.mine.pk))
    assert "noch unfertig" not in page.content.decode()


def test_reviewers_cannot_read_or_reopen_reviews_in_the_back_office(client, world):
    review(world.mine, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    _as(client, world.reviewer)
    assert client.get(_url("assignment_detail", world.theirs.pk)).status_code == 403
    assert client.post(_url("review_reopen", world.mine.pk),
                       {"reason": "selbst"}).status_code == 403
    world.mine.refresh_from_db()
    assert world.mine.submitted_at is not None


def test_a_coordinator_removes_an_open_assignment_with_a_reason(client, world):
    _as(client, world.coordinator)
    response = client.post(_url("assignment_remove", world.mine.pk), {"reason": "erkrankt"})
    assert response.status_code == 302 and response.url == _url("overview", world.call.pk)
    assert not ReviewAssignment.objects.filter(pk=world.mine.pk).exists()


def test_removing_an_assignment_is_refused_to_reviewers(client, world):
    response = _as(client, world.reviewer).post(_url("assignment_remove", world.theirs.pk),
                                                {"reason": "x"})
    assert response.status_code == 403
    assert ReviewAssignment.objects.filter(pk=world.theirs.pk).exists()


# --- Criteria -----------------------------------------------------------------------------------

def test_a_coordinator_adds_edits_moves_and_removes_criteria(client, world):
    _as(client, world.coordinator)
    assert client.get(_url("criteria", world.call.pk)).status_code == 200
    assert client.post(_url("criteria", world.call.pk),
                       {"name": "Teamarbeit", "weight": "1.5", "description": ""}).status_code == 302
    added = ReviewCriterion.objects.get(name="Teamarbeit")
    assert added.weight == Decimal("1.5") and added.position == 4
    assert client.get(_url("criterion_edit", added.pk)).status_code == 200
    assert client.post(_url("criterion_edit", added.pk),
                       {"name": "Teamfähigkeit", "weight": "2", "description": "x"}).status_code == 302
    assert client.post(_url("criterion_move", added.pk), {"richtung": "hoch"}).status_code == 302
    assert list(ReviewCriterion.objects.filter(call=world.call).values_list("name", flat=True)) == [
        "Praxisbezug", "Motivation", "Teamfähigkeit", "Transferpotenzial"]
    assert client.post(_url("criterion_remove", added.pk)).status_code == 302
    assert not ReviewCriterion.objects.filter(pk=added.pk).exists()


def test_a_criterion_without_a_name_or_with_a_taken_name_is_refused(client, world):
    _as(client, world.coordinator)
    assert client.post(_url("criteria", world.call.pk),
                       {"name": "", "weight": "1"}).status_code == 400
    response = client.post(_url("criteria", world.call.pk), {"name": "Motivation", "weight": "1"})
    assert response.status_code == 400 and "already has a criterion" in response.content.decode()


def test_after_the_first_review_the_criteria_page_refuses_changes_with_a_message(client, world):
    review(world.mine, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    _as(client, world.coordinator)
    page = client.get(_url("criteria", world.call.pk)).content.decode()
    assert "can no longer be changed" in page and "Add the criterion" not in page
    response = client.post(_url("criteria", world.call.pk), {"name": "Neu", "weight": "1"})
    assert response.status_code == 400 and "can no longer be changed" in response.content.decode()
    removal = client.post(_url("criterion_remove", world.criteria[0].pk), follow=True)
    assert "can no longer be changed" in removal.content.decode()
    assert ReviewCriterion.objects.filter(call=world.call).count() == 3


def test_criteria_are_refused_to_reviewers(client, world):
    _as(client, world.reviewer)
    assert client.get(_url("criteria", world.call.pk)).status_code == 403
    assert client.post(_url("criterion_remove", world.criteria[0].pk)).status_code == 403
    assert client.post(_url("criterion_edit", world.criteria[0].pk),
                       {"name": "X", "weight": "1"}).status_code == 403
    assert ReviewCriterion.objects.filter(call=world.call).count() == 3


# --- The selection policy -----------------------------------------------------------------------

def _policy_data(**changes):
    data = {"reviewers_per_application": "2", "disagreement_threshold": "1.5",
            "max_per_organisation": "2", "max_per_site": "", "offer_days": "14",
            "offer_latest_days_before_start": "7", "reminder_days_before_deadline": "3",
            "legal_remedies_notice": "", "bezirk_0_min": "5", "bezirk_0_max": "",
            "bezirk_1_min": "3", "bezirk_1_max": "", "bezirk_2_min": "3", "bezirk_2_max": ""}
    data.update(changes)
    return data


def test_the_policy_page_has_a_minimum_and_maximum_for_each_regierungsbezirk(client, world):
    response = _as(client, world.coordinator).get(_url("policy", world.call.pk))
    assert response.status_code == 200
    assert response.context["form"].districts == ["Darmstadt", "Gießen", "Kassel"]
    page = response.content.decode()
    for index in range(3):
        assert f'name="bezirk_{index}_min"' in page and f'name="bezirk_{index}_max"' in page
    assert "Regierungsbezirk Gießen" in page and "At most (places)" in page


def test_saving_the_policy_creates_a_new_version_each_time(client, world):
    _as(client, world.coordinator)
    assert client.post(_url("policy", world.call.pk), _policy_data()).status_code == 302
    assert client.post(_url("policy", world.call.pk),
                       _policy_data(bezirk_2_max="6")).status_code == 302
    first, second = SelectionPolicy.objects.filter(call=world.call).order_by("version")
    assert first.region_bounds == {"Darmstadt": {"min": 5}, "Gießen": {"min": 3},
                                   "Kassel": {"min": 3}}
    assert second.region_bounds["Kassel"] == {"min": 3, "max": 6}
    assert first.disagreement_threshold == Decimal("1.50") and first.max_per_organisation == 2
    page = client.get(_url("policy", world.call.pk))
    assert page.context["form"].initial["bezirk_2_max"] == 6


def test_a_minimum_above_the_maximum_is_refused_naming_the_region(client, world):
    response = _as(client, world.coordinator).post(
        _url("policy", world.call.pk), _policy_data(bezirk_1_min="4", bezirk_1_max="2"))
    assert response.status_code == 400
    assert "Gießen: the minimum (4) is above the maximum (2)." in response.content.decode()
    assert not SelectionPolicy.objects.exists()


def test_minima_above_the_places_are_refused_naming_the_regions(client, world):
    response = _as(client, world.coordinator).post(
        _url("policy", world.call.pk), _policy_data(bezirk_0_min="12", bezirk_1_min="9"))
    assert response.status_code == 400
    assert "Darmstadt 12, Gießen 9, Kassel 3" in response.content.decode()
    assert not SelectionPolicy.objects.exists()


def test_the_policy_is_refused_to_reviewers(client, world):
    _as(client, world.reviewer)
    assert client.get(_url("policy", world.call.pk)).status_code == 403
    assert client.post(_url("policy", world.call.pk), _policy_data()).status_code == 403
    assert not SelectionPolicy.objects.exists()


def test_the_review_pages_send_anonymous_visitors_to_the_staff_sign_in(client, world):
    for url in (_url("my_reviews"), _url("review_detail", world.application.pk),
                _url("overview", world.call.pk), _url("policy", world.call.pk)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(
            reverse("accounts:staff_login"))


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_overview_and_the_reviewers_list_run_no_query_per_row(client, world):
    review(world.mine, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    coordinator = _as(client, world.coordinator)
    overview_before = _queries(coordinator, _url("overview", world.call.pk))
    _as(client, world.reviewer)
    list_before = _queries(client, _url("my_reviews"))
    for _ in range(4):
        application = f.make_application(world.call, submit=True)
        review(assign(application, world.reviewer), {"Praxisbezug": 3, "Motivation": 2,
                                                     "Transferpotenzial": None})
        assign(application, make_reviewer(world.programme))
    assert _queries(client, _url("my_reviews")) == list_before
    _as(client, world.coordinator)
    assert _queries(client, _url("overview", world.call.pk)) == overview_before


def test_the_admin_shows_reviews_to_coordinators_to_read_but_not_to_change(client, world):
    review(world.mine, {"Praxisbezug": 4, "Motivation": 4, "Transferpotenzial": 4})
    change = reverse("admin:selection_reviewassignment_change", args=[world.mine.pk])
    _as(client, world.coordinator)
    page = client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(change, {"score": "1.00"}).status_code == 403
    world.mine.refresh_from_db()
    assert world.mine.score == Decimal("4.00")
    assert client.get(reverse("admin:selection_reviewcriterion_changelist")).status_code == 200
    _as(client, world.reviewer)
    assert client.get(change).status_code == 403
