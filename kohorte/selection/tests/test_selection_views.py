"""The coordinator's selection pages: prepare and publish the hash, enter the seed, read
the proposal with its reasons, pin or take out, confirm (four eyes), discard, download
the list, edit the letters, write to a group. Each page with its denied cases."""

import hashlib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kohorte.applications.models import Call
from kohorte.applications.tests.test_journey import english_client
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from ..models import Candidate, MessageTemplate, Offer, SelectionRun
from ..services import selection as services
from . import selection_world as w

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"selection:{name}", args=args)


def staff_client(user):
    client = english_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return f.login_staff(client, user)


@pytest.fixture
def call(personas):
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=2)
    call.refresh_from_db()
    w.make_policy(call, region_bounds={"Kassel": {"min": 1}})
    call.apps = ([w.make_reviewed(call, v, district="Darmstadt") for v in (5, 4)]
                 + [w.make_reviewed(call, 2, district="Kassel")])
    return w.close(call)


@pytest.fixture
def coordinator(personas):
    return staff_client(personas.coordinator)


# --- Denied -------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["reviewer", "funder", "outsider", "lecturer"])
def test_the_selection_pages_are_for_the_calls_coordinators_only(call, personas, client, who):
    run = w.drawn(call, by=personas.coordinator)
    f.login_staff(client, getattr(personas, who))
    pages = [url("call_selection", call.pk), url("run_detail", run.pk),
             url("run_download", run.pk, "kandidatenliste"),
             url("candidate_edit", call.apps[0].pk), url("letter_list", call.pk),
             url("letter_edit", call.pk, "offer"), url("group_message", call.pk),
             url("call_offers", call.pk)]
    for page in pages:
        assert client.get(page).status_code == 403, page
    for action in (url("run_prepare", call.pk), url("run_draw", run.pk),
                   url("run_confirm", run.pk), url("run_discard", run.pk)):
        assert client.post(action, {"seed": "x", "seed_source": "y", "reason": "z"}).status_code == 403
    run.refresh_from_db()
    assert run.state == SelectionRun.State.PROPOSED


def test_an_applicant_gets_403_and_a_visitor_the_staff_sign_in(call, personas, client):
    target = url("call_selection", call.pk)
    assert client.get(target).url.startswith(reverse("accounts:staff_login"))
    client.force_login(personas.applicant)
    assert client.get(target).status_code == 403


def test_an_unknown_run_or_call_is_404(coordinator):
    assert coordinator.get(url("run_detail", 999999)).status_code == 404
    assert coordinator.get(url("call_selection", 999999)).status_code == 404
    assert coordinator.post(url("run_prepare", 999999)).status_code == 404


# --- Prepare, publish, draw, confirm --------------------------------------------------

def test_the_coordinator_prepares_the_run_and_sees_the_hash_to_publish(call, coordinator):
    page = coordinator.get(url("call_selection", call.pk))
    assert page.status_code == 200 and b"Prepare the candidate list" in page.content
    response = coordinator.post(url("run_prepare", call.pk))
    run = SelectionRun.objects.get()
    assert response.status_code == 302 and response.url == url("run_detail", run.pk)
    page = coordinator.get(response.url).content.decode()
    assert run.candidate_hash[:8] in page and run.candidate_hash[56:] in page
    assert "Enter the seed" in page


