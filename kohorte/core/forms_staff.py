"""Forms of the core back-office pages (the audit log's filter)."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .audit_labels import action_label
from .forms import KernForm
from .scope import INDIRECT, PROGRAMME_PATHS

ALL = [("", _("All"))]


def object_type_choices():
    labels = [*PROGRAMME_PATHS, *INDIRECT]
    return ALL + [(label, apps.get_model(label)._meta.verbose_name.capitalize())
                  for label in labels]


class AuditFilterForm(KernForm):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Kind of object"), required=False)
    object = forms.CharField(label=_("Object"), max_length=100, required=False,
                             help_text=_("Its number, or part of its name (e.g. a reference number)."))

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = ALL + [(a, action_label(a)) for a in actions]
        self.fields["object_type"].choices = object_type_choices()

    def filters(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {"action": data.get("action", ""), "object_type": data.get("object_type", ""),
                "object_query": (data.get("object") or "").strip()}
