"""Loyalty × usage cells of a snapshot month, and the buyers' moves between cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast, NullIf

from apps.core.labels import LAPSED, LOYALTY_LABELS, LOYALTY_ORDER, MOVE_LABELS, NEW, TIER_LABELS
from apps.reports.forms import ReportFilters
from apps.reports.models import CellAggregate, CellTransition
from apps.reports.selectors.common import ZERO, money, ratio, rolled_up, where


@dataclass(frozen=True)
class CellTotal:
    """One loyalty × usage cell of the month: its buyers and their category sales."""

    loyalty: str
    loyalty_label: str
    usage_tier: int
    tier_name: str
    members: int
    sales: Decimal
    national_share: float | None  # national-brand sales ÷ sales; None without sales


@dataclass(frozen=True)
class CellMove:
    """Buyers who were in one cell in the previous snapshot and are in another now."""

    from_cell: str
    to_cell: str
    from_label: str
    to_label: str
    members: int
    share_of_from: float | None  # of the previous cell's buyers


def cell_totals(filters: ReportFilters, month: dt.date) -> list[CellTotal]:
    """The 9 cells, national-brand loyal first and heavy usage first within each."""
    sums = {
        (r["loyalty"], r["usage_tier"]): r
        for r in CellAggregate.objects.filter(rolled_up(filters), month=month)
        .values("loyalty", "usage_tier")
        .annotate(members=Sum("members"), sales=Sum("sales"), national=Sum("national_sales"))
        .order_by()
    }
    rows = []
    for loyalty in LOYALTY_ORDER:
        for tier in (3, 2, 1):
            found = sums.get((loyalty, tier), {})
            sales = found.get("sales") or ZERO
            rows.append(
                CellTotal(
                    loyalty=loyalty,
                    loyalty_label=LOYALTY_LABELS[loyalty],
                    usage_tier=tier,
                    tier_name=TIER_LABELS[tier],
                    members=found.get("members") or 0,
                    sales=money(sales),
                    national_share=ratio(found.get("national") or ZERO, sales),
                )
            )
    return rows


def cell_rows_by_category(filters: ReportFilters, month: dt.date):
    """Every category's cells of the month, as a queryset: the table pages it in SQL."""
    return (
        CellAggregate.objects.filter(where(filters), month=month, category__isnull=False)
        .values("loyalty", "usage_tier", category_name=F("category__name"))
        .annotate(
            buyers=Sum("members"),
            total_sales=Sum("sales"),
            national_share=Cast(
                Sum("national_sales") / NullIf(Sum("sales"), 0), output_field=FloatField()
            ),
        )
        .order_by("category_name", "loyalty", "-usage_tier")
    )


def cell_label(cell: str) -> str:
    """'national-3' → 'National-brand loyal · high'; 'new' and 'lapsed' in words."""
    if cell in (NEW, LAPSED):
        return MOVE_LABELS[cell]
    loyalty, _, tier = cell.partition("-")
    return f"{LOYALTY_LABELS.get(loyalty, loyalty)} · {TIER_LABELS[int(tier)].lower()}"


def cell_loyalty(cell: str) -> str:
    """The loyalty part of a cell, or the cell itself for 'new' and 'lapsed'."""
    return cell.partition("-")[0]


def moves(filters: ReportFilters, month: dt.date) -> list[CellMove]:
    """Buyers per (previous cell → current cell), most members first."""
    rows = (
        CellTransition.objects.filter(rolled_up(filters), month=month)
        .values("from_cell", "to_cell")
        .annotate(members=Sum("members"))
        .order_by("-members", "from_cell", "to_cell")
    )
    from_totals: dict[str, int] = {}
    for r in rows:
        from_totals[r["from_cell"]] = from_totals.get(r["from_cell"], 0) + r["members"]
    return [
        CellMove(
            from_cell=r["from_cell"],
            to_cell=r["to_cell"],
            from_label=cell_label(r["from_cell"]),
            to_label=cell_label(r["to_cell"]),
            members=r["members"],
            share_of_from=ratio(r["members"], from_totals[r["from_cell"]]),
        )
        for r in rows
    ]


def loyalty_moves(move_rows: list[CellMove]) -> dict[tuple[str, str], int]:
    """Collapse cell moves to loyalty moves (usage tiers summed)."""
    totals: dict[tuple[str, str], int] = {}
    for r in move_rows:
        key = (cell_loyalty(r.from_cell), cell_loyalty(r.to_cell))
        totals[key] = totals.get(key, 0) + r.members
    return totals
