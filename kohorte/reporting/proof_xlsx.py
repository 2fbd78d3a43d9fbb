"""The proof of use as XLSX: one sheet per part, from the same snapshot as the page.

Amounts are numbers with a euro format; every total is written as a value (a formula
would be empty for a program reading the file without computing it), so the file can be
read back and checked against the bookings.
"""

import io
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kohorte.applications.models import Eligibility

from .figures import FUNNEL
from .proof_pdf import DOCUMENT_LANGUAGE
from .proof_templates import localised
from .templatetags.reporting_format import STAGES, state_words

EURO = '#,##0.00 "€";-#,##0.00 "€"'
PERCENT = '0.0" %"'
DATE = "DD.MM.YYYY"
# The mark of a withheld count and its note, as on the page (reporting/_withheld_note.html).
WITHHELD = "*"
WITHHELD_NOTE = gettext_noop("* Withheld for statistical confidentiality: fewer than %(n)s, or a "
                             "count from which such a small number could be worked out with "
                             "the totals.")


def _money(value):
    return None if value is None else Decimal(value)


def _day(value):
    return date.fromisoformat(value) if value else None


def _header(sheet, row, labels):
    from openpyxl.styles import Font

    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=str(label))
        cell.font = Font(bold=True)


def _put(sheet, row, values, formats=None):
    formats = formats or {}
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if column in formats:
            cell.number_format = formats[column]


def _report_sheet(book, doc):
    sheet = book.active
    sheet.title = localised(doc["template"]["report_title"])[:31]
    row = 1
    for label, value in ((_("Programme"), doc["programme"]["name"]),
                         (_("Funding period"), doc["period"]["title"]),
                         (_("This report covers"),
                          f'{_day(doc["proof"]["covers_start"]):%d.%m.%Y} – '
                          f'{_day(doc["proof"]["covers_end"]):%d.%m.%Y}')):
        _put(sheet, row, [str(label), value])
        row += 1
    row += 1
    for section in doc["texts"]:
        _put(sheet, row, [localised(section["title"]), section["text"]])
        row += 1
    figures = doc.get("figures")
    if figures:
        row += 1
        _header(sheet, row, [_("Call"), STAGES["places"], *[STAGES[s] for s in FUNNEL]])
        row += 1
        for call in figures["calls"]:
            _put(sheet, row, [call["call"], call["places"], *[call["funnel"][s] for s in FUNNEL]])
            row += 1
        tiers = Eligibility.Tier.choices
        for call in figures["calls"]:
            row += 1
            _put(sheet, row, [call["call"]])
            row += 1
            _header(sheet, row, [_("Regierungsbezirk"), *[label for _v, label in tiers],
                                 _("Total")])
            row += 1
            for district in call["applications"]["districts"]:
                counts = district["counts"]
                cells = ([None] * len(tiers) if counts is None else
                         [WITHHELD if counts[value] is None else counts[value]
                          for value, _l in tiers])
                _put(sheet, row, [district["name"] or str(_("not stated")), *cells,
                                  district["total"]])
                row += 1
            if call["applications"].get("min_cell"):
                _put(sheet, row, [str(_(WITHHELD_NOTE) % {"n": call["applications"]["min_cell"]})])
                row += 1
            course = call.get("course")
            if course:
                attendance = course["attendance"]
                _put(sheet, row, [str(_("Average attendance (%)")),
                                  None if attendance["suppressed"] else float(attendance["average"]),
                                  str(_("not shown (fewer than %(n)d)") % {"n": figures["min_group"]})
                                  if attendance["suppressed"] else None])
                row += 1
                for evaluation in course["evaluation"]:
                    _header(sheet, row, [evaluation["instrument"], "n", "d_z", "CI low", "CI high"])
                    row += 1
                    for dimension in evaluation["dimensions"]:
                        result = dimension.get("pre_post", {"suppressed": True})
                        if result["suppressed"]:
                            _put(sheet, row, [dimension["name"], str(
                                _("not shown (fewer than %(n)d)") % {"n": figures["min_group"]})])
                        else:
                            _put(sheet, row, [dimension["name"], result["n"], result["dz"],
                                              result["ci_low"], result["ci_high"]])
                        row += 1
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60


