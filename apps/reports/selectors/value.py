"""Member value: the live fit's members, likely active and at risk, CLV, Pareto curve."""

from __future__ import annotations

from django.db.models import Sum

from apps.reports.forms import ReportFilters
from apps.reports.models import ParetoPoint, ValueAggregate, ValueHistogram
from apps.reports.selectors.common import money, ratio, where
from apps.segments.selectors import pareto_top_share


def value_fit_id() -> int | None:
    """The fit the member-value aggregates belong to (the live one: they follow it)."""
    row = ValueAggregate.objects.values("fit_id").first()
    return row["fit_id"] if row else None


def value_summary(filters: ReportFilters) -> dict:
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
    totals["at_risk_share"] = ratio(totals["at_risk"], totals["members"])
    totals["at_risk_clv_share"] = ratio(totals["at_risk_clv"], totals["clv"])
    return totals


def value_by_store(filters: ReportFilters) -> list[dict]:
    """Member value and risk per home store."""
    rows = (
        ValueAggregate.objects.filter(where(filters, category=False))
        .values("store__code", "store__name")
        .annotate(
            n=Sum("members"),
            active=Sum("likely_active"),
            risk=Sum("at_risk"),
            clv_sum=Sum("clv"),
            risk_clv=Sum("at_risk_clv"),
        )
        .order_by("store__code")
    )
    return [
        {
            "store": r["store__name"] or r["store__code"] or "No purchases",
            "members": r["n"],
            "likely_active": r["active"],
            "at_risk": r["risk"],
            "at_risk_share": ratio(r["risk"], r["n"]),
            "clv": money(r["clv_sum"]),
            "at_risk_clv": money(r["risk_clv"]),
        }
        for r in rows
    ]


def histogram(filters: ReportFilters, measure: str) -> list[dict]:
    """Members per bin of the measure ('clv' or 'p_alive'), bins in order."""
    rows = (
        ValueHistogram.objects.filter(where(filters, category=False), measure=measure)
        .values("bin", "lower", "upper")
        .annotate(n=Sum("members"))
        .order_by("bin")
    )
    return [
        {"measure": measure, "bin": r["bin"], "lower": r["lower"], "upper": r["upper"],
         "members": r["n"]}
        for r in rows
    ]  # fmt: skip


def pareto(filters: ReportFilters) -> list[dict]:
    """The Pareto curve of the store's members (or of all members)."""
    rows = ParetoPoint.objects.filter(all_stores=filters.store_id is None)
    if filters.store_id is not None:
        rows = rows.filter(store_id=filters.store_id)
    return list(rows.order_by("point").values("point", "members", "member_share", "sales_share"))


def top_share(points: list[dict]) -> float | None:
    """Sales share of the top 20 % of members: segments' one reading of a Pareto curve."""
    return pareto_top_share(points)
