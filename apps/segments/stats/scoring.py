"""Fit both member-value models to a repeat summary and score every member."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bgnbd import BgNbdFit, _check_summary, _p_alive, _pair_brackets, _params, bgnbd_fit
from .clv import WEEKS_PER_MONTH, discounted_value, month_ends
from .gamma_gamma import GammaGammaFit, gamma_gamma_conditional_expected_spend, gamma_gamma_fit
from .summary import RepeatSummary

__all__ = ["MemberScores", "RepeatModelFits", "fit_repeat_models", "score_members"]

HORIZONS_WEEKS = (2.0, 4.0, 13.0)


@dataclass(frozen=True)
class RepeatModelFits:
    """The BG/NBD and Gamma-Gamma fits of one calibration period."""

    bgnbd: BgNbdFit
    gamma_gamma: GammaGammaFit


@dataclass(frozen=True)
class MemberScores:
    """Per-member model outputs, aligned with the summary's members."""

    member: np.ndarray
    p_alive: np.ndarray
    horizons: tuple[float, ...]
    expected_purchases: np.ndarray  # shape (n, len(horizons))
    expected_spend: np.ndarray
    clv: np.ndarray


def fit_repeat_models(summary: RepeatSummary) -> RepeatModelFits:
    """Fit BG/NBD to all members and Gamma-Gamma to the repeat buyers of a summary."""
    return RepeatModelFits(
        bgnbd=bgnbd_fit(summary.x, summary.t_x, summary.T),
        gamma_gamma=gamma_gamma_fit(summary.x, summary.monetary),
    )


def score_members(
    fits: RepeatModelFits,
    summary: RepeatSummary,
    *,
    horizons: tuple[float, ...] = HORIZONS_WEEKS,
    clv_months: int = 12,
    monthly_discount_rate: float = 0.01,
    weeks_per_month: float = WEEKS_PER_MONTH,
) -> MemberScores:
    """Return P(alive), expected purchases per horizon, expected spend and CLV per member.

    The same numbers as bgnbd_p_alive, bgnbd_conditional_expected_purchases and
    customer_lifetime_value, with their shared parts done once: P(alive) per member, and one
    pass over distinct (x, T) pairs for the brackets of eq. (10) at the horizons and at every
    month end of the CLV.
    """
    s = summary
    bg = fits.bgnbd
    x, t_x, T = _check_summary(s.x, s.t_x, s.T)
    spend = gamma_gamma_conditional_expected_spend(fits.gamma_gamma, x, s.monetary)
    months, discount = month_ends(clv_months, monthly_discount_rate, weeks_per_month)
    k = len(horizons)
    brackets, pair = _pair_brackets(bg, np.concatenate([np.asarray(horizons, float), months]), x, T)
    p_alive = _p_alive(*_params(bg), x, t_x, T)
    expected = brackets[:, :k][pair]
    expected *= p_alive[:, None]
    if clv_months == 0:
        clv = np.zeros_like(spend)
    else:
        clv = discounted_value(brackets[:, k:], discount, pair, p_alive, spend)
    return MemberScores(
        member=s.member,
        p_alive=p_alive,
        horizons=tuple(float(h) for h in horizons),
        expected_purchases=expected,
        expected_spend=spend,
        clv=clv,
    )
