"""Member-value statistics in vectorized NumPy/SciPy: BG/NBD, Gamma-Gamma, CLV, RFM, Pareto,
churn.

A plain Python package with no Django imports (apps/segments/fits.py fits it to the
members and stores their scores), so that tasks, commands and benchmarks can call
it on arrays of all members at once. See docs/models.md for the formulas and references.
"""

from __future__ import annotations

from .bgnbd import (
    BgNbdFit,
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
)
from .clv import WEEKS_PER_MONTH, customer_lifetime_value
from .common import FitError, unique_rows
from .gamma_gamma import (
    GammaGammaFit,
    gamma_gamma_conditional_expected_spend,
    gamma_gamma_fit,
    gamma_gamma_log_likelihood,
)
from .pareto import ParetoCurve, churn_flags, pareto_curve, sales_share, used_to_be_regular
from .rfm import RfmScores, quantile_scores, rfm_scores
from .sanity import MIN_MEMBERS, MIN_REPEAT_BUYERS, fit_problems
from .scoring import MemberScores, RepeatModelFits, fit_repeat_models, score_members
from .simulate import simulate_bgnbd, simulate_gamma_gamma_spend
from .summary import RepeatSummary, read_cdnow_transactions, repeat_summary

__all__ = [
    "MIN_MEMBERS",
    "MIN_REPEAT_BUYERS",
    "WEEKS_PER_MONTH",
    "BgNbdFit",
    "FitError",
    "GammaGammaFit",
    "MemberScores",
    "ParetoCurve",
    "RepeatModelFits",
    "RepeatSummary",
    "RfmScores",
    "bgnbd_conditional_expected_purchases",
    "bgnbd_expected_purchases",
    "bgnbd_fit",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "churn_flags",
    "customer_lifetime_value",
    "fit_problems",
    "fit_repeat_models",
    "gamma_gamma_conditional_expected_spend",
    "gamma_gamma_fit",
    "gamma_gamma_log_likelihood",
    "pareto_curve",
    "quantile_scores",
    "read_cdnow_transactions",
    "repeat_summary",
    "rfm_scores",
    "sales_share",
    "score_members",
    "simulate_bgnbd",
    "simulate_gamma_gamma_spend",
    "unique_rows",
    "used_to_be_regular",
]
