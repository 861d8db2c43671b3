"""Pre-computed aggregates behind the marketing dashboard.

Every table here is derived: written only by the set-based statements of
`apps/reports/sql.py` during a refresh, read only by `apps/reports/selectors/`. Rows are
keyed by period (month or list period), category and store, so a filtered page sums a few
hundred rows instead of scanning baskets. Like the segment rows, they carry no database
foreign-key checks (one INSERT … SELECT guarantees integrity) and no per-column FK indexes
(the composite indexes lead with the filter columns); deleting a source row leaves its
aggregates until the next refresh drops or replaces them (`DO_NOTHING`).

**Store** is always the member's *home store*: the store where the member spent the most
over their whole history (ties: the lowest store id). Every member has at most one, so rows
add up across stores; members with no basket have none (store NULL), counted under "all
stores" only.
"""

from __future__ import annotations

from django.db import models

from apps.segments.models import Loyalty, UsageTier


def _fk(to: str, *, null: bool = False) -> models.ForeignKey:
    """A foreign key of a derived row: no DB constraint, no own index, never cascades."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        null=null,
        blank=null,
    )


def _money(**kwargs) -> models.DecimalField:
    # Sums over many members: wider than a single amount's numeric(12,2).
    return models.DecimalField(max_digits=16, decimal_places=2, default=0, **kwargs)


class HomeStore(models.Model):
    """A member's home store, recomputed by every refresh."""

    member = models.OneToOneField(
        "members.Member",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    store = _fk("baskets.Store")

    def __str__(self) -> str:
        return f"member {self.member_id} → store {self.store_id}"


class ReportSnapshot(models.Model):
    """The segment snapshot that stands for a category in a month, and the one before it.

    Per category and month (of the last day the snapshot covers) the latest computed
    snapshot; `previous` is the one standing for the category's latest earlier month.
    Cells and moves between cells are aggregated once per row here: the refresh keeps rows
    whose (snapshot, previous) pair is unchanged and recomputes only the others.
    """

    snapshot = _fk("segments.SegmentSnapshot")
    previous = _fk("segments.SegmentSnapshot", null=True)
    category = _fk("catalog.Category")
    month = models.DateField(help_text="First day of the month.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot"], name="report_snapshot_once"),
            models.UniqueConstraint(fields=["category", "month"], name="report_snapshot_month"),
        ]
        indexes = [models.Index(fields=["month", "category"], name="report_snapshot_month_cat")]

    def __str__(self) -> str:
        return f"category {self.category_id} {self.month:%Y-%m}: snapshot {self.snapshot_id}"


class CellAggregate(models.Model):
    """Buyers and their category sales in one loyalty × usage cell of a month's snapshot.

    Rows without a category (and snapshot) add up every category of the month: the page
    without a category filter reads those few rows instead of summing all categories.
    """

    report_snapshot = _fk(ReportSnapshot, null=True)
    month = models.DateField()
    category = _fk("catalog.Category", null=True)
    store = _fk("baskets.Store", null=True)
    loyalty = models.CharField(max_length=8, choices=Loyalty.choices)
    usage_tier = models.PositiveSmallIntegerField(choices=UsageTier.choices)
    members = models.PositiveIntegerField()
    sales = _money()
    national_sales = _money(help_text="Σ spend × national share of the buyers.")

    class Meta:
        indexes = [
            models.Index(fields=["month", "category", "store"], name="report_cell_filter"),
            models.Index(fields=["report_snapshot"], name="report_cell_snapshot"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category_id} {self.loyalty}-{self.usage_tier}"


class CellTransition(models.Model):
    """Buyers who moved from one cell of the previous snapshot to one of this snapshot.

    `from_cell` is "new" for buyers absent from the previous snapshot, `to_cell` "lapsed"
    for buyers of the previous snapshot absent from this one; cells read "national-3".
    Rows without a category add up every category of the month, as for cells.
    """

    report_snapshot = _fk(ReportSnapshot, null=True)
    month = models.DateField()
    category = _fk("catalog.Category", null=True)
    store = _fk("baskets.Store", null=True)
    from_cell = models.CharField(max_length=12)
    to_cell = models.CharField(max_length=12)
    members = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "category", "store"], name="report_move_filter"),
            models.Index(fields=["report_snapshot"], name="report_move_snapshot"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category_id} {self.from_cell} → {self.to_cell}"


class MemberBase(models.Model):
    """Club members per home store at the refresh: all, active, reachable by lists."""

    store = _fk("baskets.Store", null=True)
    members = models.PositiveIntegerField()
    active = models.PositiveIntegerField()
    reachable = models.PositiveIntegerField(help_text="Active cards with marketing consent.")

    def __str__(self) -> str:
        return f"store {self.store_id}: {self.members} members"


