"""Customer lifetime value from BG/NBD purchases and Gamma-Gamma spend."""

from __future__ import annotations

import numpy as np

from .bgnbd import BgNbdFit, _check_summary, _p_alive, _pair_brackets, _params
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
    horizons, discount = month_ends(months, monthly_discount_rate, weeks_per_month)
    spend = as_float_array(expected_spend, "expected_spend")
    if months == 0:
        return np.zeros_like(spend)
    x, t_x, T = _check_summary(x, t_x, T)
    brackets, pair = _pair_brackets(fit, horizons, x, T)
    return discounted_value(brackets, discount, pair, _p_alive(*_params(fit), x, t_x, T), spend)


def month_ends(
    months: int, monthly_discount_rate: float, weeks_per_month: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the month ends in weeks, 1..months, and each month's discount factor 1/(1+d)^i."""
    if months < 0:
        raise ValueError("months must be non-negative")
    if monthly_discount_rate <= -1.0:
        raise ValueError("monthly_discount_rate must be above -1")
    i = np.arange(1, months + 1, dtype=np.float64)
    return i * weeks_per_month, (1.0 + monthly_discount_rate) ** -i


def discounted_value(brackets, discount, pair, p_alive, spend) -> np.ndarray:
    """Return CLV from eq. (10)'s brackets at the month ends per distinct (x, T) pair.

    E[Y(t_i)] is the pair's bracket times the member's P(alive), and P(alive) and spend do not
    depend on the month: so the discounted sum of the monthly differences is taken per pair,
    once, and only its gather and two products are per member.
    """
    per_month = np.diff(brackets, axis=1, prepend=0.0)
    per_pair = np.einsum("ij,j->i", per_month, discount)  # not BLAS threads (see common.dot)
    value = per_pair[pair]
    value *= p_alive
    value *= spend
    return value
