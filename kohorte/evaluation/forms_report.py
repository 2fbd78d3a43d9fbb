"""The report's filter: which competence instrument of a cohort (query string)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .models import Instrument


class InstrumentChoiceForm(KernForm):
    instrument = forms.ModelChoiceField(label=_("Questionnaire"),
                                        queryset=Instrument.objects.none(), required=False,
                                        empty_label=None)

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        field = self.fields["instrument"]
        field.queryset = Instrument.objects.filter(pk__in=[i.pk for i in self.instruments])
        field.label_from_instance = lambda i: f"{i.title_de} (v{i.version})"

    def chosen(self):
        """The instrument asked for, else the newest; None if the cohort has none."""
        if self.is_valid() and self.cleaned_data.get("instrument"):
            return self.cleaned_data["instrument"]
        return self.instruments[0] if self.instruments else None
