"""The permission matrix (docs/permissions.md), tested cell by cell.

Each (object, action) row of the matrix is mapped to one concrete request below. For
every role the test asserts what the row says: ``yes`` succeeds, ``no`` is refused
(403, or 404 where the object is hidden). The outsider (coordinator of another
programme) is refused everywhere, an applicant gets 403 and an anonymous visitor is
sent to the staff sign-in. A row without a request fails the test run, so the matrix
and the tests cannot drift apart.
"""

import pytest
from django.urls import reverse

from kohorte.accounts.models import Role
from kohorte.applications.models import Call
from kohorte.budget.tests.matrix_requests import REQUESTS as BUDGET_REQUESTS
from kohorte.core.access import MATRIX_FILE, matrix
from kohorte.core.tests import factories as f
from kohorte.courses.tests.matrix_requests import REQUESTS as COURSE_REQUESTS
from kohorte.evaluation.tests.matrix_requests import REQUESTS as EVALUATION_REQUESTS
from kohorte.notifications.models import OutboxMail
from kohorte.notifications.services import mail_enqueue
from kohorte.reporting.tests.matrix_requests import REQUESTS as REPORTING_REQUESTS

ROLES = list(Role.Kind.values)
NEEDS = "Gebärdensprachdolmetschung bitte"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(personas):
    """One of each object the matrix speaks of, in the personas' programme."""
    w = personas
    w.application = f.make_application(
        personas.call, personas.applicant, submit=True,
        accessibility={"accessibility_needs": NEEDS, "accessibility_consent": True})
    w.document = w.application.documents.get()
    w.draft_call = f.make_call(personas.programme, state=Call.State.DRAFT)
    w.mail = mail_enqueue(to="applicant@example.org", template="application_withdrawn",
                          context={"application": w.application, "call": personas.call},
                          about=w.application)
    OutboxMail.objects.filter(pk=w.mail.pk).update(state=OutboxMail.State.FAILED, attempts=8)
    w.role = Role.objects.get(user=personas.reviewer, programme=personas.programme)
    return w


def _staff(name, *args):
    return reverse(f"staff_applications:{name}", args=args)


# --- The review stage: its objects are made by the request that needs them. ---

def _reviews(name, *args):
    return reverse(f"reviews:{name}", args=args)


def _assignment(w, *, submitted=False):
    """The reviewer's assignment of the world's application (with criteria), made once."""
    from kohorte.selection.models import ReviewAssignment
    from kohorte.selection.services import reviews as review_services

    if not w.call.review_criteria.exists():
        review_services.review_criterion_add(call=w.call, name="Praxisbezug", weight=2, actor=None)
    assignment, _ = ReviewAssignment.objects.get_or_create(application=w.application,
                                                           reviewer=w.reviewer)
    if assignment.submitted_at is None and not assignment.scores.exists():
        answers = {c.pk: (4, "") for c in w.call.review_criteria.all()}
        review_services.review_save(assignment=assignment, actor=w.reviewer, answers=answers)
    if submitted and assignment.submitted_at is None:
        review_services.review_submit(assignment=assignment, actor=w.reviewer)
    return assignment


def _closed_call_with_criteria(w):
    _assignment(w)
    Call.objects.filter(pk=w.call.pk).update(state=Call.State.CLOSED)
    return w.call


# --- The selection: runs, offers, letters (each request makes what it needs). ---

def _selection(w):
    """The call closed, its one application reviewed, a selection policy set."""
    from kohorte.selection.tests import selection_world

    if not hasattr(w, "policy"):
        selection_world.review(w.application, 4)
        w.policy = selection_world.make_policy(w.call)
        selection_world.close(w.call)
    return w


def _proposed_run(w):
    from kohorte.selection.tests import selection_world

    # Drawn by the second coordinator, so that the coordinator may confirm (four eyes).
    return selection_world.drawn(_selection(w).call, by=w.coordinator2)


