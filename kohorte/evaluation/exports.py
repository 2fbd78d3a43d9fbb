"""The pseudonymised answers as CSV with a codebook, for R and SPSS, in one ZIP.

One row per person and measurement. People are numbered afresh in a random order for
every export: the stored token never leaves, and the number tells nothing about the
order in which pseudonyms were issued (which follows the participant list). Only
numeric answers go out: free text and the day of answering could point to a person.
"""

import csv
import io
import random
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kohorte.core.audit import audit_record

from .models import Item, Response
from .selectors_report import export_responses, numeric_items

# Measurement codes in the data (value labels in the codebook).
MEASUREMENT_CODES = {
    Response.Measurement.PRE: 1,
    Response.Measurement.THEN: 2,
    Response.Measurement.POST: 3,
    Response.Measurement.FOLLOW_UP: 4,
}
MEASUREMENT_LABELS = {
    1: ("vorher (Prä, Baustein 1)", "before (pre, module 1)"),
    2: ("rückblickend vorher (Then-Test, mit Post erhoben)",
        "looking back (then-test, asked with post)"),
    3: ("nachher (Post, letzter Baustein)", "after (post, last module)"),
    4: ("Follow-up (3–6 Monate nach Ende)", "follow-up (3–6 months after the end)"),
}
FIXED = [
    ("person", "Laufende Nummer der Person in diesem Export (zufällige Reihenfolge, nicht "
               "das gespeicherte Pseudonym)",
     "Running number of the person in this export (random order, not the stored pseudonym)",
     "integer"),
    ("kohorte", "Kohorte (Code, siehe Wertelabels)", "Cohort (code, see value labels)",
     "integer"),
    ("messung", "Messzeitpunkt (Code, siehe Wertelabels)",
     "Measurement (code, see value labels)", "integer"),
]


@dataclass
class ExportFile:
    content: bytes
    filename: str
    rows: int
    people: int


def _value(item: Item, value) -> str:
    if value is None:
        return ""
    if item.kind == Item.Kind.LIKERT or float(value) == int(value):
        return str(int(value))
    return repr(float(value))


def _value_labels(item: Item) -> str:
    if item.kind != Item.Kind.LIKERT:
        return ""
    return "; ".join(f"{number} = {option.get('de', '')} ({option.get('en', '')})"
                     for number, option in enumerate(item.options, start=1))


def data_rows(*, cohorts, instrument, rng=None):
    """(header, rows, cohort list, people): the table as it is written to the CSV."""
    rng = rng or random.SystemRandom()
    cohorts = list(cohorts)
    cohort_code = {cohort.pk: number for number, cohort in enumerate(cohorts, start=1)}
    columns = numeric_items(instrument=instrument)
    answers = export_responses(cohorts=cohorts, instrument=instrument)
    people = sorted({pseudonym for pseudonym, *_ in answers})
    rng.shuffle(people)
    number = {pseudonym: i for i, pseudonym in enumerate(people, start=1)}
    header = [name for name, *_ in FIXED] + [item.key for item in columns]
    rows = []
    for pseudonym, cohort_id, measurement, numbers in sorted(
            answers, key=lambda a: (number[a[0]], MEASUREMENT_CODES[a[2]])):
        rows.append([str(number[pseudonym]), str(cohort_code[cohort_id]),
                     str(MEASUREMENT_CODES[measurement])]
                    + [_value(item, numbers[item.column] if item.column < len(numbers) else None)
                       for item in columns])
    return header, rows, cohorts, len(people), columns


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def codebook_rows(*, columns, cohorts) -> list[list[str]]:
    rows = [["variable", "label_de", "label_en", "type", "values", "dimension"]]
    cohort_labels = "; ".join(f"{n} = {c.title}" for n, c in enumerate(cohorts, start=1))
    measurement_labels = "; ".join(f"{code} = {de} ({en})"
                                   for code, (de, en) in MEASUREMENT_LABELS.items())
    labels = {"person": "", "kohorte": cohort_labels, "messung": measurement_labels}
    for name, de, en, kind in FIXED:
        rows.append([name, de, en, kind, labels[name], ""])
    for item in columns:
        kind = "integer 1–5" if item.kind == Item.Kind.LIKERT else "number"
        rows.append([item.key, item.text_de, item.text_en, kind, _value_labels(item),
                     item.group.title_de if item.group else ""])
    return rows


