"""Forms of the review stage: they validate and convert; the services decide."""

from decimal import Decimal

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm, reject_control_characters

from .selectors.reviews import ORDERS
from .services.reviews import region_bounds_problems

NOT_APPLICABLE = "na"
SCORE_CHOICES = [
    ("0", _("0 – not shown at all")),
    ("1", "1"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", _("5 – fully shown")),
    (NOT_APPLICABLE, _("Not applicable (left out of the score)")),
]


class ScoreRadios(forms.RadioSelect):
    """Radios whose label target is the first option, so that the error summary's link
    lands on the group (a plain RadioSelect names no element)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


def _kern(field):
    """KERN classes and clean-text checks for a field added after the form was built."""
    radio = isinstance(field.widget, forms.RadioSelect)
    field.widget.attrs["class"] = "kern-form-check__radio" if radio else "kern-form-input__input"
    if isinstance(field, forms.CharField):
        field.validators.append(reject_control_characters)
    return field


class CriterionForm(KernForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("For example: Praxisbezug."))
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=4, decimal_places=2, min_value=Decimal("0.01"),
        max_value=Decimal("99.99"), localize=True, initial=Decimal("1"),
        help_text=_("How much the criterion counts in the weighted mean, for example 2 "
                    "for twice as much as a criterion of weight 1."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    description = forms.CharField(
        label=_("What reviewers look for"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(KernForm):
    """A score from 0 to 5 (or "not applicable") and a comment per criterion.

    ``submitting``: every criterion must then be answered; a draft may leave some open.
    ``cleaned_answers()`` gives the service's ``answers``: {criterion id: (value, comment)}.
    """

    overall_comment = forms.CharField(
        label=_("Overall comment"), max_length=3000, required=False,
        help_text=_("Your overall view of the application; other reviewers and the "
                    "coordinators read it."),
        widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, criteria, sheet=None, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.submitting = submitting
        answers = {c.pk: s for c, s in (sheet or [])}
        fields = {}
        for criterion in self.criteria:
            hint = _("Weight %(weight)s.") % {"weight": floatformat(criterion.weight, -2)}
            if criterion.description:
                hint = f"{criterion.description} {hint}"
            fields[self.value_name(criterion)] = _kern(forms.ChoiceField(
                label=criterion.name, choices=SCORE_CHOICES, required=submitting,
                help_text=hint, widget=ScoreRadios,
                error_messages={"required": _("Choose a score or “not applicable”.")}))
            fields[self.comment_name(criterion)] = _kern(forms.CharField(
                label=_("Comment on %(name)s") % {"name": criterion.name}, max_length=2000,
                required=False, widget=forms.Textarea(attrs={"rows": 2})))
            answer = answers.get(criterion.pk)
            if answer is not None:
                self.initial.setdefault(self.value_name(criterion),
                                        NOT_APPLICABLE if answer.value is None else str(answer.value))
                self.initial.setdefault(self.comment_name(criterion), answer.comment)
        # The overall comment last, after the criteria.
        overall = self.fields.pop("overall_comment")
        self.fields.update(fields)
        self.fields["overall_comment"] = overall

    @staticmethod
    def value_name(criterion):
        return f"kriterium_{criterion.pk}"

    @staticmethod
    def comment_name(criterion):
        return f"kriterium_{criterion.pk}_kommentar"

    def criterion_fields(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[self.value_name(c)], self[self.comment_name(c)]) for c in self.criteria]

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            if data.get(self.comment_name(criterion)) and not data.get(self.value_name(criterion)):
                self.add_error(self.value_name(criterion), _(
                    "Choose a score or “not applicable” to keep the comment on this criterion."))
        return data

    def cleaned_answers(self) -> dict:
        answers = {}
        for criterion in self.criteria:
            choice = self.cleaned_data.get(self.value_name(criterion))
            if not choice:
                continue
            value = None if choice == NOT_APPLICABLE else int(choice)
            answers[criterion.pk] = (value, self.cleaned_data.get(self.comment_name(criterion), ""))
        return answers


class ReasonForm(KernForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000,
        help_text=_("Required. It is kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}))


class ConflictForm(KernForm):
    """A conflict of interest: with a Träger, or with one person's application.

    Coordinators choose the reviewer; reviewers declare for themselves (no field).
    """

    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)
    organisation = forms.ModelChoiceField(
        label=_("Organisation (Träger)"), required=False, queryset=None,
        empty_label=_("– none –"),
        help_text=_("For example your own employer, or one you work closely with."))
    application = forms.ModelChoiceField(
        label=_("Or one application"), required=False, queryset=None,
        empty_label=_("– none –"),
        help_text=_("For example someone you know personally or work with."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           help_text=_("Optional: the kind of conflict, in a few words."))

    def __init__(self, *args, reviewers=None, organisations, applications, **kwargs):
        super().__init__(*args, **kwargs)
        if reviewers is None:
            del self.fields["reviewer"]
        else:
            self.fields["reviewer"].queryset = reviewers
            self.fields["reviewer"].label_from_instance = lambda u: str(u)
        self.fields["organisation"].queryset = organisations
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = (
            lambda a: f"{a.reference}: {a.full_name}")

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("application")):
            raise forms.ValidationError(
                _("Choose either an organisation (Träger) or one application."))
        return data


class PolicyForm(KernForm):
    """The call's selection policy, with a minimum and maximum per Regierungsbezirk."""

    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=5)
    one_reviewer_per_institution = forms.BooleanField(
        label=_("Reviewers of one application come from different partner institutions"),
        required=False,
        help_text=_("With two reviewers and two universities, each application is reviewed "
                    "by one person from each."))
    disagreement_threshold = forms.DecimalField(
        label=_("Flag disagreement above a spread of"), max_digits=3, decimal_places=2,
        min_value=Decimal("0"), max_value=Decimal("5"), localize=True,
        help_text=_("Highest minus lowest review score of an application, on the 0–5 scale."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    use_priority = forms.BooleanField(
        label=_("Earlier unsuccessful applicants (with consent) first"), required=False)
    max_per_organisation = forms.IntegerField(
        label=_("At most this many per Träger"), min_value=0, required=False,
        help_text=_("Empty: no limit."))
    max_per_site = forms.IntegerField(
        label=_("At most this many per site (Quartier)"), min_value=0, required=False,
        help_text=_("Empty: no limit."))
    offer_days = forms.IntegerField(label=_("Days to answer an offer"), min_value=1,
                                    max_value=365)
    offer_latest_days_before_start = forms.IntegerField(
        label=_("Answers due at the latest this many days before the course starts"),
        min_value=0, max_value=365)
    reminder_days_before_deadline = forms.IntegerField(
        label=_("Reminder this many days before an answer is due"), min_value=0, max_value=365)
    legal_remedies_notice = forms.CharField(
        label=_("Notice of legal remedies for rejection letters"), required=False,
        max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty if the call is not an administrative act."))

    def __init__(self, *args, call, districts, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.districts = list(districts)
        for index in range(len(self.districts)):
            # Labelled within a fieldset named after the district (see the template).
            for bound, label in (("min", _("At least (places)")), ("max", _("At most (places)"))):
                self.fields[self.bound_name(index, bound)] = _kern(forms.IntegerField(
                    label=label, min_value=0, max_value=10000, required=False))
        if policy is not None and not self.is_bound:
            for name in self.base_fields:
                self.initial.setdefault(name, getattr(policy, name))
            for index, district in enumerate(self.districts):
                bound = policy.region_bounds.get(district, {})
                for key in ("min", "max"):
                    self.initial.setdefault(self.bound_name(index, key), bound.get(key))

    @staticmethod
    def bound_name(index, bound):
        return f"bezirk_{index}_{bound}"

    def district_fields(self):
        return [(d, self[self.bound_name(i, "min")], self[self.bound_name(i, "max")])
                for i, d in enumerate(self.districts)]

    def region_bounds(self) -> dict:
        data = self.cleaned_data
        bounds = {}
        for index, district in enumerate(self.districts):
            bound = {key: data.get(self.bound_name(index, key)) for key in ("min", "max")}
            bound = {k: v for k, v in bound.items() if v is not None}
            if bound:
                bounds[district] = bound
        return bounds

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        index = {d: i for i, d in enumerate(self.districts)}
        for problem in region_bounds_problems(self.region_bounds(), places=self.call.places):
            if problem.district is None:
                self.add_error(None, problem.message)
            else:
                self.add_error(self.bound_name(index[problem.district], problem.bound),
                               problem.message)
        return data

    def policy_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.base_fields}
        values["region_bounds"] = self.region_bounds()
        return values


class OverviewFilterForm(KernForm):
    order = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("reference", _("Reference number")), ("score", _("Score, highest first")),
                 ("spread", _("Spread, widest first"))])
    disagreement = forms.BooleanField(label=_("Only applications with disagreement"),
                                      required=False)

    def filters(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        order = data.get("order") or "reference"
        return {"order": order if order in ORDERS else "reference",
                "only_disagreement": bool(data.get("disagreement"))}
