"""The shared form building blocks: clean text and the KERN widget classes."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from kohorte.core.forms import KernForm, reject_control_characters


class SampleForm(KernForm):
    name = forms.CharField(max_length=20)
    note = forms.CharField(required=False, widget=forms.Textarea)
    agree = forms.BooleanField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    number = forms.IntegerField(required=False)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("value", ["\x00", "\x1b[31m", "\x07", "\x08", "\x7f", "\x85", "a\x0bb",
                                   "a\x0cb"])
def test_control_characters_are_refused(value):
    with pytest.raises(ValidationError) as error:
        reject_control_characters(f"Name{value}")
    assert error.value.code == "control"
    assert "control characters" in error.value.messages[0]


@pytest.mark.parametrize("value", ["Zeile 1\nZeile 2", "Zeile 1\r\nZeile 2", "Spalte\tSpalte",
                                   "Çağla Öztürk-Weiß", "Łukasz 😊", "", None])
def test_ordinary_text_line_breaks_and_tabs_pass(value):
    assert reject_control_characters(value) is None


def test_every_text_field_of_a_form_refuses_control_characters():
    form = SampleForm({"name": "Ay\x1blin", "note": "ok\x00", "kind": "a"})
    assert not form.is_valid()
    assert "control characters" in form.errors["name"][0]
    assert form.errors["note"]


def test_a_clean_form_is_valid_and_returns_typed_values():
    form = SampleForm({"name": "Aylin", "note": "Zeile\r\nZeile", "kind": "b", "number": "7"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == 7 and form.cleaned_data["agree"] is False


def test_the_validator_is_added_once_per_form_and_field():
    for _ in range(3):
        form = SampleForm()
    assert form.fields["name"].validators.count(reject_control_characters) == 1
    assert reject_control_characters not in SampleForm.base_fields["name"].validators


def test_widgets_get_their_kern_classes():
    form = SampleForm()
    assert form.fields["name"].widget.attrs["class"] == "kern-form-input__input"
    assert form.fields["note"].widget.attrs["class"] == "kern-form-input__input"
    assert form.fields["agree"].widget.attrs["class"] == "kern-form-check__checkbox"
    assert form.fields["kind"].widget.attrs["class"] == "kern-form-check__radio"


def test_over_long_text_is_refused_with_the_limit_named():
    form = SampleForm({"name": "x" * 21, "kind": "a"})
    assert not form.is_valid()
    assert "at most 20 characters" in form.errors["name"][0]


@pytest.mark.parametrize("trojan", ["\u202e", "\u2066", "\u202a"])
def test_bidirectional_overrides_are_refused_like_control_characters(trojan):
    with pytest.raises(ValidationError):
        reject_control_characters(f"Motivation{trojan}gnalretiew")


def test_ordinary_german_text_with_line_breaks_passes():
    reject_control_characters("Größe: 19,5 Stunden\r\nÜberschrift\tmit Tab – „Zitat“")


def test_a_long_select_writes_what_djangos_select_templates_write():
    from django import forms

    from kohorte.core.forms import LongSelect

    choices = [("", "---------"), ("a", "Ä & <b>"), ("Gruppe \"1\"", [("1", "eins"), ("2", "zwei")]),
               (3, "drei")]

    class Form(forms.Form):
        plain = forms.ChoiceField(choices=choices, widget=forms.Select(
            attrs={"class": "x", "required": True, "disabled": False, "data-q": 'a"b'}))
        fast = forms.ChoiceField(choices=choices, widget=LongSelect(
            attrs={"class": "x", "required": True, "disabled": False, "data-q": 'a"b'}))

    for data in (None, {"plain": "2", "fast": "2"}, {"plain": "<x>", "fast": "<x>"}):
        form = Form(data)
        if data:
            form.is_valid()
        plain = str(form["plain"]).replace('name="plain"', 'name="fast"').replace(
            "id_plain", "id_fast")
        assert str(form["fast"]) == plain
    assert "&lt;b&gt;" in str(Form()["fast"]) and 'selected>zwei' in str(Form({"fast": "2"})["fast"])
