"""Reading the finance system's exports (CSV or XLSX) into rows of bookings.

The file is read as a table of text cells; the person says which column holds what
(the finance system's column names vary); each row is then checked like a booking
entered by hand, and duplicates (same external reference, or same date, amount, payee
and purpose) are refused.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import rules

MAX_ROWS = 5000
FIELDS = ("booking_date", "payee", "purpose", "amount", "line_key", "external_reference")
REQUIRED_FIELDS = FIELDS[:5]


def sniff_format(head: bytes) -> str | None:
    """"xlsx" for a workbook, "csv" for text, None for anything else (judged by content)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head or filetype.guess(head) is not None:
        return None
    try:
        _decode(head[:4000], strict=True)
    except UnicodeDecodeError:
        return None
    return "csv"


def _decode(data: bytes, strict=False) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if strict and len(data) >= 4000:
            # The head may end in the middle of a character.
            return data[:-3].decode("utf-8-sig", errors="strict")
        # Finance systems on Windows still write Windows-1252.
        return data.decode("cp1252")


def read_table(data: bytes, file_format: str) -> tuple[list[str], list[list]]:
    """The header row and the data rows (at most MAX_ROWS), cells as text or dates."""
    if file_format == "xlsx":
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    rows = [row for row in rows if any(_text(cell) for cell in row)]
    if not rows:
        raise ValidationError(_("The file contains no rows."), code="empty")
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(_("The file has more than %(max)d rows; please split it.")
                              % {"max": MAX_ROWS}, code="too_many")
    headers = [_text(cell) or _("Column %(number)d") % {"number": i + 1}
               for i, cell in enumerate(rows[0])]
    width = len(headers)
    body = [list(row[:width]) + [""] * (width - len(row)) for row in rows[1:]]
    return headers, body


def _read_csv(data: bytes) -> list[list]:
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file could not be read as text."), code="encoding") from exc
    sample = text[:10000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return list(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("The file could not be read as an Excel workbook."),
                              code="xlsx") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if cell is None else cell for cell in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def parse_date(cell) -> date:
    """A date from a workbook cell, "31.01.2026", "31.1.26" or "2026-01-31"."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class PreviewRow:
    number: int  # the row's line in the file (the header is line 1)
    values: dict
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def preview(*, headers, rows, mapping: dict[str, int | None], check) -> list[PreviewRow]:
    """Each row mapped to a booking's fields and checked.

    ``check(values) -> list of error messages`` checks one row like a booking entered by
    hand; duplicates are marked by the caller's ``check`` too (it knows the database),
    and duplicates within the file here.
    """
    result = []
    seen_refs, seen_sigs = set(), set()
    for index, row in enumerate(rows, start=2):
        raw = {name: (row[col] if col is not None and col < len(row) else "")
               for name, col in mapping.items()}
        values, errors = {}, []
        try:
            values["booking_date"] = parse_date(raw["booking_date"])
        except ValueError:
            errors.append(_("The date “%(value)s” is not a date (DD.MM.YYYY).")
                          % {"value": _text(raw["booking_date"])})
        try:
            values["amount"] = rules.parse_amount(
                raw["amount"] if isinstance(raw["amount"], int | float) else _text(raw["amount"]))
        except rules.AmountError:
            errors.append(_("The amount “%(value)s” is not an amount in euros with at most two "
                            "decimals.") % {"value": _text(raw["amount"])})
        for name in ("payee", "purpose", "line_key", "external_reference"):
            values[name] = _text(raw.get(name, ""))
        values["line_key"] = values["line_key"].lower()
        if not errors:
            errors.extend(check(values))
        ref = values["external_reference"]
        sig = _signature(values) if "booking_date" in values and "amount" in values else None
        if not errors and ((ref and ref in seen_refs) or (sig and sig in seen_sigs)):
            errors.append(_("This row repeats an earlier row of the file."))
        if ref:
            seen_refs.add(ref)
        if sig:
            seen_sigs.add(sig)
        result.append(PreviewRow(number=index, values=values, errors=errors))
    return result


def _signature(values):
    return (values["booking_date"], values["amount"], values["payee"].strip().casefold(),
            values["purpose"].strip().casefold())


signature = _signature
