"""Form building blocks shared by every app: KERN widget classes and clean text."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

_WIDGET_CLASSES = {
    forms.CheckboxInput: "kern-form-check__checkbox",
    forms.RadioSelect: "kern-form-check__radio",
    forms.Select: "kern-form-input__select",
    forms.SelectMultiple: "kern-form-input__select",
}


# Bidirectional overrides and isolates can make text read differently from what it is
# ("Trojan source"); nobody needs them in a form answer.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def reject_control_characters(value):
    """Refuse control characters (except line breaks and tabs) and bidi overrides."""
    if value and any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") or ch in _BIDI_CONTROLS
        for ch in value
    ):
        raise ValidationError(
            _("Please remove invisible control characters from the text."), code="control"
        )


def add_service_errors(form, exc):
    """Put a service's ValidationError on the form: each message on its field where the
    form has that field, the rest at the top (the error summary shows both)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class KernFormMixin:
    """Give every widget the KERN class; error summary and fields come from templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for k, c in _WIDGET_CLASSES.items() if isinstance(widget, k)),
                "kern-form-input__input",
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(field, forms.CharField):
                field.validators.append(reject_control_characters)


class KernForm(KernFormMixin, forms.Form):
    pass


def _html_attrs(attrs: dict) -> str:
    """Attributes as Django's django/forms/widgets/attrs.html writes them."""
    return mark_safe("".join(  # noqa: S308 - each attribute is escaped by format_html
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False))


class LongSelect(forms.Select):
    """``forms.Select`` for long lists (the sites of a programme: hundreds): the same
    HTML as Django's select templates write, built in Python instead of rendering a
    template for every option (which cost the applicant's employment page about half
    of its time)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _html_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(format_html('\n  <option value="{}"{}>{}</option>\n',
                                     str(option["value"]), _html_attrs(option["attrs"]),
                                     option["label"])
                         for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
