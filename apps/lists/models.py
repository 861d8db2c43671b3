"""Personalized biweekly shopping lists: one per member per period, with their items."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core import clock
from apps.core.placement import Placed, copied_from_parent


class ListContent(models.Model):
    """Non-price content (a tip or a recipe) shown to members who buy in a department."""

    class Kind(models.TextChoices):
        TIP = "tip", _("Tip")
        RECIPE = "recipe", _("Recipe")

    department = models.CharField(
        max_length=120,
        help_text=_("Shown to members who bought in this department lately."),
        verbose_name=_("department"),
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(verbose_name=_("body"))
    # A December list once said "…more so in summer": seasonal content names its months.
    months = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)]),
        blank=True,
        default=list,
        help_text=_(
            "Months it is shown in (1–12, comma-separated), by the month of the middle "
            "of the list's period; empty: all year."
        ),
        verbose_name=_("months"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["department", "title"]
        verbose_name_plural = _("list content")
        verbose_name = _("list content")

    def __str__(self) -> str:
        return f"{self.department}: {self.title}"


class ShoppingList(models.Model):
    """A member's list for the period [period_start, period_end)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="lists", verbose_name=_("member")
    )
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    barcode = models.CharField(max_length=24, unique=True, verbose_name=_("barcode"))
    spend = models.DecimalField(
        _("spend in the qualifying weeks"), max_digits=12, decimal_places=2, default=0
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("job")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # Offers allocated after the list was printed (a campaign activated mid-period) make a
    # new version of the same list: same barcode, the page and PDF show the current one.
    version = models.PositiveSmallIntegerField(default=1, verbose_name=_("version"))
    offers_printed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("offers printed at")
    )

    class Meta:
        ordering = ["-period_start", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "period_start"], name="list_one_per_member_period"
            ),
        ]
        indexes = [models.Index(fields=["period_start", "member"], name="list_period_member")]
        verbose_name = _("shopping list")
        verbose_name_plural = _("shopping lists")

    def __str__(self) -> str:
        return f"List {self.barcode}"

    def get_absolute_url(self) -> str:
        return reverse("lists:detail", args=[self.barcode])

    @property
    def last_day(self) -> dt.date:
        return clock.last_day(self.period_end)

    @property
    def version_text(self) -> str:
        """Say "· version 2, with new offers" of a list that changed since first printed."""
        if self.version <= 1:
            return ""
        return str(_(" · version %(version)s, with new offers")) % {"version": self.version}


class ItemKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    DUE = "due", _("Due")
    REWARD = "reward", _("Reward")
    CONTENT = "content", _("Content")


class ListItem(Placed):
    """One line of a list: an offer, a product due, a reward coupon, or some content."""

    shopping_list = models.ForeignKey(ShoppingList, on_delete=models.CASCADE, related_name="items")
    # The list's member, repeated so that a cluster keeps the item beside its list
    # (apps/core/placement.py). The item lives and dies with its list: no check of its own.
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # The list again, joined on the member as well as its id (no column of its own): the
    # join a cluster runs on the member's shard, where one on `shopping_list` alone is not
    # co-located (docs/scale.md). Query through it where a join to the list must scale out.
    placed_list = models.ForeignObject(
        ShoppingList,
        on_delete=models.DO_NOTHING,
        from_fields=["member", "shopping_list"],
        to_fields=["member", "id"],
        related_name="+",
        null=True,
    )
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offer = models.ForeignKey(
        "campaigns.Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content = models.ForeignKey(
        ListContent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    regular_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount = models.DecimalField(
        "amount off", max_digits=12, decimal_places=2, null=True, blank=True
    )
    discount_pct = models.DecimalField(
        "percent off", max_digits=5, decimal_places=2, null=True, blank=True
    )
    bonus_points = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("A bonus-points offer: the points it gives.")
    )
    min_quantity = models.PositiveSmallIntegerField(default=1)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["shopping_list", "kind"], name="list_item_list")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["offer", "due", "reward", "content"]),
                name="list_item_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"

    def fill_placement(self) -> None:
        copied_from_parent(
            self, field="member_id", parent="shopping_list", parent_field="member_id"
        )

    @property
    def discount_text(self) -> str:
        if self.discount_pct:
            return str(_("%(pct)s%% off")) % {"pct": f"{self.discount_pct.normalize():f}"}
        if self.discount:
            return str(_("$%(amount)s off")) % {"amount": self.discount}
        if self.bonus_points:
            return str(_("%(points)s bonus points")) % {"points": f"{self.bonus_points:,}"}
        return ""
