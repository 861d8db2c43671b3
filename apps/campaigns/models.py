"""Campaigns: who is targeted in a category, the offer per usage tier, holdout and funding."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.segments.models import Loyalty, UsageTier

TIER_NAMES = {1: _("low"), 2: _("medium"), 3: _("high")}
SHOPPER_TEXT_MAX = 80  # one line of the printed list and its PDF
AT_RISK = "at_risk"
TOP_VALUE = "top_value"
# Audiences beyond the cells (apps.campaigns.selectors.AUDIENCE_SQL says who exactly).
WIN_BACK = "win_back"  # the category's buyers of high past value now likely lapsed
AFFINITY = "affinity"  # non-buyers who buy categories bought together with it: cross-sell

# The 9 loyalty × usage cells ("national-3" is a heavy national-brand buyer), 2 groups of
# the category's buyers, and the win-back and affinity audiences.
CELL_CHOICES = [
    (
        f"{loyalty}-{tier}",
        format_lazy(_("{loyalty} · {tier} usage"), loyalty=label, tier=TIER_NAMES[tier]),
    )
    for loyalty, label in Loyalty.choices
    for tier in (3, 2, 1)
] + [
    (AT_RISK, _("At risk (churn risk in the latest member-value fit)")),
    (TOP_VALUE, _("Top value")),
    (WIN_BACK, _("Win back (top 20 % by past spend, now more likely lapsed than active)")),
    (AFFINITY, _("Affinity: cross-sell and trial (non-buyers who buy what goes with it)")),
]
CELL_LABELS = dict(CELL_CHOICES)


def new_seed() -> int:
    """Return a random 31-bit seed for the holdout draw."""
    return secrets.randbelow(2**31)


class Goal(models.TextChoices):
    # Either way: the offers name the brand type or brand that buyers are won to (store brand
    # from national, or a maker's national brand from store-brand buyers, which it funds).
    CONVERT = "convert", _("Convert buyers to another brand type")
    RETAIN = "retain", _("Retain")
    WIN_BACK = "win_back", _("Win back")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    TRIAL = "trial", _("Trial of a brand")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Campaign(models.Model):
    """An offer programme for a category's buyers in chosen cells, over a date range."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    goal = models.CharField(max_length=12, choices=Goal.choices, verbose_name=_("goal"))
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    target_cells = ArrayField(
        models.CharField(max_length=12, choices=CELL_CHOICES),
        help_text=_("Loyalty × usage cells and member groups to target."),
        verbose_name=_("target cells"),
    )
    valid_from = models.DateField(verbose_name=_("valid from"))
    valid_until = models.DateField(verbose_name=_("valid until"))
    redemptions_per_member = models.PositiveSmallIntegerField(
        _("redemptions per member"), default=1, validators=[MinValueValidator(1)]
    )
    budget = models.DecimalField(
        _("total budget (discount money)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    holdout_pct = models.DecimalField(
        _("holdout share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    holdout_seed = models.BigIntegerField(
        default=new_seed, editable=False, verbose_name=_("holdout seed")
    )
    agreement = models.ForeignKey(
        "agreements.ManufacturerAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("Optional: the manufacturer agreement that funds part of the discounts."),
        verbose_name=_("agreement"),
    )
    redemption_rate_pct = models.DecimalField(
        _("assumed redemption rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Used by the audience preview only."),
    )
    status = models.CharField(
        max_length=8,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        verbose_name=_("status"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="campaign_valid_range",
            ),
            models.CheckConstraint(
                condition=models.Q(holdout_pct__gte=0, holdout_pct__lte=100),
                name="campaign_holdout_pct_range",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="campaign_budget_not_negative"
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def target_cell_labels(self) -> list[str]:
        return [CELL_LABELS.get(cell, cell) for cell in self.target_cells]

    @property
    def is_editable(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    def clean(self) -> None:
        from apps.campaigns.validation import campaign_funding_errors

        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "Must be on or after the start date."})
        if not self.target_cells:
            raise ValidationError({"target_cells": "Choose at least one cell or group."})
        errors = campaign_funding_errors(self)
        if errors:
            raise ValidationError({"agreement": errors})


class AppliesTo(models.TextChoices):
    BRAND_TYPE = "brand_type", _("A brand type")
    BRAND = "brand", _("A brand")
    UPCS = "upcs", _("Listed UPCs")


class DiscountKind(models.TextChoices):
    AMOUNT = "amount", _("Amount off ($)")
    PERCENT = "percent", _("Percent off (%)")
    POINTS = "points", _("Bonus points")


class Offer(models.Model):
    """The campaign's offer to the buyers of one usage tier, on products of its category."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="offers")
    usage_tier = models.PositiveSmallIntegerField(choices=UsageTier.choices)
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices)
    brand_type = models.CharField(
        max_length=8,
        blank=True,
        choices=[("national", _("National")), ("store", pgettext_lazy("brand type", "Store"))],
    )
    brand = models.CharField(max_length=120, blank=True)
    upcs = ArrayField(models.CharField(max_length=14), default=list, blank=True)
    discount_kind = models.CharField(max_length=8, choices=DiscountKind.choices)
    discount_value = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    min_quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    # The campaign's name is internal ("NC Field Hound Dog Chews switch"); the list, its PDF
    # and the cashier screen show the shopper this instead.
    shopper_text = models.CharField(
        "text for shoppers",
        max_length=SHOPPER_TEXT_MAX,
        help_text=_("What the shopper reads on the list, e.g. “$1.00 off Field Hound Dog Chews”."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "-usage_tier"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "usage_tier"], name="offer_one_per_tier"),
            models.CheckConstraint(
                condition=models.Q(discount_value__gt=0), name="offer_discount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(discount_kind="percent") | models.Q(discount_value__lte=100),
                name="offer_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {TIER_NAMES.get(self.usage_tier)} usage"

    @property
    def tier_text(self) -> str:
        """Return the tier as people say it ("high usage"), not its number."""
        tier = TIER_NAMES.get(self.usage_tier, self.usage_tier)
        return gettext("%(tier)s usage") % {"tier": tier}

    def clean(self) -> None:
        from apps.campaigns.validation import offer_errors

        errors = offer_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def target_text(self) -> str:
        if self.applies_to == AppliesTo.BRAND_TYPE:
            return gettext("%(brand_type)s brand") % {"brand_type": self.get_brand_type_display()}
        if self.applies_to == AppliesTo.BRAND:
            return self.brand
        return ", ".join(self.upcs)

    @property
    def discount_text(self) -> str:
        # The same messages as a shopping list's items (apps.lists.models).
        if self.discount_kind == DiscountKind.AMOUNT:
            text = gettext("$%(amount)s off") % {"amount": self.discount_value}
        elif self.discount_kind == DiscountKind.POINTS:
            text = gettext("%(points)s bonus points") % {"points": f"{int(self.discount_value):,}"}
        else:
            text = gettext("%(pct)s%% off") % {"pct": f"{self.discount_value.normalize():f}"}
        if self.min_quantity > 1:
            text = gettext("%(offer)s when you buy %(quantity)s") % {
                "offer": text,
                "quantity": self.min_quantity,
            }
        return text


class CampaignAudience(models.Model):
    """A targeted member, the cell they were drawn in, and whether they are held out."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="audience", verbose_name=_("campaign")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    cell = models.CharField(max_length=12, verbose_name=_("cell"))
    usage_tier = models.PositiveSmallIntegerField(
        choices=UsageTier.choices, verbose_name=_("usage tier")
    )
    holdout = models.BooleanField(verbose_name=_("holdout"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="audience_one_per_member"),
        ]
        indexes = [models.Index(fields=["member"], name="audience_member")]
        verbose_name = _("campaign audience")
        verbose_name_plural = _("campaign audiences")

    def __str__(self) -> str:
        return (
            f"{self.campaign_id}:{self.member_id} {self.cell}{' holdout' if self.holdout else ''}"
        )


class OfferModel(models.Model):
    """The redemption model's coefficients: what allocation scores candidate offers with.

    A logistic model, P(redeemed in the period) = 1 / (1 + exp(-(intercept + Σ coef · x))),
    over the features of `apps.campaigns.allocation.rules.FEATURES`. Fitted by the reports
    room (which reads the redemptions) with scikit-learn; until a fit exists, allocation uses
    the documented prior of `apps.campaigns.allocation.rules.PRIOR`. The newest row is used.
    """

    fitted_at = models.DateTimeField(auto_now_add=True)
    intercept = models.FloatField()
    coefficients = models.JSONField(help_text=_("{feature: coefficient}"))
    training_rows = models.PositiveIntegerField(default=0)
    redeemed_rows = models.PositiveIntegerField(default=0)
    held_out_auc = models.FloatField(null=True, blank=True)
    calibration = models.JSONField(
        default=list, blank=True, help_text=_("Per score decile: predicted and actual rates.")
    )
    periods = models.JSONField(default=list, blank=True, help_text=_("Periods it learnt from."))

    class Meta:
        ordering = ["-fitted_at", "-id"]

    def __str__(self) -> str:
        return f"Offer model of {self.fitted_at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    """What allocation decided for one candidate (member, campaign) in one period."""

    CANDIDATE = "candidate", _("Not decided yet")
    GIVEN = "given", _("Gets the offer")
    HOLDOUT = "holdout", _("Held out (would have got it)")
    OUTRANKED = "outranked", _("Outranked by better offers")
    BUDGET = "budget", _("Campaign budget spent")
    AGREEMENT = "agreement", _("Agreement cap reached")
    LIMIT = "limit", _("Had it in an earlier period")


class EligibleMember(models.Model):
    """A member list generation found eligible for a period: the pool allocation serves."""

    period_start = models.DateField()
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "member"], name="eligible_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}:{self.member_id}"


class ScoredOffer(models.Model):
    """A (member, campaign) pair of a list period as phase one scored it.

    The features are kept as they were when scored, so the model learns from what it saw
    (no leakage from later baskets) and a decision can be explained afterwards.
    """

    period_start = models.DateField()
    cell = models.CharField(max_length=12)
    holdout = models.BooleanField()
    # Features (apps.campaigns.allocation.rules.FEATURES).
    bought_target = models.BooleanField(help_text=_("Bought the offer's products in 52 weeks."))
    discovery = models.BooleanField(help_text=_("Did not buy the category in 52 weeks."))
    buy_probability = models.FloatField(help_text=_("Chance of buying the category in the period."))
    usage_tier = models.PositiveSmallIntegerField(choices=UsageTier.choices)
    past_rate = models.FloatField(help_text=_("Past redemption rate, shrunk to the prior."))
    depth = models.FloatField(help_text=_("Discount as a share of the price paid."))
    probability = models.FloatField(help_text=_("Estimated chance of redemption in the period."))
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    manufacturer_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    value = models.FloatField(help_text=_("Expected value: what allocation ranks by."))
    scored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.period_start} {self.member_id} {self.campaign_id}: {self.outcome}"


class Candidate(ScoredOffer):
    """Allocation's working set: every scored pair of a period and what was decided for it.

    Millions of rows a period at chain scale, written by phase one and re-marked by each
    decision, so the table is built for that (migration 0007): UNLOGGED (no write-ahead
    log: a crash empties it, and regenerating the period's lists scores it again), no
    foreign-key checks (its rows are derived from rows that exist), one index (the key,
    which also makes scoring a pair twice a no-op) and pages half empty, so that writing
    the outcome rewrites a row in place. What lasts is in `Allocation`: the offers given
    and held out, with their features.
    """

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.CANDIDATE)
    # The pair is the key: its index is the table's only one.
    pk = models.CompositePrimaryKey("member", "campaign", "period_start")


class Allocation(ScoredOffer):
    """An offer allocation gave a member for a list period (or would have: `holdout`).

    Copied from the period's `Candidate` row when decided, features and all; the lists
    print the given ones, the reports label them once the period ends and the offer model
    learns from them.
    """

    # The member and campaign are served by the composite indexes below, and a category
    # (deleted only if nothing refers to it) is checked rarely. The offer and category
    # follow from the campaign (its offer for the tier, its category), so the database
    # checks only the member and campaign: each check costs a period's 750 k rows 2.3 s
    # at 100 k members (Django still cascades and protects).
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    outcome = models.CharField(
        max_length=10,
        choices=[(o.value, o.label) for o in (Outcome.GIVEN, Outcome.HOLDOUT)],
        default=Outcome.GIVEN,
    )
    redeemed = models.BooleanField(
        null=True, blank=True, help_text=_("Filled once the period ends.")
    )

    class Meta:
        constraints = [
            # Member first: also the index of a member's history with a campaign.
            models.UniqueConstraint(
                fields=["member", "campaign", "period_start"], name="allocation_one_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["given", "holdout"]),
                name="allocation_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["period_start", "outcome"], name="allocation_period_outcome"),
            models.Index(fields=["campaign", "outcome"], name="allocation_campaign_outcome"),
        ]
