"""Money rounding and numbers in answers, shared by sales and returns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (a till's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def answer_number(value: Decimal) -> int | float:
    """Return a quantity for a JSON answer: an integer when whole (2, not 2.0)."""
    return int(value) if value == value.to_integral_value() else float(value)
