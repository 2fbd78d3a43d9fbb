"""The applicant's offer page (accept and decline on its buttons), their standing in the
selection, and the coordinator's withdrawal of an offer. Everyone sees only their own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kohorte.applications.models import Call
from kohorte.applications.tests.test_journey import english_client
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from ..models import Offer
from ..services import offers as services
from . import selection_world as w
from .test_selection_views import staff_client

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"selection:{name}", args=args)


@pytest.fixture
def call(personas):
    """Two places: the applicant persona gets one, the second applicant waits."""
    call = personas.call
    Call.objects.filter(pk=call.pk).update(places=2)
    call.refresh_from_db()
    w.make_policy(call)
    call.mine = w.make_reviewed(call, 5, applicant=personas.applicant)
    call.other = w.make_reviewed(call, 4)
    call.waiting = w.make_reviewed(call, 1, applicant=personas.second_applicant)
    w.close(call)
    w.confirmed(call, drawn_by=personas.coordinator, confirmed_by=personas.coordinator2)
    call.offer = Offer.objects.get(application=call.mine)
    return call


def test_the_link_in_the_mail_opens_the_offer_page_with_its_buttons(call, personas):
    mail = OutboxMail.objects.get(template="offer", about_id=str(call.mine.pk))
    assert url("offer_detail", call.offer.pk) in mail.body
    client = english_client(personas.applicant)
    page = client.get(url("offer_detail", call.offer.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{url("offer_accept", call.offer.pk)}"' in html
    assert url("offer_decline", call.offer.pk) in html
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.OPEN  # opening the page decides nothing


def test_a_visitor_is_sent_to_the_applicant_sign_in_and_comes_back(call, client):
    response = client.get(url("offer_detail", call.offer.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert url("offer_detail", call.offer.pk) in response.url


def test_someone_elses_offer_is_404_for_every_action(call, personas):
    client = english_client(personas.second_applicant)
    assert client.get(url("offer_detail", call.offer.pk)).status_code == 404
    assert client.post(url("offer_accept", call.offer.pk)).status_code == 404
    assert client.post(url("offer_decline", call.offer.pk)).status_code == 404
    assert client.get(url("application_status", call.mine.pk)).status_code == 404
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.OPEN


def test_staff_cannot_answer_an_applicants_offer(call, personas):
    client = staff_client(personas.coordinator)
    assert client.post(url("offer_accept", call.offer.pk)).status_code == 404


def test_accepting_on_the_button_takes_the_place(call, personas):
    client = english_client(personas.applicant)
    response = client.post(url("offer_accept", call.offer.pk))
    assert response.status_code == 302 and response.url == url("offer_detail", call.offer.pk)
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.ACCEPTED
    assert "You have accepted the place" in client.get(response.url).content.decode()


def test_a_double_click_on_accept_accepts_once(call, personas):
    client = english_client(personas.applicant)
    first = client.post(url("offer_accept", call.offer.pk))
    second = client.post(url("offer_accept", call.offer.pk))
    assert first.status_code == second.status_code == 302
    assert OutboxMail.objects.filter(template="offer_accepted").count() == 1


def test_accepting_after_the_deadline_is_refused_with_409_and_a_message(call, personas):
    Offer.objects.filter(pk=call.offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    client = english_client(personas.applicant)
    response = client.post(url("offer_accept", call.offer.pk))
    assert response.status_code == 409
    assert "The time to answer ended on" in response.content.decode()
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.OPEN
    page = client.get(url("offer_detail", call.offer.pk)).content.decode()
    assert url("offer_accept", call.offer.pk) not in page  # no button left to press


def test_declining_asks_first_then_gives_the_place_to_the_next(call, personas):
    client = english_client(personas.applicant)
    confirm = client.get(url("offer_decline", call.offer.pk))
    assert confirm.status_code == 200
    assert "Yes, decline the place" in confirm.content.decode()
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.OPEN
    response = client.post(url("offer_decline", call.offer.pk))
    assert response.status_code == 302
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.DECLINED
    assert Offer.objects.get(application=call.waiting).state == Offer.State.OPEN


def test_declining_an_accepted_offer_is_refused_with_409(call, personas):
    services.offer_accept(offer=call.offer, actor=personas.applicant)
    client = english_client(personas.applicant)
    assert client.post(url("offer_decline", call.offer.pk)).status_code == 409
    assert client.get(url("offer_decline", call.offer.pk)).status_code == 302


def test_the_waiting_applicant_sees_their_position_on_their_own_page(call, personas):
    client = english_client(personas.second_applicant)
    page = client.get(url("application_status", call.waiting.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are number 1 on the waiting list." in html
    run = call.selection_runs.get(state="confirmed")
    assert run.candidate_hash[:8] in html and run.seed in html
    mail = OutboxMail.objects.get(template="waiting_list")
    assert url("application_status", call.waiting.pk) in mail.body


def test_the_standing_page_shows_the_offer_to_its_holder(call, personas):
    page = english_client(personas.applicant).get(url("application_status", call.mine.pk))
    assert url("offer_detail", call.offer.pk) in page.content.decode()


def test_the_coordinator_withdraws_an_offer_on_a_confirmation_page(call, personas):
    client = staff_client(personas.coordinator)
    assert client.get(url("offer_withdraw", call.offer.pk)).status_code == 200
    assert client.post(url("offer_withdraw", call.offer.pk), {"reason": ""}).status_code == 400
    response = client.post(url("offer_withdraw", call.offer.pk), {"reason": "Doppelt vergeben"})
    assert response.status_code == 302
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.WITHDRAWN
    again = client.post(url("offer_withdraw", call.offer.pk), {"reason": "nochmal"})
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["reviewer", "outsider", "funder"])
def test_only_the_calls_coordinators_withdraw_offers(call, personas, client, who):
    f.login_staff(client, getattr(personas, who))
    assert client.post(url("offer_withdraw", call.offer.pk), {"reason": "x"}).status_code == 403
    assert client.get(url("call_offers", call.pk)).status_code == 403
    call.offer.refresh_from_db()
    assert call.offer.state == Offer.State.OPEN


def test_the_offers_page_counts_the_places(call, personas):
    page = staff_client(personas.coordinator).get(url("call_offers", call.pk)).content.decode()
    assert 'data-count="open">2<' in page
    assert call.waiting.reference in page
