"""Each campaign's lift over its holdout with 95 % intervals, its verdicts, and its ROI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Sum

from apps.campaigns.models import AT_RISK, Campaign, Goal
from apps.reports import stats
from apps.reports.forms import ReportFilters
from apps.reports.models import LiftAggregate
from apps.reports.selectors.common import where
from apps.reports.selectors.redemption import RedemptionFigures, redemption_by_campaign


@dataclass(frozen=True)
class Verdict:
    """Whether a lift is significant and, when not, the audience a clear answer needs.

    Significant: the interval excludes zero and both groups are large enough to trust it
    (stats.MIN_GROUP / MIN_COUNT); `too_few` says when size alone withholds the word.
    `members_needed` is the whole audience (treated + holdout, split as now) at which the
    test would find the difference seen so far 80 % of the time (and the groups reach those
    sizes); `more_members_needed` what that adds to the campaign's audience. Both None when
    the answer is clear or cannot be sized (no interval, or no difference seen at all).
    """

    significant: bool | None  # None: no interval at all
    too_few: bool
    members_needed: int | None
    more_members_needed: int | None


@dataclass(frozen=True)
class LiftInterval:
    """A difference treated − holdout (or an ROI) with its 95 % interval and its verdict."""

    estimate: float | None
    low: float | None  # None without an interval (a group of one member)
    high: float | None
    verdict: Verdict


@dataclass(frozen=True)
class SalesLift:
    """Category sales per member at regular price, treated against holdout (Welch)."""

    mean_treated: float | None
    mean_holdout: float | None
    lift: LiftInterval
    degrees_of_freedom: float | None
    p_value: float | None


@dataclass(frozen=True)
class ShareLift:
    """A share of members (converted, or came back), treated against holdout."""

    share_treated: float | None
    share_holdout: float | None
    lift: LiftInterval


@dataclass(frozen=True)
class CampaignResult:
    """One campaign in the period: its redemption and cost, and its lift over the holdout."""

    campaign: Campaign
    name: str
    category: str
    goal: str  # in words
    status: str  # in words
    valid_from: dt.date
    valid_until: dt.date
    redemption: RedemptionFigures
    # Members the lift compares (its aggregates, with the page's store filter).
    lift_treated_members: int
    lift_holdout_members: int
    sales: SalesLift
    conversion: ShareLift  # bought the target brand type in the category
    came_back: ShareLift  # bought again after the campaign started (win-back)
    incremental_sales: float | None  # the sales lift per member × treated members
    roi: LiftInterval  # its interval maps the sales lift's
    is_win_back: bool

    def get_absolute_url(self) -> str:
        return self.campaign.get_absolute_url()


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
        # Sums named apart from the model's fields, which an annotation may not shadow.
        .annotate(
            member_count=Sum("members"),
            spend_total=Sum("spend_sum"),
            spend_squares=Sum("spend_sq_sum"),
            converted_count=Sum("converted"),
            returned_count=Sum("returned"),
        )
        .order_by()
    }

    def column(holdout: bool, key: str) -> np.ndarray:
        return np.array(
            [float((sums.get((c, holdout)) or {}).get(key) or 0) for c in campaign_ids],
            dtype=float,
        )

    n1, n0 = column(False, "member_count"), column(True, "member_count")
    mean1, var1 = stats.mean_and_variance(
        n1, column(False, "spend_total"), column(False, "spend_squares")
    )
    mean0, var0 = stats.mean_and_variance(
        n0, column(True, "spend_total"), column(True, "spend_squares")
    )
    conv1, conv0 = column(False, "converted_count"), column(True, "converted_count")
    back1, back0 = column(False, "returned_count"), column(True, "returned_count")
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


def lift_verdict(
    low: float | None, high: float | None, needed: float, audience: int, enough: bool
) -> Verdict:
    """Return whether the interval is significant and, when not, what a clear one needs."""
    excludes_zero = stats.significant(low, high)
    significant = None if excludes_zero is None else bool(excludes_zero and enough)
    total = _num(needed) if significant is False else None
    return Verdict(
        significant=significant,
        too_few=excludes_zero is not None and not enough,
        members_needed=None if total is None else int(total),
        more_members_needed=None if total is None else max(0, int(total) - audience),
    )


def _interval(estimate, low, high, *, needed: float, audience: int, enough: bool) -> LiftInterval:
    low, high = _num(low), _num(high)
    return LiftInterval(
        estimate=_num(estimate),
        low=low,
        high=high,
        verdict=lift_verdict(low, high, needed, audience, enough),
    )


def campaign_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[CampaignResult]:
    """One result per campaign: reach, redemption, cost split, lift with CIs and ROI.

    ROI = (incremental sales − store's net discount cost) ÷ store's net discount cost, where
    incremental sales = (mean category sales per treated member − per holdout member) ×
    treated members, sales at regular price, and the store's net cost = discounts −
    manufacturers' shares. The ROI interval maps the sales difference's interval.
    """
    ids = [c.pk for c in campaigns]
    figures = redemption_by_campaign(filters, ids)
    result = lift(filters, ids)
    rows = []
    for i, campaign in enumerate(campaigns):
        redemption = figures.get(campaign.pk) or RedemptionFigures.nothing()
        n1, n0 = int(result.treated[i]), int(result.holdout[i])
        audience = n1 + n0
        sales = _interval(
            result.spend.difference[i], result.spend.low[i], result.spend.high[i],
            needed=result.spend_needed[i], audience=audience,
            enough=bool(result.spend_enough[i]),
        )  # fmt: skip
        incremental = None if sales.estimate is None else sales.estimate * n1
        cost = redemption.store_cost
        roi_low = _roi(None if sales.low is None else sales.low * n1, cost)
        roi_high = _roi(None if sales.high is None else sales.high * n1, cost)
        rows.append(
            CampaignResult(
                campaign=campaign,
                name=campaign.name,
                category=campaign.category.name,
                goal=campaign.get_goal_display(),
                status=campaign.get_status_display(),
                valid_from=campaign.valid_from,
                valid_until=campaign.valid_until,
                redemption=redemption,
                lift_treated_members=n1,
                lift_holdout_members=n0,
                sales=SalesLift(
                    mean_treated=_num(result.mean_treated[i]),
                    mean_holdout=_num(result.mean_holdout[i]),
                    lift=sales,
                    degrees_of_freedom=_num(result.spend.df[i]),
                    p_value=_num(result.spend.p_value[i]),
                ),
                conversion=ShareLift(
                    share_treated=_num(result.conversion_treated[i]),
                    share_holdout=_num(result.conversion_holdout[i]),
                    lift=_interval(
                        result.conversion.difference[i],
                        result.conversion.low[i],
                        result.conversion.high[i],
                        needed=result.conversion_needed[i],
                        audience=audience,
                        enough=bool(result.conversion_enough[i]),
                    ),  # fmt: skip
                ),
                came_back=ShareLift(
                    share_treated=_num(result.returned_treated[i]),
                    share_holdout=_num(result.returned_holdout[i]),
                    lift=_interval(
                        result.returned.difference[i],
                        result.returned.low[i],
                        result.returned.high[i],
                        needed=result.returned_needed[i],
                        audience=audience,
                        enough=bool(result.returned_enough[i]),
                    ),  # fmt: skip
                ),
                incremental_sales=incremental,
                # ROI maps the sales lift: it is judged with the sales lift's group sizes.
                roi=LiftInterval(
                    estimate=_roi(incremental, cost),
                    low=roi_low,
                    high=roi_high,
                    verdict=lift_verdict(
                        roi_low, roi_high, np.nan, audience, bool(result.spend_enough[i])
                    ),
                ),
                is_win_back=campaign.goal == Goal.WIN_BACK or AT_RISK in campaign.target_cells,
            )
        )
    return rows
