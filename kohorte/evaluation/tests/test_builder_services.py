"""The survey builder: templates copied into a programme, columns kept consistent,
frozen instruments refusing changes and a new version instead."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.evaluation import services_surveys as services
from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Instrument, Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return f.make_programme()


def _columns(instrument):
    return [(item.key, item.column) for item in instrument.items.order_by("position")]


def _numeric_columns_are_consecutive(instrument):
    items = list(instrument.items.order_by("position"))
    numeric = [item.column for item in items if item.kind in Item.NUMERIC]
    others = [item.column for item in items if item.kind not in Item.NUMERIC]
    positions = [item.position for item in items]
    return (numeric == list(range(len(numeric))) and set(others) <= {None}
            and positions == list(range(1, len(items) + 1)))


def test_the_module_feedback_template_has_five_scales_and_two_free_texts_in_both_languages():
    instrument = instrument_from_template(template_data("module-feedback"))
    items = list(instrument.items.order_by("position"))
    assert [i.kind for i in items] == ["likert"] * 5 + ["text"] * 2
    assert [i.column for i in items] == [0, 1, 2, 3, 4, None, None]
    assert all(i.text_de and i.text_en for i in items)
    assert all(len(i.options) == 5 for i in items[:5])
    assert instrument.purpose == Instrument.Purpose.FEEDBACK


def test_copying_a_template_twice_makes_versions_one_and_two_of_the_programme(programme):
    first = services.instrument_copy(programme=programme, template="gwa-competence", actor=None)
    second = services.instrument_copy(programme=programme, template="gwa-competence", actor=None)
    assert (first.programme, first.version, second.version) == (programme, 1, 2)
    assert first.items.count() == 32 and first.frozen_at is None
    assert AuditEntry.objects.filter(action="instrument.copy").count() == 2


def test_an_unknown_template_is_refused(programme):
    with pytest.raises(ValidationError):
        services.instrument_copy(programme=programme, template="../secret", actor=None)


def test_adding_moving_and_removing_keeps_the_columns_consecutive_in_position_order(programme):
    instrument = services.instrument_copy(programme=programme, template="module-feedback",
                                          actor=None)
    rating, words = instrument.groups.order_by("position")
    # A number at the end of the first group: it takes column 5, the texts move behind it.
    added = services.item_save(instrument=instrument, group=rating, kind="number",
                               text_de="Wie viele Stunden?", actor=None, min_value=0,
                               max_value=40)
    added.refresh_from_db()
    assert (added.position, added.column) == (6, 5)
    assert _numeric_columns_are_consecutive(instrument)
    # The words first: the text items now come before every number.
    services.group_move(group=words, direction="up", actor=None)
    assert [i.kind for i in instrument.items.order_by("position")][:2] == ["text", "text"]
    assert _numeric_columns_are_consecutive(instrument)
    # The first scale one down: it swaps columns with the second.
    services.item_move(item=instrument.items.get(key="inhalte"), direction="down", actor=None)
    assert instrument.items.get(key="inhalte").column == 1
    assert instrument.items.get(key="methoden").column == 0
    services.item_remove(item=instrument.items.get(key="methoden"), actor=None)
    assert _numeric_columns_are_consecutive(instrument)
    services.group_remove(group=rating, actor=None)
    assert _columns(instrument) == [("nuetzlich", None), ("aendern", None)]


def test_a_scale_needs_five_labels_and_a_choice_two_answers(programme):
    instrument = services.instrument_copy(programme=programme, template="module-feedback",
                                          actor=None)
    group = instrument.groups.first()
    with pytest.raises(ValidationError) as error:
        services.item_save(instrument=instrument, group=group, kind="likert", text_de="Frage",
                           options=[{"de": "ja", "en": "yes"}], actor=None)
    assert "options" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.item_save(instrument=instrument, group=group, kind="single", text_de="Frage",
                           options=[{"de": "ja", "en": "yes"}], actor=None)
    choice = services.item_save(instrument=instrument, group=group, kind="multiple",
                                text_de="Welche?", actor=None,
                                options=[{"de": "A", "en": "A"}, {"de": "B", "en": ""}])
    assert [o["value"] for o in choice.options] == ["1", "2"] and choice.column is None


def test_a_frozen_instrument_refuses_every_change_and_a_new_version_is_editable(programme):
    instrument = services.instrument_copy(programme=programme, template="module-feedback",
                                          actor=None)
    Instrument.objects.filter(pk=instrument.pk).update(frozen_at=timezone.now())
    instrument.refresh_from_db()
    group = instrument.groups.first()
    item = instrument.items.first()
    attempts = [
        lambda: services.instrument_update(instrument=instrument, actor=None, title_de="Neu",
                                           title_en="", intro_de="", intro_en=""),
        lambda: services.group_save(instrument=instrument, title_de="Neu", actor=None),
        lambda: services.group_move(group=group, direction="down", actor=None),
        lambda: services.group_remove(group=group, actor=None),
        lambda: services.item_save(instrument=instrument, group=group, kind="text",
                                   text_de="Neu", actor=None),
        lambda: services.item_move(item=item, direction="down", actor=None),
        lambda: services.item_remove(item=item, actor=None),
    ]
    before = _columns(instrument)
    for attempt in attempts:
        with pytest.raises(services.InstrumentFrozen):
            attempt()
    assert _columns(instrument) == before
    copy = services.instrument_new_version(instrument=instrument, actor=None)
    assert (copy.version, copy.frozen_at, copy.key) == (2, None, instrument.key)
    assert _columns(copy) == before
    services.item_remove(item=copy.items.first(), actor=None)
    assert instrument.items.count() == 7
