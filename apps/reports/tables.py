"""The tables behind the dashboard's charts: sortable, paged where long, exported as CSV."""

from __future__ import annotations

import django_tables2 as tables

from apps.members.tables import MoneyColumn

NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class CountColumn(tables.Column):
    """A whole number with thousands separators on the page, plain in CSV."""

    attrs = NUMBER

    def render(self, value):
        return f"{value:,}"

    def value(self, value):
        return value


class PercentColumn(tables.Column):
    """A share as a percentage on the page (one decimal); the plain fraction in CSV."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:.1f}%"

    def value(self, value):
        return "" if value is None else f"{value:.6f}"


class PointsColumn(tables.Column):
    """A difference of shares, in percentage points."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:+.1f} pts"

    def value(self, value):
        return "" if value is None else f"{value:.6f}"


class DollarsColumn(tables.Column):
    """Float dollars (means, differences, bounds): two decimals, signed where asked."""

    attrs = NUMBER

    def __init__(self, *args, signed: bool = False, **kwargs):
        self.signed = signed
        super().__init__(*args, **kwargs)

    def render(self, value):
        text = f"{abs(value):,.2f}"
        sign = "−" if value < 0 else ("+" if self.signed else "")
        return f"{sign}${text}"

    def value(self, value):
        return "" if value is None else f"{value:.2f}"


