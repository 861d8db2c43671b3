"""Campaigns in the period and their redemption: reach, rates, discounts and who pays them."""

from __future__ import annotations

from django.db.models import Sum

from apps.campaigns.models import CELL_LABELS, Campaign
from apps.core.labels import TIER_LABELS
from apps.reports.forms import ReportFilters
from apps.reports.models import CampaignCellAggregate, RedemptionMonth
from apps.reports.selectors.common import money, ratio, where


def campaigns_in_period(filters: ReportFilters):
    """Campaigns of the category whose dates overlap the period, oldest first."""
    campaigns = Campaign.objects.filter(
        valid_from__lt=filters.end, valid_until__gte=filters.month_from
    ).exclude(status="draft")
    if filters.category_id is not None:
        campaigns = campaigns.filter(category_id=filters.category_id)
    return campaigns.select_related("category").order_by("valid_from", "pk")


def campaign_cells(filters: ReportFilters, campaign_ids: list[int], *group) -> list[dict]:
    return list(
        CampaignCellAggregate.objects.filter(
            where(filters, category=False), campaign_id__in=campaign_ids
        )
        .values("campaign_id", *group)
        .annotate(
            n=Sum("audience"),
            held=Sum("holdout"),
            got=Sum("reached"),
            used_by=Sum("redeemers"),
            used=Sum("redemptions"),
            disc=Sum("discount"),
            share=Sum("manufacturer_share"),
        )
        .order_by("campaign_id", *group)
    )


def redemption_figures(r: dict) -> dict:
    treated = r["n"] - r["held"]
    discount, share = money(r["disc"]), money(r["share"])
    return {
        "audience": r["n"],
        "holdout": r["held"],
        "treated": treated,
        "reached": r["got"],
        "redeemers": r["used_by"],
        "redemptions": r["used"],
        "rate": ratio(r["used_by"], r["got"]),
        "rate_of_treated": ratio(r["used_by"], treated),
        "discount": discount,
        "manufacturer_share": share,
        "store_cost": discount - share,
    }


def campaign_cell_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[dict]:
    """Redemption per campaign × targeted cell × usage tier."""
    names = {c.pk: c.name for c in campaigns}
    rows = campaign_cells(filters, list(names), "cell", "usage_tier")
    return [
        {
            "campaign": names[r["campaign_id"]],
            "campaign_id": r["campaign_id"],
            "cell": CELL_LABELS.get(r["cell"], r["cell"]),
            "usage": TIER_LABELS[r["usage_tier"]],
            "usage_tier": r["usage_tier"],
            **redemption_figures(r),
        }
        for r in rows
    ]


def cost_by_month(filters: ReportFilters) -> list[dict]:
    """Discounts per purchase month in the period, split between the store and manufacturers."""
    rows = (
        RedemptionMonth.objects.filter(
            where(filters), month__gte=filters.month_from, month__lte=filters.month_to
        )
        .values("month")
        .annotate(n=Sum("redemptions"), disc=Sum("discount"), share=Sum("manufacturer_share"))
        .order_by("month")
    )
    return [
        {
            "month": r["month"],
            "redemptions": r["n"],
            "discount": money(r["disc"]),
            "manufacturer_share": money(r["share"]),
            "store_cost": money(r["disc"]) - money(r["share"]),
        }
        for r in rows
    ]
