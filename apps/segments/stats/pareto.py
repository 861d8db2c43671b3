"""Sales concentration (Pareto) and churn flags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import as_float_array

__all__ = ["ParetoCurve", "churn_flags", "pareto_curve", "sales_share", "used_to_be_regular"]


def sales_share(sales) -> np.ndarray:
    """Return each member's share of total sales (zeros if there are no sales)."""
    s = as_float_array(sales, "sales")
    total = s.sum()
    return s / total if total > 0 else np.zeros_like(s)


@dataclass(frozen=True)
class ParetoCurve:
    """Members sorted by sales, largest first, with the cumulative shares of members and sales."""

    order: np.ndarray
    member_share: np.ndarray
    sales_share: np.ndarray

    def sales_share_of_top(self, fraction: float) -> float:
        """Return the share of sales made by the top `fraction` of members (e.g. 0.2).

        The top 20 % are the most members that are no more than a fifth of them,
        floor(0.2·n), as on the pages (apps/segments/selectors.py, pareto_top_share).
        """
        # The guard keeps a product such as 0.7 · 90 = 62.99999999999999 from losing a member.
        k = int(np.floor(fraction * self.order.size + 1e-9))
        return float(self.sales_share[k - 1]) if k > 0 else 0.0


def pareto_curve(sales) -> ParetoCurve:
    """Return the Pareto (Lorenz from the top) curve of sales over members.

    Members are sorted by sales descending, ties by position in the input (a stable sort), so the
    order is deterministic; point k is (k/n, share of sales of the top k members).
    """
    s = as_float_array(sales, "sales")
    order = np.argsort(-s, kind="stable")
    n = s.size
    cum = np.cumsum(s[order])
    total = cum[-1] if n else 0.0
    return ParetoCurve(
        order=order,
        member_share=np.arange(1, n + 1) / max(n, 1),
        sales_share=cum / total if total > 0 else np.zeros(n),
    )


def used_to_be_regular(
    x, t_x, *, min_repeat_purchases: int = 3, min_purchases_per_week: float = 0.25
) -> np.ndarray:
    """Return whether each member used to buy regularly.

    Regular: at least `min_repeat_purchases` repeat purchase days (by default 3, so four days in
    all) and, while active, a rate x / t_x of at least `min_purchases_per_week` (by default
    0.25: about monthly or more often). A member who bought three times in one week long ago and
    once a year since is not a lapsed regular; one who shopped every week for months is.
    """
    x = as_float_array(x, "x")
    t_x = as_float_array(t_x, "t_x")
    rate = np.divide(x, t_x, out=np.zeros_like(x), where=t_x > 0)
    return (x >= min_repeat_purchases) & (rate >= min_purchases_per_week)


def churn_flags(
    p_alive,
    x,
    t_x,
    *,
    threshold: float = 0.5,
    min_repeat_purchases: int = 3,
    min_purchases_per_week: float = 0.25,
) -> np.ndarray:
    """Return which members are churning: P(alive) below threshold among former regulars."""
    p = as_float_array(p_alive, "p_alive")
    regular = used_to_be_regular(
        x,
        t_x,
        min_repeat_purchases=min_repeat_purchases,
        min_purchases_per_week=min_purchases_per_week,
    )
    return regular & (p < threshold)
