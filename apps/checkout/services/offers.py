"""Which of the shopper's list offers apply to which lines of a sale.

An offer item applies when its campaign is active on the purchase day, the item has not
expired, the member is not in the campaign's holdout, a slot of its redemptions per member
is free, and a line matches: the product is one the offer matches (the one SQL rule,
apps.campaigns.selectors.OFFER_MATCHES_PRODUCT, asked while the items are locked) and the
quantity reaches the item's minimum. An item attaches to the first matching line without an
offer; a line carries at most one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.expressions import RawSQL

from apps.agreements.models import ManufacturerAgreement
from apps.campaigns.models import CampaignAudience, CampaignStatus
from apps.campaigns.selectors import offer_matching_products_sql
from apps.catalog.models import Product
from apps.checkout.models import Redemption
from apps.checkout.services.amounts import ZERO, money, points_value
from apps.checkout.services.shopper import Shopper
from apps.lists.models import ItemKind, ListItem, ShoppingList

# The ids of the sale's products the item's offer matches, asked in the ORM's query of the
# list items (whose table keeps its name as its alias there).
MATCHING_PRODUCTS_SQL = offer_matching_products_sql(offer_id='"lists_listitem"."offer_id"')


@dataclass(slots=True)
class AppliedOffer:
    """A list item's offer on a line: its slot, discount, and who funds part of it."""

    item: ListItem
    slot: int  # of the item's redemptions per member
    discount: Decimal
    agreement: ManufacturerAgreement | None = None
    share: Decimal = ZERO  # the manufacturer's part of the discount
    # A bonus-points offer: the points it gives; `discount` is then their worth, which the
    # campaign pays, and the line's price stays whole.
    bonus_points: int = 0


@dataclass(slots=True)
class SaleLine:
    """A line of a sale: `product` None for a UPC not in the catalog, `offer` once applied."""

    upc: str
    quantity: Decimal
    gross: Decimal
    product: Product | None
    offer: AppliedOffer | None = None

    @property
    def discount(self) -> Decimal:
        """What comes off the line's price (a bonus-points offer takes nothing off)."""
        if self.offer is None or self.offer.bonus_points:
            return ZERO
        return self.offer.discount

    @property
    def amount(self) -> Decimal:
        return self.gross - self.discount


def _offer_matches(item: ListItem, product: Product) -> bool:
    """Tell whether the item's offer matches the product, as PostgreSQL judged it.

    The rule is OFFER_MATCHES_PRODUCT, asked in the statement that locks the items
    (`matching_products`), so the checkout judges brands exactly as the campaign preview
    and the reports do.
    """
    return product.pk in item.matching_products


def _item_discount(item: ListItem, line: SaleLine) -> Decimal:
    """The offer's worth on the line: its amount or percent off, or its bonus points'."""
    if item.bonus_points:
        return points_value(item.bonus_points)
    if item.discount_pct:
        return money(line.gross * item.discount_pct / 100)
    if item.discount:
        return min(item.discount, line.gross)
    return ZERO


def _free_slot(taken: set[int], limit: int) -> int | None:
    """Return the lowest free slot of an item, or None when its live redemptions reach the
    limit (counted, not just looked up: a limit lowered mid-campaign leaves higher slots)."""
    if len(taken) >= limit:
        return None
    return min(set(range(1, limit + 1)) - taken)


def _items_locked(*, shopping_list: ShoppingList, lines: list[SaleLine]) -> list[ListItem]:
    """Lock the list's offer items, by id, each with the sale's products its offer matches.

    The lock queues concurrent sales of the same member, so each reads the slots the
    others took (at most redemptions_per_member live redemptions per item). The member in
    the filter keeps it on the member's shard on Citus, where a lock needs that.
    """
    product_ids = sorted({line.product.pk for line in lines if line.product is not None})
    return list(
        ListItem.objects.select_for_update(of=("self",))
        .filter(
            member_id=shopping_list.member_id,
            shopping_list=shopping_list,
            kind=ItemKind.OFFER,
            offer__isnull=False,
        )
        .select_related("offer__campaign")
        .annotate(matching_products=RawSQL(MATCHING_PRODUCTS_SQL, (product_ids,)))
        .order_by("id")
    )


def _slots_taken(items: list[ListItem]) -> dict[int, set[int]]:
    """Return each item's slots held by live (not reversed) redemptions."""
    taken: dict[int, set[int]] = {}
    for item_id, slot in Redemption.objects.filter(
        list_item__in=items, reversed_at__isnull=True
    ).values_list("list_item_id", "slot"):
        taken.setdefault(item_id, set()).add(slot)
    return taken


def _held_out(*, shopper: Shopper, items: list[ListItem]) -> set[int]:
    """Return the campaigns, of these items, that hold the member out (a second check)."""
    return set(
        CampaignAudience.objects.filter(
            member=shopper.member,
            holdout=True,
            campaign_id__in={i.offer.campaign_id for i in items},
        ).values_list("campaign_id", flat=True)
    )


def _item_live(item: ListItem, *, day: dt.date) -> bool:
    campaign = item.offer.campaign
    return (
        campaign.status == CampaignStatus.ACTIVE
        and campaign.valid_from <= day <= campaign.valid_until
        and (item.valid_until is None or day <= item.valid_until)
    )


def _first_match(item: ListItem, lines: list[SaleLine]) -> SaleLine | None:
    """Return the first line without an offer that the item's offer matches, if any."""
    for line in lines:
        if (
            line.offer is None
            and line.product is not None
            and line.quantity >= item.min_quantity
            and _offer_matches(item, line.product)
        ):
            return line
    return None


def offers_match(*, shopper: Shopper, lines: list[SaleLine], day: dt.date) -> list[SaleLine]:
    """Apply the shopper's list offers to the lines; return the lines that got one.

    Locks the list's offer items (the first of the locks, see funding.offers_fund); the
    offers are not funded yet: a campaign out of budget takes its offer back there.
    """
    if shopper.member is None or shopper.shopping_list is None:
        return []
    items = _items_locked(shopping_list=shopper.shopping_list, lines=lines)
    if not items:
        return []
    taken = _slots_taken(items)
    held_out = _held_out(shopper=shopper, items=items)
    matched: list[SaleLine] = []
    for item in items:
        campaign = item.offer.campaign
        slot = _free_slot(taken.get(item.pk, set()), campaign.redemptions_per_member)
        if slot is None or campaign.pk in held_out or not _item_live(item, day=day):
            continue
        line = _first_match(item, lines)
        if line is None:
            continue
        discount = _item_discount(item, line)
        if discount > 0:
            line.offer = AppliedOffer(
                item=item, slot=slot, discount=discount, bonus_points=item.bonus_points or 0
            )
            matched.append(line)
    return matched
