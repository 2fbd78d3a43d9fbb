"""Forms of the proof of use and the dashboard's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .models import ProofOfUse
from .proof_templates import proof_template


class ProofCreateForm(KernForm):
    period = forms.ModelChoiceField(label=_("Funding period"), queryset=None,
                                    empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of report"), choices=ProofOfUse.Kind.choices,
                             widget=forms.RadioSelect, initial=ProofOfUse.Kind.FINAL)
    year = forms.IntegerField(label=_("Year (interim report only)"), required=False,
                              min_value=2000, max_value=2100,
                              help_text=_("The calendar year the interim report covers, "
                                          "e.g. 2026."))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods

    def clean(self):
        data = super().clean()
        if data.get("kind") == ProofOfUse.Kind.INTERIM and not data.get("year"):
            self.add_error("year", _("Please enter the year the interim report covers."))
        return data


class ProofTextsForm(KernForm):
    """One text area per section of the proof's template."""

    def __init__(self, *args, proof, **kwargs):
        super().__init__(*args, **kwargs)
        for section in proof_template(proof.template_key).sections:
            self.fields[section.key] = forms.CharField(
                label=section.label, help_text=section.help, required=False,
                initial=proof.texts.get(section.key, ""), max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8}))
            self.fields[section.key].widget.attrs["class"] = "kern-form-input__input"


class SubmitConfirmForm(KernForm):
    confirm = forms.BooleanField(
        label=_("I have checked the proof of use. I know that it cannot be changed after "
                "submission."),
        error_messages={"required": _("Please confirm that you have checked the proof of use.")})


class DashboardFilterForm(KernForm):
    period = forms.ModelChoiceField(label=_("Funding period for the budget"), queryset=None,
                                    required=False, empty_label=None)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
