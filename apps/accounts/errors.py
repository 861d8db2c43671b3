"""The 500 handler: a lost database becomes a clear 503 the client may retry.

Django turns any exception, in a view or in a middleware (the session and user lookups
come first), into a response by calling `handler500` inside its `except` block, so the
exception is still `sys.exc_info()` here. The page is rendered without a request context:
the context processors would ask the database for the user again.
"""

from __future__ import annotations

import sys

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views import defaults

# SQLSTATEs of a lost server: connection exceptions (class 08) and the server shutting
# down or starting up (57P01-57P03). A missing SQLSTATE means the client never reached it.
_OUTAGE_STATES = {"57P01", "57P02", "57P03"}


def is_database_outage(exc: BaseException | None) -> bool:
    """Return True when the exception says the database cannot be reached right now."""
    while exc is not None:
        if isinstance(exc, InterfaceError | psycopg.InterfaceError):
            return True
        if isinstance(exc, psycopg.OperationalError):
            state = exc.sqlstate
            return state is None or state.startswith("08") or state in _OUTAGE_STATES
        if isinstance(exc, OperationalError) and exc.__cause__ is None:
            return True
        exc = exc.__cause__
    return False


def _stylesheet() -> str:
    try:
        return static("vendor/bootstrap/bootstrap.min.css")
    except ValueError:  # no collected manifest: the page does without styles
        return ""


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """Answer 503 with Retry-After: JSON for the API, a plain page for people."""
    retry_after = str(settings.DATABASE_OUTAGE_RETRY_AFTER)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "error": "The database is unavailable. Send the request again with the "
                "same transaction id after Retry-After seconds; it is recorded exactly once.",
            },
            status=503,
        )
    else:
        context = {"retry_after": retry_after, "stylesheet": _stylesheet()}
        body = loader.get_template("503.html").render(context)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for a database outage, Django's 500 page for anything else."""
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