def _financial_sheet(book, doc):
    f = doc["financial"]
    sheet = book.create_sheet(_("Financial statement")[:31])
    row = 1
    if f["version"]:
        _put(sheet, row, [str(_("Financing plan version")), f["version"]["number"]])
        row += 2
    interim = f["interim"]
    for kind, label in (("income", _("Income")), ("expense", _("Expenditure"))):
        columns = [label, _("Plan"), *([_("Actual in the year")] if interim else []), _("Actual"),
                   _("Deviation"), _("Deviation in %"), *([_("State")] if kind == "expense" else [])]
        _header(sheet, row, columns)
        row += 1
        money = {2, 3, 4} | ({5} if interim else set())
        formats = {c: EURO for c in money} | {(6 if interim else 5): PERCENT}
        for line in f[kind]:
            values = [line["title"], _money(line["planned"]),
                      *([_money(line["year"])] if interim else []), _money(line["actual"]),
                      _money(line["difference"]),
                      None if line["difference_percent"] is None else float(line["difference_percent"])]
            if kind == "expense":
                values.append(str(state_words(line["state"], f["overrun_percent"])))
            _put(sheet, row, values, formats)
            row += 1
        total = f[f"{kind}_total"]
        _put(sheet, row, [str(_("Total")), _money(total["planned"]),
                          *([_money(total["year"])] if interim else []), _money(total["actual"]),
                          _money(total["difference"]),
                          None if total["difference_percent"] is None
                          else float(total["difference_percent"])], formats)
        row += 2
    _put(sheet, row, [str(_("Income minus expenditure")), _money(f["balance"])], {2: EURO})
    sheet.column_dimensions["A"].width = 40
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 16
    sheet.column_dimensions["G"].width = 50


def _invoice_sheet(book, doc):
    f = doc["financial"]
    sheet = book.create_sheet(_("Statement of costs")[:31])
    key = "year" if f["interim"] else "actual"
    _header(sheet, 1, [_("Line"), _("Amount")])
    row = 2
    for line in f["expense"]:
        _put(sheet, row, [line["title"], _money(line[key])], {2: EURO})
        row += 1
    _put(sheet, row, [str(_("Total")), _money(f["expense_total"][key])], {2: EURO})
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16


def _receipts_sheet(book, doc):
    r = doc["receipts"]
    sheet = book.create_sheet(_("List of payments")[:31])
    _header(sheet, 1, [_("No."), _("Date"), _("Payee"), _("Purpose"), _("Line"), _("Amount"),
                       _("Note")])
    row = 2
    for e in r["entries"]:
        note = ""
        if e["reverses"]:
            note = (_("Reversal of no. %(n)s") % {"n": e["reverses"]["number"]}
                    if e["reverses"]["number"] else
                    _("Reversal of the booking of %(day)s (%(purpose)s)")
                    % {"day": f'{_day(e["reverses"]["date"]):%d.%m.%Y}',
                       "purpose": e["reverses"]["purpose"]})
        if e["reversed_by"]:
            note = _("Reversed by no. %(n)s") % {"n": e["reversed_by"]}
        _put(sheet, row, [e["number"], _day(e["date"]), e["payee"], e["purpose"],
                          e["line_title"], _money(e["amount"]), note], {2: DATE, 6: EURO})
        row += 1
    _put(sheet, row, [None, None, None, None, str(_("Total expenditure")),
                      _money(r["expense_total"])], {6: EURO})
    _put(sheet, row + 1, [None, None, None, None, str(_("Total income")),
                          _money(r["income_total"])], {6: EURO})
    for column, width in zip("ABCDEFG", (6, 12, 36, 48, 28, 14, 36), strict=True):
        sheet.column_dimensions[column].width = width


def proof_xlsx(snapshot: dict, *, title: str) -> bytes:
    from openpyxl import Workbook

    with translation.override(DOCUMENT_LANGUAGE):
        book = Workbook()
        book.properties.title = title
        book.properties.language = DOCUMENT_LANGUAGE
        parts = snapshot["template"]["parts"]
        _report_sheet(book, snapshot)
        if "financial" in parts and snapshot.get("financial"):
            _financial_sheet(book, snapshot)
        if "invoice" in parts and snapshot.get("financial"):
            _invoice_sheet(book, snapshot)
        if "receipts" in parts and snapshot.get("receipts"):
            _receipts_sheet(book, snapshot)
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()
