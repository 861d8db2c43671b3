"""The tables behind the dashboard's charts: sortable, paged where long, exported as CSV."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django_tables2.utils import Accessor

from apps.core.labels import LOYALTY_LABELS, TIER_LABELS
from apps.core.money import MoneyColumn
from apps.reports import wording

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


class IntervalColumn(tables.Column):
    """A 95 % interval in words, interval first: "between −$0.51 and +$1.26 (best estimate
    +$0.37)", with "significant" or "not yet significant" under it (and the p-value where
    there is one). CSV has the bounds, the estimate and the verdict in their own columns.

    Its accessor names a `LiftInterval` of the row; `p_value` the row's p-value, if any."""

    # Wide enough for "between −$1.40 and +$3.12 (best estimate +$0.86)" on two lines.
    attrs = {
        "td": {"class": "text-end", "style": "min-width: 14rem"},
        "th": {"class": "text-end"},
    }

    def __init__(self, *args, kind: str, p_value: str | None = None, **kwargs):
        self.kind, self.p_value = kind, p_value
        kwargs.setdefault("verbose_name", "95% CI")
        super().__init__(
            *args, empty_values=(), orderable=False, exclude_from_export=True, **kwargs
        )

    def render(self, value, record):
        said = wording.interval(self.kind, value.low, value.high, value.estimate)
        significant = value.verdict.significant
        if significant is None:
            return said
        too_few = value.verdict.too_few
        p_value = Accessor(self.p_value).resolve(record) if self.p_value else None
        if p_value is not None:
            p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2f}"
        else:
            p_text = ""
        notes = [wording.TOO_FEW] if too_few else []
        notes += [p_text] if p_text else []
        return format_html(
            '<div>{}</div><span class="badge {}">{}</span>{}',
            said,
            "text-bg-dark" if significant else "text-bg-light border",
            wording.verdict(significant),
            format_html('<div class="text-muted small">{}</div>', "; ".join(notes))
            if notes
            else "",
        )