class ValueAggregate(models.Model):
    """Member-value figures of the latest fit per home store."""

    fit = _fk("segments.RepeatModelFit")
    store = _fk("baskets.Store", null=True)
    members = models.PositiveIntegerField()
    likely_active = models.PositiveIntegerField(help_text="P(active) ≥ 0.5.")
    at_risk = models.PositiveIntegerField(help_text="Churn risk in the fit.")
    sales = _money()
    clv = _money()
    at_risk_sales = _money()
    at_risk_clv = _money()

    class Meta:
        indexes = [models.Index(fields=["fit", "store"], name="report_value_filter")]

    def __str__(self) -> str:
        return f"fit {self.fit_id} store {self.store_id}"


class ValueHistogram(models.Model):
    """Members per bin of CLV or of P(active), latest fit, per home store."""

    class Measure(models.TextChoices):
        CLV = "clv", "CLV"
        P_ALIVE = "p_alive", "P(active)"

    fit = _fk("segments.RepeatModelFit")
    store = _fk("baskets.Store", null=True)
    measure = models.CharField(max_length=8, choices=Measure.choices)
    bin = models.PositiveSmallIntegerField()
    lower = models.FloatField()
    upper = models.FloatField(null=True, help_text="Empty for the open last bin.")
    members = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["fit", "measure", "store"], name="report_hist_filter")]

    def __str__(self) -> str:
        return f"fit {self.fit_id} {self.measure} bin {self.bin}"


class ParetoPoint(models.Model):
    """A point of the Pareto curve: the top `member_share` of members buy `sales_share`.

    One curve per home store and one for all members (store NULL, `all_stores` true):
    shares do not add up across stores, so the chain's curve is computed on its own.
    """

    fit = _fk("segments.RepeatModelFit")
    store = _fk("baskets.Store", null=True)
    all_stores = models.BooleanField()
    point = models.PositiveSmallIntegerField(help_text="1..100: percent of members.")
    members = models.PositiveIntegerField(help_text="Members up to this point.")
    member_share = models.FloatField()
    sales_share = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["fit", "all_stores", "store"], name="report_pareto")]

    def __str__(self) -> str:
        return f"fit {self.fit_id} store {self.store_id} top {self.point}%"


class ListReach(models.Model):
    """Lists made (eligible members), with offers, and redeemed, per list period and store."""

    period_start = models.DateField()
    store = _fk("baskets.Store", null=True)
    lists = models.PositiveIntegerField()
    with_offers = models.PositiveIntegerField()
    offers = models.PositiveIntegerField()
    redeemed_lists = models.PositiveIntegerField()
    redemptions = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["period_start", "store"], name="report_reach_filter")]

    def __str__(self) -> str:
        return f"{self.period_start} store {self.store_id}: {self.lists} lists"


class CampaignCellAggregate(models.Model):
    """A campaign's audience, reach and redemptions per targeted cell, tier and store."""

    campaign = _fk("campaigns.Campaign")
    category = _fk("catalog.Category")
    store = _fk("baskets.Store", null=True)
    cell = models.CharField(max_length=12)
    usage_tier = models.PositiveSmallIntegerField(choices=UsageTier.choices)
    audience = models.PositiveIntegerField()
    holdout = models.PositiveIntegerField()
    reached = models.PositiveIntegerField(help_text="Treated members with the offer on a list.")
    redeemers = models.PositiveIntegerField(help_text="Members with a live redemption.")
    redemptions = models.PositiveIntegerField()
    discount = _money()
    manufacturer_share = _money()

    class Meta:
        indexes = [models.Index(fields=["campaign", "store"], name="report_campaign_cell")]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} {self.cell} tier {self.usage_tier}"


class RedemptionMonth(models.Model):
    """Live redemptions and their cost split, per purchase month, campaign and store."""

    month = models.DateField()
    campaign = _fk("campaigns.Campaign")
    category = _fk("catalog.Category")
    store = _fk("baskets.Store", null=True)
    redemptions = models.PositiveIntegerField()
    discount = _money()
    manufacturer_share = _money()

    class Meta:
        indexes = [models.Index(fields=["month", "category", "store"], name="report_redeem_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} campaign {self.campaign_id}"


class LiftAggregate(models.Model):
    """Sufficient statistics of one campaign group (treated or holdout) in one home store.

    Per member over the campaign's days: category sales at regular price (paid + discount),
    whether they bought the target brand type there, whether they shopped at all. Counts,
    sums and sums of squares add up across stores, so the statistics of any store filter
    come from these rows exactly (`apps/reports/stats.py`).
    """

    campaign = _fk("campaigns.Campaign")
    category = _fk("catalog.Category")
    store = _fk("baskets.Store", null=True)
    holdout = models.BooleanField()
    members = models.PositiveIntegerField()
    spend_sum = _money()
    spend_sq_sum = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    converted = models.PositiveIntegerField()
    returned = models.PositiveIntegerField(help_text="Members with any basket in the window.")

    class Meta:
        indexes = [models.Index(fields=["campaign", "store"], name="report_lift_filter")]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} {'holdout' if self.holdout else 'treated'}"
