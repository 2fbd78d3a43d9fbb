"""The budget's actions: periods, plan versions, bookings, approvals, reversals, consents
and imports. Each runs in one transaction and writes its audit entry there.

Bad input raises a translated ValidationError (keyed by field where there is one) and
changes nothing.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_entry, audit_record, audit_record_all
from kohorte.core.forms import reject_control_characters
from kohorte.core.uploads import upload_content_type

from . import imports, rules, selectors
from .models import (
    LINE_KEY_VALIDATOR,
    Booking,
    BookingImport,
    FunderConsent,
    FundingPeriod,
    PlanLine,
    PlanVersion,
)

# Judged by the file's content, never by its name or the browser's claim.
RECEIPT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_AMOUNT = Decimal("9999999999.99")


# --- Checks shared by hand entry and import -------------------------------------------

def _text(value, *, field, required=True, max_length=200, label=None):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Please fill in this field.")}, code="required")
    if len(value) > max_length:
        raise ValidationError({field: _("Please use at most %(max)d characters.")
                               % {"max": max_length}}, code="max_length")
    try:
        reject_control_characters(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages[0]}, code="control") from exc
    return value


def _amount(value, *, field="amount", allow_zero=False) -> Decimal:
    if not isinstance(value, Decimal):
        try:
            value = rules.parse_amount(value)
        except rules.AmountError as exc:
            raise ValidationError({field: _("Please enter an amount in euros, e.g. 1.234,56.")},
                                  code="invalid") from exc
    if value != value.quantize(rules.CENT):
        raise ValidationError({field: _("Please enter at most two decimals.")}, code="decimals")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: _("Please enter an amount above zero. A correction of an "
                                        "approved booking is a reversal.")}, code="negative")
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")}, code="too_large")
    return value.quantize(rules.CENT)


def booking_errors(*, period, values, line_keys) -> dict[str, str]:
    """The problems of one booking's fields (date, payee, purpose, amount, line), as
    {field: message}; empty if it may be booked. Shared by the form path and the import."""
    errors = {}
    checks = [
        ("payee", lambda: _text(values.get("payee"), field="payee")),
        ("purpose", lambda: _text(values.get("purpose"), field="purpose", max_length=500)),
        ("external_reference", lambda: _text(values.get("external_reference"),
                                             field="external_reference", required=False,
                                             max_length=100)),
        ("amount", lambda: _amount(values.get("amount"))),
    ]
    for name, check in checks:
        try:
            check()
        except ValidationError as exc:
            errors[name] = exc.message_dict[name][0]
    day = values.get("booking_date")
    if day is None:
        errors["booking_date"] = _("Please enter the date.")
    elif not period.contains(day):
        errors["booking_date"] = _(
            "The date lies outside the funding period (%(start)s to %(end)s).") % {
            "start": f"{period.start:%d.%m.%Y}", "end": f"{period.end:%d.%m.%Y}"}
    if values.get("line_key") not in line_keys:
        errors["line_key"] = _("“%(key)s” is no line of the financing plan.") % {
            "key": values.get("line_key") or ""}
    return errors


def _raise_booking_errors(*, period, values):
    lines = selectors.current_lines(period=period)
    if not lines:
        raise ValidationError(_("The funding period has no financing plan yet."), code="no_plan")
    errors = booking_errors(period=period, values=values, line_keys={line.key for line in lines})
    if errors:
        raise ValidationError(errors)


def _check_receipt(uploaded_file) -> str:
    try:
        return upload_content_type(
            uploaded_file, allowed=RECEIPT_TYPES,
            wrong_type_message=_("Please upload a PDF, JPEG or PNG file."))
    except ValidationError as error:
        raise ValidationError({"receipt": error.messages}, code=error.code) from None


def _attach_receipt(booking, uploaded_file, content_type):
    name = (uploaded_file.name or "beleg").replace("\\", "/").rsplit("/", 1)[-1][:200]
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    booking.receipt.save(name, uploaded_file, save=False)
    booking.receipt_name = name
    booking.receipt_type = content_type
    booking.receipt_size = uploaded_file.size
    # Should the transaction roll back after this, the file has no row; it is never served.
    return digest.hexdigest()


def _booking_data(booking) -> dict:
    return {"date": booking.booking_date.isoformat(), "payee": booking.payee,
            "purpose": booking.purpose, "amount": str(booking.amount),
            "line": booking.line_key, "external_reference": booking.external_reference}


# --- Funding periods and plans --------------------------------------------------------

@transaction.atomic
def funding_period_create(*, programme, title, start, end, kind=FundingPeriod.Kind.GRANT,
                          overrun_percent=Decimal("20"), actor) -> FundingPeriod:
    """A new funding period of the programme; periods of one programme do not overlap,
    so that every booking date belongs to one period."""
    title = _text(title, field="title", max_length=100)
    if start is None or end is None or start > end:
        raise ValidationError({"end": _("The end must not lie before the start.")}, code="order")
    if overrun_percent is None or overrun_percent < 0 or overrun_percent > 100:
        raise ValidationError({"overrun_percent": _("Please enter a percentage from 0 to 100.")},
                              code="range")
    if kind not in FundingPeriod.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of funding.")}, code="kind")
    if FundingPeriod.objects.filter(programme=programme, start__lte=end, end__gte=start).exists():
        raise ValidationError({"start": _("The period overlaps another funding period of the "
                                          "programme.")}, code="overlap")
    period = FundingPeriod.objects.create(programme=programme, title=title, start=start, end=end,
                                          kind=kind, overrun_percent=overrun_percent)
    audit_record(actor=actor, action="funding_period.create", obj=period,
                 data={"start": start.isoformat(), "end": end.isoformat(), "kind": kind,
                       "overrun_percent": str(overrun_percent)})
    return period


@transaction.atomic
def plan_version_create(*, period, lines, reason, actor, now=None) -> PlanVersion:
    """Save a new version of the period's financing plan; earlier versions stay as they
    were, so that every report can name the version it rests on.

    ``lines``: dicts with key, title, kind, amount (Decimal), position. A line key with
    bookings must stay in the plan with the same kind, since bookings refer to lines by
    key.
    """
    now = now or timezone.now()
    period = FundingPeriod.objects.select_for_update().get(pk=period.pk)
    reason = _text(reason, field="reason", max_length=2000)
    clean, seen = [], set()
    for index, line in enumerate(lines):
        key = (line.get("key") or "").strip()
        try:
            LINE_KEY_VALIDATOR(key)
            validate_slug(key)
        except ValidationError as exc:
            raise ValidationError({"lines": _("Line %(number)d: the key “%(key)s” is not valid. "
                                              "Use lower-case letters, digits and underscores.")
                                   % {"number": index + 1, "key": key}}, code="key") from exc
        if key in seen:
            raise ValidationError({"lines": _("The key “%(key)s” is used twice.") % {"key": key}},
                                  code="duplicate")
        seen.add(key)
        try:
            title = _text(line.get("title"), field="lines")
            amount = _amount(line.get("amount"), field="lines", allow_zero=True)
        except ValidationError as exc:
            raise ValidationError({"lines": _("Line %(number)d: %(problem)s") % {
                "number": index + 1, "problem": exc.message_dict["lines"][0]}}) from exc
        if line.get("kind") not in PlanLine.Kind.values:
            raise ValidationError({"lines": _("Line %(number)d: unknown kind.")
                                   % {"number": index + 1}}, code="kind")
        clean.append(PlanLine(key=key, title=title, kind=line["kind"], amount=amount,
                              position=line.get("position", index)))
    if not any(line.kind == PlanLine.Kind.EXPENSE for line in clean):
        raise ValidationError({"lines": _("The plan needs at least one expenditure line.")},
                              code="no_expense")
    previous = selectors.current_version(period=period)
    if previous is not None:
        kinds = {line.key: line.kind for line in clean}
        booked = selectors.bookings_on_keys(period=period,
                                            keys=[line.key for line in previous.lines.all()])
        for line in previous.lines.all():
            if line.key in booked and kinds.get(line.key) != line.kind:
                raise ValidationError({"lines": _(
                    "The line “%(title)s” (%(key)s) has bookings; it must stay in the plan "
                    "as the same kind of line.") % {"title": line.title, "key": line.key}},
                    code="booked_line")
    number = (period.plan_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(period=period, number=number, reason=reason,
                                         created_at=now, created_by=actor)
    for line in clean:
        line.version = version
    PlanLine.objects.bulk_create(clean)
    audit_record(actor=actor, action="plan_version.create", obj=version, reason=reason,
                 data={"number": number, "lines": {
                     line.key: {"title": line.title, "kind": line.kind,
                                "amount": str(line.amount)} for line in clean}})
    return version


@transaction.atomic
def consent_record(*, period, line_key, consent_date, reference, up_to_amount, actor,
                   now=None) -> FunderConsent:
    """Record the funder's consent to exceed an expenditure line beyond the allowed
    overrun, up to an amount; the line is then "consented" while it stays below it."""
    now = now or timezone.now()
    reference = _text(reference, field="reference")
    up_to_amount = _amount(up_to_amount, field="up_to_amount")
    expense_keys = {line.key for line in selectors.current_lines(period=period)
                    if line.kind == PlanLine.Kind.EXPENSE}
    if line_key not in expense_keys:
        raise ValidationError({"line_key": _("Please choose an expenditure line of the plan.")},
                              code="line")
    if consent_date is None or consent_date > timezone.localdate(now):
        raise ValidationError({"consent_date": _("Please enter the date of the consent; it "
                                                 "cannot lie in the future.")}, code="date")
    consent = FunderConsent.objects.create(period=period, line_key=line_key,
                                           consent_date=consent_date, reference=reference,
                                           up_to_amount=up_to_amount, recorded_at=now,
                                           recorded_by=actor)
    audit_record(actor=actor, action="funder_consent.record", obj=consent,
                 data={"period": period.pk, "line": line_key, "date": consent_date.isoformat(),
                       "reference": reference, "up_to_amount": str(up_to_amount)})
    return consent


# --- Bookings -------------------------------------------------------------------------

@transaction.atomic
def booking_create(*, period, booking_date, payee, purpose, amount, line_key, actor,
                   receipt=None, external_reference="", now=None) -> Booking:
    """Enter a booking; it counts only once a second person has approved it."""
    now = now or timezone.now()
    values = {"booking_date": booking_date, "payee": payee, "purpose": purpose,
              "amount": amount, "line_key": line_key, "external_reference": external_reference}
    _raise_booking_errors(period=period, values=values)
    content_type = _check_receipt(receipt) if receipt else None
    booking = Booking(period=period, booking_date=booking_date, payee=payee.strip(),
                      purpose=purpose.strip(), amount=_amount(amount), line_key=line_key,
                      external_reference=(external_reference or "").strip(),
                      entered_at=now, entered_by=actor)
    digest = _attach_receipt(booking, receipt, content_type) if receipt else None
    booking.save(force_insert=True)
    data = _booking_data(booking)
    if digest:
        data["receipt_sha256"] = digest
    audit_record(actor=actor, action="booking.create", obj=booking, data=data)
    return booking


def _locked(booking) -> Booking:
    return Booking.objects.select_for_update().select_related("period").get(pk=booking.pk)


def _ensure_own_pending(booking, actor):
    if booking.state != Booking.State.PENDING:
        raise ValidationError(_("This booking is approved or discarded; it cannot be changed. "
                                "A correction is a reversal."), code="not_pending")
    if booking.entered_by_id != actor.pk:
        raise ValidationError(_("Only the person who entered this booking may change or "
                                "discard it."), code="not_own")


@transaction.atomic
def booking_update(*, booking, booking_date, payee, purpose, amount, line_key, actor,
                   receipt=None, now=None) -> Booking:
    """Change a booking not yet approved: only by whoever entered it (audited, with the
    values before and after)."""
    booking = _locked(booking)
    _ensure_own_pending(booking, actor)
    if booking.is_reversal:
        raise ValidationError(_("A reversal cannot be changed; discard it and enter it again."),
                              code="reversal")
    values = {"booking_date": booking_date, "payee": payee, "purpose": purpose,
              "amount": amount, "line_key": line_key,
              "external_reference": booking.external_reference}
    _raise_booking_errors(period=booking.period, values=values)
    content_type = _check_receipt(receipt) if receipt else None
    before = _booking_data(booking)
    booking.booking_date = booking_date
    booking.payee = payee.strip()
    booking.purpose = purpose.strip()
    booking.amount = _amount(amount)
    booking.line_key = line_key
    fields = ["booking_date", "payee", "purpose", "amount", "line_key"]
    old_receipt = booking.receipt.name if booking.receipt else ""
    data = {"before": before}
    if receipt:
        data["receipt_sha256"] = _attach_receipt(booking, receipt, content_type)
        fields += ["receipt", "receipt_name", "receipt_type", "receipt_size"]
    booking.save(update_fields=fields)
    data["after"] = _booking_data(booking)
    audit_record(actor=actor, action="booking.edit", obj=booking, data=data)
    if receipt and old_receipt:
        storage = booking.receipt.storage
        transaction.on_commit(lambda: storage.delete(old_receipt))
    return booking


@transaction.atomic
def booking_discard(*, booking, actor, reason="") -> Booking:
    """Discard a booking not yet approved (only whoever entered it). The row stays,
    marked discarded, so that the audit log keeps pointing at something."""
    booking = _locked(booking)
    _ensure_own_pending(booking, actor)
    reason = _text(reason, field="reason", required=False, max_length=2000)
    booking.state = Booking.State.DISCARDED
    booking.save(update_fields=["state"])
    audit_record(actor=actor, action="booking.discard", obj=booking, reason=reason,
                 data=_booking_data(booking))
    return booking


@transaction.atomic
def booking_approve(*, booking, actor, now=None) -> Booking:
    """Approve a booking: four eyes, so never by the person who entered it. Only now
    does it count against the plan."""
    now = now or timezone.now()
    booking = _locked(booking)
    if booking.state != Booking.State.PENDING:
        raise ValidationError(_("This booking is not awaiting approval."), code="not_pending")
    if booking.entered_by_id == actor.pk:
        raise ValidationError(_("Four eyes: you entered this booking yourself, so a second "
                                "person must approve it."), code="four_eyes")
    if booking.is_reversal:
        original = Booking.objects.select_for_update().get(pk=booking.reverses_id)
        if original.state != Booking.State.APPROVED:
            raise ValidationError(_("The booking this reverses is not approved."),
                                  code="original")
    booking.state = Booking.State.APPROVED
    booking.approved_by = actor
    booking.approved_at = now
    booking.save(update_fields=["state", "approved_by", "approved_at"])
    audit_record(actor=actor, action="booking.approve", obj=booking, data=_booking_data(booking))
    return booking


@transaction.atomic
def booking_reverse(*, booking, reason, booking_date, actor, now=None) -> Booking:
    """Correct an approved booking by a reversal: a new booking with the negated amount
    that references it, with a reason. The original stays untouched; the reversal needs
    approval by a second person like any booking."""
    now = now or timezone.now()
    original = _locked(booking)
    reason = _text(reason, field="reason", max_length=2000)
    if original.state != Booking.State.APPROVED:
        raise ValidationError(_("Only an approved booking can be reversed; a booking awaiting "
                                "approval can be changed or discarded instead."),
                              code="not_approved")
    if original.is_reversal:
        raise ValidationError(_("A reversal cannot itself be reversed."), code="reversal")
    if original.reversals.exclude(state=Booking.State.DISCARDED).exists():
        raise ValidationError(_("This booking has already been reversed."), code="reversed")
    if booking_date is None or not original.period.contains(booking_date):
        raise ValidationError({"booking_date": _(
            "The date lies outside the funding period (%(start)s to %(end)s).") % {
            "start": f"{original.period.start:%d.%m.%Y}",
            "end": f"{original.period.end:%d.%m.%Y}"}}, code="date")
    reversal = Booking(period=original.period, booking_date=booking_date, payee=original.payee,
                       purpose=(_("Reversal: %(purpose)s") % {"purpose": original.purpose})[:500],
                       amount=-original.amount, line_key=original.line_key, reverses=original,
                       reason=reason, entered_at=now, entered_by=actor)
    try:
        with transaction.atomic():
            reversal.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(_("This booking has already been reversed."),
                              code="reversed") from exc
    audit_record(actor=actor, action="booking.reverse", obj=original, reason=reason,
                 data={"reversal": reversal.pk, "amount": str(reversal.amount)})
    audit_record(actor=actor, action="booking.create", obj=reversal, reason=reason,
                 data={**_booking_data(reversal), "reverses": original.pk})
    return reversal


# --- Import ---------------------------------------------------------------------------

@transaction.atomic
def booking_import_upload(*, period, uploaded_file, actor, now=None) -> BookingImport:
    """Keep an uploaded CSV/XLSX export for the preview (private storage, a day at most)."""
    now = now or timezone.now()
    if uploaded_file.size > settings.KOHORTE_MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")}, code="too_large")
    if uploaded_file.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    uploaded_file.seek(0)
    file_format = imports.sniff_format(uploaded_file.read(8192))
    uploaded_file.seek(0)
    if file_format is None:
        raise ValidationError({"file": _("Please upload a CSV file or an Excel workbook (XLSX).")},
                              code="type")
    data = uploaded_file.read()
    uploaded_file.seek(0)
    try:
        imports.read_table(data, file_format)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages[0]}, code="unreadable") from exc
    name = (uploaded_file.name or "export").replace("\\", "/").rsplit("/", 1)[-1][:200]
    upload = BookingImport(period=period, original_name=name, file_format=file_format,
                           uploaded_at=now, uploaded_by=actor)
    upload.file.save(name, uploaded_file, save=False)
    upload.save(force_insert=True)
    audit_record(actor=actor, action="booking_import.upload", obj=upload,
                 data={"period": period.pk, "name": name, "format": file_format,
                       "size": uploaded_file.size})
    return upload


def import_table(upload):
    with upload.file.open("rb") as handle:
        return imports.read_table(handle.read(), upload.file_format)


def import_preview(*, upload, mapping):
    """The rows of the upload as bookings, each with its problems (duplicates included)."""
    period = upload.period
    headers, rows = import_table(upload)
    line_keys = {line.key for line in selectors.current_lines(period=period)}
    parsed = imports.preview(headers=headers, rows=rows, mapping=mapping, check=lambda v: [])
    refs, sigs = selectors.duplicates_of(
        period=period,
        external_references=[row.values.get("external_reference") for row in parsed],
        signatures=[imports.signature(row.values) for row in parsed
                    if "booking_date" in row.values and "amount" in row.values])

    def check(values):
        errors = list(booking_errors(period=period, values=values, line_keys=line_keys).values())
        if values["external_reference"] and values["external_reference"] in refs:
            errors.append(_("Already booked: a booking with this external reference exists."))
        elif imports.signature(values) in sigs:
            errors.append(_("Already booked: a booking with the same date, amount, payee and "
                            "purpose exists."))
        return errors

    return imports.preview(headers=headers, rows=rows, mapping=mapping, check=check)


def _delete_upload(upload):
    name, storage = upload.file.name, upload.file.storage
    upload.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def bookings_import(*, upload, mapping, actor, now=None) -> list[Booking]:
    """Import the rows without problems as bookings awaiting approval, entered by the
    importer (four eyes still apply); rows with problems, duplicates among them, are
    left out. The upload is removed afterwards."""
    now = now or timezone.now()
    upload = BookingImport.objects.select_for_update().select_related("period").get(pk=upload.pk)
    period = upload.period
    rows = import_preview(upload=upload, mapping=mapping)
    good = [row for row in rows if row.ok]
    if not good:
        raise ValidationError(_("No row of the file can be imported."), code="nothing")
    bookings = Booking.objects.bulk_create([
        Booking(period=period, booking_date=row.values["booking_date"],
                payee=row.values["payee"], purpose=row.values["purpose"],
                amount=row.values["amount"], line_key=row.values["line_key"],
                external_reference=row.values["external_reference"],
                entered_at=now, entered_by=actor)
        for row in good])
    if bookings and bookings[0].pk is None:  # databases that return no keys on bulk insert
        bookings = list(Booking.objects.filter(period=period, entered_by=actor, entered_at=now)
                        .order_by("pk"))
    entries = [audit_entry(actor=actor, action="booking.create", obj=booking,
                           data={**_booking_data(booking), "import": upload.original_name})
               for booking in bookings]
    entries.append(audit_entry(actor=actor, action="booking_import.run", obj=period,
                               data={"file": upload.original_name, "imported": len(bookings),
                                     "skipped": len(rows) - len(good),
                                     "mapping": {k: v for k, v in mapping.items()}}))
    audit_record_all(entries)
    _delete_upload(upload)
    return bookings


@transaction.atomic
def booking_import_discard(*, upload, actor) -> None:
    """Remove an upload without importing it."""
    upload = BookingImport.objects.select_for_update().get(pk=upload.pk)
    audit_record(actor=actor, action="booking_import.discard", obj=upload.period,
                 data={"file": upload.original_name})
    _delete_upload(upload)


def booking_imports_purge(*, now=None) -> int:
    """Remove uploads older than a day (the preview is done by then or forgotten)."""
    now = now or timezone.now()
    count = 0
    for upload in BookingImport.objects.filter(uploaded_at__lt=now - timedelta(days=1)):
        with transaction.atomic():
            _delete_upload(upload)
        count += 1
    return count
