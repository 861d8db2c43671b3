"""Confidence intervals of a campaign's lift over its holdout, vectorized over campaigns.

Plain NumPy/SciPy (no Django): the callers hand in arrays of group sizes, sums and sums of
squares (the sufficient statistics the refresh stores), one element per campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

WELCH_METHOD = (
    "Welch's two-sample t interval: difference of the mean category sales per member, "
    "treated − holdout, ± t(0.975, ν) · √(s₁²/n₁ + s₀²/n₀), with ν from the "
    "Welch–Satterthwaite equation (for large groups this is the normal interval ±1.96 SE)."
)
PROPORTION_METHOD = (
    "Two-proportion z interval (Wald, unpooled): p₁ − p₀ ± 1.96 · √(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)."
)
POWER_METHOD = (
    "Members a conclusive answer needs: the audience, split as now between treated and "
    "holdout, at which a two-sided test at the 5% level would find the difference seen so "
    "far 80% of the time: n₁ = (z₀.₉₇₅ + z₀.₈)² · (s₁² + s₀²/r) / d², n₀ = r · n₁, with "
    "r = holdout ÷ treated (for equal groups and one σ: 2 · (1.96 + 0.84)² · σ²/δ² per group)."
)
ALPHA = 0.05
POWER = 0.80
# Below these sizes a large-sample interval is not to be trusted, whatever it says: Welch's
# t interval on skewed spend wants about 30 members a group (the usual rule of thumb for
# the central limit theorem); the Wald interval of a share wants at least 5 members with
# and 5 without in each group (n·p ≥ 5 and n·(1 − p) ≥ 5; Brown, Cai & DasGupta, "Interval
# Estimation for a Binomial Proportion", Statistical Science 16(2), 2001).
MIN_GROUP = 30
MIN_COUNT = 5
SIZE_METHOD = (
    f"A result is called significant only with at least {MIN_GROUP} members in each group "
    f"(sales, ROI) or at least {MIN_COUNT} members who did and {MIN_COUNT} who did not in "
    "each group (conversion): below that a large-sample interval is not to be trusted."
)


@dataclass(frozen=True)
class Interval:
    """Differences (treated − holdout) with standard errors and two-sided interval bounds."""

    difference: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    df: np.ndarray | None = None
    p_value: np.ndarray | None = None


def mean_and_variance(n, total, total_sq) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and the sample variance (n − 1 denominator) from n, Σx and Σx².

    Variance is NaN below two members. The sums are exact in the database (numeric); in
    float64 Σx² − (Σx)²/n loses only digits far below a cent for spend data, whose spread
    is a large part of Σx².
    """
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.where(n > 1, (total_sq - total * mean) / (n - 1), np.nan)
    return mean, np.maximum(variance, 0.0)


def welch_interval(n1, mean1, var1, n0, mean0, var0, *, level: float = 0.95) -> Interval:
    """Welch's t interval for mean1 − mean0 (treated − holdout), with its two-sided p-value."""
    n1, mean1, var1, n0, mean0, var0 = (
        np.asarray(a, dtype=float) for a in (n1, mean1, var1, n0, mean0, var0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = var1 / n1, var0 / n0
        se = np.sqrt(a + b)
        # Welch–Satterthwaite; when both variances are 0 the difference is exact (df = inf).
        df = np.where(a + b > 0, (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n0 - 1)), np.inf)
        difference = mean1 - mean0
        q = stats.t.ppf(0.5 + level / 2, df)
        t = np.where(se > 0, difference / se, np.nan)
        p_value = np.where(se > 0, 2 * stats.t.sf(np.abs(t), df), np.nan)
    return Interval(difference, se, difference - q * se, difference + q * se, df, p_value)


def two_proportion_interval(x1, n1, x0, n0, *, level: float = 0.95) -> Interval:
    """Wald interval for p1 − p0 with x successes out of n in each group."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x1 / n1, x0 / n0
        se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        z = stats.norm.ppf(0.5 + level / 2)
        difference = p1 - p0
        p_value = np.where(se > 0, 2 * stats.norm.sf(np.abs(difference) / se), np.nan)
    return Interval(difference, se, difference - z * se, difference + z * se, p_value=p_value)


def significant(low: float | None, high: float | None) -> bool | None:
    """Return whether a 95 % interval excludes zero; None without an interval.

    Excluding zero is the same decision as the two-sided test at the 5 % level.
    """
    if low is None or high is None:
        return None
    return low > 0 or high < 0


def members_needed(n1, var1, n0, var0, difference, *, alpha: float = ALPHA, power: float = POWER):
    """Return the total audience (treated + holdout, split as now) that detects the difference.

    The sample size of the two-sample test (normal approximation, two-sided, level α,
    power 1 − β), as in Chow, Shao & Wang, *Sample Size Calculations in Clinical Research*
    (2nd ed., 2008), §3.2.1, and Cohen, *Statistical Power Analysis* (2nd ed., 1988), ch. 2:

        n per group = 2 · (z_{1−α/2} + z_{1−β})² · σ² / δ²          (equal groups, one σ)

    Generalised to the campaign's own split and to unequal variances (Welch): with
    r = n₀ / n₁, the difference's variance is σ₁²/n₁ + σ₀²/(r·n₁), and asking
    δ / SE = z_{1−α/2} + z_{1−β} gives

        n₁ = (z_{1−α/2} + z_{1−β})² · (σ₁² + σ₀²/r) / δ²,   n₀ = r · n₁,

    which is the formula above when r = 1 and σ₁ = σ₀. The observed difference and sample
    variances stand in for δ and σ² (the effect seen so far, not a target set in advance).
    It leaves out the other tail's sliver of power (Φ(−2·z_{1−α/2} − z_{1−β}) < 10⁻⁵), as
    statsmodels' `NormalIndPower.solve_power` would count it; that root finder works one
    campaign at a time for the same answer to a member, so NumPy does it here for all.

    NaN where it cannot be said: no difference seen, a group without variance or members.
    """
    n1, var1, n0, var0, difference = (
        np.asarray(a, dtype=float) for a in (n1, var1, n0, var0, difference)
    )
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = n0 / n1
        treated = z**2 * (var1 + var0 / ratio) / difference**2
        total = np.ceil(treated * (1 + ratio))
    usable = (n1 > 1) & (n0 > 1) & (difference != 0) & np.isfinite(total)
    return np.where(usable, total, np.nan)


def members_for_mean(n1, n0) -> np.ndarray:
    """Return the smallest audience, split as now, with MIN_GROUP members in each group."""
    n1, n0 = np.asarray(n1, dtype=float), np.asarray(n0, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.ceil(MIN_GROUP * (n1 + n0) / np.minimum(n1, n0))
    return np.where(np.isfinite(total), total, np.nan)


def members_for_share(x1, n1, x0, n0) -> np.ndarray:
    """Return the smallest audience, split as now, expecting MIN_COUNT members with and
    MIN_COUNT without in each group; NaN when some count is 0 (nothing to scale from)."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    fewest = np.minimum.reduce([x1, n1 - x1, x0, n0 - x0])
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.ceil(MIN_COUNT * (n1 + n0) / fewest)
    return np.where(np.isfinite(total) & (fewest > 0), total, np.nan)
