"""Forms of the selection run, the offers, the letters and the messages to a group."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .selectors.selection import GROUPS
from .services.letters import placeholder_errors
from .services.selection import CandidateAction

PLACEHOLDER_HINT = _("You can use these placeholders: {name}, {reference}, {call}, {deadline}, "
                     "{position}, {reason}, {link}. Write {{ and }} for a brace.")


class SeedForm(KernForm):
    seed = forms.CharField(
        label=_("Seed"), max_length=300,
        help_text=_("Exactly as drawn at the public event, e.g. the Lotto numbers "
                    "„3 11 19 27 38 45“. Anyone can repeat the draw with it."))
    seed_source = forms.CharField(
        label=_("Where the seed comes from"), max_length=300,
        help_text=_("The public event and its date, e.g. „Lotto 6aus49 of 3 November 2026“."))


class ReasonForm(KernForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["reason"].help_text = help_text


class CandidateForm(KernForm):
    action = forms.ChoiceField(
        label=_("What should happen?"), widget=forms.RadioSelect,
        choices=[(CandidateAction.PIN, _("Pin: always selected, even above a cap")),
                 (CandidateAction.EXCLUDE, _("Take out: neither selected nor on the waiting list")),
                 (CandidateAction.CLEAR, _("Neither: the rule decides"))])
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to pin or take out. It is kept in the audit log; a person "
                    "taken out reads it in their letter."))

    def clean(self):
        data = super().clean()
        if data.get("action") in (CandidateAction.PIN, CandidateAction.EXCLUDE) and not (
                data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason."))
        return data


class PriorityForm(KernForm):
    prefix = "priority"  # shares the page with CandidateForm: field ids stay unique
    priority = forms.BooleanField(
        label=_("Priority: unsuccessful in an earlier cohort"), required=False,
        help_text=_("Counts only where the selection policy gives earlier unsuccessful "
                    "applicants priority."))
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. It is kept in the audit log."))


def _placeholders_valid(value):
    errors = placeholder_errors(value)
    if errors:
        raise ValidationError(errors)


class LetterForm(KernForm):
    subject = forms.CharField(label=_("Subject"), max_length=200,
                              validators=[_placeholders_valid])
    body = forms.CharField(label=_("Text"), max_length=10000, validators=[_placeholders_valid],
                           widget=forms.Textarea(attrs={"rows": 14}), help_text=PLACEHOLDER_HINT)


GROUP_LABELS = {
    "waiting": _("Everyone on the waiting list"),
    "open": _("Everyone with an open offer"),
    "accepted": _("Everyone who accepted a place"),
}


class GroupMessageForm(KernForm):
    group = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect,
                              choices=[(g, GROUP_LABELS[g]) for g in GROUPS])
    subject = forms.CharField(label=_("Subject"), max_length=200,
                              validators=[_placeholders_valid])
    body = forms.CharField(label=_("Text"), max_length=10000, validators=[_placeholders_valid],
                           widget=forms.Textarea(attrs={"rows": 10}), help_text=PLACEHOLDER_HINT)
    token = forms.RegexField(regex=r"\A[0-9a-f]{32}\Z", widget=forms.HiddenInput)
