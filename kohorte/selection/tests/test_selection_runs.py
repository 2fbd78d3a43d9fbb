"""Selection runs: the published list and its hash, the draw, pins and exclusions, the
confirmation with its offers and letters, and the reproducibility of every run."""

import hashlib
import json
from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.applications import services as application_services
from kohorte.applications.models import Call, CallModule
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail
from kohorte.programmes.models import Organisation

from .. import engine
from ..models import Candidate, Offer, SelectionRun
from ..selectors.selection import readable, token_names
from ..services import selection as services
from ..services.letters import months_after
from . import selection_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(personas):
    """Five reviewed applications for three places; a minimum of one from Kassel."""
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=3)
    call.refresh_from_db()
    w.make_policy(call, region_bounds={"Kassel": {"min": 1}})
    call.strong = [w.make_reviewed(call, 5, district="Darmstadt") for _ in range(3)]
    call.weak = [w.make_reviewed(call, 2, district="Kassel") for _ in range(2)]
    return w.close(call)


def _refs(applications):
    return [a.reference for a in applications]


# --- Preparing: the list and its hash ------------------------------------------------------

def test_preparing_freezes_the_eligible_applications_and_publishes_their_hash(call, personas):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert run.state == SelectionRun.State.HASH_PUBLISHED
    listed = json.loads(run.candidate_list)
    assert [row["id"] for row in listed] == sorted(_refs(call.strong + call.weak))
    assert set(listed[0]) == {"id", "priority", "score", "tier"}
    assert run.candidate_hash == hashlib.sha256(run.candidate_list.encode()).hexdigest()
    assert run.candidate_hash == engine.candidate_list_hash(run.instance["applicants"])
    assert run.seed == "" and run.result == {}
    assert run.criteria_snapshot == [{"position": 1, "name": "Praxisbezug", "weight": "1.00"}]
    entry = AuditEntry.objects.get(action="selection_run.prepare")
    assert entry.data["hash"] == run.candidate_hash and entry.data["candidates"] == 5


def test_the_engine_gets_regierungsbezirk_traeger_and_site_of_each_application(call, personas):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    rows = {row["id"]: row for row in run.instance["applicants"]}
    strong = call.strong[0]
    assert rows[strong.reference] == {
        "id": strong.reference, "tier": 1, "priority": False, "score": "5.00",
        "region": "Darmstadt", "organisation": f"T-{strong.site.organisation_id}",
        "site": f"S-{strong.site_id}"}
    assert run.instance["places"] == 3 and run.instance["regions"] == {"Kassel": {"min": 1}}


def test_a_free_text_employer_counts_as_one_organisation_whatever_its_spelling(personas):
    call = personas.call
    w.make_policy(call, max_per_organisation=1)
    free = [f.make_application(call, submit=True, release=True, employment={
        "site": None, "organisation": None, "region": f.region("Gießen"),
        "organisation_other": name, "site_other": "Stadtteilbüro"}) for name in
        ["Verein  Nachbarschaft e.V.", "verein nachbarschaft e.v."]]
    for application in free:
        w.review(application, 4)
    w.close(call)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    rows = {row["id"]: row for row in run.instance["applicants"]}
    first, second = (rows[a.reference] for a in free)
    assert first["organisation"] == second["organisation"] == "other:verein nachbarschaft e.v."
    assert first["site"] != second["site"]  # each free-text place of work is its own site
    assert first["region"] == "Gießen"
    drawn = services.selection_run_draw(run=run, seed="x", seed_source="", actor=personas.coordinator)
    assert len(drawn.result["selected"]) == 1  # the cap of one per Träger holds


def test_an_eligible_application_without_a_review_stops_the_run_and_is_named(call, personas):
    unreviewed = w.make_reviewed(personas.call, district="Gießen")  # no values: no review
    with pytest.raises(ValidationError) as caught:
        services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert caught.value.code == "unscored"
    assert unreviewed.reference in caught.value.messages[0]
    assert not SelectionRun.objects.exists()


def test_ineligible_and_withdrawn_applications_are_not_candidates(call, personas):
    volunteer = w.make_reviewed(personas.call, 5, employment_kind="volunteer")
    withdrawn = call.strong[0]
    application_services.application_withdraw(application=withdrawn, actor=withdrawn.applicant)
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    listed = {row["id"] for row in run.instance["applicants"]}
    assert volunteer.reference not in listed and withdrawn.reference not in listed
    assert len(listed) == 4


def test_preparing_is_refused_while_the_call_is_open(personas):
    w.make_policy(personas.call)
    w.make_reviewed(personas.call, 3)
    with pytest.raises(ValidationError) as caught:
        services.selection_run_prepare(call=personas.call, actor=personas.coordinator)
    assert caught.value.code == "open"


