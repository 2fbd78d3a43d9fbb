"""Priority for earlier unsuccessful applicants: the person's consent at the rejection
(only on their own application), its withdrawal, its use when a later call of the
programme prepares its candidate list, and the coordinator's priority by hand."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.applications.tests.test_journey import english_client
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f

from ..models import Candidate, PriorityClaim
from ..services import priority as priority_services
from ..services import selection as services
from . import selection_world as w
from .test_selection_views import staff_client

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"selection:{name}", args=args)


@pytest.fixture
def earlier(personas):
    """A confirmed call with one place: the second applicant is selected, the applicant
    waits, a third person is taken out (rejected)."""
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=1)
    call.refresh_from_db()
    w.make_policy(call)
    call.selected = w.make_reviewed(call, 5, applicant=personas.second_applicant)
    call.waiting = w.make_reviewed(call, 2, applicant=personas.applicant)
    call.rejected = w.make_reviewed(call, 3)
    w.close(call)
    services.candidate_set(application=call.rejected, action="exclude",
                           reason="Freistellung zurückgezogen", actor=personas.coordinator)
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    return call


def later_call(personas, *, use_priority=True):
    """A later call of the same programme: the applicant (score 2) against a stronger
    applicant (score 4) for one place."""
    now = timezone.now()
    call = f.make_call(personas.programme, opens_at=now - timedelta(days=5),
                       closes_at=now + timedelta(days=60), places=1)
    w.make_policy(call, use_priority=use_priority)
    call.mine = w.make_reviewed(call, 2, applicant=personas.applicant)
    call.stronger = w.make_reviewed(call, 4)
    return w.close(call)


def consent(application):
    return priority_services.priority_claim_consent(application=application,
                                                    actor=application.applicant)


def row_of(run, application):
    return next(r for r in run.instance["applicants"] if r["id"] == application.reference)


# --- Consent and withdrawal by the person ----------------------------------------------------

def test_a_person_on_the_waiting_list_is_offered_to_be_remembered_and_asks_for_it(
        earlier, personas):
    client = english_client(personas.applicant)
    page = client.get(url("application_status", earlier.waiting.pk)).content.decode()
    assert f'action="{url("priority_consent", earlier.waiting.pk)}"' in page
    assert "Remember me for the next call of this programme" in page
    response = client.post(url("priority_consent", earlier.waiting.pk))
    assert response.status_code == 302
    claim = PriorityClaim.objects.get(user=personas.applicant)
    assert (claim.programme, claim.from_call, claim.is_open) == (personas.programme, earlier, True)
    entry = AuditEntry.objects.get(action="priority_claim.consent")
    assert entry.actor == personas.applicant and entry.object_id == str(claim.pk)
    page = client.get(url("application_status", earlier.waiting.pk)).content.decode()
    assert f'action="{url("priority_withdraw", earlier.waiting.pk)}"' in page


def test_a_rejected_person_may_ask_to_be_remembered_too(earlier):
    client = english_client(earlier.rejected.applicant)
    assert client.post(url("priority_consent", earlier.rejected.pk)).status_code == 302
    assert PriorityClaim.objects.filter(user=earlier.rejected.applicant).count() == 1


def test_asking_twice_keeps_one_claim_and_one_audit_entry(earlier, personas):
    first = consent(earlier.waiting)
    assert consent(earlier.waiting) == first
    client = english_client(personas.applicant)
    assert client.post(url("priority_consent", earlier.waiting.pk)).status_code == 302
    assert PriorityClaim.objects.count() == 1
    assert AuditEntry.objects.filter(action="priority_claim.consent").count() == 1


def test_another_persons_application_is_404_and_nothing_is_remembered(earlier, personas):
    client = english_client(personas.second_applicant)
    for name in ("application_status", "priority_consent", "priority_withdraw"):
        method = client.get if name == "application_status" else client.post
        assert method(url(name, earlier.waiting.pk)).status_code == 404, name
    assert not PriorityClaim.objects.exists()


def test_a_visitor_is_sent_to_sign_in(earlier, client):
    response = client.post(url("priority_consent", earlier.waiting.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not PriorityClaim.objects.exists()


def test_a_selected_person_gets_no_button_and_the_post_is_refused(earlier, personas):
    client = english_client(personas.second_applicant)
    page = client.get(url("application_status", earlier.selected.pk)).content.decode()
    assert url("priority_consent", earlier.selected.pk) not in page
    assert client.post(url("priority_consent", earlier.selected.pk)).status_code == 409
    assert not PriorityClaim.objects.exists()
    assert not AuditEntry.objects.filter(action="priority_claim.consent").exists()


def test_consent_is_refused_while_the_selection_is_pending(personas):
    call = personas.call
    w.make_policy(call)
    application = w.make_reviewed(call, 3, applicant=personas.applicant)
    client = english_client(personas.applicant)
    assert client.post(url("priority_consent", application.pk)).status_code == 409
    assert not PriorityClaim.objects.exists()


def test_withdrawing_the_consent_is_audited_and_a_second_withdrawal_changes_nothing(
        earlier, personas):
    claim = consent(earlier.waiting)
    client = english_client(personas.applicant)
    assert client.post(url("priority_withdraw", earlier.waiting.pk)).status_code == 302
    claim.refresh_from_db()
    assert claim.withdrawn_at is not None and not claim.is_open
    assert client.post(url("priority_withdraw", earlier.waiting.pk)).status_code == 302
    assert AuditEntry.objects.filter(action="priority_claim.withdraw").count() == 1
    page = client.get(url("application_status", earlier.waiting.pk)).content.decode()
    assert f'action="{url("priority_consent", earlier.waiting.pk)}"' in page


def test_the_claim_outlives_the_erasure_of_the_unsuccessful_application(earlier, personas):
    from kohorte.applications.retention import application_erase

    claim = consent(earlier.waiting)
    w.make_reviewed(f.make_call(personas.programme), applicant=personas.applicant)
    application_erase(application=earlier.waiting, actor=None, reason="6 months")
    claim.refresh_from_db()
    assert claim.is_open and claim.user == personas.applicant


# --- Use in a later call --------------------------------------------------------------------

def test_a_later_call_gives_priority_to_an_open_claim_and_its_confirmation_uses_it(
        earlier, personas):
    claim = consent(earlier.waiting)
    call = later_call(personas)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert row_of(run, call.mine)["priority"] is True
    assert row_of(run, call.stronger)["priority"] is False
    assert Candidate.objects.get(application=call.mine).priority is True
    entry = AuditEntry.objects.get(action="candidate.priority")
    assert entry.object_id == str(call.mine.pk)
    assert entry.reason == ("earlier unsuccessful, consent of "
                            + timezone.localtime(claim.consented_at).strftime("%d.%m.%Y"))
    run = services.selection_run_draw(run=run, seed=w.SEED, seed_source="Lotto",
                                      actor=personas.coordinator)
    assert run.result["selected"] == [call.mine.reference]
    services.selection_run_confirm(run=run, actor=personas.coordinator2)
    claim.refresh_from_db()
    assert claim.used_in_call == call and not claim.is_open
    assert AuditEntry.objects.filter(action="priority_claim.use").count() == 1


def test_without_use_priority_in_the_policy_a_claim_has_no_effect(earlier, personas):
    claim = consent(earlier.waiting)
    call = later_call(personas, use_priority=False)
    run = w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    assert row_of(run, call.mine)["priority"] is False
    assert run.result["selected"] == [call.stronger.reference]
    assert not AuditEntry.objects.filter(action="candidate.priority").exists()
    claim.refresh_from_db()
    assert claim.is_open


def test_a_withdrawn_claim_gives_no_priority(earlier, personas):
    consent(earlier.waiting)
    priority_services.priority_claim_withdraw(application=earlier.waiting,
                                              actor=personas.applicant)
    call = later_call(personas)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert row_of(run, call.mine)["priority"] is False


def test_a_claim_withdrawn_after_a_discarded_run_is_lifted_at_the_next_preparation(
        earlier, personas):
    consent(earlier.waiting)
    call = later_call(personas)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    services.selection_run_discard(run=run, reason="Neu", actor=personas.coordinator)
    priority_services.priority_claim_withdraw(application=earlier.waiting,
                                              actor=personas.applicant)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert row_of(run, call.mine)["priority"] is False


def test_a_claim_made_in_the_same_call_gives_no_priority_there(earlier, personas):
    call = later_call(personas)
    PriorityClaim.objects.create(programme=personas.programme, user=personas.applicant,
                                 from_call=call)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert row_of(run, call.mine)["priority"] is False


# --- Priority by hand -----------------------------------------------------------------------

def test_the_coordinator_sets_priority_with_a_reason(personas):
    call = later_call(personas)
    client = staff_client(personas.coordinator)
    page = client.get(url("candidate_edit", call.mine.pk)).content.decode()
    assert f'action="{url("candidate_priority", call.mine.pk)}"' in page
    response = client.post(url("candidate_priority", call.mine.pk),
                           {"priority-priority": "on", "priority-reason": "Härtefall 2025"})
    assert response.status_code == 302
    assert Candidate.objects.get(application=call.mine).priority is True
    entry = AuditEntry.objects.get(action="candidate.priority")
    assert entry.reason == "Härtefall 2025" and entry.actor == personas.coordinator
    assert entry.data == {"priority": True, "source": "coordinator"}


def test_priority_by_hand_without_a_reason_is_refused_and_changes_nothing(personas):
    call = later_call(personas)
    client = staff_client(personas.coordinator)
    response = client.post(url("candidate_priority", call.mine.pk),
                           {"priority-priority": "on", "priority-reason": "  "})
    assert response.status_code == 400
    assert not Candidate.objects.filter(application=call.mine, priority=True).exists()
    assert not AuditEntry.objects.filter(action="candidate.priority").exists()


def test_priority_lifted_by_hand_stays_lifted_when_the_list_is_prepared(earlier, personas):
    consent(earlier.waiting)
    call = later_call(personas)
    services.candidate_priority_set(application=call.mine, priority=True, reason="Irrtum",
                                    actor=personas.coordinator)
    services.candidate_priority_set(application=call.mine, priority=False,
                                    reason="Vorrang nicht begründet", actor=personas.coordinator)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert row_of(run, call.mine)["priority"] is False


def test_priority_cannot_change_once_the_list_is_published(personas):
    call = later_call(personas)
    services.selection_run_prepare(call=call, actor=personas.coordinator)
    client = staff_client(personas.coordinator)
    response = client.post(url("candidate_priority", call.mine.pk),
                           {"priority-priority": "on", "priority-reason": "Härtefall"})
    assert response.status_code == 409
    assert not Candidate.objects.filter(application=call.mine, priority=True).exists()


@pytest.mark.parametrize("who", ["reviewer", "funder", "outsider", "lecturer"])
def test_priority_by_hand_is_for_the_calls_coordinators_only(personas, client, who):
    call = later_call(personas)
    f.login_staff(client, getattr(personas, who))
    response = client.post(url("candidate_priority", call.mine.pk),
                           {"priority-priority": "on", "priority-reason": "Härtefall"})
    assert response.status_code == 403
    assert not Candidate.objects.filter(application=call.mine, priority=True).exists()


def test_an_applicant_cannot_set_priority_by_hand(personas):
    call = later_call(personas)
    client = english_client(personas.applicant)
    response = client.post(url("candidate_priority", call.mine.pk),
                           {"priority-priority": "on", "priority-reason": "Ich"})
    assert response.status_code == 403
    assert not Candidate.objects.filter(application=call.mine, priority=True).exists()


def test_an_open_claim_keeps_the_account_when_the_last_application_is_erased(db):
    from kohorte.accounts.models import User
    from kohorte.applications.retention import application_erase
    from kohorte.core.tests import factories as f
    from kohorte.selection.models import PriorityClaim

    programme = f.make_programme()
    call = f.make_call(programme)
    person = f.make_applicant("claimant@example.org")
    application = f.make_application(call, person, submit=True)
    PriorityClaim.objects.create(programme=programme, user=person, from_call=call)
    application_erase(application=application, actor=None, reason="retention")
    assert PriorityClaim.objects.filter(user__email="claimant@example.org").exists()

    other = f.make_applicant("noclaim@example.org")
    application = f.make_application(call, other, submit=True)
    application_erase(application=application, actor=None, reason="retention")
    assert not User.objects.filter(email="noclaim@example.org").exists()
