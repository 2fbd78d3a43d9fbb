"""The evaluation's start page: each role sees the cohorts and links it may use."""

import pytest
from django.urls import reverse

from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(personas):
    return make_cohort(f.make_call(personas.programme), others=1)


def _page(client, user):
    f.login_staff(client, user)
    return client.get(reverse("evaluation:index"))


def test_the_evaluator_finds_surveys_report_and_key_of_each_cohort(client, personas, cohort):
    html = _page(client, personas.evaluator).content.decode()
    assert cohort.title in html
    for name in ("survey_list", "report_cohort", "keys_destroy"):
        assert reverse(f"evaluation:{name}", args=[cohort.pk]) in html


def test_the_funder_finds_the_report_only(client, personas, cohort):
    html = _page(client, personas.funder).content.decode()
    assert reverse("evaluation:report_cohort", args=[cohort.pk]) in html
    assert reverse("evaluation:survey_list", args=[cohort.pk]) not in html
    assert reverse("evaluation:keys_destroy", args=[cohort.pk]) not in html


def test_people_without_an_evaluation_role_see_no_cohort(client, personas, cohort):
    for user in (personas.reviewer, personas.outsider, personas.lecturer):
        response = _page(client, user)
        assert response.status_code == 200 and cohort.title not in response.content.decode()
    client.force_login(personas.applicant)
    assert client.get(reverse("evaluation:index")).status_code == 403


def test_the_module_page_links_to_its_feedback_for_its_lecturers_and_the_coordinators(
        personas):
    from kohorte.evaluation.links import module_links

    cohort = make_cohort(f.make_call(personas.programme), others=1, lecturer=personas.lecturer)
    own, other = cohort.modules.get(position=1), cohort.modules.get(position=2)
    url = reverse("evaluation:report_module_feedback", args=[own.pk])
    assert [link.url for link in module_links(user=personas.lecturer, module=own)] == [url]
    assert module_links(user=personas.lecturer, module=other) == []
    assert len(module_links(user=personas.coordinator, module=other)) == 1
    assert module_links(user=personas.funder, module=own) == []
    assert module_links(user=personas.outsider, module=own) == []
