from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """German unless the person chose another language (cookie set by set_language).

    The browser's Accept-Language is not consulted: the service speaks German first,
    and an English interface is one click away on every page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
