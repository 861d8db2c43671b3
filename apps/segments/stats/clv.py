"""Customer lifetime value from BG/NBD purchases and Gamma-Gamma spend."""

from __future__ import annotations

import numpy as np

from .bgnbd import BgNbdFit, bgnbd_conditional_expected_purchases
from .common import as_float_array

__all__ = ["WEEKS_PER_MONTH", "customer_lifetime_value"]

# Weeks in a month as the lifetimes package counts them (customer_lifetime_value, freq="W"), so
# that figures agree with it; 365.25 / 12 / 7 = 4.348 would be the calendar average.
WEEKS_PER_MONTH = 4.345


def customer_lifetime_value(
    fit: BgNbdFit,
    x,
    t_x,
    T,
    expected_spend,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    weeks_per_month: float = WEEKS_PER_MONTH,
) -> np.ndarray:
    """Return each member's discounted expected value over the next `months` months.

    CLV = Σ_{i=1..H} (E[Y(t_i) | history] - E[Y(t_{i-1}) | history]) · spend / (1+d)^i with
    t_i = i months in weeks: each month's expected purchases (FHL 2005 eq. 10, cumulative, so
    differenced) times the expected spend per purchase (Gamma-Gamma), discounted to today at the
    end of the month, as the lifetimes package's customer_lifetime_value does, for all members
    at once.
    """
    if months < 0:
        raise ValueError("months must be non-negative")
    if monthly_discount_rate <= -1.0:
        raise ValueError("monthly_discount_rate must be above -1")
    spend = as_float_array(expected_spend, "expected_spend")
    if months == 0:
        return np.zeros_like(spend)
    horizons = np.arange(1, months + 1) * weeks_per_month
    cumulative = bgnbd_conditional_expected_purchases(fit, horizons, x, t_x, T)
    per_month = np.diff(cumulative, axis=1, prepend=0.0)
    discount = (1.0 + monthly_discount_rate) ** -np.arange(1, months + 1, dtype=np.float64)
    return (per_month @ discount) * spend
