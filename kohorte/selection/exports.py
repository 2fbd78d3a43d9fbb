"""The reviews of a call as CSV or XLSX, for the coordinators' selection meeting.

One row per eligible application: the mean per criterion over the submitted reviews
("not applicable" left out), the score (mean of the review scores), its standard
deviation, the number of reviews, the spread and the disagreement flag. The XLSX file
has a second sheet with one row per submitted review. Comments are not exported.

Text cells a spreadsheet could run as a formula are defused as in the application
export, and the export is audited (format and size, never the rows).
"""

import csv
import io

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kohorte.applications.exports import BERLIN, FORMATS, ExportFile, defuse
from kohorte.core.audit import audit_record

from .selectors import reviews as selectors


def _tier_label(tier):
    return {"tier1": _("Tier 1"), "tier2": _("Tier 2")}.get(tier, "")


def _headers(criteria):
    return [_("Reference"), _("First name"), _("Last name"), _("Organisation (Träger)"),
            _("Regierungsbezirk"), _("Tier"),
            *[_("%(criterion)s (mean)") % {"criterion": c.name} for c in criteria],
            _("Score"), _("Standard deviation"), _("Reviews"), _("Spread"), _("Disagreement"),
            _("Reviewers assigned")]


def _review_headers(criteria):
    return [_("Reference"), _("Reviewer"), _("Submitted at (Europe/Berlin)"),
            *[c.name for c in criteria], _("Score")]


def _rows(call, criteria, threshold):
    """Plain values: Decimals for numbers (None when there is none), text otherwise."""
    overview = selectors.review_overview(call=call, threshold=threshold)
    means = selectors.criterion_means(call=call)
    rows = []
    for row in overview.rows:
        a, summary = row.application, row.summary
        rows.append([
            a.reference, a.first_name, a.last_name, a.organisation_name or "",
            a.region.district if a.region_id else "", _tier_label(a.effective_tier),
            *[means.get(a.pk, {}).get(c.pk) for c in criteria],
            summary.score, summary.sd, summary.count, summary.spread,
            _("yes") if summary.disagreement else _("no"), len(row.assignments),
        ])
    return rows


def _review_rows(call, criteria):
    rows = []
    for review in selectors.submitted_reviews_for_call(call=call):
        values = {s.criterion_id: s.value for s in review.scores.all()}
        submitted = timezone.localtime(review.submitted_at, BERLIN).replace(tzinfo=None)
        rows.append([
            review.application.reference, str(review.reviewer), submitted,
            *[(_("n/a") if values.get(c.pk) is None else values[c.pk]) if c.pk in values else ""
              for c in criteria],
            review.score,
        ])
    return rows


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return defuse(value)
    if isinstance(value, int):
        return str(value)
    return formats.number_format(value, 2)


def _csv(headers, rows) -> bytes:
    out = io.StringIO()
    # Semicolons, decimal commas and a byte-order mark, as the application export.
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _sheet(sheet, headers, rows):
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([defuse(v) for v in row])
    sheet.freeze_panes = "A2"


def _xlsx(criteria, rows, review_rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Applications")[:31]
    _sheet(sheet, _headers(criteria), rows)
    n = len(criteria)
    # Criterion means, score, SD and spread with two decimals (columns counted from 0).
    decimal_columns = [*range(6, 6 + n), 6 + n, 7 + n, 9 + n]
    for row in sheet.iter_rows(min_row=2):
        for index in decimal_columns:
            row[index].number_format = "0.00"
    reviews = workbook.create_sheet(_("Reviews")[:31])
    _sheet(reviews, _review_headers(criteria), review_rows)
    for row in reviews.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "DD.MM.YYYY HH:MM"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@transaction.atomic
def reviews_export(*, call, fmt: str, actor, now=None) -> ExportFile:
    """The score table of a call as a file; the export is audited with its size."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    now = now or timezone.now()
    criteria = selectors.criteria_for_call(call=call)
    threshold = selectors.policy_in_force(call=call).disagreement_threshold
    rows = _rows(call, criteria, threshold)
    if fmt == "csv":
        content = _csv(_headers(criteria), rows)
    else:
        content = _xlsx(criteria, rows, _review_rows(call, criteria))
    audit_record(actor=actor, action="review.export", obj=call,
                 data={"format": fmt, "rows": len(rows)})
    stamp = timezone.localtime(now, BERLIN).strftime("%Y-%m-%d")
    return ExportFile(content=content, content_type=FORMATS[fmt],
                      filename=f"{call.slug}-begutachtung-{stamp}.{fmt}", rows=len(rows))

