"""The selection stage's links on the call page and the applicant's page."""

from django.urls import reverse

from kohorte.core.extensions import links
from kohorte.core.tests import factories as f


def test_coordinators_find_reviews_selection_and_offers_on_the_call_page(client, personas):
    response = f.login_staff(client, personas.coordinator).get(
        reverse("staff_applications:call_detail", args=[personas.call.pk]))
    html = response.content.decode()
    for name in ("reviews:overview", "selection:call_selection", "selection:call_offers"):
        assert reverse(name, args=[personas.call.pk]) in html


def test_funders_get_no_selection_links(personas):
    assert links("KOHORTE_CALL_PAGE_LINKS", user=personas.funder, call=personas.call) == []


def test_reviewers_find_their_reviews_from_the_start_page(client, personas):
    html = f.login_staff(client, personas.reviewer).get(reverse("backoffice:home")).content.decode()
    assert reverse("reviews:my_reviews") in html


def test_an_applicant_sees_no_decision_link_before_a_selection_is_confirmed(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    assert links("KOHORTE_APPLICANT_LINKS", application=application) == []
