"""The address of the scripts' message catalog (the `javascript_catalog` view), versioned.

The version is the newest modification time of the compiled `djangojs.mo` catalogs, read
once per process: a process reads its catalogs once too, so the version changes when what
it serves does (after a deploy or a restart).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode


@cache
def catalog_version() -> str:
    """The newest mtime (whole seconds) of the compiled djangojs catalogs; "0" when none."""
    times = [
        mo.stat().st_mtime
        for root in settings.LOCALE_PATHS
        for mo in Path(root).glob("*/LC_MESSAGES/djangojs.mo")
    ]
    return str(int(max(times, default=0)))


def catalog_url(language: str) -> str:
    """The catalog's address for a page in `language`: cached by the browser for a year."""
    query = urlencode({"l": language, "v": catalog_version()})
    return f"{reverse('javascript_catalog')}?{query}"
