"""Landing page: send each role to where its work starts; the language switch; the scripts'
message catalog."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog

from apps.accounts.jscatalog import catalog_version
from apps.accounts.models import Role
from apps.accounts.services import user_set_language


def home(request):
    """Redirect to the role's main page."""
    user = request.user
    if user.has_role(Role.MARKETING):
        return redirect("members:list")
    if user.has_role(Role.CASHIER):
        return redirect("members:lookup")
    if user.has_role(Role.MANUFACTURER):
        return redirect("portal:index")
    if user.has_role(Role.PRIVACY):
        return redirect("privacy:home")
    return render(request, "accounts/home.html")


# Open to the sign-in page too: a visitor not yet signed in chooses for this browser (cookie).
@login_not_required
@require_POST
def set_language(request):
    """Store the chosen language (the user's, else the browser's cookie); go back.

    A language not offered changes nothing (as Django's own set_language view).

    The page goes back to is the Referer's, when it is a page of this site, else home. The
    navbar's form carries no address of its own: a page then echoes nothing of the address
    it was asked for (a phone number typed on the scan screen; an id a 404 must not tell
    from another), and every page's switch is the same form.
    """
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_back_to(request))
    if language not in dict(settings.LANGUAGES):  # nothing to store: back, as it was
        return response
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    else:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


def _back_to(request) -> str:
    """The Referer's path and query, when the Referer is this site; else home. (Django's
    SecurityMiddleware sends `Referrer-Policy: same-origin`, so this site's pages send it.)"""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if not parts.path or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return resolve_url("home")
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


_javascript_catalog = JavaScriptCatalog.as_view()  # domain "djangojs", from LOCALE_PATHS
_CATALOG_MAX_AGE = 365 * 24 * 3600


# Every page loads it, the sign-in page too.
@login_not_required
@require_GET
def javascript_catalog(request):
    """The scripts' messages (static/js) in the language `?l=`, else the page's: Django's
    JavaScriptCatalog (`gettext`, `ngettext`, `interpolate`, …).

    base.html asks for it at `?l=<language>&v=<catalog_version()>`: that address names the
    answer completely, so the browser keeps it a year and asks again only when the language
    or the compiled catalog changes (docs/decisions.md).
    """
    language = request.GET.get("l", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        response = _javascript_catalog(request)
    # Kept only when it sets no cookie: a shared cache must never hand one on.
    versioned = request.GET.get("v") == catalog_version() and language == request.GET.get("l")
    if versioned and not response.cookies:
        patch_cache_control(response, public=True, max_age=_CATALOG_MAX_AGE, immutable=True)
    return response
