"""Stored results of segmentation: per-category snapshots with a row per buyer."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Loyalty(models.TextChoices):
    NATIONAL = "national", _("National-brand loyal")
    STORE = "store", _("Store-brand loyal")
    SWINGER = "swinger", _("Swinger")


class UsageTier(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class SegmentSnapshot(models.Model):
    """Brand-loyalty × usage cells of one category's buyers for a window [start, end).

    Written in one transaction together with its rows, so a snapshot either exists whole
    or not at all.
    """

    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateField()
    window_end = models.DateField()
    national_threshold = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.800")
    )
    store_threshold = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.200"))
    buyers = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-window_end", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "category",
                    "window_start",
                    "window_end",
                    "national_threshold",
                    "store_threshold",
                ],
                name="segment_snapshot_unique_run",
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="segment_snapshot_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.window_start}–{self.window_end}"

    def get_absolute_url(self) -> str:
        return reverse("segments:detail", args=[self.pk])


class SegmentMember(models.Model):
    """One buyer's cell and purchase cycle in a category snapshot."""

    # Derived rows written only by one INSERT … SELECT that joins the snapshot and the
    # members: the database FK checks (deferred, one per row and key) cost as much as
    # computing the snapshot, so they are off; the ORM still cascades deletes.
    # Their own indexes would repeat segment_member_unique and segment_member_lookup.
    snapshot = models.ForeignKey(
        SegmentSnapshot,
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category_spend = models.DecimalField(max_digits=12, decimal_places=2)
    national_share = models.DecimalField(max_digits=7, decimal_places=6)
    loyalty = models.CharField(max_length=8, choices=Loyalty.choices)
    usage_tier = models.PositiveSmallIntegerField(choices=UsageTier.choices)
    occasions = models.PositiveIntegerField()
    cycle_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    next_purchase_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "member"], name="segment_member_unique"),
        ]
        # No index on (snapshot, loyalty, usage_tier) since issue 22: every reader of a cell
        # reads one snapshot's rows (a few thousand to ~20 k), which segment_member_unique
        # finds by its first column, and keeping a third index on a table that gains
        # ~0.5 M rows a night cost 15-20 % of the snapshots' write (docs/decisions.md).
        indexes = [
            models.Index(fields=["member"], name="segment_member_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.loyalty}/{self.usage_tier}"


class RepeatModelFit(models.Model):
    """One fit of BG/NBD (purchase frequency) and Gamma-Gamma (spend) on calibration data.

    Every fit keeps its members' scores. The live fit, whose scores every page reads, is
    the one made live last (`live_since`); a fit that failed the sanity checks is stored as
    a candidate (`live_since` empty, `held_back` saying why) until someone makes it live.
    Restoring an earlier fit is making it live again: its scores are still there.
    """

    calibration_end = models.DateField()
    r = models.FloatField()
    alpha = models.FloatField()
    a = models.FloatField()
    b = models.FloatField()
    bgnbd_log_likelihood = models.FloatField()
    p = models.FloatField(null=True, blank=True)
    q = models.FloatField(null=True, blank=True)
    gamma = models.FloatField(null=True, blank=True)
    gamma_gamma_log_likelihood = models.FloatField(null=True, blank=True)
    members = models.PositiveIntegerField()
    repeat_buyers = models.PositiveIntegerField()
    clv_months = models.PositiveSmallIntegerField(default=12)
    monthly_discount_rate = models.FloatField(default=0.01)
    churn_threshold = models.FloatField(default=0.5)
    fitted_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    # A fit written without a decision (fixtures, the bench) goes live as it is created, as
    # every fit did before the checks; the fitting service decides explicitly.
    live_since = models.DateTimeField(
        null=True,
        blank=True,
        default=timezone.now,
        help_text="When the fit last became the live one; empty if it never was.",
    )
    held_back = models.JSONField(
        default=list,
        blank=True,
        help_text="Why the fit was not made live when it was fitted (the checks it failed).",
    )

    class Meta:
        ordering = ["-fitted_at"]
        get_latest_by = "fitted_at"

    def __str__(self) -> str:
        return f"Repeat model to {self.calibration_end} ({self.members} members)"


class MemberScore(models.Model):
    """A member's RFM, repeat-purchase and value scores under one fit."""

    fit = models.ForeignKey(RepeatModelFit, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    frequency = models.PositiveIntegerField(help_text="Repeat purchase days (x).")
    recency_weeks = models.FloatField(help_text="Weeks from first to last purchase day (t_x).")
    age_weeks = models.FloatField(help_text="Weeks from first purchase day to calibration end (T).")
    days_since_last = models.PositiveIntegerField()
    total_spend = models.DecimalField(max_digits=12, decimal_places=2)
    average_repeat_spend = models.DecimalField(max_digits=12, decimal_places=2)
    recency_score = models.PositiveSmallIntegerField()
    frequency_score = models.PositiveSmallIntegerField()
    monetary_score = models.PositiveSmallIntegerField()
    p_alive = models.FloatField()
    expected_purchases_2w = models.FloatField()
    expected_purchases_4w = models.FloatField()
    expected_purchases_13w = models.FloatField()
    expected_spend = models.DecimalField(max_digits=12, decimal_places=2)
    clv = models.DecimalField(max_digits=12, decimal_places=2)
    sales_share = models.FloatField(help_text="Share of all members' sales.")
    cumulative_share = models.FloatField(
        help_text="Share of sales of the members at least as valuable as this one."
    )
    churn_risk = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fit", "member"], name="member_score_unique"),
        ]
        indexes = [
            models.Index(fields=["member", "fit"], name="member_score_member"),
            models.Index(fields=["fit", "churn_risk"], name="member_score_churn"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} under fit {self.fit_id}"


class PurchaseTimingFit(models.Model):
    """One fit of the purchase-timing model: P(member buys category in [D, D + horizon)).

    A logistic regression (scikit-learn) on features computed in SQL from the baskets
    (apps/segments/timing/features.py). Its coefficients are read back by the SQL that fills
    BuyProbability, so they are stored in the original feature units (`feature_means` and
    `feature_scales` record the standardisation used while fitting, for the record).
    The held-out figures are measured on the most recent fully observed as-of day, which the
    fit did not see: the model's AUC beside the binary "due" rule's and frequency alone.
    """

    fitted_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(help_text="Day of the fit: every label it used ended before it.")
    horizon_days = models.PositiveSmallIntegerField(default=14)
    intercept = models.FloatField()
    coefficients = models.JSONField(help_text="{feature: coefficient}, in the feature's units.")
    feature_means = models.JSONField(default=dict, blank=True)
    feature_scales = models.JSONField(default=dict, blank=True)
    train_rows = models.PositiveIntegerField()
    train_days = models.JSONField(default=list, blank=True, help_text="As-of days trained on.")
    test_day = models.DateField(null=True, blank=True, help_text="Held-out as-of day.")
    test_rows = models.PositiveIntegerField(default=0)
    test_positive_rate = models.FloatField(null=True, blank=True)
    auc = models.FloatField(null=True, blank=True, help_text="Held-out AUC of the model.")
    auc_rule = models.FloatField(
        null=True, blank=True, help_text="Held-out AUC of the binary rule 'next purchase due'."
    )
    auc_frequency = models.FloatField(
        null=True, blank=True, help_text="Held-out AUC of purchase frequency alone."
    )
    calibration = models.JSONField(
        default=list,
        blank=True,
        help_text="Per decile of held-out scores: predicted mean, actual rate, n.",
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-fitted_at", "-id"]
        get_latest_by = ["fitted_at", "id"]

    def __str__(self) -> str:
        return f"Purchase timing as of {self.as_of} (AUC {self.auc})"


class BuyProbability(models.Model):
    """P(member buys the category in the period starting period_start), one row per pair.

    Filled set-based for chunks of members (apps.segments.timing.buy_probabilities_ensure)
    for every category each member bought in the 52 weeks before the period; read by the
    offer allocation and the lists' due items. Like SegmentMember these rows are written only
    by one INSERT … SELECT from existing members and categories, so the database FK checks
    are off (they would cost more than the statement); the ORM still cascades deletes.
    """

    period_start = models.DateField()
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    probability = models.FloatField()

    class Meta:
        db_table = "segments_buyprobability"
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "member", "category"], name="buy_probability_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["period_start", "member"], name="buy_probability_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.category_id} from {self.period_start}: {self.probability}"


class CategoryAffinity(models.Model):
    """One association rule "baskets with the antecedent category also hold the consequent".

    Market-basket analysis at category level (the beer-and-diapers case): which categories
    are bought together more often than chance. Cross-sell and trial campaigns target the
    buyers of antecedents who do not buy the consequent yet. Rules are computed for a window
    [window_start, window_end) over all baskets and kept per window_end, so a rerun for the
    same window replaces its rows instead of adding to them.
    """

    computed_at = models.DateTimeField(default=timezone.now)
    window_start = models.DateField()
    window_end = models.DateField()
    antecedent = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The unique constraint leads with the window and the index below with the consequent:
    # the audiences ask "rules into this category, latest window"; no FK index more.
    consequent = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    baskets_with_both = models.PositiveIntegerField()
    antecedent_baskets = models.PositiveIntegerField(
        help_text="Baskets holding the antecedent category (the confidence's denominator)."
    )
    baskets = models.PositiveIntegerField(help_text="All baskets of the window.")
    support = models.FloatField(help_text="Share of all baskets holding both categories.")
    confidence = models.FloatField(
        help_text="Share of the antecedent's baskets that also hold the consequent."
    )
    lift = models.FloatField(
        help_text="Confidence over the consequent's share of all baskets (1: independent)."
    )

    class Meta:
        ordering = ["-window_end", "-lift"]
        constraints = [
            models.UniqueConstraint(
                fields=["window_end", "antecedent", "consequent"],
                name="category_affinity_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(antecedent=models.F("consequent")),
                name="category_affinity_two_categories",
            ),
        ]
        indexes = [
            models.Index(fields=["consequent", "window_end"], name="category_affinity_into"),
        ]

    def __str__(self) -> str:
        return f"{self.antecedent_id} → {self.consequent_id} (lift {self.lift:.2f})"
