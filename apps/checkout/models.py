"""Till tokens, POS transactions (exactly once) and the redemptions they made."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(secret: str) -> str:
    """Return the sha256 hex digest under which a till token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


class TillToken(models.Model):
    """A till's API credential. Only its hash is stored: the secret is shown once."""

    store = models.ForeignKey(
        "baskets.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("token hash")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        ordering = ["store", "name"]
        verbose_name = _("till token")
        verbose_name_plural = _("till tokens")

    def __str__(self) -> str:
        return f"{self.store.code}: {self.name}"

    def set_new_secret(self) -> str:
        """Give the token a new random secret, keep its hash, and return the secret."""
        secret = secrets.token_urlsafe(32)
        self.token_hash = hash_token(secret)
        return secret


class PosTransaction(models.Model):
    """One till transaction as received, and the answer given, once per (store, id).

    The unique constraint is what makes checkout exactly-once: a repeated or concurrent
    request with the same id waits on the index, then replays the stored response.
    """

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        RETURN = "return", _("Return")

    store = models.ForeignKey(
        "baskets.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    transaction_id = models.CharField(max_length=64, verbose_name=_("transaction id"))
    kind = models.CharField(
        max_length=6, choices=Kind.choices, default=Kind.SALE, verbose_name=_("kind")
    )
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
        help_text=_("For a return: the sale it returns goods of."),
        verbose_name=_("original"),
    )
    body_hash = models.CharField(max_length=64, verbose_name=_("body hash"))
    request = models.JSONField(
        help_text=_("The request body as sent, so nothing is lost."), verbose_name=_("request")
    )
    response = models.JSONField(default=dict, verbose_name=_("response"))
    unknown_lines = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Lines whose UPC is not in the catalog."),
        verbose_name=_("unknown lines"),
    )
    basket = models.OneToOneField(
        "baskets.Basket",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("basket"),
    )
    till = models.ForeignKey(
        TillToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("till"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "transaction_id"], name="pos_transaction_once_per_store"
            ),
        ]
        verbose_name = _("pos transaction")
        verbose_name_plural = _("pos transactions")

    def __str__(self) -> str:
        return f"{self.store_id}:{self.transaction_id}"


class Redemption(models.Model):
    """An offer of a member's list applied at the till; `reversed_at` set by a return."""

    pos_transaction = models.ForeignKey(
        PosTransaction,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("pos transaction"),
    )
    basket = models.ForeignKey(
        "baskets.Basket", on_delete=models.PROTECT, related_name="+", verbose_name=_("basket")
    )
    list_item = models.ForeignKey(
        "lists.ListItem", on_delete=models.PROTECT, related_name="+", verbose_name=_("list item")
    )
    offer = models.ForeignKey(
        "campaigns.Offer", on_delete=models.PROTECT, related_name="+", verbose_name=_("offer")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("campaign"),
    )
    agreement = models.ForeignKey(
        "agreements.ManufacturerAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("agreement"),
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    # The sale's time and store, repeated from its basket (as a line repeats its basket's):
    # billing, budgets and reports read redemptions by week and store without joining the
    # baskets, which a cluster shards by member while redemptions stay on its coordinator.
    purchased_at = models.DateTimeField(verbose_name=_("purchased at"))
    store = models.ForeignKey(
        "baskets.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(max_digits=10, decimal_places=3, verbose_name=_("quantity"))
    # What the offer gave the shopper, in dollars: the amount off, or for a bonus-points
    # offer the points' worth when given (then the line's price is not reduced). Budgets,
    # agreements and settlements count it either way.
    discount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("discount"))
    bonus_points = models.PositiveIntegerField(
        default=0,
        help_text=_("A bonus-points offer: the points given (0: an amount off)."),
        verbose_name=_("bonus points"),
    )
    manufacturer_share = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("manufacturer share")
    )
    slot = models.PositiveSmallIntegerField(
        default=1,
        help_text=_("Which of the campaign's redemptions per member this is (1, 2, …)."),
        verbose_name=_("slot"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    reversed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reversed at"))

    class Meta:
        ordering = ["-created_at"]
        # campaign, agreement and member are indexed by their foreign keys; the Meta indexes
        # that repeated them (redemption_campaign/_agreement/_member) were dropped (0004).
        constraints = [
            # The per-member limit, held by the database: the list generator puts an offer on
            # a member's lists once, and each of a list item's slots 1..redemptions_per_member
            # is taken at most once (unless reversed). A trigger (migration 0003) keeps the
            # slot within the campaign's redemptions_per_member. (The name is from when an
            # item had one slot; kept, as the cashier screen's index test names it.)
            models.UniqueConstraint(
                fields=["list_item", "slot"],
                condition=models.Q(reversed_at__isnull=True),
                name="redemption_once_per_list_item",
            ),
            models.CheckConstraint(condition=models.Q(slot__gte=1), name="redemption_slot_from_1"),
            models.CheckConstraint(
                condition=models.Q(discount__gt=0), name="redemption_discount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(manufacturer_share__gte=0)
                & models.Q(manufacturer_share__lte=models.F("discount")),
                name="redemption_share_within_discount",
            ),
        ]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.list_item_id} on {self.basket_id}"


class CampaignTotal(models.Model):
    """Running sum of a campaign's live redemption discounts, so a checkout need not sum them.

    Written only under the campaign's row lock (checkout and return), in the transaction that
    inserts or reverses the redemptions. A campaign without a row has spent nothing. Its own
    table, not a Campaign field, so that saving a campaign (forms, approval) cannot write back
    a stale total.
    """

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    spent = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(spent__gte=0), name="campaign_spent_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.spent}"


class AgreementTotal(models.Model):
    """Running sum of an agreement's live manufacturer shares (against its budget cap).

    Written only under the agreement's row lock, like CampaignTotal.
    """

    agreement = models.OneToOneField(
        "agreements.ManufacturerAgreement",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    charged = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(charged__gte=0), name="agreement_charged_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.charged}"
