"""Number formats: `{{ value|money }}` ($1,234.50) and `{{ n|intcomma_plain }}` (1,234)."""

from __future__ import annotations

from django import template

from apps.core.money import format_money

register = template.Library()

register.filter("money", format_money)


@register.filter
def intcomma_plain(value) -> str:
    """Group an integer's thousands with commas (1,234,567); other values unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)
