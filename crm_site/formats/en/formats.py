"""English date formats: the ones in settings, so that settings.py stays the one place.

Django reads a locale's format module before the settings (always, since Django 5.0), and
its English module says "N j, Y" and "m/d/Y P". The names are looked up here on each
cache fill (module __getattr__), so override_settings in a test changes them too; every
other format (input formats, separators) falls through to Django's English module.
"""

from __future__ import annotations

from django.conf import settings

NAMES = frozenset(
    {
        "DATE_FORMAT",
        "SHORT_DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "YEAR_MONTH_FORMAT",
        "TIME_FORMAT",
    }
)


def __getattr__(name: str) -> str:
    if name in NAMES:
        return getattr(settings, name)
    raise AttributeError(name)
