from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .models import OutboxMail


class OutboxFilterForm(KernForm):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All")), *OutboxMail.State.choices])


class OutboxRetryForm(KernForm):
    """The retry button: only a mail that has failed for good goes back in the queue."""

    def __init__(self, *args, mail: OutboxMail, **kwargs):
        super().__init__(*args, **kwargs)
        self.mail = mail

    def clean(self):
        data = super().clean()
        if self.mail.state != OutboxMail.State.FAILED:
            raise forms.ValidationError(
                _("Only e-mails whose delivery failed can be sent again."), code="state")
        return data