def _offer(w):
    from kohorte.selection.models import Offer
    from kohorte.selection.tests import selection_world

    selection_world.confirmed(_selection(w).call, drawn_by=w.coordinator2,
                              confirmed_by=w.coordinator)
    return Offer.objects.get(application=w.application)


def _selection_url(name, *args):
    return reverse(f"selection:{name}", args=args)


# (object, action) -> the request that exercises it, as (client, world) -> response.
REQUESTS = {
    ("call", "view"): lambda c, w: c.get(_staff("call_detail", w.call.pk)),
    ("call", "edit"): lambda c, w: c.get(
        reverse("admin:applications_call_change", args=[w.call.pk])),
    ("call", "publish"): lambda c, w: c.post(_staff("call_publish", w.draft_call.pk)),
    ("call", "close"): lambda c, w: c.post(_staff("call_close", w.call.pk)),
    ("application", "list"): lambda c, w: c.get(_staff("application_list", w.call.pk)),
    ("application", "view"): lambda c, w: c.get(_staff("application_detail", w.application.pk)),
    ("application", "export"): lambda c, w: c.get(
        _staff("application_export", w.call.pk, "csv")),
    ("application", "override_eligibility"): lambda c, w: c.post(
        _staff("eligibility_override", w.application.pk),
        {"tier": "tier2", "reason": "Standort nicht gefördert"}),
    ("application", "erase"): lambda c, w: c.post(
        _staff("application_erase", w.application.pk),
        {"reason": "Prüfung der Löschung", "confirm": "on"}),
    ("accessibility_needs", "view"): lambda c, w: c.get(
        _staff("application_detail", w.application.pk)),
    ("document", "download"): lambda c, w: c.get(
        _staff("document_download", w.application.pk, w.document.pk)),
    ("audit", "view"): lambda c, w: c.get(reverse("audit:log", args=[w.programme.slug])),
    ("outbox", "view"): lambda c, w: c.get(reverse("notifications:mail_detail", args=[w.mail.pk])),
    ("outbox", "retry"): lambda c, w: c.post(
        reverse("notifications:mail_retry", args=[w.mail.pk])),
    ("aggregates", "view"): lambda c, w: c.get(
        reverse("backoffice:call_figures", args=[w.call.pk])),
    ("reference_data", "edit"): lambda c, w: c.get(
        reverse("admin:programmes_programme_change", args=[w.programme.pk])),
    ("roles", "manage"): lambda c, w: c.get(
        reverse("admin:accounts_role_change", args=[w.role.pk])),
    ("review_criteria", "edit"): lambda c, w: c.get(_reviews("criteria", w.call.pk)),
    ("selection_policy", "edit"): lambda c, w: c.get(_reviews("policy", w.call.pk)),
    ("review_assignment", "manage"): lambda c, w: c.post(
        _reviews("assign", _closed_call_with_criteria(w).pk)),
    ("review", "view_assigned"): lambda c, w: c.get(
        _reviews("review_detail", _assignment(w).application_id)),
    ("review", "submit"): lambda c, w: c.post(
        _reviews("review_confirm", _assignment(w).application_id)),
    ("review", "view_all"): lambda c, w: c.get(_reviews("overview", w.call.pk)),
    ("review", "reopen"): lambda c, w: c.post(
        _reviews("review_reopen", _assignment(w, submitted=True).pk), {"reason": "Nachfrage"}),
    ("review", "export"): lambda c, w: c.get(_reviews("export", w.call.pk, "csv")),
    ("conflict", "declare"): lambda c, w: c.post(_reviews("conflicts", w.call.pk), {
        "reviewer": w.reviewer.pk, "organisation": w.application.organisation_id}),
    ("selection_run", "view"): lambda c, w: c.get(_selection_url("call_selection", w.call.pk)),
    ("selection_run", "prepare"): lambda c, w: c.post(
        _selection_url("run_prepare", _selection(w).call.pk)),
    ("selection_run", "confirm"): lambda c, w: c.post(
        _selection_url("run_confirm", _proposed_run(w).pk)),
    ("candidate", "pin_exclude"): lambda c, w: c.post(
        _selection_url("candidate_edit", w.application.pk),
        {"action": "exclude", "reason": "Freistellung zurückgezogen"}),
    ("offer", "view"): lambda c, w: c.get(_selection_url("call_offers", w.call.pk)),
    ("offer", "manage"): lambda c, w: c.post(
        _selection_url("offer_withdraw", _offer(w).pk), {"reason": "Doppelt vergeben"}),
    ("letters", "edit"): lambda c, w: c.post(
        _selection_url("letter_edit", w.call.pk, "offer"),
        {"subject": "Angebot: {call}", "body": "Hallo {name}, bitte bis {deadline}: {link}"}),
    ("group_message", "send"): lambda c, w: c.post(
        _selection_url("group_message", w.call.pk),
        {"group": "waiting", "subject": "Hinweis", "body": "Platz {position}",
         "token": "0" * 32, "preview": "1"}),
    **COURSE_REQUESTS,
    **EVALUATION_REQUESTS,
    **BUDGET_REQUESTS,
    **REPORTING_REQUESTS,
}

