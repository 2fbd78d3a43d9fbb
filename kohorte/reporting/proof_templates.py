"""Reporting templates, stored as data: ``data/proof-templates/<kind>.json`` keyed by
``FundingPeriod.kind``. A grant reports a Sachbericht, the zahlenmäßiger Nachweis
against the financing plan and the Belegliste; a commission a Leistungsnachweis, a
statement of costs (no plan comparison) and the list of payments. Deadlines, sections
and their titles are data: nothing about one funder is written into the code.

Parts a template may name: ``report`` (the texts and the figures), ``financial`` (plan
vs. actual, deviations, overrun states), ``invoice`` (actual per line, no plan) and
``receipts`` (every approved booking).
"""

import calendar
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

TEMPLATE_DIR = Path(__file__).resolve().parent / "data" / "proof-templates"
PARTS = ("report", "financial", "invoice", "receipts")


class TemplateError(ValueError):
    """A template file that does not say what a template must."""


def localised(value, language=None) -> str:
    """A {"de": …, "en": …} text in the current language (German as the fallback)."""
    if isinstance(value, dict):
        language = (language or get_language() or "de")[:2]
        return value.get(language) or value.get("de") or next(iter(value.values()), "")
    return value or ""


@dataclass(frozen=True)
class Section:
    key: str
    title: dict
    hint: dict
    required: bool

    @property
    def label(self) -> str:
        return localised(self.title)

    @property
    def help(self) -> str:
        return localised(self.hint)


@dataclass(frozen=True)
class ProofTemplate:
    key: str
    title: dict
    interim_title: dict
    report_title: dict
    final_due_months: int
    interim_due_months: int
    parts: tuple[str, ...]
    sections: tuple[Section, ...]
    report_figures: bool

    def has(self, part: str) -> bool:
        return part in self.parts

    def as_data(self) -> dict:
        """What the snapshot keeps of the template (so a later edit of the file does not
        change what a submitted proof said)."""
        return {
            "key": self.key, "title": self.title, "interim_title": self.interim_title,
            "report_title": self.report_title, "parts": list(self.parts),
            "report_figures": self.report_figures,
            "sections": [{"key": s.key, "title": s.title, "required": s.required}
                         for s in self.sections],
        }


def _parse(data: dict, key: str) -> ProofTemplate:
    try:
        parts = tuple(data["parts"])
        sections = tuple(Section(key=s["key"], title=s["title"], hint=s.get("hint", {}),
                                 required=bool(s.get("required", False)))
                         for s in data["sections"])
        template = ProofTemplate(
            key=key, title=data["title"], interim_title=data.get("interim_title", data["title"]),
            report_title=data["report_title"],
            final_due_months=int(data["final_due_months"]),
            interim_due_months=int(data["interim_due_months"]),
            parts=parts, sections=sections, report_figures=bool(data.get("report_figures", True)))
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"proof template {key!r}: {exc!r}") from exc
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise TemplateError(f"proof template {key!r}: unknown parts {sorted(unknown)}")
    if len({s.key for s in sections}) != len(sections):
        raise TemplateError(f"proof template {key!r}: section keys repeat")
    return template


@cache
def proof_template(key: str) -> ProofTemplate:
    """The template for a funding period's kind (``grant``, ``commission``)."""
    path = TEMPLATE_DIR / f"{key}.json"
    if not path.is_file():
        raise TemplateError(f"no proof template for {key!r}")
    return _parse(json.loads(path.read_text(encoding="utf-8")), key)


def template_for(period) -> ProofTemplate:
    return proof_template(period.kind)


# --- Deadlines -----------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day where it is shorter
    (31 August + 6 months = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    period: object
    kind: str  # "interim" or "final"
    year: int | None
    covers_start: date
    covers_end: date
    due_on: date


def interim_years(period) -> list[int]:
    """The calendar years an interim report is due for: every year of a multi-year
    period but its last (which the final proof covers)."""
    return list(range(period.start.year, period.end.year))


def covered_range(period, kind: str, year: int | None) -> tuple[date, date]:
    if kind == "interim":
        return max(period.start, date(year, 1, 1)), min(period.end, date(year, 12, 31))
    return period.start, period.end


def due_on(period, kind: str, year: int | None, template: ProofTemplate | None = None) -> date:
    template = template or template_for(period)
    if kind == "interim":
        return add_months(date(year, 12, 31), template.interim_due_months)
    return add_months(period.end, template.final_due_months)


def deadlines(period) -> list[Deadline]:
    """The reports a period owes, in the order they fall due."""
    template = template_for(period)
    result = []
    for year in interim_years(period):
        start, end = covered_range(period, "interim", year)
        result.append(Deadline(period, "interim", year, start, end,
                               due_on(period, "interim", year, template)))
    result.append(Deadline(period, "final", None, period.start, period.end,
                           due_on(period, "final", None, template)))
    return result
