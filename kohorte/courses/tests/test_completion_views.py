"""The coordinator's completion page: who meets the rule, confirming, taking back."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Certificate, Participant
from kohorte.courses.services.cohort import participant_leave
from kohorte.courses.services.completion import completion_confirm

from .test_completion_services import accepted_project, attend
from .test_completion_services import w as w  # noqa: F401, PLC0414 - the fixture

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"courses:{name}", args=args)


def test_the_coordinator_sees_hours_project_and_the_verdict_in_words(client, w):
    attend(w.participant, w.held)
    accepted_project(w.participant, w.lecturer)
    attend(w.others[0], w.held[:3])
    response = f.login_staff(client, w.coordinator).get(url("completion", w.cohort.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "14 / 14" in text and "100 %" in text
    assert "10,5 / 14" in text and "75 %" in text
    assert 'data-count="confirmable">1<' in text
    assert 'name="min_attendance_percent"' in text


def test_only_the_coordinator_opens_the_completion_page(client, w):
    for user in (w.lecturer, w.reviewer, w.funder, w.outsider):
        f.login_staff(client, user)
        assert client.get(url("completion", w.cohort.pk)).status_code == 403
    client.force_login(w.applicant)
    assert client.get(url("completion", w.cohort.pk)).status_code == 403
    client.logout()
    assert client.get(url("completion", w.cohort.pk)).url.startswith(
        reverse("accounts:staff_login"))


def test_confirming_one_who_meets_the_rule_needs_no_reason(client, w):
    attend(w.participant, w.held)
    accepted_project(w.participant, w.lecturer)
    f.login_staff(client, w.coordinator)
    page = client.get(url("completion_confirm", w.cohort.pk, w.participant.pk))
    assert 'name="override_reason"' not in page.content.decode()
    response = client.post(url("completion_confirm", w.cohort.pk, w.participant.pk))
    assert response.status_code == 302
    assert Participant.objects.get(pk=w.participant.pk).completion_confirmed_by == w.coordinator


def test_confirming_one_who_does_not_meet_the_rule_asks_for_the_reason(client, w):
    f.login_staff(client, w.coordinator)
    page = client.get(url("completion_confirm", w.cohort.pk, w.participant.pk)).content.decode()
    assert 'name="override_reason"' in page
    refused = client.post(url("completion_confirm", w.cohort.pk, w.participant.pk),
                          {"override_reason": ""})
    assert refused.status_code == 400 and 'href="#id_override_reason"' in refused.content.decode()
    assert Participant.objects.get(pk=w.participant.pk).completion_confirmed_at is None
    done = client.post(url("completion_confirm", w.cohort.pk, w.participant.pk),
                       {"override_reason": "Ersatzleistung vereinbart"})
    assert done.status_code == 302


def test_who_left_cannot_be_confirmed(client, w):
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    f.login_staff(client, w.coordinator)
    response = client.post(url("completion_confirm", w.cohort.pk, w.participant.pk),
                           {"override_reason": "trotzdem"})
    assert response.status_code == 400
    assert Participant.objects.get(pk=w.participant.pk).completion_confirmed_at is None


def test_confirm_all_confirms_those_who_meet_the_rule(client, w):
    attend(w.participant, w.held)
    accepted_project(w.participant, w.lecturer)
    f.login_staff(client, w.coordinator)
    assert client.post(url("completion_confirm_all", w.cohort.pk)).status_code == 302
    confirmed = Participant.objects.filter(cohort=w.cohort, completion_confirmed_at__isnull=False)
    assert list(confirmed) == [w.participant]


def test_the_coordinator_changes_the_rule_and_bad_input_changes_nothing(client, w):
    f.login_staff(client, w.coordinator)
    bad = client.post(url("completion_rule", w.cohort.pk), {"min_attendance_percent": "120"})
    assert bad.status_code == 400
    w.cohort.refresh_from_db()
    assert w.cohort.min_attendance_percent == 80
    good = client.post(url("completion_rule", w.cohort.pk), {"min_attendance_percent": "70"})
    assert good.status_code == 302
    w.cohort.refresh_from_db()
    assert (w.cohort.min_attendance_percent, w.cohort.requires_project) == (70, False)


def test_taking_back_needs_a_reason_and_no_valid_certificate(client, w):
    completion_confirm(participant=w.participant, actor=w.coordinator, override_reason="Ausnahme")
    f.login_staff(client, w.coordinator)
    assert client.post(url("completion_undo", w.cohort.pk, w.participant.pk),
                       {"reason": ""}).status_code == 400
    Certificate.objects.create(participant=w.participant, holder_name="A",
                               programme_title="GWA", total_hours=Decimal("14"))
    page = client.get(url("completion_undo", w.cohort.pk, w.participant.pk)).content.decode()
    assert 'name="reason"' not in page
    assert client.post(url("completion_undo", w.cohort.pk, w.participant.pk),
                       {"reason": "Irrtum"}).status_code == 400
    Certificate.objects.update(revoked_at=timezone.now())
    assert client.post(url("completion_undo", w.cohort.pk, w.participant.pk),
                       {"reason": "Irrtum"}).status_code == 302
    assert Participant.objects.get(pk=w.participant.pk).completion_confirmed_at is None


def test_a_participant_of_another_cohort_is_not_found(client, w):
    f.login_staff(client, w.coordinator)
    assert client.get(url("completion_confirm", w.cohort.pk,
                          w.other_participant.pk)).status_code == 404


def test_the_participant_page_section_shows_project_and_completion(client, w):
    from django.template.loader import render_to_string

    html = render_to_string("courses/participant/_project.html",
                            {"participant": w.participant, "cohort": w.cohort})
    assert reverse("courses:project", args=[w.participant.pk]) in html
    assert "80" in html
    completion_confirm(participant=w.participant, actor=w.coordinator, override_reason="Ausnahme")
    w.participant.refresh_from_db()
    html = render_to_string("courses/participant/_project.html",
                            {"participant": w.participant, "cohort": w.cohort})
    assert timezone.localdate().strftime("%Y") in html
