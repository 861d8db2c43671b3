"""Campaigns in the period and their redemption: reach, rates, discounts and who pays them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from apps.campaigns.models import CELL_LABELS, Campaign
from apps.core.labels import TIER_LABELS
from apps.reports.forms import ReportFilters
from apps.reports.models import CampaignCellAggregate, RedemptionMonth
from apps.reports.selectors.common import ZERO, money, ratio, where


@dataclass(frozen=True)
class RedemptionFigures:
    """Who a campaign (or one of its cells) reached and redeemed, and what it cost whom."""

    audience: int  # members drawn for the campaign, the holdout included
    holdout: int
    treated: int  # the audience less the holdout
    reached: int  # treated members whose list carried the offer
    redeemers: int
    redemptions: int
    rate: float | None  # redeemers ÷ reached
    rate_of_treated: float | None  # redeemers ÷ treated
    discount: Decimal
    manufacturer_share: Decimal
    store_cost: Decimal  # the discounts less the manufacturers' share

    @classmethod
    def nothing(cls) -> RedemptionFigures:
        """Return the figures of a campaign without any aggregate row: all zero."""
        return cls(
            audience=0, holdout=0, treated=0, reached=0, redeemers=0, redemptions=0,
            rate=None, rate_of_treated=None,
            discount=ZERO, manufacturer_share=ZERO, store_cost=ZERO,
        )  # fmt: skip


@dataclass(frozen=True)
class CellRedemption:
    """Redemption of one campaign in one targeted cell and usage tier."""

    campaign_id: int
    campaign_name: str
    cell_label: str
    usage_label: str
    usage_tier: int
    figures: RedemptionFigures


@dataclass(frozen=True)
class MonthCost:
    """Discounts given in a month of purchase, and who pays them."""

    month: dt.date
    redemptions: int
    discount: Decimal
    manufacturer_share: Decimal
    store_cost: Decimal  # the discounts less the manufacturers' share


def campaigns_in_period(filters: ReportFilters) -> QuerySet[Campaign]:
    """Campaigns of the category whose dates overlap the period, oldest first."""
    campaigns = Campaign.objects.filter(
        valid_from__lt=filters.end, valid_until__gte=filters.month_from
    ).exclude(status="draft")
    if filters.category_id is not None:
        campaigns = campaigns.filter(category_id=filters.category_id)
    return campaigns.select_related("category").order_by("valid_from", "pk")


def _campaign_cell_sums(filters: ReportFilters, campaign_ids: list[int], *group: str):
    """Sum the campaigns' cell aggregates per campaign and the `group` columns."""
    return (
        CampaignCellAggregate.objects.filter(
            where(filters, category=False), campaign_id__in=campaign_ids
        )
        .values("campaign_id", *group)
        # Sums named apart from the model's fields, which an annotation may not shadow.
        .annotate(
            audience_total=Sum("audience"),
            holdout_total=Sum("holdout"),
            reached_total=Sum("reached"),
            redeemer_total=Sum("redeemers"),
            redemption_total=Sum("redemptions"),
            discount_total=Sum("discount"),
            manufacturer_share_total=Sum("manufacturer_share"),
        )
        .order_by("campaign_id", *group)
    )


def _figures(row: dict) -> RedemptionFigures:
    treated = row["audience_total"] - row["holdout_total"]
    discount, share = money(row["discount_total"]), money(row["manufacturer_share_total"])
    return RedemptionFigures(
        audience=row["audience_total"],
        holdout=row["holdout_total"],
        treated=treated,
        reached=row["reached_total"],
        redeemers=row["redeemer_total"],
        redemptions=row["redemption_total"],
        rate=ratio(row["redeemer_total"], row["reached_total"]),
        rate_of_treated=ratio(row["redeemer_total"], treated),
        discount=discount,
        manufacturer_share=share,
        store_cost=discount - share,
    )


def redemption_by_campaign(
    filters: ReportFilters, campaign_ids: list[int]
) -> dict[int, RedemptionFigures]:
    """Return each campaign's redemption figures (campaigns without any row left out)."""
    return {r["campaign_id"]: _figures(r) for r in _campaign_cell_sums(filters, campaign_ids)}


def campaign_cell_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[CellRedemption]:
    """Redemption per campaign × targeted cell × usage tier."""
    names = {c.pk: c.name for c in campaigns}
    return [
        CellRedemption(
            campaign_id=r["campaign_id"],
            campaign_name=names[r["campaign_id"]],
            cell_label=CELL_LABELS.get(r["cell"], r["cell"]),
            usage_label=TIER_LABELS[r["usage_tier"]],
            usage_tier=r["usage_tier"],
            figures=_figures(r),
        )
        for r in _campaign_cell_sums(filters, list(names), "cell", "usage_tier")
    ]


def cost_by_month(filters: ReportFilters) -> list[MonthCost]:
    """Discounts per purchase month in the period, split between the store and manufacturers."""
    rows = (
        RedemptionMonth.objects.filter(
            where(filters), month__gte=filters.month_from, month__lte=filters.month_to
        )
        .values("month")
        .annotate(
            redemption_total=Sum("redemptions"),
            discount_total=Sum("discount"),
            manufacturer_share_total=Sum("manufacturer_share"),
        )
        .order_by("month")
    )
    return [
        MonthCost(
            month=r["month"],
            redemptions=r["redemption_total"],
            discount=money(r["discount_total"]),
            manufacturer_share=money(r["manufacturer_share_total"]),
            store_cost=money(r["discount_total"]) - money(r["manufacturer_share_total"]),
        )
        for r in rows
    ]
