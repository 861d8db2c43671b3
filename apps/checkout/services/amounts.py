"""Money rounding and numbers in answers, shared by sales and returns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (a till's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def points_value(points: int) -> Decimal:
    """What `points` are worth in dollars (100 points = $1 at 1 cent a point): what they
    pay at the till, and what bonus points cost their campaign."""
    return money(Decimal(points * settings.CRM_POINT_VALUE_CENTS) / 100)


def answer_number(value: Decimal) -> int | float:
    """Return a quantity for a JSON answer: an integer when whole (2, not 2.0)."""
    return int(value) if value == value.to_integral_value() else float(value)
