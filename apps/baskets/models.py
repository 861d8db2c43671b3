"""Till transactions: stores, baskets and their lines, and rejected import rows.

BasketLine is the big table (tens of millions of rows). It repeats `purchased_at` and
`member` from its basket so that the hot analytic reads ("a category's buyers in a
window", "a member's history") need no join, and so that the table can be turned into
a monthly range-partitioned table on `purchased_at` without changing any query
(docs/data-model.md).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.baskets.owners import basket_owner
from apps.core.placement import Placed, copied_from_parent


class Store(models.Model):
    code = models.CharField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, blank=True, verbose_name=_("name"))
    city = models.CharField(max_length=120, blank=True, verbose_name=_("city"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name or self.code


class BasketSource(models.TextChoices):
    IMPORT = "import", _("File import")
    POS = "pos", _("POS API")


class Basket(Placed):
    """One till transaction, possibly anonymous (no member)."""

    # Unique through a constraint, not `unique=True`: that would add a second, LIKE-pattern
    # index nobody queries. Member and store need no index of their own either: the
    # composite indexes below lead with them. Fewer indexes, faster bulk loads.
    basket_id = models.CharField(_("basket id"), max_length=64)
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="baskets",
        db_index=False,
        verbose_name=_("member"),
    )
    store = models.ForeignKey(
        Store,
        on_delete=models.PROTECT,
        related_name="baskets",
        db_index=False,
        verbose_name=_("store"),
    )
    purchased_at = models.DateTimeField(verbose_name=_("purchased at"))
    total_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total amount")
    )
    total_discount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total discount")
    )
    line_count = models.PositiveIntegerField(default=0, verbose_name=_("line count"))
    source = models.CharField(max_length=8, choices=BasketSource.choices, verbose_name=_("source"))
    loaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("loaded at"))
    # The distribution key (apps/baskets/owners.py): the member, or the store-day key of a
    # basket without one. Held by the check constraint `basket_owner_rule` (migration 0006,
    # in SQL: the day is computed with `AT TIME ZONE`, which a Q object cannot state).
    owner_id = models.BigIntegerField(editable=False, verbose_name=_("owner id"))
    # The same column as a relation to the member it names (none for a negative key), with
    # no column or constraint of its own: a query that joins members to their baskets by
    # it joins on the cluster's distribution column, which Citus can run from the members'
    # reference table (apps.desk.selectors), where a join on member_id is refused.
    owner = models.ForeignObject(
        "members.Member",
        on_delete=models.DO_NOTHING,
        from_fields=["owner_id"],
        to_fields=["id"],
        related_name="owned_baskets",
        null=True,  # no column: says only that a negative key names no member
    )

    class Meta:
        ordering = ["-purchased_at"]
        indexes = [
            # A member's visits, newest first; the total makes spend sums index-only.
            models.Index(
                fields=["member", "-purchased_at"],
                include=["total_amount"],
                name="basket_member_history",
                # Anonymous and detached baskets have no history to find: leaving them out
                # keeps the index smaller and spares retention's detach a write per row.
                condition=models.Q(member__isnull=False),
            ),
            models.Index(fields=["store", "purchased_at"], name="basket_store_time"),
            BrinIndex(fields=["purchased_at"], name="basket_time_brin"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["basket_id"], name="basket_basket_id_unique"),
        ]
        verbose_name = _("basket")
        verbose_name_plural = _("baskets")

    def __str__(self) -> str:
        return self.basket_id

    def fill_placement(self) -> None:
        """Set `owner_id` from the member, store and time when it is not set yet."""
        if self.owner_id is None:
            self.owner_id = basket_owner(
                member_id=self.member_id, store_id=self.store_id, purchased_at=self.purchased_at
            )


class BasketLine(Placed):
    """One scanned line. `amount` is what the customer paid after `discount`."""

    # No database FK constraints on this table: their per-row checks (deferred RI
    # triggers) were 60 % of a bulk import's time (docs/import.md: 1.5 M lines took
    # ~31 s longer with them). The writers guarantee integrity instead: import_pos
    # inserts a basket and its lines in one statement, with product and member ids
    # taken from those tables; the ORM still enforces CASCADE / PROTECT on delete.
    # member and product need no index of their own: the composite indexes below
    # lead with them. Nor does basket: the table's primary key in the database is
    # (basket_id, id) (migration 0005), so one index finds a basket's lines and keeps
    # the rows unique; Django still addresses a line by `id`, which the sequence keeps
    # unique. One index fewer to write per line: imports and retention's detach.
    basket = models.ForeignKey(
        Basket,
        on_delete=models.CASCADE,
        related_name="lines",
        db_constraint=False,
        db_index=False,
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    purchased_at = models.DateTimeField()
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # The basket's owner, repeated like member and purchased_at: on Citus lines are
    # distributed by it, next to their basket (apps/baskets/owners.py).
    owner_id = models.BigIntegerField(editable=False)

    class Meta:
        indexes = [
            # A member's history, newest first, without touching baskets.
            models.Index(
                fields=["member", "purchased_at"],
                include=["product", "amount"],
                name="line_member_history",
                condition=models.Q(member__isnull=False),  # as basket_member_history
            ),
            # A product's sales, and a category's buyers in a window via its products.
            models.Index(
                fields=["product", "purchased_at"],
                include=["member", "amount"],
                name="line_product_time",
            ),
            # Whole-window scans (snapshots of every category) read a narrow time range.
            BrinIndex(fields=["purchased_at"], name="line_time_brin"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(discount__gte=0), name="line_discount_gte_0"),
            # A line's owner is its member, or a store-day key (negative) when it has none.
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, owner_id=models.F("member_id"))
                | models.Q(member__isnull=True, owner_id__lt=0),
                name="line_owner_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.basket_id}:{self.product_id}"

    def fill_placement(self) -> None:
        """Take `owner_id` from the basket when it is not set yet."""
        copied_from_parent(self, field="owner_id", parent="basket", parent_field="owner_id")


class ImportReject(models.Model):
    """A row of an imported file that could not be loaded, with why."""

    job = models.ForeignKey(
        "jobs.Job", on_delete=models.CASCADE, related_name="rejects", verbose_name=_("job")
    )
    file_name = models.CharField(max_length=200, verbose_name=_("file name"))
    line = models.PositiveIntegerField(verbose_name=_("line"))
    reason = models.CharField(max_length=300, verbose_name=_("reason"))
    raw = models.TextField(blank=True, verbose_name=_("raw"))

    class Meta:
        ordering = ["job", "file_name", "line"]
        verbose_name = _("import reject")
        verbose_name_plural = _("import rejects")

    def __str__(self) -> str:
        return f"{self.file_name}:{self.line}: {self.reason}"
