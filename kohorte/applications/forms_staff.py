"""Forms of the staff back office: the list filter (from the query string) and actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm
from kohorte.programmes.models import Organisation, Region

from .models import Application, Eligibility
from .selectors_staff import TIER_CHOICES

ALL = [("", _("All"))]


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region} – {region.district}"


class ApplicationFilterForm(KernForm):
    """The filters of the application list; bound to the query string, never stored."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        help_text=_("Reference number, name or e-mail address."))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=ALL + Application.State.choices)
    tier = forms.ChoiceField(label=_("Eligibility"), required=False, choices=ALL + TIER_CHOICES)
    district = forms.ChoiceField(label=_("Regierungsbezirk"), required=False)
    region = RegionChoiceField(label=_("Kreis"), required=False, empty_label=_("All"),
                               queryset=Region.objects.none())
    organisation = forms.ModelChoiceField(label=_("Organisation (Träger)"), required=False,
                                          empty_label=_("All"),
                                          queryset=Organisation.objects.none())

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what occurs among the call's applications: short lists, no dead ends.
        districts = (Region.objects.order_by("district").values_list("district", flat=True)
                     .distinct())
        self.fields["district"].choices = ALL + [(d, d) for d in districts]
        self.fields["region"].queryset = (Region.objects.filter(applications__call=call)
                                          .distinct().order_by("name", "kind"))
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(applications__call=call).distinct().order_by("name"))

    def filters(self) -> dict:
        """The valid, non-empty filters as keyword arguments for the selector."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in ("", None)}


class EligibilityOverrideForm(KernForm):
    tier = forms.ChoiceField(label=_("Tier after the override"), choices=Eligibility.Tier.choices,
                             widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason for the override"), max_length=2000,
        help_text=_("Required. It is kept in the audit log, and applicants may ask for it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ApplicationEraseForm(KernForm):
    reason = forms.CharField(
        label=_("Reason for the erasure"), max_length=500,
        help_text=_("For example: request of the applicant (Art. 17 GDPR) of 3 March 2026."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the application, its documents and the personal parts of its e-mails and audit entries are deleted for good."),
    )


class ErasureDecisionForm(KernForm):
    """The answer to a person's request for erasure: erase now, or refuse with the duty."""

    decision = forms.TypedChoiceField(
        label=_("Your decision"), widget=forms.RadioSelect,
        choices=[("erase", _("Erase the application now")),
                 ("refuse", _("Refuse for now: a retention duty blocks the erasure"))],
        coerce=lambda value: value == "erase",
    )
    reason = forms.CharField(
        label=_("Retention duty that blocks the erasure"), max_length=1000, required=False,
        help_text=_("Only for a refusal. The person receives it by e-mail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") is False and not data.get("reason"):
            self.add_error("reason", _("Please name the retention duty that blocks the erasure."))
        return data
