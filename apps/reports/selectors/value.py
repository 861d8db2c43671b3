"""Member value: the live fit's members, likely active and at risk, CLV, Pareto curve."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from apps.reports.forms import ReportFilters
from apps.reports.models import ParetoPoint, ValueAggregate, ValueHistogram
from apps.reports.selectors.common import money, ratio, where
from apps.segments.selectors import pareto_top_share


@dataclass(frozen=True)
class ValueSummary:
    """The live fit's members of the filters: how many are likely active or at risk, and
    their sales and 12-month CLV (of all and of those at risk)."""

    members: int
    likely_active: int
    at_risk: int
    sales: Decimal
    clv: Decimal
    at_risk_sales: Decimal
    at_risk_clv: Decimal
    at_risk_share: float | None  # at risk ÷ members; None without members
    at_risk_clv_share: float | None  # CLV at risk ÷ CLV


@dataclass(frozen=True)
class StoreValue:
    """Member value and churn risk of the members whose home store it is."""

    store: str  # its name, its code, or "No purchases" for members without a home store
    members: int
    likely_active: int
    at_risk: int
    at_risk_share: float | None
    clv: Decimal
    at_risk_clv: Decimal


@dataclass(frozen=True)
class HistogramBin:
    """Members whose CLV or P(active) falls in [lower, upper); upper None: the open last bin."""

    measure: str  # "clv" or "p_alive"
    bin: int
    lower: float
    upper: float | None
    members: int


def value_fit_id() -> int | None:
    """The fit the member-value aggregates belong to (the live one: they follow it)."""
    row = ValueAggregate.objects.values("fit_id").first()
    return row["fit_id"] if row else None


def value_summary(filters: ReportFilters) -> ValueSummary:
    """Members, likely active, at risk and their sales and CLV (store filter only)."""
    totals = ValueAggregate.objects.filter(where(filters, category=False)).aggregate(
        members=Sum("members"),
        likely_active=Sum("likely_active"),
        at_risk=Sum("at_risk"),
        sales=Sum("sales"),
        clv=Sum("clv"),
        at_risk_sales=Sum("at_risk_sales"),
        at_risk_clv=Sum("at_risk_clv"),
    )
    totals = {k: v or 0 for k, v in totals.items()}
    return ValueSummary(
        **totals,
        at_risk_share=ratio(totals["at_risk"], totals["members"]),
        at_risk_clv_share=ratio(totals["at_risk_clv"], totals["clv"]),
    )


def value_by_store(filters: ReportFilters) -> list[StoreValue]:
    """Member value and risk per home store."""
    rows = (
        ValueAggregate.objects.filter(where(filters, category=False))
        .values("store__code", "store__name")
        # Sums named apart from the model's fields, which an annotation may not shadow.
        .annotate(
            member_count=Sum("members"),
            likely_active_count=Sum("likely_active"),
            at_risk_count=Sum("at_risk"),
            clv_total=Sum("clv"),
            at_risk_clv_total=Sum("at_risk_clv"),
        )
        .order_by("store__code")
    )
    return [
        StoreValue(
            store=r["store__name"] or r["store__code"] or "No purchases",
            members=r["member_count"],
            likely_active=r["likely_active_count"],
            at_risk=r["at_risk_count"],
            at_risk_share=ratio(r["at_risk_count"], r["member_count"]),
            clv=money(r["clv_total"]),
            at_risk_clv=money(r["at_risk_clv_total"]),
        )
        for r in rows
    ]


def histogram(filters: ReportFilters, measure: str) -> list[HistogramBin]:
    """Members per bin of the measure ('clv' or 'p_alive'), bins in order."""
    rows = (
        ValueHistogram.objects.filter(where(filters, category=False), measure=measure)
        .values("bin", "lower", "upper")
        .annotate(member_count=Sum("members"))
        .order_by("bin")
    )
    return [
        HistogramBin(
            measure=measure,
            bin=r["bin"],
            lower=r["lower"],
            upper=r["upper"],
            members=r["member_count"],
        )
        for r in rows
    ]


def pareto(filters: ReportFilters) -> list[dict]:
    """The Pareto curve of the store's members (or of all members).

    Rows of `point`, `members`, `member_share` and `sales_share`: the shape of
    apps.segments.selectors.pareto_points, which the Member value page draws the same way.
    """
    rows = ParetoPoint.objects.filter(all_stores=filters.store_id is None)
    if filters.store_id is not None:
        rows = rows.filter(store_id=filters.store_id)
    return list(rows.order_by("point").values("point", "members", "member_share", "sales_share"))


def top_share(points: list[dict]) -> float | None:
    """Sales share of the top 20 % of members: segments' one reading of a Pareto curve."""
    return pareto_top_share(points)