class VerdictColumn(tables.Column):
    """'significant' / 'not yet significant' in plain words (the CSV's column; hidden on the
    page, where the interval cell says it). Its accessor names a `Verdict` of the row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("visible", False)
        super().__init__(*args, empty_values=(), orderable=False, **kwargs)

    def render(self, value):
        return self.value(value)

    def value(self, value):
        return wording.verdict(value.significant, value.too_few)


class NeededColumn(tables.Column):
    """The audience a not-yet-significant lift needs, in words (CSV: the numbers). Its
    accessor names a `Verdict` of the row."""

    attrs = {"td": {"class": "text-end small"}, "th": {"class": "text-end"}}

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, empty_values=(), orderable=False, exclude_from_export=True, **kwargs
        )

    def render(self, value):
        if value.significant:
            return "already clear"
        text = wording.members_needed(value.members_needed, value.more_members_needed)
        return text or "—"


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
        return TIER_LABELS.get(value, value)


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
        return f"{value:,.2f}" if record.measure == "clv" else f"{value:.2f}"

    def render_upper(self, value, record):
        return f"{value:,.2f}" if record.measure == "clv" else f"{value:.2f}"


class StoreValueTable(_Table):
    store = tables.Column(verbose_name="Home store")
    members = CountColumn()
    likely_active = CountColumn(verbose_name="Likely active (P ≥ 50%)")
    at_risk = CountColumn(verbose_name="At risk")
    at_risk_share = PercentColumn(verbose_name="At risk (%)")
    clv = MoneyColumn(verbose_name="CLV, 12 months")
    at_risk_clv = MoneyColumn(verbose_name="CLV at risk")


class WinBackTable(_Table):
    """Over `CampaignResult`s of win-back campaigns: who came back, treated vs holdout."""

    name = tables.Column(verbose_name="Campaign")
    lift_treated = CountColumn(accessor="lift_treated_members", verbose_name="Treated")
    lift_holdout = CountColumn(accessor="lift_holdout_members", verbose_name="Holdout")
    back_treated = PercentColumn(
        accessor="came_back__share_treated", verbose_name="Came back, treated"
    )
    back_holdout = PercentColumn(
        accessor="came_back__share_holdout", verbose_name="Came back, holdout"
    )
    back_ci = IntervalColumn(
        accessor="came_back__lift", kind="points", verbose_name="Difference, 95% CI"
    )
    back_diff = PointsColumn(
        accessor="came_back__lift__estimate", verbose_name="Difference", visible=False
    )
    back_low = PointsColumn(
        accessor="came_back__lift__low", verbose_name="95% CI from", visible=False
    )
    back_high = PointsColumn(
        accessor="came_back__lift__high", verbose_name="95% CI to", visible=False
    )
    back_verdict = VerdictColumn(
        accessor="came_back__lift__verdict", verbose_name="Difference verdict"
    )
    back_needs = NeededColumn(
        accessor="came_back__lift__verdict", verbose_name="A clear answer needs"
    )
    back_needed = tables.Column(
        accessor="came_back__lift__verdict__members_needed",
        verbose_name="Members needed",
        visible=False,
    )
    back_more = tables.Column(
        accessor="came_back__lift__verdict__more_members_needed",
        verbose_name="More members needed",
        visible=False,
    )
    redeemers = CountColumn(accessor="redemption__redeemers", verbose_name="Redeemed")


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
    """Over `CampaignResult`s: each campaign's redemption and who pays for it."""

    name = tables.Column(verbose_name="Campaign", linkify=lambda record: record.campaign)
    category = tables.Column()
    valid_from = tables.DateColumn("Y-m-d", verbose_name="From")
    valid_until = tables.DateColumn("Y-m-d", verbose_name="Until")
    treated = CountColumn(accessor="redemption__treated")
    reached = CountColumn(accessor="redemption__reached", verbose_name="Got the offer")
    redeemers = CountColumn(accessor="redemption__redeemers", verbose_name="Redeemed")
    rate = PercentColumn(accessor="redemption__rate", verbose_name="Redemption rate")
    discount = MoneyColumn(accessor="redemption__discount", verbose_name="Discounts")
    manufacturer_share = MoneyColumn(
        accessor="redemption__manufacturer_share", verbose_name="Manufacturers pay"
    )
    store_cost = MoneyColumn(accessor="redemption__store_cost", verbose_name="Store's net cost")


class CampaignCellTable(_Table):
    """Over `CellRedemption`s: each campaign's redemption per targeted cell and usage tier."""

    campaign = tables.Column(accessor="campaign_name")
    cell = tables.Column(accessor="cell_label", verbose_name="Targeted cell")
    usage = tables.Column(
        accessor="usage_label", verbose_name="Usage tier", order_by=("usage_tier",)
    )
    audience = CountColumn(accessor="figures__audience")
    holdout = CountColumn(accessor="figures__holdout")
    reached = CountColumn(accessor="figures__reached", verbose_name="Got the offer")
    redeemers = CountColumn(accessor="figures__redeemers", verbose_name="Redeemed")
    rate = PercentColumn(accessor="figures__rate", verbose_name="Redemption rate")
    rate_of_treated = PercentColumn(
        accessor="figures__rate_of_treated", verbose_name="Of all treated"
    )
    discount = MoneyColumn(accessor="figures__discount", verbose_name="Discounts")
    store_cost = MoneyColumn(accessor="figures__store_cost", verbose_name="Store's net cost")


class CostMonthTable(_Table):
    month = tables.DateColumn("Y-m", verbose_name="Month")
    redemptions = CountColumn()
    discount = MoneyColumn(verbose_name="Discounts")
    manufacturer_share = MoneyColumn(verbose_name="Manufacturers pay")
    store_cost = MoneyColumn(verbose_name="Store's net cost")


