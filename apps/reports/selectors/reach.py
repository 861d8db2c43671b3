"""List reach: reachable members and, per list period, lists made, with offers, redeemed."""

from __future__ import annotations

from django.db.models import Sum

from apps.reports.forms import ReportFilters
from apps.reports.models import ListReach, MemberBase
from apps.reports.selectors.common import ratio, where


def reachable_members(filters: ReportFilters) -> int:
    """Active members with marketing consent (by home store), at the last refresh."""
    rows = MemberBase.objects.filter(where(filters, category=False))
    return rows.aggregate(n=Sum("reachable"))["n"] or 0


def list_reach(filters: ReportFilters) -> list[dict]:
    """Per list period in the months chosen: lists made, with offers, redeemed."""
    rows = (
        ListReach.objects.filter(
            where(filters, category=False),
            period_start__gte=filters.month_from,
            period_start__lt=filters.end,
        )
        .values("period_start")
        .annotate(
            n=Sum("lists"),
            offered=Sum("with_offers"),
            offer_items=Sum("offers"),
            redeemed=Sum("redeemed_lists"),
            used=Sum("redemptions"),
        )
        .order_by("period_start")
    )
    reachable = reachable_members(filters)
    return [
        {
            "period_start": r["period_start"],
            "reachable": reachable,
            "lists": r["n"],
            "reach": ratio(r["n"], reachable),
            "with_offers": r["offered"],
            "offers": r["offer_items"],
            "redeemed_lists": r["redeemed"],
            "redemptions": r["used"],
        }
        for r in rows
    ]
