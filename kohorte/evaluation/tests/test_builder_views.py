"""The builder's pages: a template copied in, dimensions and questions added and
ordered, a frozen instrument refusing changes with a clear message; access refused to
everyone without ``survey manage``."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kohorte.core.tests.factories import login_staff
from kohorte.evaluation.models import Instrument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _url(name, *args):
    return reverse(f"evaluation:{name}", args=args)


def test_the_coordinator_copies_a_template_and_builds_on_it(client, personas):
    login_staff(client, personas.coordinator)
    listing = _url("instrument_list", personas.programme.slug)
    assert client.get(listing).status_code == 200
    response = client.post(listing, {"template": "module-feedback"})
    instrument = Instrument.objects.get(programme=personas.programme)
    assert response.url == _url("instrument_detail", instrument.pk)
    client.post(_url("group_add", instrument.pk), {"group-title_de": "Rahmen",
                                                   "group-title_en": "Setting"})
    group = instrument.groups.get(title_de="Rahmen")
    response = client.post(_url("item_add", instrument.pk), {
        "group": group.pk, "kind": "single", "text_de": "Wie sind Sie angereist?",
        "text_en": "How did you travel?", "options": "Bahn | train\nAuto | car"})
    assert response.status_code == 302
    item = instrument.items.get(group=group)
    assert item.options == [{"value": "1", "de": "Bahn", "en": "train"},
                            {"value": "2", "de": "Auto", "en": "car"}]
    page = client.get(_url("instrument_detail", instrument.pk)).content.decode()
    assert "Wie sind Sie angereist?" in page
    # Move the new dimension up: it comes before the free texts.
    client.post(_url("group_move", instrument.pk, group.pk), {"direction": "up"})
    group.refresh_from_db()
    assert group.position == 2


def test_a_scale_with_three_labels_is_refused_with_the_reason(client, personas):
    login_staff(client, personas.coordinator)
    client.post(_url("instrument_list", personas.programme.slug), {"template": "module-feedback"})
    instrument = Instrument.objects.get(programme=personas.programme)
    response = client.post(_url("item_add", instrument.pk), {
        "group": instrument.groups.first().pk, "kind": "likert", "text_de": "Frage",
        "options": "eins\nzwei\ndrei"})
    assert response.status_code == 400
    assert 'href="#id_options"' in response.content.decode()
    assert instrument.items.count() == 7


def test_a_frozen_instrument_refuses_edits_with_a_message_and_offers_a_new_version(client,
                                                                                 personas):
    login_staff(client, personas.coordinator)
    client.post(_url("instrument_list", personas.programme.slug), {"template": "module-feedback"})
    instrument = Instrument.objects.get(programme=personas.programme)
    Instrument.objects.filter(pk=instrument.pk).update(frozen_at=timezone.now())
    item = instrument.items.first()
    response = client.post(_url("item_remove", instrument.pk, item.pk), follow=True)
    page = response.content.decode()
    assert "neue Version" in page or "new version" in page
    assert instrument.items.count() == 7
    response = client.post(_url("item_edit", instrument.pk, item.pk), {
        "group": item.group_id, "kind": "text", "text_de": "Anders"}, follow=True)
    item.refresh_from_db()
    assert item.kind == "likert"
    client.post(_url("instrument_new_version", instrument.pk))
    copy = Instrument.objects.get(programme=personas.programme, version=2)
    assert copy.frozen_at is None and copy.items.count() == 7


def test_only_survey_managers_of_the_programme_reach_the_builder(client, personas):
    login_staff(client, personas.coordinator)
    client.post(_url("instrument_list", personas.programme.slug), {"template": "module-feedback"})
    instrument = Instrument.objects.get(programme=personas.programme)
    urls = [_url("instrument_list", personas.programme.slug),
            _url("instrument_detail", instrument.pk)]
    for person in (personas.lecturer, personas.funder, personas.outsider, personas.reviewer):
        login_staff(client, person)
        assert {client.get(url).status_code for url in urls} == {403}
    client.force_login(personas.applicant)
    assert {client.get(url).status_code for url in urls} == {403}
    login_staff(client, personas.evaluator)
    assert {client.get(url).status_code for url in urls} == {200}
