"""`{{ value|local_date:"M j, Y" }}`: the pattern in English, the active language's format of
the same kind otherwise ("2026年12月4日"); see apps/core/dates.py."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date

from apps.core.dates import localized_pattern

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value, arg: str) -> str:
    """Like |date (local time for aware datetimes), with the pattern made local."""
    return date(value, localized_pattern(arg))
