"""Form building blocks shared by every app: KERN widget classes and clean text."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
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
    HTML as Django's select templates write, built in Python straight from the choices
    instead of rendering a template (and building a dictionary) for every option, which
    cost the applicant's employment page about half of its time."""

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        attrs = self.build_attrs(self.attrs, attrs)
        parts = [format_html('<select name="{}"{}>', name, _html_attrs(attrs))]
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            group = isinstance(option_label, (list, tuple))
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
            for value_, label in option_label if group else ((option_value, option_label),):
                selected = not has_selected and str(value_) in values
                has_selected |= selected
                parts.append(f'\n  <option value="{conditional_escape(str(value_))}"'
                             f'{" selected" if selected else ""}>{conditional_escape(label)}'
                             "</option>\n")
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


class RowChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` whose list is read as rows, not as model instances: for
    long lists (with ``LongSelect``) where building an object per option costs more
    than the rest of the list. ``label_fields`` are read besides the key, and
    ``label_from_row(values)`` makes an option's text of them. What is chosen is
    checked against the queryset as ever."""

    label_fields: tuple[str, ...] = ()

    def label_from_row(self, values):
        raise NotImplementedError

    class iterator(forms.models.ModelChoiceIterator):  # noqa: N801 - Django's attribute name
        def __iter__(self):
            field = self.field
            if field.empty_label is not None:
                yield ("", field.empty_label)
            key = field.to_field_name or "pk"
            for row in self.queryset.values_list(key, *field.label_fields):
                yield (row[0], field.label_from_row(row[1:]))
