"""The redemption tab's tables: campaigns, their cells, cost per month, lift and ROI."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from apps.core.money import MoneyColumn
from apps.reports.tables.columns import (
    NUMBER,
    CountColumn,
    DashboardTable,
    DollarsColumn,
    IntervalColumn,
    NeededColumn,
    PercentColumn,
    PointsColumn,
    RatioColumn,
    VerdictColumn,
)


class CampaignTable(DashboardTable):
    """Over `CampaignResult`s: each campaign's redemption and who pays for it."""

    name = tables.Column(verbose_name=_("Campaign"), linkify=lambda record: record.campaign)
    category = tables.Column(verbose_name=_("Category"))
    valid_from = tables.DateColumn("Y-m-d", verbose_name=_("From"))
    valid_until = tables.DateColumn("Y-m-d", verbose_name=_("Until"))
    treated = CountColumn(accessor="redemption__treated", verbose_name=_("Treated"))
    reached = CountColumn(accessor="redemption__reached", verbose_name=_("Got the offer"))
    redeemers = CountColumn(accessor="redemption__redeemers", verbose_name=_("Redeemed"))
    rate = PercentColumn(accessor="redemption__rate", verbose_name=_("Redemption rate"))
    discount = MoneyColumn(accessor="redemption__discount", verbose_name=_("Discounts"))
    manufacturer_share = MoneyColumn(
        accessor="redemption__manufacturer_share", verbose_name=_("Manufacturers pay")
    )
    store_cost = MoneyColumn(accessor="redemption__store_cost", verbose_name=_("Store's net cost"))


class CampaignCellTable(DashboardTable):
    """Over `CellRedemption`s: each campaign's redemption per targeted cell and usage tier."""

    campaign = tables.Column(accessor="campaign_name", verbose_name=_("Campaign"))
    cell = tables.Column(accessor="cell_label", verbose_name=_("Targeted cell"))
    usage = tables.Column(
        accessor="usage_label", verbose_name=_("Usage tier"), order_by=("usage_tier",)
    )
    audience = CountColumn(accessor="figures__audience", verbose_name=_("Audience"))
    holdout = CountColumn(accessor="figures__holdout", verbose_name=_("Holdout"))
    reached = CountColumn(accessor="figures__reached", verbose_name=_("Got the offer"))
    redeemers = CountColumn(accessor="figures__redeemers", verbose_name=_("Redeemed"))
    rate = PercentColumn(accessor="figures__rate", verbose_name=_("Redemption rate"))
    rate_of_treated = PercentColumn(
        accessor="figures__rate_of_treated", verbose_name=_("Of all treated")
    )
    discount = MoneyColumn(accessor="figures__discount", verbose_name=_("Discounts"))
    store_cost = MoneyColumn(accessor="figures__store_cost", verbose_name=_("Store's net cost"))


class CostMonthTable(DashboardTable):
    month = tables.DateColumn("Y-m", verbose_name=_("Month"))
    redemptions = CountColumn(verbose_name=_("Redemptions"))
    discount = MoneyColumn(verbose_name=_("Discounts"))
    manufacturer_share = MoneyColumn(verbose_name=_("Manufacturers pay"))
    store_cost = MoneyColumn(verbose_name=_("Store's net cost"))