# Rows about a part of a page: allowed means the part is shown, denied that it is not.
SHOWN_ONLY_IF_ALLOWED = {
    ("accessibility_needs", "view"): NEEDS,
}

ROWS = sorted(matrix())


def _request(client, world, row):
    if row not in REQUESTS:
        pytest.fail(f"The matrix row {row} has no request in test_permission_matrix.REQUESTS")
    return REQUESTS[row](client, world)


def _to_sign_in(response):
    return response.status_code == 302 and response.url.startswith(
        reverse("accounts:staff_login"))


def _succeeded(response, row):
    if response.status_code not in (200, 302) or _to_sign_in(response):
        return False
    marker = SHOWN_ONLY_IF_ALLOWED.get(row)
    return marker is None or marker in response.content.decode()


def _refused(response, row):
    if response.status_code in (403, 404):
        return True
    marker = SHOWN_ONLY_IF_ALLOWED.get(row)
    return (marker is not None and response.status_code == 200
            and marker not in response.content.decode())


def test_every_row_of_the_matrix_has_a_request_and_every_request_a_row():
    assert set(matrix()) - set(REQUESTS) == set(), "rows without a request"
    assert set(REQUESTS) - set(matrix()) == set(), "requests for rows no longer in the matrix"


def test_the_matrix_names_exactly_the_roles_a_person_can_have():
    text = MATRIX_FILE.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| object | action |"))
    assert [cell.strip() for cell in header.strip("|").split("|")][2:] == ROLES


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: ".".join(row))
def test_each_role_gets_what_the_matrix_says(client, world, row, role):
    f.login_staff(client, getattr(world, role))
    response = _request(client, world, row)
    if role in matrix()[row]:
        assert _succeeded(response, row), (
            f"{role} should be allowed {'.'.join(row)}, got {response.status_code}")
    else:
        assert _refused(response, row), (
            f"{role} should be refused {'.'.join(row)}, got {response.status_code}")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: ".".join(row))
def test_the_coordinator_of_another_programme_is_refused_everywhere(client, world, row):
    f.login_staff(client, world.outsider)
    response = _request(client, world, row)
    assert response.status_code in (403, 404), response.status_code


@pytest.mark.parametrize("row", ROWS, ids=lambda row: ".".join(row))
def test_an_applicant_gets_403_everywhere(client, world, row):
    client.force_login(world.applicant)
    assert _request(client, world, row).status_code == 403


@pytest.mark.parametrize("row", ROWS, ids=lambda row: ".".join(row))
def test_an_anonymous_visitor_is_sent_to_the_staff_sign_in(client, world, row):
    assert _to_sign_in(_request(client, world, row))
