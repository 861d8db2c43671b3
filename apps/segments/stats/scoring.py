"""Fit both member-value models to a repeat summary and score every member."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bgnbd import BgNbdFit, bgnbd_conditional_expected_purchases, bgnbd_fit, bgnbd_p_alive
from .clv import WEEKS_PER_MONTH, customer_lifetime_value
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
    """Return P(alive), expected purchases per horizon, expected spend and CLV per member."""
    s = summary
    spend = gamma_gamma_conditional_expected_spend(fits.gamma_gamma, s.x, s.monetary)
    return MemberScores(
        member=s.member,
        p_alive=bgnbd_p_alive(fits.bgnbd, s.x, s.t_x, s.T),
        horizons=tuple(float(h) for h in horizons),
        expected_purchases=bgnbd_conditional_expected_purchases(
            fits.bgnbd, np.asarray(horizons, dtype=float), s.x, s.t_x, s.T
        ),
        expected_spend=spend,
        clv=customer_lifetime_value(
            fits.bgnbd,
            s.x,
            s.t_x,
            s.T,
            spend,
            months=clv_months,
            monthly_discount_rate=monthly_discount_rate,
            weeks_per_month=weeks_per_month,
        ),
    )
