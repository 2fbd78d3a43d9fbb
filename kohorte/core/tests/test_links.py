"""``{% url %}`` and ``{% static %}`` with remembered answers (core.templatetags.kohorte_links)."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from kohorte.core.templatetags import kohorte_links


def render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.fixture
def counted(monkeypatch):
    """How often Django's reverse() is asked."""
    calls = []

    def reverse_counted(*args, **kwargs):
        calls.append(args)
        return reverse(*args, **kwargs)

    monkeypatch.setattr(kohorte_links, "reverse", reverse_counted)
    kohorte_links._reverse.cache_clear()
    yield calls
    kohorte_links._reverse.cache_clear()


def test_every_template_gets_the_remembering_tags_without_loading_them():
    template = engines["django"].from_string("{% url 'core:home' %}{% static 'kohorte/kohorte.css' %}")
    nodes = [type(node) for node in template.template.nodelist]
    assert nodes == [kohorte_links.RememberedURLNode, kohorte_links.RememberedStaticNode]


def test_url_answers_as_django_and_asks_reverse_once(counted):
    source = "{% url 'applications:apply_step' pk step %} {% url 'core:home' %}"
    first = render(source, pk=12, step="contact")
    assert first == f"{reverse('applications:apply_step', args=[12, 'contact'])} /"
    assert render(source, pk=12, step="contact") == first
    assert len(counted) == 2  # each URL once, the second rendering from memory
    assert render(source, pk=13, step="contact").startswith("/bewerbungen/13/")
    assert len(counted) == 3


def test_keyword_arguments_and_as_var(counted):
    source = ("{% url 'applications:apply_step' pk=5 step='privacy' as link %}[{{ link }}]"
              "{% url 'no-such-view' as missing %}[{{ missing }}]")
    assert render(source) == f"[{reverse('applications:apply_step', args=[5, 'privacy'])}][]"


def test_a_missing_view_raises_as_in_django(counted):
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):  # a failure is not remembered as an answer
        render("{% url 'no-such-view' %}")


def test_the_script_prefix_is_part_of_the_answer(counted):
    assert render("{% url 'core:home' %}") == "/"
    set_script_prefix("/kohorte/")
    try:
        assert render("{% url 'core:home' %}") == "/kohorte/"
    finally:
        clear_script_prefix()
    assert render("{% url 'core:home' %}") == "/"


def test_other_arguments_than_text_and_numbers_are_not_remembered(counted):
    class Key:
        def __init__(self, value):
            self.value = value

        def __str__(self):
            return str(self.value)

    key = Key(7)
    source = "{% url 'applications:apply_step' key 'contact' %}"
    assert render(source, key=key).startswith("/bewerbungen/7/")
    key.value = 8
    assert render(source, key=key).startswith("/bewerbungen/8/")
    assert len(counted) == 2


def test_the_url_is_escaped_as_django_escapes_it(counted):
    # "&" may stand in a path (a sub-delimiter): HTML needs it escaped.
    assert render("{% url 'accounts:login_confirm' 'a&b' %}") == "/konto/anmelden/link/a&amp;b/"
    assert render("{% autoescape off %}{% url 'accounts:login_confirm' 'a&b' %}"
                  "{% endautoescape %}") == "/konto/anmelden/link/a&b/"
    with translation.override("en"):
        assert render("{% url 'core:home' %}") == "/"


def test_static_answers_as_django_and_follows_a_settings_change():
    assert render("{% static 'kohorte/kohorte.css' %}").endswith(".css")
    with override_settings(STATIC_URL="/elsewhere/",
                           STORAGES={"staticfiles": {
                               "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        assert render("{% static 'kohorte/kohorte.css' %}") == "/elsewhere/kohorte/kohorte.css"
    assert not render("{% static 'kohorte/kohorte.css' %}").startswith("/elsewhere/")


def test_static_as_var():
    assert render("{% static 'kohorte/kohorte.css' as css %}<{{ css }}>").startswith("<")
    assert render("{% static 'kohorte/kohorte.css' as css %}{{ css }}").endswith(".css")