def test_the_downloaded_list_is_exactly_what_was_hashed(call, personas, coordinator):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    response = coordinator.get(url("run_download", run.pk, "kandidatenliste"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() == run.candidate_hash
    assert coordinator.get(url("run_download", run.pk, "passwoerter")).status_code == 404


def test_preparing_is_refused_with_the_reason_when_reviews_are_missing(call, personas, coordinator):
    missing = w.make_reviewed(personas.call, district="Gießen")
    response = coordinator.post(url("run_prepare", call.pk))
    assert response.status_code == 409
    assert missing.reference in response.content.decode()
    assert not SelectionRun.objects.exists()


def test_the_seed_form_reports_a_missing_seed(call, personas, coordinator):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    response = coordinator.post(url("run_draw", run.pk), {"seed": "", "seed_source": ""})
    assert response.status_code == 400
    assert b'id="fehler"' in response.content
    run.refresh_from_db()
    assert run.state == SelectionRun.State.HASH_PUBLISHED


def test_entering_the_seed_shows_the_proposal_with_its_reasons(call, personas, coordinator):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    response = coordinator.post(url("run_draw", run.pk),
                                {"seed": "3 11 19 27 38 45", "seed_source": "Lotto, 3.11.2026"})
    assert response.status_code == 302
    page = coordinator.get(url("run_detail", run.pk)).content.decode()
    assert "Mindestzahl Regierungsbezirk Kassel" in page
    assert "3 11 19 27 38 45" in page
    # Four eyes: whoever drew it is told that another coordinator confirms.
    assert "Another coordinator checks and confirms it" in page
    assert url("run_confirm", run.pk) not in page


def test_the_second_coordinator_confirms_and_the_offers_are_in_the_outbox(call, personas):
    run = w.drawn(call, by=personas.coordinator)
    second = staff_client(personas.coordinator2)
    assert url("run_confirm", run.pk) in second.get(url("run_detail", run.pk)).content.decode()
    response = second.post(url("run_confirm", run.pk))
    assert response.status_code == 302 and response.url == url("call_offers", call.pk)
    assert Offer.objects.filter(state=Offer.State.OPEN).count() == 2
    assert OutboxMail.objects.filter(template="offer").count() == 2
    page = second.get(response.url).content.decode()
    assert call.apps[1].reference in page  # on the waiting list


def test_confirming_ones_own_proposal_is_refused_with_409(call, personas, coordinator):
    run = w.drawn(call, by=personas.coordinator)
    response = coordinator.post(url("run_confirm", run.pk))
    assert response.status_code == 409
    assert not Offer.objects.exists()


def test_a_run_is_discarded_with_a_reason(call, personas, coordinator):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert coordinator.post(url("run_discard", run.pk), {"reason": ""}).status_code == 400
    response = coordinator.post(url("run_discard", run.pk), {"reason": "Gutachten fehlte"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == SelectionRun.State.DISCARDED


# --- Pins and exclusions ------------------------------------------------------------------

def test_the_coordinator_pins_someone_with_a_reason_and_the_proposal_is_rerun(call, personas,
                                                                              coordinator):
    run = w.drawn(call, by=personas.coordinator)
    waiting = next(a for a in call.apps if a.reference in run.result["waiting_list"])
    form = coordinator.get(url("candidate_edit", waiting.pk))
    assert form.status_code == 200
    assert coordinator.post(url("candidate_edit", waiting.pk),
                            {"action": "pin", "reason": ""}).status_code == 400
    response = coordinator.post(url("candidate_edit", waiting.pk),
                                {"action": "pin", "reason": "Einzige Bewerbung aus dem Kreis"})
    new = SelectionRun.objects.get(state=SelectionRun.State.PROPOSED)
    assert response.status_code == 302 and response.url == url("run_detail", new.pk)
    assert Candidate.objects.get(application=waiting).pinned
    assert waiting.reference in new.result["selected"]


def test_pinning_after_the_confirmation_is_refused_with_409(call, personas, coordinator):
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    response = coordinator.post(url("candidate_edit", call.apps[1].pk),
                                {"action": "pin", "reason": "zu spät"})
    assert response.status_code == 409


# --- Letters and group messages ---------------------------------------------------------

def test_the_coordinator_edits_a_letter(call, coordinator):
    page = coordinator.get(url("letter_list", call.pk))
    assert page.status_code == 200
    assert url("letter_edit", call.pk, "rejection") in page.content.decode()
    response = coordinator.post(url("letter_edit", call.pk, "rejection"),
                                {"subject": "Ihre Bewerbung {reference}",
                                 "body": "Leider nicht. Gründe: {reason}"})
    assert response.status_code == 302
    template = MessageTemplate.objects.get(call=call, key="rejection")
    assert template.body == "Leider nicht. Gründe: {reason}"


def test_a_letter_with_an_unknown_placeholder_is_sent_back_with_the_error(call, coordinator):
    response = coordinator.post(url("letter_edit", call.pk, "offer"),
                                {"subject": "Angebot", "body": "Hallo {vorname}"})
    assert response.status_code == 400
    assert "{vorname}" in response.content.decode()
    assert coordinator.get(url("letter_edit", call.pk, "unbekannt")).status_code == 404


def test_a_group_message_is_previewed_with_its_count_then_sent_once(call, personas, coordinator):
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    page = coordinator.get(url("group_message", call.pk)).content.decode()
    token = page.split('name="token" value="', 1)[1][:32]
    data = {"group": "open", "subject": "Vorbereitung {reference}",
            "body": "Bitte antworten Sie bis {deadline}: {link}", "token": token}
    preview = coordinator.post(url("group_message", call.pk), {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "2 people" in preview.content.decode()
    assert not OutboxMail.objects.filter(template="group_message").exists()
    first = coordinator.post(url("group_message", call.pk), {**data, "send": "1"})
    second = coordinator.post(url("group_message", call.pk), {**data, "send": "1"})
    assert first.status_code == second.status_code == 302
    mails = OutboxMail.objects.filter(template="group_message")
    assert mails.count() == 2
    assert all("/angebote/" in m.body for m in mails)
    assert AuditEntry.objects.filter(action="selection.group_message").count() == 1


def test_a_group_message_without_a_subject_is_sent_back(call, coordinator):
    response = coordinator.post(url("group_message", call.pk),
                                {"group": "waiting", "subject": "", "body": "x",
                                 "token": "0" * 32, "preview": "1"})
    assert response.status_code == 400



def _confirmed_call(personas, size):
    call = f.make_call(personas.programme, places=2)
    w.make_policy(call)
    for n in range(size):
        w.make_reviewed(call, 1 + n % 5, district=["Darmstadt", "Gießen", "Kassel"][n % 3])
    w.close(call)
    return w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)


def test_the_run_and_offer_pages_read_a_fixed_number_of_rows_however_many_candidates(
        personas, coordinator):
    def queries(run):
        counts = []
        for path in (url("run_detail", run.pk), url("call_offers", run.call_id)):
            with CaptureQueriesContext(connection) as captured:
                assert coordinator.get(path).status_code == 200
            counts.append(len(captured))
        return counts

    assert queries(_confirmed_call(personas, 3)) == queries(_confirmed_call(personas, 9))