class LiftTable(_Table):
    """The campaign results (`CampaignResult`s): each lift's interval first, its verdict,
    what a clear answer needs. The CSV keeps the numbers (estimate, bounds, p, members
    needed) and the verdicts in words."""

    name = tables.Column(verbose_name="Campaign")
    lift_treated = CountColumn(accessor="lift_treated_members", verbose_name="Treated")
    lift_holdout = CountColumn(accessor="lift_holdout_members", verbose_name="Holdout")
    mean_treated = DollarsColumn(
        accessor="sales__mean_treated", verbose_name="Sales / member, treated", visible=False
    )
    mean_holdout = DollarsColumn(
        accessor="sales__mean_holdout", verbose_name="Sales / member, holdout", visible=False
    )
    spend_ci = IntervalColumn(
        accessor="sales__lift", kind="dollars", p_value="sales__p_value",
        verbose_name="Sales lift per member, 95% CI",
    )  # fmt: skip
    spend_needs = NeededColumn(
        accessor="sales__lift__verdict", verbose_name="A clear sales answer needs"
    )
    spend_diff = DollarsColumn(
        accessor="sales__lift__estimate", verbose_name="Sales lift", signed=True, visible=False
    )
    spend_low = DollarsColumn(
        accessor="sales__lift__low",
        verbose_name="Sales lift 95% CI from",
        signed=True,
        visible=False,
    )
    spend_high = DollarsColumn(
        accessor="sales__lift__high",
        verbose_name="Sales lift 95% CI to",
        signed=True,
        visible=False,
    )
    spend_p = tables.Column(
        accessor="sales__p_value", verbose_name="p", attrs=NUMBER, visible=False
    )
    spend_verdict = VerdictColumn(
        accessor="sales__lift__verdict", verbose_name="Sales lift verdict"
    )
    spend_needed = tables.Column(
        accessor="sales__lift__verdict__members_needed",
        verbose_name="Members needed for sales lift",
        visible=False,
    )
    spend_more = tables.Column(
        accessor="sales__lift__verdict__more_members_needed",
        verbose_name="More members needed for sales lift",
        visible=False,
    )
    conv_treated = PercentColumn(
        accessor="conversion__share_treated", verbose_name="Converted, treated", visible=False
    )
    conv_holdout = PercentColumn(
        accessor="conversion__share_holdout", verbose_name="Converted, holdout", visible=False
    )
    conv_ci = IntervalColumn(
        accessor="conversion__lift", kind="points", verbose_name="Conversion lift, 95% CI"
    )
    conv_diff = PointsColumn(
        accessor="conversion__lift__estimate", verbose_name="Conversion lift", visible=False
    )
    conv_low = PointsColumn(
        accessor="conversion__lift__low", verbose_name="Conversion 95% CI from", visible=False
    )
    conv_high = PointsColumn(
        accessor="conversion__lift__high", verbose_name="Conversion 95% CI to", visible=False
    )
    conv_verdict = VerdictColumn(
        accessor="conversion__lift__verdict", verbose_name="Conversion lift verdict"
    )
    conv_needed = tables.Column(
        accessor="conversion__lift__verdict__members_needed",
        verbose_name="Members needed for conversion",
        visible=False,
    )
    conv_more = tables.Column(
        accessor="conversion__lift__verdict__more_members_needed",
        verbose_name="More members needed for conversion",
        visible=False,
    )
    incremental_sales = DollarsColumn(verbose_name="Incremental sales", signed=True, visible=False)
    store_cost = MoneyColumn(accessor="redemption__store_cost", verbose_name="Store's net cost")
    roi_ci = IntervalColumn(accessor="roi", kind="ratio", verbose_name="ROI, 95% CI")
    roi = RatioColumn(accessor="roi__estimate", verbose_name="ROI", visible=False)
    roi_low = RatioColumn(accessor="roi__low", verbose_name="ROI 95% CI from", visible=False)
    roi_high = RatioColumn(accessor="roi__high", verbose_name="ROI 95% CI to", visible=False)
    roi_verdict = VerdictColumn(accessor="roi__verdict", verbose_name="ROI verdict")

    def render_spend_p(self, value):
        return "< 0.001" if value < 0.001 else f"{value:.3f}"

    def value_spend_p(self, value):
        return "" if value is None else f"{value:.6f}"
