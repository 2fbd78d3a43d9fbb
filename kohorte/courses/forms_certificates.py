"""Forms of the certificates: settings, signatories, revoking, the public check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm
from kohorte.programmes.models import Institution

from .selectors.certificates import normalise_code
from .services.certificates import signature_image_check


class CertificateSettingsForm(KernForm):
    place = forms.CharField(label=_("Place on the certificate"), max_length=100, required=False,
                            help_text=_("For example: Fulda. Empty: the lead institution's city."))
    text = forms.CharField(label=_("Text on the certificate"), required=False, max_length=1500,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("A short paragraph about the content of the "
                                       "qualification, printed under the name."))


class SignatoryForm(KernForm):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none(),
                                         empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=150)
    function = forms.CharField(label=_("Function"), max_length=150, required=False,
                               help_text=_("For example: Head of the degree programme"))
    signature = forms.FileField(label=_("Signature (image)"), required=False,
                                help_text=_("PNG, JPEG or SVG, at most 2 MB. Without an image "
                                            "the certificate has a line to sign by hand."))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        ids = {programme.lead_institution_id, *programme.partners.values_list("pk", flat=True)}
        self.fields["institution"].queryset = Institution.objects.filter(pk__in=ids).order_by("name")
        self.fields["signature"].widget.attrs["accept"] = "image/png,image/jpeg,image/svg+xml"

    def clean_signature(self):
        signature = self.cleaned_data.get("signature")
        if signature:
            signature_image_check(signature)
        return signature or None


class RevokeForm(KernForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept in the audit log and sent to the holder. The "
                                         "public check shows only that it was revoked, and when."))


class CodeForm(KernForm):
    code = forms.CharField(label=_("Verification code"), max_length=60,
                           help_text=_("As printed on the certificate, e.g. ABCD-EFGH-JKMN-PQRS-TUVW. "
                                       "Upper or lower case, with or without dashes."))

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Please enter the verification code."), code="empty")
        return code
