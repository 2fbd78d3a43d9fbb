"""Load the Kreise and kreisfreie Städte of Hessen with their validity.

The reference data is a copy of shared/data/hessen-kreise.csv kept in the project
(kohorte/programmes/data/). Running it again changes nothing.
"""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "hessen-kreise.csv"


def _day(value):
    return date.fromisoformat(value) if value else None


def load(apps, schema_editor):
    Region = apps.get_model("programmes", "Region")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Region.objects.update_or_create(
                code=row["ags"], name=row["name"], valid_from=_day(row["gueltig_ab"]),
                defaults={
                    "kind": row["art"], "district": row["regierungsbezirk"],
                    "nuts3": row["nuts3"], "valid_to": _day(row["gueltig_bis"]),
                    "note": row["hinweis"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
