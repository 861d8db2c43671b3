"""The loyalty tab's tables: cells, moves, Pareto, value, risk per store, win-back, reach."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from apps.core.labels import LOYALTY_LABELS, TIER_LABELS
from apps.core.money import MoneyColumn
from apps.reports.tables.columns import (
    NUMBER,
    CountColumn,
    DashboardTable,
    IntervalColumn,
    NeededColumn,
    PercentColumn,
    PointsColumn,
    VerdictColumn,
)


class CellTable(DashboardTable):
    """Over a values() queryset: sorted and paged in SQL."""

    category_name = tables.Column(verbose_name=_("Category"))
    loyalty = tables.Column(verbose_name=_("Loyalty"))
    usage_tier = tables.Column(verbose_name=_("Usage"))
    buyers = CountColumn(verbose_name=_("Buyers"))
    total_sales = MoneyColumn(verbose_name=_("Sales"))
    national_share = PercentColumn(verbose_name=_("National-brand share of sales"))

    def render_loyalty(self, value):
        return LOYALTY_LABELS.get(value, value)

    def render_usage_tier(self, value):
        return TIER_LABELS.get(value, value)


class MoveTable(DashboardTable):
    from_label = tables.Column(verbose_name=_("Previous snapshot"))
    to_label = tables.Column(verbose_name=_("This snapshot"))
    members = CountColumn(verbose_name=_("Buyers"))
    share_of_from = PercentColumn(verbose_name=_("Share of the previous cell"))


class ParetoTable(DashboardTable):
    # xgettext:no-python-format
    point = tables.Column(verbose_name=_("Top % of members"), attrs=NUMBER)
    members = CountColumn(verbose_name=_("Members"))
    member_share = PercentColumn(verbose_name=_("Share of members"))
    sales_share = PercentColumn(verbose_name=_("Share of sales"))


class HistogramTable(DashboardTable):
    measure = tables.Column(verbose_name=_("Measure"))
    bin = tables.Column(verbose_name=_("Bin"), attrs=NUMBER)
    lower = tables.Column(verbose_name=_("From"), attrs=NUMBER)
    upper = tables.Column(verbose_name=_("To (excl.)"), attrs=NUMBER, default="")
    members = CountColumn(verbose_name=_("Members"))

    def render_measure(self, value):
        return "CLV ($)" if value == "clv" else "P(active)"

    def render_lower(self, value, record):
        return f"{value:,.2f}" if record.measure == "clv" else f"{value:.2f}"

    def render_upper(self, value, record):
        return f"{value:,.2f}" if record.measure == "clv" else f"{value:.2f}"


class StoreValueTable(DashboardTable):
    store = tables.Column(verbose_name=_("Home store"))
    members = CountColumn(verbose_name=_("Members"))
    likely_active = CountColumn(verbose_name=_("Likely active (P ≥ 50%)"))
    at_risk = CountColumn(verbose_name=_("At risk"))
    at_risk_share = PercentColumn(verbose_name=_("At risk (%)"))
    clv = MoneyColumn(verbose_name=_("CLV, 12 months"))
    at_risk_clv = MoneyColumn(verbose_name=_("CLV at risk"))


class WinBackTable(DashboardTable):
    """Over `CampaignResult`s of win-back campaigns: who came back, treated vs holdout."""

    name = tables.Column(verbose_name=_("Campaign"))
    lift_treated = CountColumn(accessor="lift_treated_members", verbose_name=_("Treated"))
    lift_holdout = CountColumn(accessor="lift_holdout_members", verbose_name=_("Holdout"))
    back_treated = PercentColumn(
        accessor="came_back__share_treated", verbose_name=_("Came back, treated")
    )
    back_holdout = PercentColumn(
        accessor="came_back__share_holdout", verbose_name=_("Came back, holdout")
    )
    back_ci = IntervalColumn(
        accessor="came_back__lift", kind="points", verbose_name=_("Difference, 95% CI")
    )
    back_diff = PointsColumn(
        accessor="came_back__lift__estimate", verbose_name=_("Difference"), visible=False
    )
    back_low = PointsColumn(
        accessor="came_back__lift__low", verbose_name=_("95% CI from"), visible=False
    )
    back_high = PointsColumn(
        accessor="came_back__lift__high", verbose_name=_("95% CI to"), visible=False
    )
    back_verdict = VerdictColumn(
        accessor="came_back__lift__verdict", verbose_name=_("Difference verdict")
    )
    back_needs = NeededColumn(
        accessor="came_back__lift__verdict", verbose_name=_("A clear answer needs")
    )
    back_needed = tables.Column(
        accessor="came_back__lift__verdict__members_needed",
        verbose_name=_("Members needed"),
        visible=False,
    )
    back_more = tables.Column(
        accessor="came_back__lift__verdict__more_members_needed",
        verbose_name=_("More members needed"),
        visible=False,
    )
    redeemers = CountColumn(accessor="redemption__redeemers", verbose_name=_("Redeemed"))


class ReachTable(DashboardTable):
    period_start = tables.DateColumn("Y-m-d", verbose_name=_("Period from"))
    reachable = CountColumn(verbose_name=_("Reachable members"))
    lists = CountColumn(verbose_name=_("Lists made (eligible)"))
    reach = PercentColumn(verbose_name=_("Reach"))
    with_offers = CountColumn(verbose_name=_("Lists with offers"))
    offers = CountColumn(verbose_name=_("Offers sent"))
    redeemed_lists = CountColumn(verbose_name=_("Lists redeemed"))
    redemptions = CountColumn(verbose_name=_("Redemptions"))
