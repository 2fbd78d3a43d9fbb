"""Importing the finance system's CSV/XLSX exports: mapping, preview, duplicates."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook

from kohorte.budget import imports, services
from kohorte.budget.models import Booking, BookingImport
from kohorte.core.models import AuditEntry

from .world import book, make_period

CSV = (
    "Buchungsdatum;Empfänger;Verwendungszweck;Betrag;Kostenart;Belegnummer\n"
    "16.02.2026;Dr. Miriam Albers;Honorar Modul 1;1.680,00;fees;B-1\n"
    "13.02.2026;Tagungshaus;Raummiete Modul 1;1490.50;rooms;B-2\n"
    "31.02.2026;Kaputt;Datum falsch;10,00;fees;B-3\n"
    "01.03.2026;Firma;Unbekannte Position;10,00;catering;B-4\n"
    "01.03.2026;Firma;Zu viele Stellen;10,001;fees;B-5\n"
    "01.03.2026;Firma;Minus;-10,00;fees;B-6\n"
    "16.02.2026;Dr. Miriam Albers;Honorar Modul 1;1.680,00;fees;B-1\n"
    "15.01.2027;Firma;Nach dem Zeitraum;10,00;fees;B-8\n"
)
MAPPING = {"booking_date": 0, "payee": 1, "purpose": 2, "amount": 3, "line_key": 4,
           "external_reference": 5}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def period(personas):
    return make_period(personas.programme, personas.coordinator)


def _upload(period, actor, content=None, name="export.csv"):
    content = CSV.encode("utf-8") if content is None else content
    return services.booking_import_upload(period=period, actor=actor,
                                          uploaded_file=SimpleUploadedFile(name, content))


def test_a_csv_export_is_previewed_row_by_row_with_its_problems(personas, period):
    upload = _upload(period, personas.coordinator)
    rows = services.import_preview(upload=upload, mapping=MAPPING)
    assert [row.ok for row in rows] == [True, True, False, False, False, False, False, False]
    assert rows[0].values["amount"] == D("1680.00")
    assert rows[1].values["amount"] == D("1490.50")
    assert "not a date" in rows[2].errors[0]
    assert "no line of the financing plan" in rows[3].errors[0]
    assert "two decimals" in rows[4].errors[0]
    assert "above zero" in rows[5].errors[0]
    assert "repeats an earlier row" in rows[6].errors[0]
    assert "outside the funding period" in rows[7].errors[0]
    assert [row.number for row in rows][:2] == [2, 3]


def test_the_import_books_the_good_rows_as_pending_entered_by_the_importer(personas, period):
    upload = _upload(period, personas.coordinator)
    bookings = services.bookings_import(upload=upload, mapping=MAPPING,
                                        actor=personas.coordinator)
    assert len(bookings) == 2
    assert all(b.state == Booking.State.PENDING and b.entered_by == personas.coordinator
               for b in Booking.objects.all())
    assert set(Booking.objects.values_list("external_reference", flat=True)) == {"B-1", "B-2"}
    assert AuditEntry.objects.filter(action="booking.create").count() == 2
    run = AuditEntry.objects.get(action="booking_import.run")
    assert (run.data["imported"], run.data["skipped"]) == (2, 6)
    # The upload is gone after the import.
    assert not BookingImport.objects.exists()
    # Four eyes still apply.
    with pytest.raises(ValidationError):
        services.booking_approve(booking=bookings[0], actor=personas.coordinator)


def test_rows_already_booked_are_refused_as_duplicates(personas, period):
    book(period, personas.coordinator2, day=date(2026, 2, 13), payee="Tagungshaus",
         purpose="Raummiete Modul 1", amount="1490.50", line_key="rooms")
    book(period, personas.coordinator2, external_reference="B-1")
    rows = services.import_preview(upload=_upload(period, personas.coordinator), mapping=MAPPING)
    assert "external reference" in rows[0].errors[0]
    assert "same date, amount, payee and purpose" in rows[1].errors[0]
    with pytest.raises(ValidationError, match="No row"):
        services.bookings_import(upload=BookingImport.objects.get(), mapping=MAPPING,
                                 actor=personas.coordinator)
    assert Booking.objects.count() == 2


def test_an_excel_workbook_is_read_with_its_dates_and_numbers(personas, period):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Datum", "Empfänger", "Zweck", "Betrag", "Position", "Beleg"])
    sheet.append([datetime(2026, 3, 2), "Druckerei", "Reader", 486.3, "fees", 4711])
    sheet.append(["02.03.2026", "Druckerei", "Flyer", "99,90", "FEES", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping = MAPPING
    upload = _upload(period, personas.coordinator, buffer.getvalue(), "export.xlsx")
    assert upload.file_format == "xlsx"
    rows = services.import_preview(upload=upload, mapping=mapping)
    assert [row.errors for row in rows] == [[], []]
    assert rows[0].values["booking_date"] == date(2026, 3, 2)
    assert rows[0].values["amount"] == D("486.30")
    assert rows[0].values["external_reference"] == "4711"


@pytest.mark.parametrize(("content", "name"), [
    (b"%PDF-1.4 not a table", "export.csv"),
    (b"\x00\x01\x02binary", "export.csv"),
    (b"", "export.csv"),
    (b"PK\x03\x04 broken zip", "export.xlsx"),
])
def test_a_file_that_is_no_table_is_refused(personas, period, content, name):
    with pytest.raises(ValidationError):
        _upload(period, personas.coordinator, content, name)
    assert not BookingImport.objects.exists()


def test_windows_csv_with_commas_is_read_too():
    text = "Datum,Empfänger,Zweck,Betrag\n02.03.2026,Müller,Reader,12.50\n".encode("cp1252")
    headers, rows = imports.read_table(text, "csv")
    assert headers == ["Datum", "Empfänger", "Zweck", "Betrag"]
    assert rows == [["02.03.2026", "Müller", "Reader", "12.50"]]


def test_uploads_older_than_a_day_are_removed_with_their_files(
        personas, period, django_capture_on_commit_callbacks):
    upload = _upload(period, personas.coordinator)
    name, storage = upload.file.name, upload.file.storage
    now = timezone.now()
    assert services.booking_imports_purge(now=now) == 0
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_imports_purge(now=now + timedelta(days=1, minutes=1)) == 1
    assert not BookingImport.objects.exists()
    assert not storage.exists(name)


def test_the_file_is_removed_after_the_import(personas, period,
                                              django_capture_on_commit_callbacks):
    upload = _upload(period, personas.coordinator)
    name, storage = upload.file.name, upload.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.bookings_import(upload=upload, mapping=MAPPING, actor=personas.coordinator)
    assert not storage.exists(name)
