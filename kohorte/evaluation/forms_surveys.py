"""Forms of the survey builder, the cohort's surveys, the key and the survey page.
They validate and convert; the services decide."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm, KernFormMixin

from .models import Item, Survey, in_page_language
from .services import answers_clean

# The English wording when the page is in English and there is one, else German.
in_language = in_page_language


# --- The builder ----------------------------------------------------------------------

class TemplateCopyForm(KernForm):
    template = forms.ChoiceField(label=_("Template"), widget=forms.RadioSelect)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates


class InstrumentForm(KernForm):
    title_de = forms.CharField(label=_("Title (German)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_de = forms.CharField(label=_("Introduction (German)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Shown above the questions: what the survey is "
                                           "for and how long it takes."))
    intro_en = forms.CharField(label=_("Introduction (English)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))


class GroupForm(KernForm):
    title_de = forms.CharField(label=_("Title of the dimension (German)"), max_length=200)
    title_en = forms.CharField(label=_("Title of the dimension (English)"), max_length=200,
                               required=False)


class ItemForm(KernForm):
    group = forms.TypedChoiceField(label=_("Dimension"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Item.Kind.choices,
                             widget=forms.RadioSelect)
    text_de = forms.CharField(label=_("Question (German)"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=_("Question (English)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Answers"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line, German | English. A five-point scale: its five labels "
                    "from 1 (lowest) to 5; single or multiple choice: the answers. "
                    "Not used for numbers and free text."))
    min_value = forms.DecimalField(label=_("Lowest number"), required=False, max_digits=8,
                                   decimal_places=2, help_text=_("Only for numbers."))
    max_value = forms.DecimalField(label=_("Highest number"), required=False, max_digits=8,
                                   decimal_places=2, help_text=_("Only for numbers."))

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, g.title_de) for g in groups]
        self.fields["group"].widget.attrs["class"] = "kern-form-input__select"

    @staticmethod
    def options_text(item) -> str:
        return "\n".join(f"{o.get('de', '')} | {o.get('en', '')}".rstrip(" |")
                         for o in item.options)

    def clean_options(self):
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        options = []
        for line in filter(None, lines):
            de, _bar, en = line.partition("|")
            if not de.strip():
                raise ValidationError(_("Each line needs the German wording first."))
            options.append({"de": de.strip(), "en": en.strip()})
        return options

    def item_fields(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "text_de": data["text_de"], "text_en": data["text_en"],
                "required": data["required"], "options": data["options"],
                "min_value": data["min_value"], "max_value": data["max_value"]}


# --- Surveys --------------------------------------------------------------------------

def _local(day, at):
    return timezone.make_aware(datetime.combine(day, at))


class SurveyTimesMixin(forms.Form):
    """When a survey opens and closes: a date and a time each, in German time."""

    opens_on = forms.DateField(label=_("Opens on"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    opens_time = forms.TimeField(label=_("Opens at (time)"), initial=time(8, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes_on = forms.DateField(label=_("Closes on"),
                                widget=forms.DateInput(attrs={"type": "date"},
                                                       format="%Y-%m-%d"))
    closes_time = forms.TimeField(label=_("Closes at (time)"), initial=time(23, 59),
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                  help_text=_("Times in German time (Europe/Berlin)."))

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("opens_time"):
            data["opens_at"] = _local(data["opens_on"], data["opens_time"])
        if data.get("closes_on") and data.get("closes_time"):
            data["closes_at"] = _local(data["closes_on"], data["closes_time"])
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_on", _("The survey must close after it opens."))
        return data


class SurveyTimesForm(KernFormMixin, SurveyTimesMixin):
    """A survey's times changed: filled with the current ones."""

    def __init__(self, *args, survey, **kwargs):
        opens, closes = timezone.localtime(survey.opens_at), timezone.localtime(survey.closes_at)
        kwargs.setdefault("initial", {"opens_on": opens.date(), "opens_time": opens.time(),
                                      "closes_on": closes.date(), "closes_time": closes.time()})
        super().__init__(*args, **kwargs)