def test_preparing_needs_a_policy(personas):
    w.make_reviewed(personas.call, 3)
    with pytest.raises(ValidationError) as caught:
        services.selection_run_prepare(call=w.close(personas.call), actor=personas.coordinator)
    assert caught.value.code == "policy"


def test_a_policy_that_cannot_be_met_is_refused_before_a_hash_is_published(call, personas):
    w.make_policy(call, region_bounds={"Kassel": {"min": 2}, "Darmstadt": {"min": 2}})
    with pytest.raises(ValidationError) as caught:
        services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert caught.value.code == "policy"
    assert "Darmstadt" in caught.value.messages[0] and "Kassel" in caught.value.messages[0]
    assert not SelectionRun.objects.exists()


def test_a_second_run_waits_until_the_first_is_discarded(call, personas):
    first = services.selection_run_prepare(call=call, actor=personas.coordinator)
    with pytest.raises(ValidationError):
        services.selection_run_prepare(call=call, actor=personas.coordinator)
    with pytest.raises(ValidationError):
        services.selection_run_discard(run=first, reason="  ", actor=personas.coordinator)
    services.selection_run_discard(run=first, reason="Bewertung nachgetragen",
                                   actor=personas.coordinator)
    second = services.selection_run_prepare(call=call, actor=personas.coordinator)
    assert second.pk != first.pk
    assert AuditEntry.objects.get(action="selection_run.discard").reason == "Bewertung nachgetragen"


# --- The draw ------------------------------------------------------------------------

def test_the_seed_produces_a_proposal_that_anyone_can_reproduce(call, personas):
    run = w.drawn(call, by=personas.coordinator)
    assert run.state == SelectionRun.State.PROPOSED
    assert run.seed == w.SEED and run.instance["seed"] == w.SEED
    assert engine.solve(run.instance) == run.result  # stored whole: input gives the result
    # The minimum for Kassel takes the third place from a stronger Darmstadt application.
    assert len(run.result["selected"]) == 3
    kassel = [r for r in run.result["selected"] if r in _refs(call.weak)]
    assert len(kassel) == 1
    assert "Mindestzahl Regierungsbezirk Kassel" in run.result["explanations"][kassel[0]]
    assert not Offer.objects.exists()  # nothing goes out before the confirmation


def test_the_seed_is_entered_once(call, personas):
    run = w.drawn(call, by=personas.coordinator)
    with pytest.raises(ValidationError):
        services.selection_run_draw(run=run, seed="other", seed_source="", actor=personas.coordinator)


def test_an_empty_seed_is_refused(call, personas):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    with pytest.raises(ValidationError):
        services.selection_run_draw(run=run, seed="   ", seed_source="", actor=personas.coordinator)


def test_a_withdrawal_after_the_hash_excludes_the_person_but_keeps_the_list(call, personas):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    leaving = call.strong[1]
    application_services.application_withdraw(application=leaving, actor=leaving.applicant)
    run = services.selection_run_draw(run=run, seed=w.SEED, seed_source="", actor=personas.coordinator)
    assert leaving.reference in run.instance["excluded"]
    assert engine.candidate_list_hash(run.instance["applicants"]) == run.candidate_hash
    assert leaving.reference not in run.result["selected"] + run.result["waiting_list"]


# --- Pins and exclusions ----------------------------------------------------------------

def test_pinning_reruns_the_proposal_with_the_same_seed_and_keeps_the_old_one(call, personas):
    first = w.drawn(call, by=personas.coordinator)
    waiting = first.result["waiting_list"][0]
    target = next(a for a in call.strong + call.weak if a.reference == waiting)
    services.candidate_set(application=target, action="pin", reason="Einzige Fachkraft im Kreis",
                           actor=personas.coordinator2)
    first.refresh_from_db()
    assert first.state == SelectionRun.State.DISCARDED
    new = SelectionRun.objects.get(state=SelectionRun.State.PROPOSED)
    assert new.seed == first.seed and new.candidate_hash == first.candidate_hash
    assert new.instance["fixed"] == [waiting]
    assert waiting in new.result["selected"]
    assert "fest gesetzt" in new.result["explanations"][waiting]
    assert new.created_by == personas.coordinator2
    entry = AuditEntry.objects.get(action="candidate.pin")
    assert entry.object_id == str(target.pk) and entry.reason == "Einzige Fachkraft im Kreis"


