"""The language of each request, and the product's own 'not found' page in development."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views import defaults


class ProductNotFoundMiddleware:
    """With DEBUG on (`make run`), answer a missing page with templates/404.html.

    Django's debug 404 lists every URL pattern, which confuses a user trying the demo and
    shows what production never does. `DEBUG_PAGES=1` brings the debug page back for a
    developer. The API's JSON 404s are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_PAGES
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return defaults.page_not_found(request, Http404())
        return response


class UserLocaleMiddleware(LocaleMiddleware):
    """Activate the signed-in user's language (User.language), else the browser's.

    Only a request that carries a session cookie can have a signed-in user, so only then is
    `request.user` looked at: the page would load it anyway (no extra statement), and the
    tills' API, which sends no cookie, reads no session. Everything else (Accept-Language,
    the language cookie, Vary and Content-Language) is Django's LocaleMiddleware.
    """

    def process_request(self, request: HttpRequest) -> None:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            language = getattr(request.user, "language", "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
                return
        super().process_request(request)