class RatioColumn(tables.Column):
    """A ratio such as ROI, as a percentage without decimals."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:+,.0f}%"

    def value(self, value):
        return "" if value is None else f"{value:.4f}"


class _Table(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-striped table-hover mb-0"}
        empty_text = "Nothing for these filters yet."


class CellTable(_Table):
    category = tables.Column()
    loyalty = tables.Column()
    usage = tables.Column(order_by=("usage_tier",))
    members = CountColumn(verbose_name="Buyers")
    sales = MoneyColumn(verbose_name="Sales")
    national_share = PercentColumn(verbose_name="National-brand share of sales")


class MoveTable(_Table):
    from_label = tables.Column(verbose_name="Previous snapshot")
    to_label = tables.Column(verbose_name="This snapshot")
    members = CountColumn(verbose_name="Buyers")
    share_of_from = PercentColumn(verbose_name="Share of the previous cell")


class ParetoTable(_Table):
    point = tables.Column(verbose_name="Top % of members", attrs=NUMBER)
    members = CountColumn(verbose_name="Members")
    member_share = PercentColumn(verbose_name="Share of members")
    sales_share = PercentColumn(verbose_name="Share of sales")


class HistogramTable(_Table):
    measure = tables.Column()
    bin = tables.Column(attrs=NUMBER)
    lower = tables.Column(verbose_name="From", attrs=NUMBER)
    upper = tables.Column(verbose_name="To (excl.)", attrs=NUMBER, default="")
    members = CountColumn(verbose_name="Members")

    def render_measure(self, value):
        return "CLV ($)" if value == "clv" else "P(active)"

    def render_lower(self, value, record):
        return f"{value:,.2f}" if record["measure"] == "clv" else f"{value:.2f}"

    def render_upper(self, value, record):
        return f"{value:,.2f}" if record["measure"] == "clv" else f"{value:.2f}"


class StoreValueTable(_Table):
    store = tables.Column(verbose_name="Home store")
    members = CountColumn()
    likely_active = CountColumn(verbose_name="Likely active (P ≥ 50%)")
    at_risk = CountColumn(verbose_name="At risk")
    at_risk_share = PercentColumn(verbose_name="At risk (%)")
    clv = MoneyColumn(verbose_name="CLV, 12 months")
    at_risk_clv = MoneyColumn(verbose_name="CLV at risk")


class WinBackTable(_Table):
    name = tables.Column(verbose_name="Campaign")
    lift_treated = CountColumn(verbose_name="Treated")
    lift_holdout = CountColumn(verbose_name="Holdout")
    back_treated = PercentColumn(verbose_name="Came back, treated")
    back_holdout = PercentColumn(verbose_name="Came back, holdout")
    back_diff = PointsColumn(verbose_name="Difference")
    back_low = PointsColumn(verbose_name="95% CI from")
    back_high = PointsColumn(verbose_name="95% CI to")
    redeemers = CountColumn(verbose_name="Redeemed")


class ReachTable(_Table):
    period_start = tables.DateColumn("Y-m-d", verbose_name="Period from")
    reachable = CountColumn(verbose_name="Reachable members")
    lists = CountColumn(verbose_name="Lists made (eligible)")
    reach = PercentColumn(verbose_name="Reach")
    with_offers = CountColumn(verbose_name="Lists with offers")
    offers = CountColumn(verbose_name="Offers sent")
    redeemed_lists = CountColumn(verbose_name="Lists redeemed")
    redemptions = CountColumn()


class CampaignTable(_Table):
    name = tables.Column(verbose_name="Campaign", linkify=lambda record: record["campaign"])
    category = tables.Column()
    valid_from = tables.DateColumn("Y-m-d", verbose_name="From")
    valid_until = tables.DateColumn("Y-m-d", verbose_name="Until")
    treated = CountColumn()
    reached = CountColumn(verbose_name="Got the offer")
    redeemers = CountColumn(verbose_name="Redeemed")
    rate = PercentColumn(verbose_name="Redemption rate")
    discount = MoneyColumn(verbose_name="Discounts")
    manufacturer_share = MoneyColumn(verbose_name="Manufacturers pay")
    store_cost = MoneyColumn(verbose_name="Store's net cost")


class CampaignCellTable(_Table):
    campaign = tables.Column()
    cell = tables.Column(verbose_name="Targeted cell")
    usage = tables.Column(verbose_name="Usage tier", order_by=("usage_tier",))
    audience = CountColumn()
    holdout = CountColumn()
    reached = CountColumn(verbose_name="Got the offer")
    redeemers = CountColumn(verbose_name="Redeemed")
    rate = PercentColumn(verbose_name="Redemption rate")
    rate_of_treated = PercentColumn(verbose_name="Of all treated")
    discount = MoneyColumn(verbose_name="Discounts")
    store_cost = MoneyColumn(verbose_name="Store's net cost")


class CostMonthTable(_Table):
    month = tables.DateColumn("Y-m", verbose_name="Month")
    redemptions = CountColumn()
    discount = MoneyColumn(verbose_name="Discounts")
    manufacturer_share = MoneyColumn(verbose_name="Manufacturers pay")
    store_cost = MoneyColumn(verbose_name="Store's net cost")


class LiftTable(_Table):
    name = tables.Column(verbose_name="Campaign")
    lift_treated = CountColumn(verbose_name="Treated")
    lift_holdout = CountColumn(verbose_name="Holdout")
    mean_treated = DollarsColumn(verbose_name="Sales / member, treated")
    mean_holdout = DollarsColumn(verbose_name="Sales / member, holdout")
    spend_diff = DollarsColumn(verbose_name="Sales lift", signed=True)
    spend_low = DollarsColumn(verbose_name="Sales lift 95% CI from", signed=True)
    spend_high = DollarsColumn(verbose_name="Sales lift 95% CI to", signed=True)
    spend_p = tables.Column(verbose_name="p", attrs=NUMBER)
    conv_treated = PercentColumn(verbose_name="Converted, treated")
    conv_holdout = PercentColumn(verbose_name="Converted, holdout")
    conv_diff = PointsColumn(verbose_name="Conversion lift")
    conv_low = PointsColumn(verbose_name="Conversion 95% CI from")
    conv_high = PointsColumn(verbose_name="Conversion 95% CI to")
    incremental_sales = DollarsColumn(verbose_name="Incremental sales", signed=True)
    store_cost = MoneyColumn(verbose_name="Store's net cost")
    roi = RatioColumn(verbose_name="ROI")
    roi_low = RatioColumn(verbose_name="ROI 95% from")
    roi_high = RatioColumn(verbose_name="ROI 95% to")

    def render_spend_p(self, value):
        return "< 0.001" if value < 0.001 else f"{value:.3f}"

    def value_spend_p(self, value):
        return "" if value is None else f"{value:.6f}"
