"""Recency, frequency and monetary quantile scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import as_float_array

__all__ = ["RfmScores", "quantile_scores", "rfm_scores"]


@dataclass(frozen=True)
class RfmScores:
    """Scores 1 (worst) to `bins` (best) per member for recency, frequency and monetary value."""

    recency: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray

    @property
    def code(self) -> np.ndarray:
        """Return the three scores as one number, e.g. 5-3-4 as 534."""
        return self.recency * 100 + self.frequency * 10 + self.monetary


def quantile_scores(values, *, bins: int = 5, higher_is_better: bool = True) -> np.ndarray:
    """Return scores 1..bins by quantile of values, equal values always scoring the same.

    score = 1 + floor(bins · (number of members strictly worse) / n): the quantile of each
    value's lowest rank (SQL's percent_rank with n in the denominator). Ties therefore never
    split across bins and the result does not depend on the input order; the price is unequal
    bins when a value is common (members with no repeat purchase all score 1 on frequency, and
    a tie spanning the top fifth keeps its members below `bins`).
    """
    v = as_float_array(values, "values")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    n = v.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = v if higher_is_better else -v
    worse = np.searchsorted(np.sort(key), key, side="left")
    return 1 + (bins * worse) // n


def rfm_scores(recency, frequency, monetary, *, bins: int = 5) -> RfmScores:
    """Return quintile (by default) scores for recency, frequency and monetary value.

    recency is the time since the last purchase (T - t_x), so a smaller value scores higher;
    frequency and monetary score higher when larger.
    """
    return RfmScores(
        recency=quantile_scores(recency, bins=bins, higher_is_better=False),
        frequency=quantile_scores(frequency, bins=bins),
        monetary=quantile_scores(monetary, bins=bins),
    )
