"""The back-office start page and the figures of a call (aggregates, no persons)."""

import pytest
from django.urls import reverse

from kohorte.applications import services
from kohorte.core.tests import factories as f

from .html_tables import small_counts


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def figures(personas):
    p = personas
    year = p.call.funding_year
    f.make_application(p.call, p.applicant, submit=True,
                       site=f.make_site(p.programme, funded_year=year, region_name="Fulda"))
    f.make_application(p.call, p.second_applicant, submit=True,
                       site=f.make_site(None, region_name="Gießen"))
    f.make_application(p.call, submit=True, employment_kind="volunteer",
                       site=f.make_site(p.programme, funded_year=year, region_name="Fulda"))
    f.make_application(p.call)
    withdrawn = f.make_application(p.call, submit=True)
    services.application_withdraw(application=withdrawn, actor=withdrawn.applicant)
    return p


def _as(client, user):
    return f.login_staff(client, user)


def test_the_start_page_lists_the_calls_with_their_counts(client, figures):
    response = _as(client, figures.coordinator).get(reverse("backoffice:home"))
    assert response.status_code == 200
    (call,) = response.context["calls"]
    assert (call.n_submitted, call.n_drafts, call.n_withdrawn) == (3, 1, 1)
    assert (call.n_tier1, call.n_tier2, call.n_ineligible) == (1, 1, 1)
    assert reverse("staff_applications:application_list", args=[call.pk]) in response.text
    assert reverse("audit:log", args=[figures.programme.slug]) in response.text
    assert reverse("notifications:outbox") in response.text


def test_the_funder_gets_no_link_to_the_applications(client, figures):
    response = _as(client, figures.funder).get(reverse("backoffice:home"))
    assert response.status_code == 200
    call = figures.call
    assert reverse("staff_applications:application_list", args=[call.pk]) not in response.text
    assert reverse("backoffice:call_figures", args=[call.pk]) in response.text
    assert reverse("audit:log", args=[figures.programme.slug]) not in response.text


def test_the_outsider_sees_only_the_calls_of_their_programme(client, figures):
    other = f.make_call(figures.other_programme)
    response = _as(client, figures.outsider).get(reverse("backoffice:home"))
    assert [c.pk for c in response.context["calls"]] == [other.pk]


def test_the_start_page_runs_the_same_queries_for_many_calls(
        client, figures, django_assert_max_num_queries):
    for _ in range(5):
        f.make_call(figures.programme)
    _as(client, figures.coordinator)
    client.get(reverse("backoffice:home"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("backoffice:home"))
    assert len(response.context["calls"]) == 6


def test_the_start_page_sends_applicants_away_and_strangers_to_the_sign_in(client, figures):
    anonymous = client.get(reverse("backoffice:home"))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:staff_login"))
    client.force_login(figures.applicant)
    assert client.get(reverse("backoffice:home")).status_code == 403


def _figures(client, user, call):
    return _as(client, user).get(reverse("backoffice:call_figures", args=[call.pk]))


def test_the_coordinator_sees_the_exact_counts_by_regierungsbezirk_tier_and_kreis(
        client, figures):
    response = _figures(client, figures.coordinator, figures.call)
    assert response.status_code == 200
    data = response.context["figures"]
    assert data["total"] == 3 and "min_cell" not in data
    assert {d["name"]: d["counts"] for d in data["districts"]} == {
        "Kassel": {"tier1": 1, "tier2": 0, "ineligible": 1},
        "Gießen": {"tier1": 0, "tier2": 1, "ineligible": 0}}
    assert {(r["name"], r["n"]) for r in data["regions"]} == {
        ("Fulda (Landkreis)", 2), ("Gießen (Landkreis)", 1)}
    assert ("Eingereichte Bewerbungen nach Kreis", "1") in small_counts(
        response.text, below=3, captions=("Eingereichte Bewerbungen",))
    assert "Muster" not in response.text and "applicant@example.org" not in response.text


def test_the_funder_sees_no_count_below_three_and_no_kreis_that_would_give_one_away(
        client, figures):
    response = _figures(client, figures.funder, figures.call)
    data = response.context["figures"]
    assert data["total"] == 3 and data["min_cell"] == 3
    # Three applications: every count by tier is small or would give a small one away.
    assert all(n is None for d in data["districts"] for n in d["counts"].values())
    assert data["tiers"] == {"tier1": 1, "tier2": 1, "ineligible": 1}  # totals stay
    # Each Kreis is the only one listed in its Regierungsbezirk: its name goes.
    assert [(r["district"], r["name"], r["n"]) for r in data["regions"]] == [
        ("Gießen", None, None), ("Kassel", None, None)]
    text = response.text
    assert small_counts(text, below=3, captions=("Eingereichte Bewerbungen",)) == []
    assert "Fulda (Landkreis)" not in text and "Gießen (Landkreis)" not in text
    assert 'aria-describedby="kreise-' in text and "statistischen Geheimhaltung" in text
    assert '<span class="kern-sr-only">gesperrt</span>' in text


@pytest.mark.parametrize("role", ["coordinator", "reviewer", "lecturer", "evaluator", "admin"])
def test_every_role_of_the_programme_may_see_the_figures(client, figures, role):
    response = _as(client, getattr(figures, role)).get(
        reverse("backoffice:call_figures", args=[figures.call.pk]))
    assert response.status_code == 200


def test_the_figures_are_denied_to_the_outsider_and_the_applicant(client, figures):
    url = reverse("backoffice:call_figures", args=[figures.call.pk])
    assert _as(client, figures.outsider).get(url).status_code == 403
    client.logout()
    client.force_login(figures.applicant)
    assert client.get(url).status_code == 403


def test_the_figures_of_a_missing_call_are_404(client, figures):
    response = _as(client, figures.funder).get(reverse("backoffice:call_figures", args=[9999]))
    assert response.status_code == 404


def test_the_start_page_leads_the_evaluation_roles_to_the_evaluation(client, personas):
    url = reverse("evaluation:index")
    for user, shown in [(personas.evaluator, True), (personas.funder, True),
                        (personas.coordinator, True), (personas.reviewer, False),
                        (personas.lecturer, False)]:
        f.login_staff(client, user)
        assert (url in client.get(reverse("backoffice:home")).content.decode()) is shown, user
