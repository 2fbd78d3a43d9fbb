"""``{% url %}`` and ``{% static %}`` as Django's, with their answers kept per process.

Loaded as a builtin (settings.TEMPLATES), so every template gets these two tags in
place of Django's. Every page reverses a dozen URLs for its header, footer and
navigation and names six static files, each costing Django 15–20 µs to work out:
about a tenth of a simple page's time. The answer of ``reverse()`` depends only on
the URL configuration, the script prefix, the language (translated patterns) and the
current app; that of a static file's URL only on the storage. Both are kept as long
as those stay the same; a settings change (the tests' ``override_settings``) empties
the memory. Arguments other than strings and integers are not remembered (their text
could change), nor are failures.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags.static import StaticNode
from django.templatetags.static import do_static as django_static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_PLAIN = (str, int)


@lru_cache(maxsize=4096)
def _reverse(view_name, args, kwargs, current_app, prefix, language, urlconf):
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse_remembered(view_name, args=(), kwargs=None, current_app=None):
    """``reverse()``, remembered for plain arguments (strings and integers)."""
    kwargs = kwargs or {}
    if not (isinstance(view_name, str) and all(type(a) in _PLAIN for a in args)
            and all(type(v) in _PLAIN for v in kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(view_name, tuple(args), tuple(sorted(kwargs.items())), current_app,
                    get_script_prefix(), get_language(), get_urlconf())


class RememberedURLNode(URLNode):
    """Django's URL node with ``reverse_remembered``; otherwise the same behaviour."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_remembered(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


_static_urls: dict[str, str] = {}


class RememberedStaticNode(StaticNode):
    @classmethod
    def handle_simple(cls, path):
        found = _static_urls.get(path)
        if found is None:
            found = _static_urls[path] = super().handle_simple(path)
        return found


@register.tag
def static(parser, token):
    node = django_static(parser, token)
    return RememberedStaticNode(varname=node.varname, path=node.path)


@receiver(setting_changed)
def _forget(**kwargs):
    _reverse.cache_clear()
    _static_urls.clear()
