"""Instruments from templates: the competence self-assessment ships as data
(``data/gwa-competence.json``); a programme gets its own copy to adapt before use."""

import json
from pathlib import Path

from django.db import transaction

from .models import Instrument, Item, ItemGroup

TEMPLATES = Path(__file__).parent / "data"


def template_data(name: str) -> dict:
    return json.loads((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))


@transaction.atomic
def instrument_from_template(data: dict, *, programme=None) -> Instrument:
    """Make an instrument with its dimensions and items from template ``data``.

    Items are numbered in order; Likert and number items get consecutive columns, the
    positions of their answers in every stored answer list.
    """
    instrument = Instrument.objects.create(
        programme=programme, key=data["key"], version=data.get("version", 1),
        purpose=data["purpose"], title_de=data["title_de"], title_en=data.get("title_en", ""),
        intro_de=data.get("intro_de", ""), intro_en=data.get("intro_en", ""),
        is_draft=data.get("draft", True))
    labels = data.get("likert_labels", [])
    position = column = 0
    items = []
    for group_position, group_data in enumerate(data["groups"], start=1):
        group = ItemGroup.objects.create(instrument=instrument, position=group_position,
                                         key=group_data["key"], title_de=group_data["de"],
                                         title_en=group_data.get("en", ""))
        for number, item_data in enumerate(group_data["items"], start=1):
            position += 1
            kind = item_data.get("kind", Item.Kind.LIKERT)
            numeric = kind in Item.NUMERIC
            items.append(Item(
                instrument=instrument, group=group, position=position,
                column=column if numeric else None,
                key=item_data.get("key", f"{group.key}-{number}"), kind=kind,
                text_de=item_data["de"], text_en=item_data.get("en", ""),
                required=item_data.get("required", False),
                options=item_data.get("options", labels if kind == Item.Kind.LIKERT else [])))
            column += numeric
    Item.objects.bulk_create(items)
    return instrument
