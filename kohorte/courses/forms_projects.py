"""Forms of the practice project and the completion: they validate and convert; the
services in services/projects.py and services/completion.py decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .models import ProjectFeedback
from .services.projects import TEXT_LIMITS, project_file_check, text_limit_error

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectPartForm(KernForm):
    """The plan (with its title) or the report: text and an optional file.

    A draft may be incomplete; going on to the submission needs the title and the text
    (and the submission checks them again). The text has no ``maxlength`` attribute: a browser would cut a pasted
    text silently, the server says how much is too much instead.
    """

    title = forms.CharField(label=_("Title of your project"), max_length=200,
                            help_text=_("A short name for your project, e.g. “Neighbourhood "
                                        "café in the Nordstadt”."))
    text = forms.CharField(strip=True,
                           widget=forms.Textarea(attrs={"rows": 16}))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, DOCX, ODT, JPEG or PNG, at most 10 MB. A new "
                                       "file replaces the one you uploaded before."))
    remove_file = forms.BooleanField(label=_("Remove the uploaded file"), required=False)

    def __init__(self, *args, stage, has_file=False, count_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        # Required to go on to the submission; a draft may be incomplete.
        draft = self.is_bound and "continue" not in self.data
        for name in ("title", "text"):
            self.fields[name].required = not draft
        self.limit = TEXT_LIMITS[stage]
        limit = number_format(self.limit, force_grouping=True)
        if stage == "plan":
            self.fields["text"].label = _("Your plan")
            self.fields["text"].help_text = _(
                "What do you want to do in your Quartier, with whom, and what should change? "
                "Up to %(limit)s characters.") % {"limit": limit}
        else:
            del self.fields["title"]
            self.fields["text"].label = _("Your report")
            self.fields["text"].help_text = _(
                "What did you do, what happened, what did you learn? Up to %(limit)s "
                "characters.") % {"limit": limit}
        self.fields["text"].widget.attrs["aria-describedby"] = (
            f"id_text_helptext zaehler-{stage}")
        if not has_file:
            del self.fields["remove_file"]
        if count_url:
            # With JavaScript the count follows the typing; without, it shows on saving.
            self.fields["text"].widget.attrs.update({
                "hx-post": count_url, "hx-trigger": "input changed delay:600ms",
                "hx-target": f"#zaehler-{stage}", "hx-swap": "outerHTML",
                "hx-vals": '{"count_only": "1"}'})

    def clean_text(self):
        text = self.cleaned_data["text"]
        if error := text_limit_error(self.stage, text):
            raise error
        return text

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            project_file_check(uploaded)
        return uploaded


class FeedbackForm(KernForm):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=ProjectFeedback.Verdict.choices, widget=forms.RadioSelect,
        help_text=_("“Needs revision” lets the participant change it and submit it again."))
    text = forms.CharField(label=_("Your feedback"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("The participant reads it as you write it. It cannot "
                                       "be changed afterwards."))


class ProjectDatesForm(KernForm):
    project_plan_due = forms.DateField(label=_("Project plan due on"), required=False,
                                       widget=DATE_WIDGET)
    project_report_due = forms.DateField(label=_("Project report due on"), required=False,
                                         widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        plan, report = data.get("project_plan_due"), data.get("project_report_due")
        if plan and report and report < plan:
            self.add_error("project_report_due",
                           ValidationError(_("The report cannot be due before the plan."),
                                           code="order"))
        return data


class CompletionRuleForm(KernForm):
    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance in percent of the scheduled hours"), min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    requires_project = forms.BooleanField(label=_("The practice project must be accepted"),
                                          required=False)


class CompletionConfirmForm(KernForm):
    override_reason = forms.CharField(
        label=_("Reason for the exception"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason for the exception.")},
        help_text=_("For example a make-up agreed outside Kohorte. It is kept in the audit "
                    "log."))

    def __init__(self, *args, exception=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only someone who does not meet the rule needs a reason to be confirmed.
        self.fields["override_reason"].required = exception


class CompletionUndoForm(KernForm):
    reason = forms.CharField(label=_("Why is the confirmation taken back?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
