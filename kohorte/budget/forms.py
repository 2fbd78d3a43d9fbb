"""The budget's forms: they validate and convert (German amounts to Decimal); the
services decide."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from . import imports, rules
from .models import Booking, FundingPeriod, PlanLine

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


def date_field(label, **kwargs):
    return forms.DateField(label=label, input_formats=DATE_INPUT_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           **kwargs)


class AmountField(forms.Field):
    """Euros in German ("1.234,56") or plain ("1234.56") notation, to a Decimal with
    exactly two places; negative amounts and more than two decimals are refused."""

    default_error_messages = {
        "invalid": _("Please enter an amount in euros, e.g. 1.234,56."),
        "decimals": _("Please enter at most two decimals."),
        "negative": _("Please enter an amount above zero. A correction of an approved booking "
                      "is a reversal."),
    }

    def __init__(self, *, allow_zero=False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("help_text", _("In euros, e.g. 1.234,56"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 30}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            amount = rules.parse_amount(value)
        except rules.AmountError as exc:
            code = "decimals" if str(exc) == "decimals" else "invalid"
            raise ValidationError(self.error_messages[code], code=code) from exc
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise ValidationError(self.error_messages["negative"], code="negative")
        return amount

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return rules.format_eur(value).replace("\u00a0€", "")


class FundingPeriodForm(KernForm):
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("For example “2026”"))
    start = date_field(_("Start"))
    end = date_field(_("End"))
    kind = forms.ChoiceField(label=_("Kind of funding"), choices=FundingPeriod.Kind.choices,
                             widget=forms.RadioSelect, initial=FundingPeriod.Kind.GRANT)
    overrun_percent = forms.DecimalField(
        label=_("Allowed overrun of a single line (%)"), min_value=0, max_value=100,
        decimal_places=2, initial=20,
        help_text=_("A line may exceed its plan by this much if savings elsewhere offset it; "
                    "beyond it, the funder must consent (ANBest-P: 20 %)."))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end must not lie before the start."))
        return data


class PlanLineForm(KernForm):
    key = forms.SlugField(label=_("Key"), max_length=40, required=False,
                          help_text=_("Stays the same across versions, e.g. “fees”"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanLine.Kind.choices,
                             initial=PlanLine.Kind.EXPENSE)
    amount = AmountField(label=_("Amount"), allow_zero=True, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999,
                                  required=False)

    def clean(self):
        data = super().clean()
        filled = data.get("key") or data.get("title") or data.get("amount") is not None
        if filled and not self.cleaned_data.get("DELETE"):
            for name in ("key", "title"):
                if not data.get(name):
                    self.add_error(name, _("Please fill in this field."))
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Please fill in this field."))
        return data

    @property
    def is_blank(self):
        data = self.cleaned_data
        return not (data.get("key") or data.get("title") or data.get("amount") is not None)


class BasePlanLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        result = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if not form.cleaned_data or form.is_blank:
                continue
            data = form.cleaned_data
            result.append({"key": data["key"], "title": data["title"], "kind": data["kind"],
                           "amount": data["amount"],
                           "position": data["position"] if data.get("position") is not None
                           else index})
        return result


PlanLineFormSet = forms.formset_factory(PlanLineForm, formset=BasePlanLineFormSet, extra=3,
                                        can_delete=True, max_num=60)

# The lines of the first plan (DOMAIN §4: likely cost lines). Keys stay stable.
DEFAULT_LINES = [
    ("state_funds", _("State funds"), PlanLine.Kind.INCOME),
    ("own_funds", _("Own funds"), PlanLine.Kind.INCOME),
    ("staff", _("Staff"), PlanLine.Kind.EXPENSE),
    ("fees", _("Lecturers' fees"), PlanLine.Kind.EXPENSE),
    ("rooms", _("Rooms and catering"), PlanLine.Kind.EXPENSE),
    ("travel", _("Travel"), PlanLine.Kind.EXPENSE),
    ("materials", _("Materials"), PlanLine.Kind.EXPENSE),
    ("evaluation", _("Evaluation"), PlanLine.Kind.EXPENSE),
    ("overhead", _("Overhead"), PlanLine.Kind.EXPENSE),
]


class PlanReasonForm(KernForm):
    reason = forms.CharField(label=_("Reason for this version"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example “Initial plan as approved on 12.01.2026” "
                                         "or “Shift from travel to fees, agreed with the funder”"))


def _line_choices(lines):
    return [("", _("Please choose"))] + [(line.key, f"{line.title} ({line.key})")
                                        for line in lines]


class BookingForm(KernForm):
    booking_date = date_field(_("Date of payment"))
    payee = forms.CharField(label=_("Payee"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=500,
                              help_text=_("As on the receipt, e.g. “Fee module 2, 14.03.2026”"))
    amount = AmountField(label=_("Amount"))
    line_key = forms.ChoiceField(label=_("Budget line"))
    receipt = forms.FileField(label=_("Receipt"), required=False,
                              help_text=_("PDF, JPEG or PNG, at most 10 MB"),
                              widget=forms.ClearableFileInput(
                                  attrs={"accept": "application/pdf,image/jpeg,image/png"}))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_key"].choices = _line_choices(lines)


class ReversalForm(KernForm):
    booking_date = date_field(_("Date of the reversal"))
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why the booking is corrected, e.g. “Booked to the "
                                         "wrong line”"))


class DiscardForm(KernForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(KernForm):
    line_key = forms.ChoiceField(label=_("Budget line"))
    consent_date = date_field(_("Date of the consent"))
    reference = forms.CharField(label=_("Reference"), max_length=200,
                                help_text=_("The funder's reference or letter, e.g. “III 4 – "
                                            "12.05.2026”"))
    up_to_amount = AmountField(label=_("The line may reach"),
                               help_text=_("The amount in euros up to which the funder agreed, "
                                           "e.g. 9.000,00"))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_key"].choices = _line_choices(
            [line for line in lines if line.kind == PlanLine.Kind.EXPENSE])


class BookingFilterForm(KernForm):
    line = forms.ChoiceField(label=_("Budget line"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Awaiting approval or approved"))]
                              + list(Booking.State.choices))
    month = forms.CharField(label=_("Month"), required=False, max_length=7,
                            help_text=_("As YYYY-MM, e.g. 2026-03"),
                            widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, titles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("All lines"))] + sorted(
            titles.items(), key=lambda item: item[1])

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or re.fullmatch(r"(\d{1,2})\.(\d{4})",
                                                                          value)
        if not match:
            raise ValidationError(_("Please enter a month as YYYY-MM."), code="invalid")
        year, month = (match.groups() if len(match.group(1)) == 4
                       else reversed(match.groups()))
        try:
            return date(int(year), int(month), 1)
        except ValueError as exc:
            raise ValidationError(_("Please enter a month as YYYY-MM."), code="invalid") from exc


class ImportUploadForm(KernForm):
    file = forms.FileField(label=_("Export of the finance system"),
                           help_text=_("CSV (separated by semicolons or commas) or Excel "
                                       "workbook (XLSX), at most 10 MB; the first row names "
                                       "the columns"))


FIELD_LABELS = {
    "booking_date": _("Date"),
    "payee": _("Payee"),
    "purpose": _("Purpose"),
    "amount": _("Amount"),
    "line_key": _("Budget line (key)"),
    "external_reference": _("Reference in the finance system"),
}

# Column names finance systems commonly use, to preselect the mapping.
_GUESSES = {
    "booking_date": ("datum", "buchungsdatum", "zahldatum", "date"),
    "payee": ("empfänger", "zahlungsempfänger", "kreditor", "payee", "name"),
    "purpose": ("verwendungszweck", "zweck", "buchungstext", "text", "purpose"),
    "amount": ("betrag", "betrag eur", "betrag (eur)", "amount"),
    "line_key": ("haushaltsposition", "position", "kostenart", "line", "budget line"),
    "external_reference": ("belegnummer", "beleg-nr.", "buchungsnummer", "referenz",
                           "reference"),
}


class ImportMappingForm(KernForm):
    """Which column holds what; an external reference is optional."""

    def __init__(self, *args, headers, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(str(i), header) for i, header in enumerate(headers)]
        lowered = [header.strip().casefold() for header in headers]
        for name in imports.FIELDS:
            required = name in imports.REQUIRED_FIELDS
            choices = [("", _("Please choose") if required else _("None"))] + columns
            guess = next((str(lowered.index(g)) for g in _GUESSES[name] if g in lowered), "")
            self.fields[name] = forms.ChoiceField(label=FIELD_LABELS[name], choices=choices,
                                                  required=required, initial=guess)
            self.fields[name].widget.attrs["class"] = "kern-form-input__select"

    def clean(self):
        data = super().clean()
        chosen = [data.get(name) for name in imports.FIELDS if data.get(name)]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("Each column can hold only one thing; please choose "
                                    "different columns."), code="twice")
        return data

    def mapping(self) -> dict[str, int | None]:
        return {name: int(self.cleaned_data[name]) if self.cleaned_data.get(name) else None
                for name in imports.FIELDS}
