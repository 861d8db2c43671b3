"""Error pages and their logging: the product's pages in development too, one line per 4xx."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from crm_site.log_filters import ClientErrorsOnOneLine


@pytest.mark.django_db
@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_a_missing_page_in_development_shows_the_products_page(client, marketing_user):
    client.force_login(marketing_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Django tried these URL patterns" not in body
    assert "members/" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


@pytest.mark.django_db
@override_settings(DEBUG=True, DEBUG_PAGES=True)
def test_the_debug_page_comes_back_when_asked_for(client, marketing_user):
    client.force_login(marketing_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Django tried these URL patterns" in response.content.decode()


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied
    except PermissionDenied:
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden", None, sys.exc_info()
        )
    record.status_code = status
    return record


def test_a_4xx_is_logged_on_one_line_and_a_5xx_keeps_its_traceback():
    formatter = logging.Formatter()
    quiet = _record(403)
    assert ClientErrorsOnOneLine().filter(quiet)
    assert "Traceback" not in formatter.format(quiet)
    loud = _record(500)
    assert ClientErrorsOnOneLine().filter(loud)
    assert "Traceback" in formatter.format(loud)


def test_djangos_records_are_printed_once():
    # Django's own console handler would print each record again beside the root's.
    assert logging.getLogger("django").handlers == []
    assert any(
        isinstance(f, ClientErrorsOnOneLine)
        for handler in logging.getLogger().handlers
        for f in handler.filters
    )
