"""The selection in the browser, with axe on every page it reaches.

Seeded: a closed call with applications for two places, at least one from
Regierungsbezirk Kassel, reviewed through the ORM but for one: its review is assigned and
open. Then: the reviewer signs in, scores that application criterion by criterion (one
"not applicable"), saves a draft, checks and submits; the coordinator sees the score on
the review overview. Then: a coordinator freezes the
candidate list and publishes its hash, enters the publicly drawn seed and reads the
proposal with its reasons; a second coordinator confirms (four eyes); the offers are in
the outbox. The Kassel applicant opens the link of the e-mail and declines on the
button; the refill offers the place to the next Kassel applicant (passing over a
better-ranked one, and saying why), who accepts. The one left waits and sees the
position. Buttons and fields are reached by keyboard.
"""

import re
from decimal import Decimal

import pytest

from kohorte.applications.models import Call
from kohorte.notifications.models import OutboxMail
from kohorte.selection.models import Offer, ReviewAssignment, ReviewCriterion, SelectionRun
from kohorte.selection.tests import reviewing
from kohorte.selection.tests import selection_world as world

from .axe import assert_no_violations
from .flows import latest_mail, sign_in_applicant, sign_in_staff, t
from .keyboard import choose_radio, follow, type_into

pytestmark = pytest.mark.browser

SEED = "3 11 19 27 38 45"


@pytest.fixture
def selection(open_call):
    from kohorte.core.tests import factories as f

    call = open_call
    Call.objects.filter(pk=call.pk).update(places=2)
    call.refresh_from_db()
    world.make_policy(call, region_bounds={"Kassel": {"min": 1}},
                      legal_remedies_notice="Rechtsbehelfsbelehrung: Widerspruch binnen eines Monats.")
    people = {}
    # kassel_next gets no review here: it is reviewed in the browser.
    for key, values, district in [("darmstadt_best", (5,), "Darmstadt"),
                                  ("kassel_first", (3,), "Kassel"),
                                  ("darmstadt_next", (4,), "Darmstadt"),
                                  ("kassel_next", (), "Kassel")]:
        applicant = f.make_applicant(f"{key.replace('_', '.')}@example.org")
        people[key] = world.make_reviewed(call, *values, district=district, applicant=applicant)
    world.close(call)
    # Besides the world's "Praxisbezug" (weight 1): two more criteria for the browser review.
    ReviewCriterion.objects.create(call=call, name="Motivation", weight=Decimal("2"), position=2)
    ReviewCriterion.objects.create(call=call, name="Transferpotenzial", weight=Decimal("1"),
                                   position=3)
    programme = call.programme
    reviewer = reviewing.make_reviewer(programme, "gutachterin@example.org",
                                       name="Gerda Gutachterin")
    reviewing.assign(people["kassel_next"], reviewer)
    return {
        "call": call, **people, "reviewer": reviewer,
        "coordinator": f.make_staff("coordinator", programme, email="koordination@example.org",
                                    name="Kim Koordination"),
        "second": f.make_staff("coordinator", programme, email="zweite@example.org",
                               name="Zoe Zweitsicht"),
    }


def _new_page(browser, base_url):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(15_000)
    return context.new_page()


def _link_in(mail, path):
    """The link of an e-mail to a page whose path matches ``path`` (a regular expression)."""
    match = re.search(rf"https?://\S+?{path}", mail.body)
    assert match, f"no link to {path} in the e-mail:\n{mail.body}"
    return match.group(0)