def test_taking_someone_out_needs_a_reason_and_leaves_them_off_both_lists(call, personas):
    w.drawn(call, by=personas.coordinator)
    target = call.strong[0]
    with pytest.raises(ValidationError):
        services.candidate_set(application=target, action="exclude", reason=" ",
                               actor=personas.coordinator)
    services.candidate_set(application=target, action="exclude",
                           reason="Freistellung vom Träger zurückgezogen", actor=personas.coordinator)
    run = SelectionRun.objects.get(state=SelectionRun.State.PROPOSED)
    assert run.instance["excluded"] == [target.reference]
    assert target.reference not in run.result["selected"] + run.result["waiting_list"]
    services.candidate_set(application=target, action="clear", reason="", actor=personas.coordinator)
    run = SelectionRun.objects.get(state=SelectionRun.State.PROPOSED)
    assert run.instance["excluded"] == []
    assert Candidate.objects.get(application=target).reason == ""


def test_pins_before_the_draw_count_at_the_draw(call, personas):
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    services.candidate_set(application=call.weak[0], action="pin", reason="Härtefall",
                           actor=personas.coordinator)
    run = services.selection_run_draw(run=run, seed=w.SEED, seed_source="", actor=personas.coordinator)
    assert run.instance["fixed"] == [call.weak[0].reference]
    assert SelectionRun.objects.count() == 1


