"""List reach: reachable members and, per list period, lists made, with offers, redeemed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from apps.reports.forms import ReportFilters
from apps.reports.models import ListReach, MemberBase
from apps.reports.selectors.common import ratio, where


@dataclass(frozen=True)
class PeriodReach:
    """One biweekly list period: lists made, with an offer, redeemed, against the members
    who could get one."""

    period_start: dt.date
    reachable: int  # active members with marketing consent, at the last refresh
    lists: int
    reach: float | None  # lists ÷ reachable members
    with_offers: int
    offers: int
    redeemed_lists: int
    redemptions: int


def reachable_members(filters: ReportFilters) -> int:
    """Active members with marketing consent (by home store), at the last refresh."""
    rows = MemberBase.objects.filter(where(filters, category=False))
    return rows.aggregate(reachable_total=Sum("reachable"))["reachable_total"] or 0


def list_reach(filters: ReportFilters) -> list[PeriodReach]:
    """Per list period in the months chosen: lists made, with offers, redeemed."""
    rows = (
        ListReach.objects.filter(
            where(filters, category=False),
            period_start__gte=filters.month_from,
            period_start__lt=filters.end,
        )
        .values("period_start")
        # Sums named apart from the model's fields, which an annotation may not shadow.
        .annotate(
            list_count=Sum("lists"),
            with_offers_count=Sum("with_offers"),
            offer_count=Sum("offers"),
            redeemed_list_count=Sum("redeemed_lists"),
            redemption_count=Sum("redemptions"),
        )
        .order_by("period_start")
    )
    reachable = reachable_members(filters)
    return [
        PeriodReach(
            period_start=r["period_start"],
            reachable=reachable,
            lists=r["list_count"],
            reach=ratio(r["list_count"], reachable),
            with_offers=r["with_offers_count"],
            offers=r["offer_count"],
            redeemed_lists=r["redeemed_list_count"],
            redemptions=r["redemption_count"],
        )
        for r in rows
    ]
