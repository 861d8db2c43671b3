"""Each campaign's lift over its holdout with 95 % intervals, its verdicts, and its ROI."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Sum

from apps.campaigns.models import AT_RISK, Campaign, Goal
from apps.reports import stats
from apps.reports.forms import ReportFilters
from apps.reports.models import LiftAggregate
from apps.reports.selectors.common import where
from apps.reports.selectors.redemption import campaign_cells, redemption_figures


@dataclass
class LiftResult:
    """Per campaign, arrays aligned with `campaign_ids`."""

    campaign_ids: list[int]
    treated: np.ndarray
    holdout: np.ndarray
    mean_treated: np.ndarray
    mean_holdout: np.ndarray
    spend: stats.Interval
    conversion_treated: np.ndarray
    conversion_holdout: np.ndarray
    conversion: stats.Interval
    returned_treated: np.ndarray
    returned_holdout: np.ndarray
    returned: stats.Interval
    # Whether the groups are large enough to trust each interval (stats.MIN_GROUP, MIN_COUNT).
    spend_enough: np.ndarray
    conversion_enough: np.ndarray
    returned_enough: np.ndarray
    # Total audience (treated + holdout, split as now) that would make each lift conclusive.
    spend_needed: np.ndarray
    conversion_needed: np.ndarray
    returned_needed: np.ndarray


def lift(filters: ReportFilters, campaign_ids: list[int]) -> LiftResult:
    """Lift of each campaign over its holdout, from the stored sufficient statistics."""
    sums = {
        (r["campaign_id"], r["holdout"]): r
        for r in LiftAggregate.objects.filter(
            where(filters, category=False), campaign_id__in=campaign_ids
        )
        .values("campaign_id", "holdout")
        .annotate(
            n=Sum("members"),
            s=Sum("spend_sum"),
            q=Sum("spend_sq_sum"),
            conv=Sum("converted"),
            back=Sum("returned"),
        )
        .order_by()
    }

    def column(holdout: bool, key: str) -> np.ndarray:
        return np.array(
            [float((sums.get((c, holdout)) or {}).get(key) or 0) for c in campaign_ids],
            dtype=float,
        )

    n1, n0 = column(False, "n"), column(True, "n")
    mean1, var1 = stats.mean_and_variance(n1, column(False, "s"), column(False, "q"))
    mean0, var0 = stats.mean_and_variance(n0, column(True, "s"), column(True, "q"))
    conv1, conv0 = column(False, "conv"), column(True, "conv")
    back1, back0 = column(False, "back"), column(True, "back")
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = stats.welch_interval(n1, mean1, var1, n0, mean0, var0)
        conversion = stats.two_proportion_interval(conv1, n1, conv0, n0)
        returned = stats.two_proportion_interval(back1, n1, back0, n0)
        p_conv1, p_conv0, p_back1, p_back0 = conv1 / n1, conv0 / n0, back1 / n1, back0 / n0
        return LiftResult(
            campaign_ids=campaign_ids,
            treated=n1,
            holdout=n0,
            mean_treated=mean1,
            mean_holdout=mean0,
            spend=spend,
            conversion_treated=p_conv1,
            conversion_holdout=p_conv0,
            conversion=conversion,
            returned_treated=p_back1,
            returned_holdout=p_back0,
            returned=returned,
            spend_enough=(n1 >= stats.MIN_GROUP) & (n0 >= stats.MIN_GROUP),
            conversion_enough=_enough_counts(conv1, n1, conv0, n0),
            returned_enough=_enough_counts(back1, n1, back0, n0),
            spend_needed=_at_least(
                stats.members_needed(n1, var1, n0, var0, spend.difference),
                stats.members_for_mean(n1, n0),
            ),
            # A share's variance per member is p(1 − p), as in the Wald interval.
            conversion_needed=_at_least(
                stats.members_needed(
                    n1, p_conv1 * (1 - p_conv1), n0, p_conv0 * (1 - p_conv0), conversion.difference
                ),
                stats.members_for_share(conv1, n1, conv0, n0),
            ),
            returned_needed=_at_least(
                stats.members_needed(
                    n1, p_back1 * (1 - p_back1), n0, p_back0 * (1 - p_back0), returned.difference
                ),
                stats.members_for_share(back1, n1, back0, n0),
            ),
        )


def _enough_counts(x1, n1, x0, n0) -> np.ndarray:
    return np.minimum.reduce([x1, n1 - x1, x0, n0 - x0]) >= stats.MIN_COUNT


def _at_least(power: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """The power estimate, raised to the size its interval needs; NaN stays unknown."""
    return np.where(np.isnan(power), np.nan, np.fmax(power, rule))


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _roi(incremental: float | None, cost: Decimal) -> float | None:
    if incremental is None or cost <= 0:
        return None
    return (incremental - float(cost)) / float(cost)


def _conclusive(
    prefix: str,
    low: float | None,
    high: float | None,
    needed: float,
    audience: int,
    enough: bool,
) -> dict:
    """Whether the result is significant and, when not, the audience a clear answer needs.

    Significant: the interval excludes zero and both groups are large enough to trust it
    (`enough`, stats.MIN_GROUP / MIN_COUNT); `<prefix>_too_few` says when size alone
    withholds the word. `<prefix>_needed` is the whole audience (treated + holdout, split
    as now) at which the test would find the difference seen so far 80 % of the time (and
    the groups reach those sizes); `<prefix>_more` what that adds to this campaign's
    audience. Both None when the answer is clear or cannot be sized (no interval, or no
    difference seen at all).
    """
    excludes_zero = stats.significant(low, high)
    verdict = None if excludes_zero is None else bool(excludes_zero and enough)
    total = _num(needed) if verdict is False else None
    return {
        f"{prefix}_significant": verdict,
        f"{prefix}_too_few": excludes_zero is not None and not enough,
        f"{prefix}_needed": None if total is None else int(total),
        f"{prefix}_more": None if total is None else max(0, int(total) - audience),
    }


def campaign_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[dict]:
    """One row per campaign: reach, redemption, cost split, lift with CIs and ROI.

    ROI = (incremental sales − store's net discount cost) ÷ store's net discount cost, where
    incremental sales = (mean category sales per treated member − per holdout member) ×
    treated members, sales at regular price, and the store's net cost = discounts −
    manufacturers' shares. The ROI interval maps the sales difference's interval.
    """
    ids = [c.pk for c in campaigns]
    figures = {r["campaign_id"]: redemption_figures(r) for r in campaign_cells(filters, ids)}
    result = lift(filters, ids)
    rows = []
    for i, campaign in enumerate(campaigns):
        fig = figures.get(campaign.pk) or redemption_figures(
            {"n": 0, "held": 0, "got": 0, "used_by": 0, "used": 0, "disc": 0, "share": 0}
        )
        n1 = int(result.treated[i])
        diff, low, high = (
            _num(result.spend.difference[i]),
            _num(result.spend.low[i]),
            _num(result.spend.high[i]),
        )
        incremental = None if diff is None else diff * n1
        audience = n1 + int(result.holdout[i])
        roi_low = _roi(None if low is None else low * n1, fig["store_cost"])
        roi_high = _roi(None if high is None else high * n1, fig["store_cost"])
        conv_low, conv_high = _num(result.conversion.low[i]), _num(result.conversion.high[i])
        back_low, back_high = _num(result.returned.low[i]), _num(result.returned.high[i])
        rows.append(
            {
                "campaign": campaign,
                "name": campaign.name,
                "category": campaign.category.name,
                "goal": campaign.get_goal_display(),
                "valid_from": campaign.valid_from,
                "valid_until": campaign.valid_until,
                "status": campaign.get_status_display(),
                **fig,
                "lift_treated": n1,
                "lift_holdout": int(result.holdout[i]),
                "mean_treated": _num(result.mean_treated[i]),
                "mean_holdout": _num(result.mean_holdout[i]),
                "spend_diff": diff,
                "spend_low": low,
                "spend_high": high,
                "spend_df": _num(result.spend.df[i]),
                "spend_p": _num(result.spend.p_value[i]),
                "conv_treated": _num(result.conversion_treated[i]),
                "conv_holdout": _num(result.conversion_holdout[i]),
                "conv_diff": _num(result.conversion.difference[i]),
                "conv_low": conv_low,
                "conv_high": conv_high,
                "back_treated": _num(result.returned_treated[i]),
                "back_holdout": _num(result.returned_holdout[i]),
                "back_diff": _num(result.returned.difference[i]),
                "back_low": back_low,
                "back_high": back_high,
                "incremental_sales": incremental,
                "roi": _roi(incremental, fig["store_cost"]),
                "roi_low": roi_low,
                "roi_high": roi_high,
                # ROI maps the sales lift: it is judged with the sales lift's group sizes.
                **_conclusive(
                    "roi", roi_low, roi_high, np.nan, audience, bool(result.spend_enough[i])
                ),
                **_conclusive(
                    "spend",
                    low,
                    high,
                    result.spend_needed[i],
                    audience,
                    bool(result.spend_enough[i]),
                ),
                **_conclusive(
                    "conv",
                    conv_low,
                    conv_high,
                    result.conversion_needed[i],
                    audience,
                    bool(result.conversion_enough[i]),
                ),
                **_conclusive(
                    "back",
                    back_low,
                    back_high,
                    result.returned_needed[i],
                    audience,
                    bool(result.returned_enough[i]),
                ),
                "is_win_back": campaign.goal == Goal.WIN_BACK or AT_RISK in campaign.target_cells,
            }
        )
    return rows