class SurveyCreateForm(KernFormMixin, SurveyTimesMixin):
    instrument = forms.TypedChoiceField(label=_("Instrument"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind of survey"), choices=Survey.Kind.choices, widget=forms.RadioSelect,
        help_text=_("Before the course at module 1; after the course, with the look back, "
                    "at the last module; module feedback after each module; the follow-up "
                    "3–6 months after the end, only for those who agreed to it."))
    module = forms.TypedChoiceField(label=_("Module"), coerce=int, required=False,
                                    empty_value=None,
                                    help_text=_("Only for module feedback."))
    field_order = ["instrument", "kind", "module", "opens_on", "opens_time", "closes_on",
                   "closes_time"]

    def __init__(self, *args, instruments, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            (i.pk, f"{i.title_de} (v{i.version})") for i in instruments]
        self.fields["module"].choices = [("", "–")] + [(m.pk, str(m)) for m in modules]
        for name in ("instrument", "module"):
            self.fields[name].widget.attrs["class"] = "kern-form-input__select"

    def clean(self):
        data = super().clean()
        if data.get("kind") == Survey.Kind.FEEDBACK and not data.get("module"):
            self.add_error("module", _("Please choose the module the feedback is about."))
        return data


class KeysDestroyForm(KernForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the record, e.g. „Auswertung der Kohorte abgeschlossen“."))
    confirm = forms.BooleanField(
        label=_("I understand that from now on nobody can tell whose answers are whose, "
                "and that this cannot be undone."))


CONSENT_CHOICES = [("yes", _("Yes, please invite me to the follow-up survey")),
                   ("no", _("No, I do not want to take part in the follow-up survey"))]


class ConsentForm(KernForm):
    consent = forms.TypedChoiceField(label=_("Follow-up survey"), choices=CONSENT_CHOICES,
                                     coerce=lambda value: value == "yes",
                                     widget=forms.RadioSelect)


# --- The survey page ------------------------------------------------------------------

def _likert_choices(item):
    labels = item.options or [{"de": "", "en": ""}] * 5
    return [(str(n), f"{n} – {in_language(label.get('de', ''), label.get('en', ''))}".rstrip(" –"))
            for n, label in enumerate(labels, start=1)]


def _field_for(item):
    common = {"label": in_language(item.text_de, item.text_en), "required": False}
    if item.kind == Item.Kind.LIKERT:
        field = forms.ChoiceField(choices=_likert_choices(item), widget=forms.RadioSelect,
                                  **common)
    elif item.kind == Item.Kind.SINGLE:
        field = forms.ChoiceField(
            choices=[(o["value"], in_language(o.get("de", ""), o.get("en", "")))
                     for o in item.options], widget=forms.RadioSelect, **common)
    elif item.kind == Item.Kind.MULTIPLE:
        field = forms.MultipleChoiceField(
            choices=[(o["value"], in_language(o.get("de", ""), o.get("en", "")))
                     for o in item.options], widget=forms.CheckboxSelectMultiple, **common)
    elif item.kind == Item.Kind.NUMBER:
        field = forms.CharField(max_length=20, widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off"}), **common)
    else:
        field = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
                                **common)
    field.item = item
    return field


class ResponseForm(KernForm):
    """The questions of one survey: ``a-<key>`` today, ``t-<key>`` the look back (post
    surveys: scale and number items asked a second time, "before the course").

    Every field is optional to the form; ``answers_clean`` judges what is required, so
    the page and the service cannot disagree.
    """

    def __init__(self, *args, survey, items, ask_consent=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey, self.items = survey, items
        self.with_then = survey.kind == Survey.Kind.POST
        for item in items:
            self.fields[f"a-{item.key}"] = _field_for(item)
        if self.with_then:
            for item in items:
                if item.kind in Item.NUMERIC:
                    field = _field_for(item)
                    field.label = _("Before the course: %(question)s") % {
                        "question": field.label}
                    self.fields[f"t-{item.key}"] = field
        if ask_consent:
            self.fields["follow_up_consent"] = forms.ChoiceField(
                label=_("May we invite you to the follow-up survey?"), required=False,
                choices=CONSENT_CHOICES, widget=forms.RadioSelect)
        # KERN classes (the mixin ran before these fields existed).
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "kern-form-check__checkbox"
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs["class"] = "kern-form-check__radio"
            else:
                widget.attrs["class"] = "kern-form-input__input"

    def now_fields(self):
        return [self[f"a-{item.key}"] for item in self.items]

    def then_fields(self):
        return [self[name] for name in self.fields if name.startswith("t-")]

    def _answers(self, prefix):
        return {item.key: self.cleaned_data.get(f"{prefix}{item.key}") for item in self.items
                if f"{prefix}{item.key}" in self.fields}

    def clean(self):
        data = super().clean()
        self.answers = self._answers("a-")
        self.then_answers = self._answers("t-") if self.with_then else None
        checks = [("a-", self.answers, False)]
        if self.with_then:
            checks.append(("t-", self.then_answers, True))
        for prefix, answers, numeric_only in checks:
            try:
                answers_clean(instrument=self.survey.instrument, answers=answers,
                              numeric_only=numeric_only, items=self.items)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(f"{prefix}{key}", message)
        consent = data.get("follow_up_consent")
        self.consent_answer = {"yes": True, "no": False}.get(consent)
        return data
