"""The application list of a call as CSV or XLSX, for the coordinators' own work.

Every text cell that a spreadsheet could read as a formula (starting with = + - @, or
a tab or carriage return) gets a leading apostrophe: applicants write these values.
Times are given in Europe/Berlin. An export is personal data leaving the system, so it
is written to the audit log (which filters, how many rows; never the rows).
"""

import csv
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kohorte.core.audit import audit_record

from .models import Call, Eligibility
from .selectors_staff import eligibility_of

BERLIN = ZoneInfo("Europe/Berlin")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


def defuse(value):
    """Text that a spreadsheet would evaluate becomes plain text (leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _headers():
    return [_("Reference"), _("State"), _("First name"), _("Last name"), _("E-mail address"),
            _("Organisation (Träger)"), _("Site (Quartier)"), _("Kreis"), _("Regierungsbezirk"),
            _("Role"), _("Hours per week"), _("Employment"), _("Qualification"), _("Tier"),
            _("Reasons"), _("Submitted at (Europe/Berlin)")]


def _tier_label(value):
    return str(Eligibility.Tier(value).label) if value in Eligibility.Tier.values else ""


def _row(application):
    """One application as plain values (hours a Decimal, the time a naive Berlin time)."""
    a = application
    eligibility = eligibility_of(a)
    qualification = a.get_qualification_display() if a.qualification else ""
    if a.qualification_detail:
        qualification = f"{qualification} ({a.qualification_detail})".strip()
    submitted = (timezone.localtime(a.submitted_at, BERLIN).replace(tzinfo=None)
                 if a.submitted_at else None)
    return [
        a.reference or "", a.get_state_display(), a.first_name, a.last_name, a.email,
        a.organisation_name or "", a.site_name or "",
        str(a.region) if a.region_id else "", a.region.district if a.region_id else "",
        a.job_title, a.weekly_hours,
        a.get_employment_kind_display() if a.employment_kind else "", qualification,
        _tier_label(eligibility.tier) if eligibility else "",
        "; ".join(r.get("message", "") for r in (eligibility.reasons if eligibility else [])),
        submitted,
    ]


def _csv(rows) -> bytes:
    out = io.StringIO()
    # Semicolons and a byte-order mark: what spreadsheet programs in Germany expect.
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows:
        *text, hours, employment, qualification, tier, reasons, submitted = row
        writer.writerow([defuse(v) for v in [
            *text,
            formats.number_format(hours) if hours is not None else "",
            employment, qualification, tier, reasons,
            submitted.strftime("%d.%m.%Y %H:%M") if submitted else "",
        ]])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Applications")[:31]
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([defuse(v) for v in row])
        sheet.cell(row=sheet.max_row, column=len(row)).number_format = "DD.MM.YYYY HH:MM"
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLMNOP", (15, 12, 14, 16, 28, 28, 28, 22, 16, 22, 10,
                                                  20, 30, 12, 50, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@transaction.atomic
def applications_export(*, call: Call, applications, fmt: str, actor, filters: dict,
                        now=None) -> ExportFile:
    """The (filtered) list as a file; the export is audited with its filters and size."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    now = now or timezone.now()
    rows = [_row(a) for a in applications]
    content = _csv(rows) if fmt == "csv" else _xlsx(rows)
    # Only the names of the filters: a search term may be a person's name.
    audit_record(actor=actor, action="application.export", obj=call,
                 data={"format": fmt, "rows": len(rows), "filters": sorted(filters)})
    stamp = timezone.localtime(now, BERLIN).strftime("%Y-%m-%d")
    return ExportFile(content=content, content_type=FORMATS[fmt],
                      filename=f"{call.slug}-bewerbungen-{stamp}.{fmt}", rows=len(rows))
