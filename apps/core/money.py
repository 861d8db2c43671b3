"""Money on the page: one format for templates (`{{ value|money }}`) and tables (`MoneyColumn`).

A credit reads "−$2.00" with a true minus sign before the dollar sign, wherever it is shown;
a missing amount is a dash. CSV exports take the plain amount (`MoneyColumn.value`), so a
spreadsheet reads a number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import django_tables2 as tables

MISSING = "–"


def format_money(value) -> str:
    """Write an amount as dollars ($1,234.50, −$2.00); a dash when there is none."""
    if value is None or value == "":
        return MISSING
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


class MoneyColumn(tables.Column):
    """Dollars on the page ($1,234.50); the plain amount in CSV exports."""

    attrs = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}

    def render(self, value):
        return format_money(value)

    def value(self, value):
        return value
