"""Differential privacy for the portal: the settings, OpenDP's noise, and what it means.

Noise comes from OpenDP (`opendp.measurements.make_laplace` on integer vectors): the
discrete Laplace distribution, sampled exactly from integers and the operating system's
randomness, so no floating-point artefact of the sampler can be read back out of a figure
(see docs/decisions.md). Counts are integers; money is released in whole cents.

Each release composes two measurements: one over every count of the report, one over every
money figure. Their L1 sensitivity is the number of figures one member can touch
(`figures.Plan`) times what one member changes in each (1 for a count, the cap for money),
so the noise scale is 1/ε per figure for counts and cap/ε for money, whatever the number of
figures; OpenDP's privacy map gives the ε each measurement spends, and the release is
charged their sum (basic composition).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_THRESHOLD = 5
DEFAULTS = {
    "PORTAL_DP_EPSILON_PER_FIGURE": "0.1",
    "PORTAL_DP_MONEY_CAP": "50.00",
    "PORTAL_DP_MAX_CATEGORIES": 6,
    "PORTAL_DP_AGREEMENT_BUDGET": "170",
    "PORTAL_DP_MANUFACTURER_BUDGET": "340",
    "REPORT_MIN_MEMBERS": 10,
}
EPSILON_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class PrivacySettings:
    """The release parameters: ε per figure, the money cap, the threshold, the budgets."""

    epsilon_per_figure: Decimal
    money_cap: Decimal
    max_categories: int
    threshold: int
    agreement_budget: Decimal
    manufacturer_budget: Decimal

    @property
    def count_scale(self) -> float:
        """Return the noise scale of a count, in members."""
        return float(1 / self.epsilon_per_figure)

    @property
    def money_scale_cents(self) -> float:
        """Return the noise scale of a money figure, in cents."""
        return float(self.money_cap * 100 / self.epsilon_per_figure)


def _positive(name: str, low: Decimal = Decimal(0)) -> Decimal:
    raw = getattr(settings, name, DEFAULTS[name])
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not value.is_finite() or value <= low:
        raise ImproperlyConfigured(f"{name} must be a number above {low}, got {raw!r}")
    return value


def privacy_settings() -> PrivacySettings:
    """Return the configured release parameters; ImproperlyConfigured when one is unusable."""
    k = getattr(settings, "REPORT_MIN_MEMBERS", DEFAULTS["REPORT_MIN_MEMBERS"])
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_THRESHOLD:
        raise ImproperlyConfigured(
            f"REPORT_MIN_MEMBERS must be an integer ≥ {MIN_THRESHOLD}, got {k!r}"
        )
    epsilon = _positive("PORTAL_DP_EPSILON_PER_FIGURE")
    if epsilon > 1:
        raise ImproperlyConfigured(
            f"PORTAL_DP_EPSILON_PER_FIGURE must be at most 1, got {epsilon}: above it the "
            "noise is below one member and small groups show through."
        )
    most = getattr(settings, "PORTAL_DP_MAX_CATEGORIES", DEFAULTS["PORTAL_DP_MAX_CATEGORIES"])
    if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= 50:
        raise ImproperlyConfigured(
            f"PORTAL_DP_MAX_CATEGORIES must be an integer from 1 to 50, got {most!r}"
        )
    return PrivacySettings(
        epsilon_per_figure=epsilon,
        money_cap=_positive("PORTAL_DP_MONEY_CAP", Decimal("0.99")),
        max_categories=most,
        threshold=k,
        agreement_budget=_positive("PORTAL_DP_AGREEMENT_BUDGET"),
        manufacturer_budget=_positive("PORTAL_DP_MANUFACTURER_BUDGET"),
    )


def _laplace(values: list[int], *, sensitivity: int, scale: float) -> tuple[list[int], float]:
    """Return the values with discrete Laplace noise, and the ε OpenDP's privacy map gives."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=dp.i64)), dp.l1_distance(T=dp.i64)
    measurement = dp.m.make_laplace(*space, scale=scale)
    epsilon = measurement.map(sensitivity)
    return (list(measurement(values)) if values else []), epsilon


@dataclass(frozen=True)
class Noised:
    counts: dict[str, int]
    money: dict[str, int]
    epsilon: Decimal


def add_noise(
    counts: dict[str, int],
    money: dict[str, int],
    *,
    count_sensitivity: int,
    money_sensitivity: int,
    params: PrivacySettings,
) -> Noised:
    """Release the counts and the money (cents) with noise calibrated to their bounds.

    Returns the noisy figures and the ε charged: ε per figure times the figures one member
    can touch, to 4 places, after checking that OpenDP's own privacy map says no more.
    """
    count_keys, money_keys = sorted(counts), sorted(money)
    cap_cents = int(params.money_cap * 100)
    noisy_counts, e_counts = _laplace(
        [counts[k] for k in count_keys], sensitivity=count_sensitivity, scale=params.count_scale
    )
    noisy_money, e_money = _laplace(
        [money[k] for k in money_keys],
        sensitivity=money_sensitivity * cap_cents,
        scale=params.money_scale_cents,
    )
    epsilon = release_epsilon(
        count_sensitivity=count_sensitivity, money_sensitivity=money_sensitivity, params=params
    )
    if e_counts + e_money > float(epsilon) * (1 + 1e-9):
        raise RuntimeError(f"OpenDP spends ε {e_counts + e_money}, more than the {epsilon} charged")
    return Noised(
        dict(zip(count_keys, noisy_counts, strict=True)),
        dict(zip(money_keys, noisy_money, strict=True)),
        epsilon,
    )


def release_epsilon(*, count_sensitivity: int, money_sensitivity: int, params) -> Decimal:
    """Return what a release of this shape costs: the figures one member touches × ε each."""
    figures = Decimal(count_sensitivity + money_sensitivity)
    return (figures * params.epsilon_per_figure).quantize(EPSILON_PLACES, rounding=ROUND_CEILING)


def interval(scale: float, *, confidence: float = 0.9) -> int:
    """Return t such that a discrete Laplace(scale) draw lies within ±t with `confidence`.

    P(|Z| > t) = 2 α^(t+1) / (1 + α) with α = exp(−1/scale).
    """
    alpha = math.exp(-1 / scale)
    t = math.log((1 - confidence) * (1 + alpha) / 2) / math.log(alpha) - 1
    return max(0, math.ceil(t))
