"""How a published figure reads on a page and in a CSV file."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

from apps.portal.sections import Withheld

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def withheld_words(value: Withheld) -> str:
    """Return what a withheld figure says, in words, wherever it is written."""
    return gettext("withheld: fewer than %(threshold)s members") % {"threshold": value.threshold}


def as_text(value, kind: str) -> str:
    """Return the figure for a page: $1,234.50, 12.5%, 1,234; 'withheld' when withheld."""
    if isinstance(value, Withheld):
        return gettext("withheld")
    if value is None:
        return "—"
    if kind == "money":
        return f"${_money(value):,}"
    if kind == "share":
        return f"{Decimal(value) * 100:.1f}%"
    if kind == "units":
        return f"{Decimal(value).normalize():,f}"
    if kind == "count":
        return f"{int(value):,}"
    return str(value)


def as_csv(value, kind: str) -> str:
    """Return the figure for a CSV cell: plain numbers; a withheld one in words; '' if empty."""
    if isinstance(value, Withheld):
        return withheld_words(value)
    if value is None:
        return ""
    if kind == "money":
        return f"{_money(value)}"
    if kind == "share":
        return f"{Decimal(value).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}"
    if kind == "units":
        return f"{Decimal(value).normalize():f}"
    if kind == "count":
        return str(int(value))
    return str(value)
