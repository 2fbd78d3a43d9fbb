"""Forms of the attendance area: the lecturer's list, the make-up, a typed check-in code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .models import Attendance
from .services.attendance import Mark


class AttendanceListForm(KernForm):
    """One radio group per participant (present / excused / absent), the reason of an
    excused absence, and one reason for all corrections of recorded statuses."""

    correction_reason = forms.CharField(
        label=_("Reason for corrections"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required only when you change a status already recorded (also a "
                    "self check-in). Kept in the audit log."))

    def __init__(self, *args, rows, preset="", **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        fields = {}
        for row in rows:
            pk, recorded = row.participant.pk, row.attendance
            fields[f"status_{pk}"] = forms.ChoiceField(
                label=row.participant.full_name, required=False,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
                initial=recorded.status if recorded else preset)
            fields[f"excuse_{pk}"] = forms.CharField(
                label=_("Reason if excused"), required=False, max_length=300,
                widget=forms.TextInput(attrs={"class": "kern-form-input__input",
                                              "autocomplete": "off"}),
                initial=recorded.excuse_reason if recorded else "")
        # The people first, the reason for corrections after them, next to the button.
        self.fields = {**fields, "correction_reason": self.fields["correction_reason"]}

    def people(self):
        """(row, status field, excuse field) for the template, in the list's order."""
        return [(row, self[f"status_{row.participant.pk}"],
                 self[f"excuse_{row.participant.pk}"]) for row in self.rows]

    def marks(self) -> list[Mark]:
        data = self.cleaned_data
        return [Mark(participant=row.participant,
                     status=data.get(f"status_{row.participant.pk}") or "",
                     excuse_reason=data.get(f"excuse_{row.participant.pk}") or "")
                for row in self.rows]


class MakeupForm(KernForm):
    text = forms.CharField(
        label=_("What was done instead"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example a written assignment on the module's topic. With a make-up "
                    "the session's hours count as attended. Kept in the audit log."))


class CheckinCodeForm(KernForm):
    code = forms.CharField(
        label=_("Check-in code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
        help_text=_("The 16 letters and digits shown in the room under the QR code. "
                    "Spaces do not matter."))