def codebook_markdown(*, instrument, columns, cohorts, people, rows, now) -> str:
    lines = [
        f"# Codebuch / Codebook: {instrument.title_de} (Version {instrument.version})",
        "",
        f"Export vom / exported on {timezone.localdate(now):%d.%m.%Y}. "
        f"{people} Personen / people, {rows} Zeilen / rows.",
        "",
    ]
    if instrument.is_draft:
        lines += ["**Entwurf / Draft:** Die Items sind noch nicht validiert. "
                  "The items have not yet been validated.", ""]
    lines += [
        "## Datei / File `daten.csv`",
        "",
        "- UTF-8, Komma als Trennzeichen, Punkt als Dezimalzeichen, erste Zeile = "
        "Variablennamen. / UTF-8, comma-separated, decimal point, first row = names.",
        "- Eine Zeile je Person und Messzeitpunkt; fehlende Antworten sind leer. / One row "
        "per person and measurement; missing answers are empty.",
        "- R: `read.csv(\"daten.csv\")`; SPSS: GET DATA /TYPE=TXT /DELIMITERS=\",\" "
        "/FIRSTCASE=2.",
        "- Pseudonymisiert, nicht anonym: kleine Gruppen können Rückschlüsse erlauben. "
        "Freitext und Antwortdaten sind nicht enthalten. / Pseudonymised, not anonymous; "
        "free text and answer dates are not included.",
        "",
        "## Messzeitpunkte / Measurements (`messung`)",
        "",
    ]
    lines += [f"- {code} = {de} / {en}" for code, (de, en) in MEASUREMENT_LABELS.items()]
    lines += ["", "## Kohorten / Cohorts (`kohorte`)", ""]
    lines += [f"- {n} = {cohort.title}" for n, cohort in enumerate(cohorts, start=1)]
    lines += ["", "## Variablen / Variables", "",
              "| Variable | Wortlaut (de) | Wording (en) | Typ / type | Werte / values | "
              "Dimension |", "|---|---|---|---|---|---|"]
    for row in codebook_rows(columns=columns, cohorts=cohorts)[1:]:
        lines.append("| " + " | ".join(cell.replace("|", "/").replace("\n", " ")
                                       for cell in row) + " |")
    return "\n".join(lines) + "\n"


@transaction.atomic
def evaluation_data_export(*, cohorts, instrument, actor, obj, now=None,
                           rng=None) -> ExportFile:
    """The ZIP (``daten.csv``, ``codebuch.csv``, ``codebuch.md``); the export is audited
    with its size, never with its content."""
    now = now or timezone.now()
    header, rows, cohorts, people, columns = data_rows(cohorts=cohorts, instrument=instrument,
                                                        rng=rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.csv", _csv(header, rows))
        archive.writestr("codebuch.csv", _csv(*_split(codebook_rows(columns=columns,
                                                                    cohorts=cohorts))))
        archive.writestr("codebuch.md", codebook_markdown(
            instrument=instrument, columns=columns, cohorts=cohorts, people=people,
            rows=len(rows), now=now))
    audit_record(actor=actor, action="evaluation_data.export", obj=obj,
                 data={"instrument": instrument.pk, "cohorts": [c.pk for c in cohorts],
                       "people": people, "rows": len(rows)})
    stamp = timezone.localdate(now).strftime("%Y-%m-%d")
    return ExportFile(content=out.getvalue(), rows=len(rows), people=people,
                      filename=f"evaluation-{instrument.key}-v{instrument.version}-{stamp}.zip")


def _split(rows):
    return rows[0], rows[1:]