class LiftTable(DashboardTable):
    """The campaign results (`CampaignResult`s): each lift's interval first, its verdict,
    what a clear answer needs. The CSV keeps the numbers (estimate, bounds, p, members
    needed) and the verdicts in words."""

    name = tables.Column(verbose_name=_("Campaign"))
    lift_treated = CountColumn(accessor="lift_treated_members", verbose_name=_("Treated"))
    lift_holdout = CountColumn(accessor="lift_holdout_members", verbose_name=_("Holdout"))
    mean_treated = DollarsColumn(
        accessor="sales__mean_treated", verbose_name=_("Sales / member, treated"), visible=False
    )
    mean_holdout = DollarsColumn(
        accessor="sales__mean_holdout", verbose_name=_("Sales / member, holdout"), visible=False
    )
    spend_ci = IntervalColumn(
        accessor="sales__lift", kind="dollars", p_value="sales__p_value",
        verbose_name=_("Sales lift per member, 95% CI"),
    )  # fmt: skip
    spend_needs = NeededColumn(
        accessor="sales__lift__verdict", verbose_name=_("A clear sales answer needs")
    )
    spend_diff = DollarsColumn(
        accessor="sales__lift__estimate", verbose_name=_("Sales lift"), signed=True, visible=False
    )
    spend_low = DollarsColumn(
        accessor="sales__lift__low",
        verbose_name=_("Sales lift 95% CI from"),
        signed=True,
        visible=False,
    )
    spend_high = DollarsColumn(
        accessor="sales__lift__high",
        verbose_name=_("Sales lift 95% CI to"),
        signed=True,
        visible=False,
    )
    spend_p = tables.Column(
        accessor="sales__p_value", verbose_name=_("p"), attrs=NUMBER, visible=False
    )
    spend_verdict = VerdictColumn(
        accessor="sales__lift__verdict", verbose_name=_("Sales lift verdict")
    )
    spend_needed = tables.Column(
        accessor="sales__lift__verdict__members_needed",
        verbose_name=_("Members needed for sales lift"),
        visible=False,
    )
    spend_more = tables.Column(
        accessor="sales__lift__verdict__more_members_needed",
        verbose_name=_("More members needed for sales lift"),
        visible=False,
    )
    conv_treated = PercentColumn(
        accessor="conversion__share_treated", verbose_name=_("Converted, treated"), visible=False
    )
    conv_holdout = PercentColumn(
        accessor="conversion__share_holdout", verbose_name=_("Converted, holdout"), visible=False
    )
    conv_ci = IntervalColumn(
        accessor="conversion__lift", kind="points", verbose_name=_("Conversion lift, 95% CI")
    )
    conv_diff = PointsColumn(
        accessor="conversion__lift__estimate", verbose_name=_("Conversion lift"), visible=False
    )
    conv_low = PointsColumn(
        accessor="conversion__lift__low", verbose_name=_("Conversion 95% CI from"), visible=False
    )
    conv_high = PointsColumn(
        accessor="conversion__lift__high", verbose_name=_("Conversion 95% CI to"), visible=False
    )
    conv_verdict = VerdictColumn(
        accessor="conversion__lift__verdict", verbose_name=_("Conversion lift verdict")
    )
    conv_needed = tables.Column(
        accessor="conversion__lift__verdict__members_needed",
        verbose_name=_("Members needed for conversion"),
        visible=False,
    )
    conv_more = tables.Column(
        accessor="conversion__lift__verdict__more_members_needed",
        verbose_name=_("More members needed for conversion"),
        visible=False,
    )
    incremental_sales = DollarsColumn(
        verbose_name=_("Incremental sales"), signed=True, visible=False
    )
    store_cost = MoneyColumn(accessor="redemption__store_cost", verbose_name=_("Store's net cost"))
    roi_ci = IntervalColumn(accessor="roi", kind="ratio", verbose_name=_("ROI, 95% CI"))
    roi = RatioColumn(accessor="roi__estimate", verbose_name=_("ROI"), visible=False)
    roi_low = RatioColumn(accessor="roi__low", verbose_name=_("ROI 95% CI from"), visible=False)
    roi_high = RatioColumn(accessor="roi__high", verbose_name=_("ROI 95% CI to"), visible=False)
    roi_verdict = VerdictColumn(accessor="roi__verdict", verbose_name=_("ROI verdict"))

    def render_spend_p(self, value):
        return "< 0.001" if value < 0.001 else f"{value:.3f}"

    def value_spend_p(self, value):
        return "" if value is None else f"{value:.6f}"
