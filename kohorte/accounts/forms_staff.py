"""Forms of the staff member's own sign-in settings."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm, KernFormMixin


class TotpConfirmForm(KernForm):
    token = forms.CharField(
        label=_("Code from the app"), max_length=10,
        help_text=_("The 6-digit code the app shows for Kohorte now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Enter the 6 digits of the code."), code="format")
        return token


class StaffPasswordChangeForm(KernFormMixin, PasswordChangeForm):
    """Django's checks (current password, the password rules) in KERN markup."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