def test_pinning_more_people_than_places_is_refused(call, personas):
    w.drawn(call, by=personas.coordinator)
    for application in call.strong:
        services.candidate_set(application=application, action="pin", reason="fest",
                               actor=personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        services.candidate_set(application=call.weak[0], action="pin", reason="fest",
                               actor=personas.coordinator)
    assert caught.value.code == "overbooked"
    assert not Candidate.objects.filter(application=call.weak[0], pinned=True).exists()


def test_only_an_eligible_application_can_be_pinned(call, personas):
    volunteer = w.make_reviewed(personas.call, 5, employment_kind="volunteer")
    with pytest.raises(ValidationError) as caught:
        services.candidate_set(application=volunteer, action="pin", reason="bitte",
                               actor=personas.coordinator)
    assert caught.value.code == "ineligible"


def test_pins_and_exclusions_end_with_the_confirmation(call, personas):
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    with pytest.raises(ValidationError) as caught:
        services.candidate_set(application=call.weak[0], action="pin", reason="zu spät",
                               actor=personas.coordinator)
    assert caught.value.code == "confirmed"


# --- Confirmation ----------------------------------------------------------------------

def test_whoever_drew_the_proposal_cannot_confirm_it(call, personas):
    run = w.drawn(call, by=personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        services.selection_run_confirm(run=run, actor=personas.coordinator)
    assert caught.value.code == "four_eyes"
    services.selection_run_confirm(run=run, actor=personas.coordinator2)


def test_whoever_changed_the_proposal_last_cannot_confirm_it(call, personas):
    run = w.drawn(call, by=personas.coordinator)
    services.candidate_set(application=call.weak[0], action="pin", reason="Härtefall",
                           actor=personas.coordinator2)
    run = SelectionRun.objects.get(state=SelectionRun.State.PROPOSED)
    with pytest.raises(ValidationError):
        services.selection_run_confirm(run=run, actor=personas.coordinator2)
    services.selection_run_confirm(run=run, actor=personas.coordinator)


def test_without_four_eyes_one_coordinator_may_confirm(call, personas, settings):
    settings.KOHORTE_SELECTION_FOUR_EYES = False
    run = w.drawn(call, by=personas.coordinator)
    assert services.selection_run_confirm(run=run, actor=personas.coordinator).state == "confirmed"


def test_confirming_sends_offers_and_tells_the_waiting_list_their_position(call, personas):
    run = w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    assert run.state == SelectionRun.State.CONFIRMED and run.confirmed_by == personas.coordinator2
    offers = Offer.objects.filter(run=run)
    assert sorted(offers.values_list("application__reference", flat=True)) == sorted(
        run.result["selected"])
    assert set(offers.values_list("state", flat=True)) == {Offer.State.OPEN}
    for offer in offers:
        mail = OutboxMail.objects.get(template="offer", about_id=str(offer.application_id))
        assert f"/angebote/{offer.pk}/" in mail.body
    waiting = run.result["waiting_list"]
    assert len(waiting) == 2
    for position, reference in enumerate(waiting, start=1):
        mail = OutboxMail.objects.get(template="waiting_list", body__contains=reference)
        assert f"{position}" in mail.subject
    assert AuditEntry.objects.filter(action="offer.make").count() == 3


def test_the_offer_shows_why_the_order_was_skipped(call, personas):
    run = w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    kassel = Offer.objects.get(run=run, application__in=call.weak)
    assert kassel.skip_reason == "Mindestzahl Regierungsbezirk Kassel"
    assert Offer.objects.filter(run=run, skip_reason="").count() == 2


def test_confirming_is_refused_when_the_course_starts_too_soon_to_answer(call, personas):
    CallModule.objects.filter(call=call).update(start_date=timezone.localdate(), end_date=timezone.localdate())
    run = w.drawn(call, by=personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        services.selection_run_confirm(run=run, actor=personas.coordinator2)
    assert caught.value.code == "too_late"
    assert not Offer.objects.exists()


def test_unsuccessful_applicants_get_their_reasons_and_their_deletion_is_scheduled(call, personas):
    policy = call.selection_policies.get()
    policy.legal_remedies_notice = "Rechtsbehelfsbelehrung: Widerspruch binnen eines Monats."
    policy.save(update_fields=["legal_remedies_notice"])
    volunteer = w.make_reviewed(personas.call, 5, employment_kind="volunteer")
    taken_out = call.strong[2]
    services.candidate_set(application=taken_out, action="exclude",
                           reason="Teilnahme an der Vorgängerkohorte", actor=personas.coordinator)
    now = timezone.now()
    run = w.drawn(call, by=personas.coordinator)
    services.selection_run_confirm(run=run, actor=personas.coordinator2, now=now)
    letters = {m.about_id: m for m in OutboxMail.objects.filter(template="rejection")}
    assert set(letters) == {str(volunteer.pk), str(taken_out.pk)}
    assert "Teilnahme an der Vorgängerkohorte" in letters[str(taken_out.pk)].body
    assert "hauptamtlich" in letters[str(volunteer.pk)].body
    assert all("Rechtsbehelfsbelehrung" in m.body for m in letters.values())
    for application in (volunteer, taken_out):
        application.refresh_from_db()
        assert application.erase_after == months_after(now, 6)
        assert "rejection letter" in application.erase_after_reason


def test_without_a_notice_of_legal_remedies_the_letter_has_none(call, personas):
    w.make_reviewed(personas.call, 5, employment_kind="volunteer")
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    assert "Rechtsbehelf" not in OutboxMail.objects.get(template="rejection").body


def test_a_confirmed_run_cannot_be_confirmed_again_or_discarded(call, personas):
    run = w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    with pytest.raises(ValidationError):
        services.selection_run_confirm(run=run, actor=personas.coordinator2)
    with pytest.raises(ValidationError):
        services.selection_run_discard(run=run, reason="versehentlich", actor=personas.coordinator)
    assert Offer.objects.count() == 3


# --- The deadline of an offer --------------------------------------------------------------

@pytest.fixture
def dated(personas):
    call = personas.call
    CallModule.objects.filter(call=call).delete()
    CallModule.objects.create(call=call, position=1, title="Baustein 1", place="Fulda",
                              start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))
    return call, w.make_policy(call, offer_days=14, offer_latest_days_before_start=7)


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_an_offer_gives_the_policys_days_to_answer_until_the_end_of_the_day(dated):
    call, policy = dated
    deadline = services.offer_deadline(policy=policy, call=call, now=_at(date(2027, 1, 4)))
    assert timezone.localtime(deadline).date() == date(2027, 1, 18)
    assert timezone.localtime(deadline).time() == time.max


def test_the_deadline_is_never_later_than_the_days_before_the_start(dated):
    call, policy = dated
    deadline = services.offer_deadline(policy=policy, call=call, now=_at(date(2027, 2, 15)))
    assert timezone.localtime(deadline).date() == date(2027, 2, 22)  # 1 March less 7 days
    nearer = services.offer_deadline(policy=policy, call=call, now=_at(date(2027, 2, 20)))
    assert nearer == deadline  # shorter as the start nears


def test_no_deadline_is_left_once_the_last_answer_day_has_passed(dated):
    call, policy = dated
    assert services.offer_deadline(policy=policy, call=call, now=_at(date(2027, 2, 23))) is None
    assert services.offer_deadline(policy=policy, call=call, now=_at(date(2027, 2, 22), 23)) is not None


def test_the_skip_reason_is_taken_from_the_engines_explanation():
    text = ("Ausgewählt (Rang 5); 2 Bewerbung(en) mit besserem Rang übersprungen wegen: "
            "Mindestzahl Regierungsbezirk Kassel.")
    assert services.skip_reason_of(text) == "Mindestzahl Regierungsbezirk Kassel"
    assert services.skip_reason_of("Ausgewählt (Rang 1) in der Reihenfolge der Rangliste.") == ""


def test_explanations_name_the_traeger_instead_of_its_number(call, personas):
    organisation_id = call.strong[0].site.organisation_id
    Organisation.objects.filter(pk=organisation_id).update(name="Caritas Wetterau")
    run = services.selection_run_prepare(call=call, actor=personas.coordinator)
    text = readable(f"Höchstzahl je Träger T-{organisation_id} erreicht (2 von 2)",
                    token_names(run.instance))
    assert text == "Höchstzahl je Träger Caritas Wetterau erreicht (2 von 2)"
    assert readable("Höchstzahl je Träger T-999999 erreicht", {}) == (
        "Höchstzahl je Träger T-999999 erreicht")
