from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token

from kohorte.core.forms import KernForm


class LoginLinkForm(KernForm):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        help_text=_("We send you a link to sign in. You do not need a password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class StaffLoginForm(KernForm):
    """Password and the current code of the second factor (or a recovery code)."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), max_length=200, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    otp_token = forms.CharField(
        label=_("Security code"), max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.device = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        user = authenticate(self.request, username=data["email"], password=data["password"])
        if user is None or not user.is_staff:
            raise forms.ValidationError(_("E-mail address, password or security code are not correct."))
        device = match_token(user, data["otp_token"].replace(" ", ""))
        if device is None:
            # A wrong code counts as a failed sign-in, so guessing codes is throttled
            # like guessing passwords.
            user_login_failed.send(sender=__name__, credentials={"username": data["email"]},
                                   request=self.request)
            raise forms.ValidationError(_("E-mail address, password or security code are not correct."))
        self.user, self.device = user, device
        return data
