"""Forms of the cohort and its schedule: forming the cohort, a participant leaving,
modules, sessions and materials. They validate and convert; the services decide."""

from datetime import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohorte.core.forms import KernForm

from .services.materials import MAX_MATERIAL_BYTES


class CohortCreateForm(KernForm):
    title = forms.CharField(label=_("Title of the cohort"), max_length=200,
                            help_text=_("Shown to the participants, e.g. „Qualifizierung "
                                        "GWA 2025/26“."))


class ParticipantLeaveForm(KernForm):
    left_on = forms.DateField(
        label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("From this day on the person is no longer scheduled; their attendance "
                    "until then stays."))
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the record of the course, e.g. „Stelle gewechselt“."))


class ModuleForm(KernForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    aims = forms.CharField(
        label=_("Aims"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists with „-“, links. Shown to the participants."))
    lecturers = forms.ModelMultipleChoiceField(
        label=_("Lecturers"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People with the lecturer role in this programme."))

    def __init__(self, *args, lecturer_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecturers"].queryset = lecturer_choices
        self.fields["lecturers"].label_from_instance = _lecturer_label
        self.fields["lecturers"].widget.attrs["class"] = "kern-form-check__checkbox"


def _lecturer_label(user):
    name = user.display_name or user.email
    institution = getattr(user, "institution_name", None)
    return f"{name} ({institution})" if institution else name


def _local(day, at):
    return timezone.make_aware(datetime.combine(day, at))


class SessionForm(KernForm):
    """Date, start and end as the people write them, in Europe/Berlin."""

    day = forms.DateField(label=_("Date"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Starts at"),
                            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ends at"),
                          widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    hours = forms.DecimalField(label=_("Hours counted"), min_value=Decimal("0.25"), max_value=24,
                               max_digits=4, decimal_places=2,
                               help_text=_("Counted towards attendance, e.g. 3.5."))
    place = forms.CharField(label=_("Place"), max_length=200, required=False,
                            help_text=_("e.g. „Hochschule Fulda“."))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https",
                                help_text=_("For a session held online."))

    @classmethod
    def initial_for(cls, session):
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        return {"day": start.date(), "start": start.time(), "end": end.time(),
                "hours": session.hours, "place": session.place, "address": session.address,
                "room": session.room, "online_url": session.online_url}

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", _("The session must end after it starts."))
            else:
                data["starts_at"], data["ends_at"] = _local(day, start), _local(day, end)
        if not self.errors and not (data.get("place") or data.get("online_url")):
            self.add_error("place", _("Give a place or an online link."))
        return data

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {"starts_at": data["starts_at"], "ends_at": data["ends_at"],
                "hours": data["hours"], "place": data["place"], "address": data["address"],
                "room": data["room"], "online_url": data["online_url"]}


class MaterialForm(KernForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument text, PNG "
                                       "or JPEG, at most 20 MB."))
    url = forms.URLField(label=_("or a link"), required=False, assume_scheme="https",
                         help_text=_("Instead of a file, e.g. to a video or a web page."))

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and uploaded.size > MAX_MATERIAL_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."), code="size")
        return uploaded

    def clean(self):
        data = super().clean()
        if not self.errors:
            if data.get("file") and data.get("url"):
                self.add_error("url", _("Give either a file or a link, not both."))
            elif not data.get("file") and not data.get("url"):
                self.add_error("file", _("Choose a file or give a link."))
        return data
