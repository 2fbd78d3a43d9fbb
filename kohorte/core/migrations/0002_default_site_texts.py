"""Default site texts (privacy, accessibility statement, easy language, imprint).

They are data: the operating institution edits them. Existing texts are kept.
"""

from pathlib import Path

from django.db import migrations

TEXTS = Path(__file__).resolve().parent.parent / "texts"


def _read(name):
    path = TEXTS / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def load(apps, schema_editor):
    SiteText = apps.get_model("core", "SiteText")
    for key in ("privacy", "accessibility", "easy_language", "imprint"):
        SiteText.objects.get_or_create(
            key=key,
            defaults={"body_de": _read(f"{key}.de.md"), "body_en": _read(f"{key}.en.md")},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
