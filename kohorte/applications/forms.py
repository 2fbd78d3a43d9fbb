"""One form per step of the application; each validates and converts, nothing more."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm, LongSelect, RowChoiceField
from kohorte.programmes.models import Region, Site

from .models import Application, Call


class ContactForm(KernForm):
    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False,
                            help_text=_("For questions about your application."),
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))


class SiteChoiceField(RowChoiceField):
    label_fields = ("municipality", "name", "organisation__name")

    def label_from_row(self, values):
        municipality, name, organisation = values
        return f"{municipality}: {name} ({organisation})"


class RegionChoiceField(RowChoiceField):
    label_fields = ("name", "kind")

    def label_from_row(self, values):
        name, kind = values
        return f"{name} ({kind})" if kind else name  # as Region.__str__


class EmploymentForm(KernForm):
    site = SiteChoiceField(
        label=_("Your site (Quartier)"), required=False, queryset=Site.objects.none(),
        widget=LongSelect,
        help_text=_("Choose the Quartier you work in. If it is not in the list, fill in the fields below."),
    )
    site_other = forms.CharField(label=_("Place of work, if not in the list"), max_length=200,
                                 required=False, help_text=_("Town and Quartier or project."))
    organisation_other = forms.CharField(label=_("Employer (Träger), if not in the list"),
                                         max_length=200, required=False)
    region = RegionChoiceField(label=_("Kreis or city of your place of work"), required=False,
                                    queryset=Region.objects.none(), widget=LongSelect,
                                    help_text=_("Only needed if your site is not in the list."))
    job_title = forms.CharField(label=_("Your role"), max_length=150,
                                help_text=_("For example: Quartiersmanagerin, Gemeinwesenarbeiter."))
    weekly_hours = forms.DecimalField(label=_("Working hours per week"), max_digits=4,
                                      decimal_places=1, min_value=Decimal("0.5"),
                                      max_value=Decimal("60"), localize=True,
                                      help_text=_("Your contractual hours, for example 19.5."),
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    employment_kind = forms.ChoiceField(label=_("Are you employed (paid) or a volunteer?"),
                                        choices=Application.EmploymentKind.choices,
                                        widget=forms.RadioSelect)
    employed_since = forms.DateField(label=_("Employed there since"),
                                     help_text=_("Day, month and year, for example 01.03.2024."),
                                     widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.select_related("organisation").order_by(
            "municipality", "name")
        day = call.closes_at.date()
        self.fields["region"].queryset = Region.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        ).order_by("name")

    def clean(self):
        data = super().clean()
        site = data.get("site")
        if site:
            data["organisation"] = site.organisation
            data["region"] = site.region
            data["organisation_other"] = data["site_other"] = ""
        else:
            data["organisation"] = None
            if not data.get("site_other"):
                self.add_error("site_other", _("Choose your site from the list or name your place of work."))
            if not data.get("organisation_other"):
                self.add_error("organisation_other", _("Name your employer (Träger)."))
            if not data.get("region"):
                self.add_error("region", _("Choose the Kreis or city of your place of work."))
        return data


class QualificationForm(KernForm):
    qualification = forms.ChoiceField(label=_("Your highest professional qualification"),
                                      choices=Application.Qualification.choices,
                                      widget=forms.RadioSelect)
    qualification_detail = forms.CharField(label=_("Name of the degree or training"),
                                           max_length=300, required=False,
                                           help_text=_("For example: B.A. Soziale Arbeit."))


class MotivationForm(KernForm):
    motivation = forms.CharField(
        label=_("Why do you want to take part?"), max_length=3000, min_length=50,
        help_text=_("What do you hope to learn, and how will it help your work in the Quartier? 50 to 3,000 characters."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class CommitmentForm(KernForm):
    commits_to_all_modules = forms.TypedChoiceField(
        label=_("Will you attend all module dates?"),
        choices=[("yes", _("Yes, I will attend all module dates.")),
                 ("no", _("No, I cannot attend all of them."))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        help_text=_("The course can only be completed by those who attend all modules."),
    )


class ReleaseForm(KernForm):
    document = forms.FileField(
        label=_("Letter of release from your employer"), required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    release_later = forms.BooleanField(label=_("I will hand in the letter later."), required=False)

    def __init__(self, *args, has_document: bool, due=None, upload_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_document = has_document
        self.upload_only = upload_only
        if upload_only:
            # After the deadline only the letter itself can still be handed in.
            del self.fields["release_later"]
            self.fields["document"].required = True
            self.fields["document"].error_messages["required"] = _("Upload the letter.")
        elif due:
            self.fields["release_later"].help_text = _("At the latest by %(due)s.") % {
                "due": due.strftime("%d.%m.%Y")}

    def clean(self):
        data = super().clean()
        if self.upload_only:
            return data
        if not (data.get("document") or data.get("release_later") or self.has_document):
            self.add_error("document", _("Upload the letter or tick that you will hand it in later."))
        return data


class AccessibilityForm(KernForm):
    accessibility_needs = forms.CharField(
        label=_("Do you need anything so that you can take part?"), max_length=1000,
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example step-free rooms or sign-language interpreting. Only the coordinators see this, and it is deleted after the course."),
    )
    accessibility_consent = forms.BooleanField(
        label=_("I agree that the coordinators use this information to plan the course."),
        required=False,
        help_text=_("This may be health data. You can withdraw your consent at any time."),
    )

    def clean(self):
        data = super().clean()
        if data.get("accessibility_needs") and not data.get("accessibility_consent"):
            self.add_error("accessibility_consent",
                           _("Please agree, or leave the field above empty."))
        return data


class PrivacyForm(KernForm):
    acknowledged = forms.BooleanField(label=_("I have read the privacy notice."))


STEP_FORMS = {
    "contact": ContactForm,
    "employment": EmploymentForm,
    "qualification": QualificationForm,
    "motivation": MotivationForm,
    "commitment": CommitmentForm,
    "release": ReleaseForm,
    "accessibility": AccessibilityForm,
    "privacy": PrivacyForm,
}

STEP_TITLES = {
    "contact": _("Contact"),
    "employment": _("Employment"),
    "qualification": _("Qualification"),
    "motivation": _("Motivation"),
    "commitment": _("Module dates"),
    "release": _("Release by your employer"),
    "accessibility": _("Accessibility needs"),
    "privacy": _("Privacy"),
}
