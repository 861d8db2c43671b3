"""The tables behind the dashboard's charts: sortable, paged where long, exported as CSV."""

from __future__ import annotations

import django_tables2 as tables

from apps.members.tables import MoneyColumn
from apps.reports.selectors import LOYALTY_LABELS, TIER_NAMES

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


def _format(kind: str, value: float) -> str:
    if kind == "dollars":
        return f"{'−' if value < 0 else '+'}${abs(value):,.2f}"
    if kind == "points":
        return f"{100 * value:+.1f}"
    return f"{100 * value:+,.0f}%"


class IntervalColumn(tables.Column):
    """A 95 % interval "low to high" on the page; CSV has the bounds in their own columns."""

    attrs = {"td": {"class": "text-end text-nowrap text-muted"}, "th": {"class": "text-end"}}

    def __init__(self, *args, prefix: str, kind: str, **kwargs):
        self.prefix, self.kind = prefix, kind
        kwargs.setdefault("verbose_name", "95% CI")
        super().__init__(
            *args, empty_values=(), orderable=False, exclude_from_export=True, **kwargs
        )

    def render(self, record):
        low, high = record[f"{self.prefix}_low"], record[f"{self.prefix}_high"]
        if low is None or high is None:
            return "—"
        unit = " pts" if self.kind == "points" else ""
        return f"{_format(self.kind, low)} to {_format(self.kind, high)}{unit}"


class _Table(tables.Table):
    """Shared look; passed to __init__ because subclasses without a Meta do not inherit one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_text", "Nothing for these filters yet.")
        kwargs.setdefault("attrs", {"class": "table table-sm table-striped table-hover small mb-0"})
        super().__init__(*args, **kwargs)


class CellTable(_Table):
    """Over a values() queryset: sorted and paged in SQL."""

    category_name = tables.Column(verbose_name="Category")
    loyalty = tables.Column()
    usage_tier = tables.Column(verbose_name="Usage")
    buyers = CountColumn(verbose_name="Buyers")
    total_sales = MoneyColumn(verbose_name="Sales")
    national_share = PercentColumn(verbose_name="National-brand share of sales")

    def render_loyalty(self, value):
        return LOYALTY_LABELS.get(value, value)

    def render_usage_tier(self, value):
        return TIER_NAMES.get(value, value)


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
    back_ci = IntervalColumn(prefix="back", kind="points")
    back_low = PointsColumn(verbose_name="95% CI from", visible=False)
    back_high = PointsColumn(verbose_name="95% CI to", visible=False)
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
    spend_ci = IntervalColumn(prefix="spend", kind="dollars")
    spend_low = DollarsColumn(verbose_name="Sales lift 95% CI from", signed=True, visible=False)
    spend_high = DollarsColumn(verbose_name="Sales lift 95% CI to", signed=True, visible=False)
    spend_p = tables.Column(verbose_name="p", attrs=NUMBER)
    conv_treated = PercentColumn(verbose_name="Converted, treated", visible=False)
    conv_holdout = PercentColumn(verbose_name="Converted, holdout", visible=False)
    conv_diff = PointsColumn(verbose_name="Conversion lift")
    conv_ci = IntervalColumn(prefix="conv", kind="points")
    conv_low = PointsColumn(verbose_name="Conversion 95% CI from", visible=False)
    conv_high = PointsColumn(verbose_name="Conversion 95% CI to", visible=False)
    incremental_sales = DollarsColumn(verbose_name="Incremental sales", signed=True, visible=False)
    store_cost = MoneyColumn(verbose_name="Store's net cost")
    roi = RatioColumn(verbose_name="ROI")
    roi_ci = IntervalColumn(prefix="roi", kind="ratio")
    roi_low = RatioColumn(verbose_name="ROI 95% CI from", visible=False)
    roi_high = RatioColumn(verbose_name="ROI 95% CI to", visible=False)

    def render_spend_p(self, value):
        return "< 0.001" if value < 0.001 else f"{value:.3f}"

    def value_spend_p(self, value):
        return "" if value is None else f"{value:.6f}"
