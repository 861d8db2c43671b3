"""The points ledger: append-only movements, the lots they consume, each member's balance.

Every change to a member's points is one `PointsEntry` row, never updated or deleted (a
database trigger refuses both, as for the audit trail). Positive entries are lots, each with
its expiry day; negative ones consume lots, earliest expiry first, through `LotUse` rows, so
that every point's fate is known and an expiry takes exactly what is left of its lot. The
balance is kept beside the ledger for speed (`PointsBalance`, updated in the same
transaction) and `rewards_verify` checks that it equals the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.placement import Placed, copied_from_parent


class EarningRule(models.Model):
    """Points per dollar of eligible spend, and the categories that earn none.

    A new version of the rule is a new row (the latest whose start has come applies); the
    history of each row is kept too. Points for a basket: the eligible spend (what the member
    paid, after discounts, for products outside the excluded categories), times the rate,
    rounded down to a whole point, once per basket.
    """

    points_per_dollar = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    excluded_categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", help_text=_("Earn no points.")
    )
    starts_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[excluded_categories])

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_per_dollar__gte=0), name="earning_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points_per_dollar} points per $ from {self.starts_on}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    BONUS = "bonus", _("Bonus")
    REDEEM = "redeem", _("Spent")
    REVERSE = "reverse", _("Reversed (return)")
    EXPIRE = "expire", _("Expired")
    CONVERT = "convert", _("Converted to a rebate")
    ADJUST = "adjust", _("Adjusted by staff")
    IMPORT = "import", _("Opening balance")


class PointsEntry(models.Model):
    """One movement of a member's points; positive entries are lots.

    `key` makes each movement happen once: the same key again (a replayed till request, a
    job run twice) is refused by its unique index, per member. The source says why it happened: the
    basket (a sale or a return), the entry it reverses, the staff user and reason.

    Every till sale writes here and a year-end rebate 100 k rows at once, so the table
    carries only the indexes its readers use: the member's are (member, created_at) and, for
    lots, (member, valid_until); the references set on few rows (rule, reversed entry, user,
    rebate run) are indexed where set; the key has no LIKE-pattern twin (nothing searches it
    by prefix).
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    points = models.IntegerField()
    key = models.CharField(max_length=80)
    created_at = models.DateTimeField()
    valid_until = models.DateField(
        null=True, blank=True, help_text=_("Lots only: the last day their points can be spent.")
    )
    basket = models.ForeignKey(
        "baskets.Basket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        EarningRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    basis = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Eligible spend.")
    )
    multiplier = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("An earn: the member's tier multiplier it earned under (empty: 1)."),
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(max_length=200, blank=True)
    rebate_run = models.ForeignKey(
        "RebateRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        help_text=_("A conversion: the year-end run that turned the points into certificates."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "created_at"], name="points_member_time"),
            models.Index(
                fields=["valid_until"],
                name="points_lot_expiry",
                condition=models.Q(points__gt=0),
            ),
            # A member's lots by last day: what expires soon (the cashier's screen), the
            # lots a spend takes and the lapsed ones a movement checks first read only the
            # member's lots in their window, not every entry the member ever had.
            models.Index(
                fields=["member", "valid_until"],
                name="points_member_lot",
                condition=models.Q(points__gt=0),
            ),
            *(
                models.Index(
                    fields=[field],
                    name=f"points_{field}",
                    condition=models.Q(**{f"{field}__isnull": False}),
                )
                for field in ("rule", "reverses", "user", "rebate_run")
            ),
        ]
        constraints = [
            # Per member: a key names one event (a basket, a redemption, a year's rebate) of
            # one member, and a cluster sharded by member can hold a key with the member
            # only (docs/scale.md).
            models.UniqueConstraint(fields=["member", "key"], name="points_entry_member_key"),
            models.CheckConstraint(condition=~models.Q(points=0), name="points_not_zero"),
            models.CheckConstraint(
                condition=models.Q(points__lt=0) | models.Q(valid_until__isnull=False),
                name="points_lot_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.points:+d}"


class LotUse(Placed):
    """Points of a lot (a positive entry) taken by a negative entry (the consumer).

    Millions are written at once (a year-end rebate takes most of every member's lots), so
    the table carries only what its readers need: the (consumer, lot) primary key, which
    also finds a consumer's uses, and the lot's index. Its two references are not checked
    by foreign keys: both ends are entries of the same append-only ledger, written in the
    same statement, and `rewards_verify` checks each use against its lot and consumer
    (same member, within the lot). The deferred checks took 84 s of a 206 s rebate.
    """

    pk = models.CompositePrimaryKey("consumer_id", "lot_id")  # a lot is used once by each
    consumer = models.ForeignKey(
        PointsEntry,
        on_delete=models.PROTECT,
        related_name="uses",
        db_constraint=False,
        db_index=False,
    )
    lot = models.ForeignKey(
        PointsEntry, on_delete=models.PROTECT, related_name="used_by", db_constraint=False
    )
    # The entries' member, repeated so that a cluster keeps the use beside its entries
    # (apps/core/placement.py); `rewards_verify` checks it is theirs.
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gt=0), name="lot_use_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} takes {self.points} from {self.lot_id}"

    def fill_placement(self) -> None:
        copied_from_parent(self, field="member_id", parent="consumer", parent_field="member_id")


class PointsBalance(models.Model):
    """A member's balance, kept with each entry (the ledger's sum; `rewards_verify`).

    Its row is also the member's lock: every movement takes it first, so two movements of
    one member never consume the same lot.
    """

    member = models.OneToOneField(
        "members.Member", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.member_id}: {self.points}"


class Tier(models.Model):
    """A status tier: members whose trailing 12-month spend reaches `min_spend` hold it.

    The tier with the highest threshold a member reaches applies; its multiplier scales the
    points a basket earns. Editable by marketing, with history.
    """

    name = models.CharField(max_length=40, unique=True)
    min_spend = models.DecimalField(
        "trailing 12-month spend from ($)", max_digits=10, decimal_places=2, unique=True
    )
    multiplier = models.DecimalField(
        "earning multiplier", max_digits=4, decimal_places=2, default=1
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["min_spend"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_spend__gte=0), name="tier_spend_gte_0"),
            models.CheckConstraint(
                condition=models.Q(multiplier__gte=1), name="tier_multiplier_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTier(models.Model):
    """A member's tier as of the last nightly recompute, and the spend that put them there."""

    member = models.OneToOneField(
        "members.Member", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    spend = models.DecimalField(max_digits=12, decimal_places=2)
    since = models.DateField(help_text=_("The day the member reached this tier."))
    computed_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.member_id}: {self.tier_id}"


class TierChange(models.Model):
    """History: one row each time a member's tier changes (the first tier included)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField()
    spend = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["member", "day"], name="tier_change_member_day")]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="tier_change_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.previous_id} -> {self.tier_id} on {self.day}"


class RebateRun(models.Model):
    """One programme year's conversion of balances into rebate certificates (once a year).

    Claimed first (its own commit), then converted in member chunks that each commit; a
    run without `finished_at` was interrupted and is resumed, with its own rules, by the
    next call (apps.rewards.rebate).
    """

    year = models.PositiveSmallIntegerField(
        unique=True, help_text=_("The programme year it closes.")
    )
    points_per_certificate = models.PositiveIntegerField()
    certificate_value = models.DecimalField(max_digits=8, decimal_places=2)
    remainder = models.CharField(
        max_length=8, choices=[("carry", _("Carried over")), ("expire", _("Expired"))]
    )
    ran_at = models.DateTimeField()
    closes_on = models.DateField(
        null=True, help_text=_("The year's last day (empty on runs made before it was kept).")
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    members = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Rebate {self.year}"


class RebateCertificate(models.Model):
    """A certificate worth `value` at the till, printed on the member's next list."""

    # Found by (member, issued_on): no index of its own.
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    run = models.ForeignKey(RebateRun, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=20, help_text=_("Its barcode's digits."))
    value = models.DecimalField(max_digits=8, decimal_places=2)
    issued_on = models.DateField()
    valid_until = models.DateField()

    class Meta:
        ordering = ["-issued_on", "code"]
        indexes = [models.Index(fields=["member", "issued_on"], name="certificate_member")]
        constraints = [
            # A constraint, not `unique=True`: that adds a second, pattern-matching index
            # nobody uses, written for every certificate of a rebate.
            models.UniqueConstraint(fields=["code"], name="certificate_code_unique"),
            models.CheckConstraint(
                condition=models.Q(value__gt=0), name="certificate_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CertificateUse(Placed):
    """A certificate tendered at the till (the sale's basket); `reversed_at` set, with the
    return's basket, when a return gives it back. One live use per certificate."""

    certificate = models.ForeignKey(
        RebateCertificate, on_delete=models.PROTECT, related_name="uses"
    )
    basket = models.ForeignKey("baskets.Basket", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    created_at = models.DateTimeField()
    reversed_at = models.DateTimeField(null=True, blank=True)
    returned_in = models.ForeignKey(
        "baskets.Basket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The certificate's member, repeated so that a cluster keeps the use beside it
    # (apps/core/placement.py).
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=models.Q(reversed_at__isnull=True),
                name="certificate_used_once",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="certificate_use_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} on {self.basket_id}"

    def fill_placement(self) -> None:
        copied_from_parent(self, field="member_id", parent="certificate", parent_field="member_id")


class ExpiryRun(models.Model):
    """One nightly expiry: the day it ran for and where the ledger stood when it began.

    The next run looks only at lots that could have lapsed since: those whose last day is
    on or after this run's day, and those written after it (`last_entry_id`), so a night's
    work stays the night's lots however long the history grows.
    """

    day = models.DateField(unique=True)
    ran_at = models.DateTimeField()
    last_entry_id = models.BigIntegerField(help_text=_("The highest entry id when it began."))
    lots = models.PositiveIntegerField(default=0)
    points = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Expiry of {self.day}: {self.lots} lots, {self.points} points"