def test_hash_seed_proposal_confirmation_decline_refill_and_accept(page, browser, base_url,
                                                                   selection):
    call = selection["call"]

    def check(label, on=page):
        assert_no_violations(on, base_url, label=label)

    # --- The reviewer: the open review of kassel_next, by keyboard. ---
    nxt = selection["kassel_next"]
    reviewer_page = _new_page(browser, base_url)
    sign_in_staff(reviewer_page, selection["reviewer"])
    reviewer_page.goto("/begutachtung/")
    check("my reviews", on=reviewer_page)
    follow(reviewer_page, reviewer_page.get_by_role("link", name=nxt.reference, exact=True))
    assert reviewer_page.url.endswith(f"/begutachtung/bewerbungen/{nxt.pk}/")
    check("review form", on=reviewer_page)
    criteria = {c.name: c for c in ReviewCriterion.objects.filter(call=call)}
    for name, choice in [("Praxisbezug", "3"), ("Motivation", "1"), ("Transferpotenzial", "na")]:
        group = f"kriterium_{criteria[name].pk}"
        choose_radio(reviewer_page, group,
                     reviewer_page.locator(f'input[name="{group}"][value="{choice}"]'))
    type_into(reviewer_page,
              reviewer_page.get_by_label(t("Comment on %(name)s") % {"name": "Motivation"}),
              "Die Motivation bleibt allgemein.")
    type_into(reviewer_page, reviewer_page.get_by_label(t("Overall comment")),
              "Solide Praxis, wenig eigener Antrieb.")
    follow(reviewer_page, reviewer_page.get_by_role("button", name=t("Save draft")))
    assert t("Your draft has been saved.") in reviewer_page.locator("main").inner_text()
    check("review form, draft saved", on=reviewer_page)
    follow(reviewer_page, reviewer_page.get_by_role("button", name=t("Continue to submit")))
    assert reviewer_page.url.endswith(f"/begutachtung/bewerbungen/{nxt.pk}/absenden/")
    # The weighted mean, "not applicable" left out (not counted as 0):
    # (Praxisbezug 3 × 1 + Motivation 1 × 2) / (1 + 2) = 5 / 3 = 1.666… → 1.67 (half-up).
    expected = "1,67"
    assert expected in reviewer_page.locator("main table tfoot").inner_text()
    check("check your review", on=reviewer_page)
    follow(reviewer_page, reviewer_page.get_by_role("button", name=t("Submit the review")))
    assignment = ReviewAssignment.objects.get(application=nxt, reviewer=selection["reviewer"])
    assert assignment.submitted_at is not None and assignment.score == Decimal("1.67")
    assert assignment.overall_comment == "Solide Praxis, wenig eigener Antrieb."
    assert (t("Your review has been submitted. Thank you.")
            in reviewer_page.locator("main").inner_text())
    check("review, submitted", on=reviewer_page)
    follow(reviewer_page, reviewer_page.get_by_role("button", name=t("Sign out")))
    reviewer_page.goto("/begutachtung/")
    assert "/konto/" in reviewer_page.url, f"still signed in: {reviewer_page.url}"
    reviewer_page.context.close()

    # --- The coordinator sees the browser-made score on the review overview. ---
    sign_in_staff(page, selection["coordinator"])
    page.goto(f"/verwaltung/ausschreibungen/{call.pk}/begutachtung/")
    scores = page.get_by_role("table", name=t("Scores per application"))
    row = scores.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=nxt.reference))
    # Name, tier, Regierungsbezirk, reviews, score: the one review's score is the score.
    assert row.locator("td").nth(4).inner_text().strip() == expected, row.inner_text()
    check("review overview with the new score")

    # --- The coordinator: prepare, publish the hash, enter the seed. ---
    page.goto(f"/verwaltung/ausschreibungen/{call.pk}/auswahl/")
    check("selection of the call")
    follow(page, page.get_by_role("button", name=t("Prepare the candidate list")))
    run = SelectionRun.objects.get(call=call)
    assert page.locator("#pruefsumme").inner_text().replace(" ", "") == run.candidate_hash
    candidates = page.get_by_role("table", name=t("Candidates of this run"))
    row = candidates.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=nxt.reference))
    # Name, tier, score: the frozen (hashed) list holds "1.67"; the page shows it the
    # German way, as the review overview does.
    assert row.locator("td").nth(2).inner_text().strip() == "1,67", row.inner_text()
    check("run with its published hash")
    type_into(page, page.get_by_label(t("Seed"), exact=True), SEED)
    type_into(page, page.get_by_label(t("Where the seed comes from")), "Lotto 6aus49, 3.11.2026")
    follow(page, page.get_by_role("button", name=t("Draw and propose")))
    run.refresh_from_db()
    assert run.state == SelectionRun.State.PROPOSED and run.seed == SEED
    proposal = page.locator("main").inner_text()
    assert "Mindestzahl Regierungsbezirk Kassel" in proposal
    assert t("You made this proposal. Another coordinator checks and confirms it (four eyes).") in proposal
    check("proposal with its reasons")
    follow(page, page.get_by_role("link", name=re.compile(re.escape(t("Pin or take out")))).first)
    check("pin or take out")
    for path, label in [(f"/verwaltung/ausschreibungen/{call.pk}/briefe/", "letters"),
                        (f"/verwaltung/ausschreibungen/{call.pk}/briefe/rejection/", "a letter"),
                        (f"/verwaltung/ausschreibungen/{call.pk}/nachricht/", "write to a group")]:
        page.goto(path)
        check(label)

    # --- A second coordinator confirms: the offers go out. ---
    second = _new_page(browser, base_url)
    sign_in_staff(second, selection["second"])
    second.goto(f"/verwaltung/auswahllaeufe/{run.pk}/")
    follow(second, second.get_by_role("button", name=t("Confirm and send the offers")))
    assert f"/verwaltung/ausschreibungen/{call.pk}/angebote/" in second.url
    check("offers and waiting list", on=second)
    holders = {o.application_id for o in Offer.objects.filter(call=call, state="open")}
    assert holders == {selection["darmstadt_best"].pk, selection["kassel_first"].pk}
    assert OutboxMail.objects.filter(template="offer").count() == 2
    second.goto(f"/verwaltung/ausschreibungen/{call.pk}/nachricht/")
    type_into(second, second.get_by_label(t("Subject"), exact=True), "Vorbereitung")
    type_into(second, second.get_by_label(t("Text"), exact=True), "Ihr Platz auf der Warteliste: {position}")
    follow(second, second.get_by_role("button", name=t("Preview and count the recipients")))
    check("group message preview", on=second)
    second.context.close()

    # --- The Kassel applicant declines on the button of the offer page. ---
    kassel = selection["kassel_first"]
    applicant_page = _new_page(browser, base_url)
    sign_in_applicant(applicant_page, kassel.email)
    applicant_page.goto(_link_in(latest_mail(to=kassel.email, template="offer"), r"/angebote/\d+/"))
    check("offer page", on=applicant_page)
    follow(applicant_page, applicant_page.get_by_role("link", name=t("Decline the place")))
    check("decline, confirm", on=applicant_page)
    follow(applicant_page, applicant_page.get_by_role("button", name=t("Yes, decline the place")))
    assert Offer.objects.get(application=kassel).state == Offer.State.DECLINED
    check("offer page, declined", on=applicant_page)
    applicant_page.context.close()

    # --- The refill: the next Kassel applicant, passing over a better-ranked one. ---
    refill = SelectionRun.objects.get(call=call, kind=SelectionRun.Kind.REFILL)
    assert refill.seed == SEED and refill.candidate_hash == run.candidate_hash
    new_offer = Offer.objects.get(application=nxt)
    assert new_offer.skip_reason == "Mindestzahl Regierungsbezirk Kassel"
    next_page = _new_page(browser, base_url)
    sign_in_applicant(next_page, nxt.email)
    next_page.goto(_link_in(latest_mail(to=nxt.email, template="offer"), r"/angebote/\d+/"))
    assert "Mindestzahl Regierungsbezirk Kassel" in next_page.locator("main").inner_text()
    follow(next_page, next_page.get_by_role("button", name=t("Accept the place")))
    new_offer.refresh_from_db()
    assert new_offer.state == Offer.State.ACCEPTED
    check("offer page, accepted", on=next_page)
    assert OutboxMail.objects.filter(template="offer_accepted", to=nxt.email).count() == 1
    next_page.context.close()

    # --- The one left on the waiting list sees the position on the own page. ---
    waiting = selection["darmstadt_next"]
    waiting_page = _new_page(browser, base_url)
    sign_in_applicant(waiting_page, waiting.email)
    waiting_page.goto(_link_in(latest_mail(to=waiting.email, template="waiting_list"),
                               rf"/bewerbungen/{waiting.pk}/auswahl/"))
    text = waiting_page.locator("main").inner_text()
    assert t("You are number %(position)s on the waiting list.") % {"position": 1} in text
    assert run.seed in text
    check("own standing: waiting list", on=waiting_page)
    waiting_page.context.close()

    # The coordinator withdraws the accepted offer on its confirmation page (axe only).
    page.goto(f"/verwaltung/angebote/{new_offer.pk}/zuruecknehmen/")
    check("withdraw an offer, confirm")
