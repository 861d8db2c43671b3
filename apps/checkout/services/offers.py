"""Which of the shopper's list offers apply to which lines of a sale.

An offer item applies when its campaign is active on the purchase day, the item has not
expired, the member is not in the campaign's holdout, a slot of its redemptions per member
is free, and a line matches: the product is one the offer matches (the one SQL rule,
apps.campaigns.selectors.OFFER_MATCHES_PRODUCT, asked while the items are locked) and the
quantity reaches the item's minimum. An item attaches to the first matching line without an
offer; a line carries at most one.

Two statements, raw SQL into small records (the ORM's query building and model instances
were most of a checkout's CPU): the list's offer items locked, each with its offer's
campaign and agreement, the sale's products its offer matches and whether the campaign
holds the member out; then their taken slots. The slots need a statement of their own:
one that waited for the item locks still reads with the snapshot it started with, so it
would miss the slots taken by the transaction it waited for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from apps.campaigns.models import CampaignStatus
from apps.campaigns.selectors import offer_matching_products_sql
from apps.checkout.services.amounts import ZERO, money, points_value
from apps.checkout.services.shopper import Shopper
from apps.lists.models import ItemKind

# The list's offer items, locked (only they: `OF li`), by id, with their campaign and its
# agreement (read, not locked: funding.py locks their running totals). The member in the
# filter keeps it on the member's shard on Citus, where a lock needs that; the holdout (a
# second check: the list generator never lists those offers) is asked there too, naming the
# member as well (a cluster routes a locking statement only when each sharded table in it
# is filtered by the member).
ITEMS_SQL = f"""
SELECT li.id, li.offer_id, o.campaign_id, li.min_quantity, li.discount, li.discount_pct,
       li.bonus_points, li.valid_until,
       c.name, c.status, c.valid_from, c.valid_until, c.redemptions_per_member, c.budget,
       c.agreement_id,
       ag.status, ag.valid_from, ag.valid_until, ag.manufacturer_id, ag.brands,
       ag.manufacturer_share_pct, ag.budget_cap,
       {offer_matching_products_sql(offer_id="li.offer_id", products="%(products)s")},
       EXISTS (
           SELECT 1 FROM campaigns_campaignaudience a
           WHERE a.member_id = %(member)s AND a.campaign_id = o.campaign_id AND a.holdout
       )
FROM lists_listitem li
JOIN campaigns_offer o ON o.id = li.offer_id
JOIN campaigns_campaign c ON c.id = o.campaign_id
LEFT JOIN agreements_manufactureragreement ag ON ag.id = c.agreement_id
WHERE li.member_id = %(member)s AND li.shopping_list_id = %(list)s
  AND li.kind = '{ItemKind.OFFER.value}'
ORDER BY li.id
FOR UPDATE OF li
"""
SLOTS_SQL = """
SELECT list_item_id, slot FROM checkout_redemption
WHERE list_item_id = ANY(%s::bigint[]) AND reversed_at IS NULL
"""


@dataclass(frozen=True, slots=True)
class AgreementRef:
    """A manufacturer's agreement funding a campaign, as the till needs it."""

    pk: int
    status: str
    valid_from: dt.date
    valid_until: dt.date
    manufacturer_id: int
    brands: list[str]
    manufacturer_share_pct: Decimal
    budget_cap: Decimal


@dataclass(frozen=True, slots=True)
class CampaignRef:
    """The campaign of an offer, as the till needs it."""

    pk: int
    name: str
    status: str
    valid_from: dt.date
    valid_until: dt.date
    redemptions_per_member: int
    budget: Decimal
    agreement: AgreementRef | None

    @property
    def agreement_id(self) -> int | None:
        return self.agreement.pk if self.agreement is not None else None


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A list's offer item, its campaign, and the sale's products its offer matches."""

    pk: int
    offer_id: int
    campaign: CampaignRef
    min_quantity: int
    discount: Decimal | None
    discount_pct: Decimal | None
    bonus_points: int | None
    valid_until: dt.date | None
    matching_products: frozenset[int]
    held_out: bool

    @property
    def campaign_id(self) -> int:
        return self.campaign.pk


@dataclass(slots=True)
class AppliedOffer:
    """A list item's offer on a line: its slot, discount, and who funds part of it."""

    item: ItemRef
    slot: int  # of the item's redemptions per member
    discount: Decimal
    agreement_id: int | None = None
    share: Decimal = ZERO  # the manufacturer's part of the discount
    # A bonus-points offer: the points it gives; `discount` is then their worth, which the
    # campaign pays, and the line's price stays whole.
    bonus_points: int = 0


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A catalog product as the till needs it."""

    pk: int
    category_id: int
    manufacturer_id: int | None
    brand: str


@dataclass(slots=True)
class SaleLine:
    """A line of a sale: `product` None for a UPC not in the catalog, `offer` once applied."""

    upc: str
    quantity: Decimal
    gross: Decimal
    product: ProductRef | None
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


def _offer_matches(item: ItemRef, product: ProductRef) -> bool:
    """Tell whether the item's offer matches the product, as PostgreSQL judged it.

    The rule is OFFER_MATCHES_PRODUCT, asked in the statement that locks the items
    (`matching_products`), so the checkout judges brands exactly as the campaign preview
    and the reports do.
    """
    return product.pk in item.matching_products


def _item_discount(item: ItemRef, line: SaleLine) -> Decimal:
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


def _items_locked(*, shopper: Shopper, lines: list[SaleLine]) -> list[ItemRef]:
    """Lock the list's offer items, by id, each with the sale's products its offer matches.

    The lock queues concurrent sales of the same member, so each reads the slots the
    others took (at most redemptions_per_member live redemptions per item).
    """
    product_ids = sorted({line.product.pk for line in lines if line.product is not None})
    shopping_list = shopper.shopping_list
    with connection.cursor() as cursor:
        cursor.execute(
            ITEMS_SQL,
            {"products": product_ids, "member": shopping_list.member_id, "list": shopping_list.pk},
        )
        rows = cursor.fetchall()
    items = []
    for row in rows:
        agreement = AgreementRef(row[14], *row[15:22]) if row[14] is not None else None
        items.append(
            ItemRef(
                pk=row[0],
                offer_id=row[1],
                campaign=CampaignRef(row[2], *row[8:14], agreement),
                min_quantity=row[3],
                discount=row[4],
                discount_pct=row[5],
                bonus_points=row[6],
                valid_until=row[7],
                matching_products=frozenset(row[22]),
                held_out=row[23],
            )
        )
    return items


def _slots_taken(items: list[ItemRef]) -> dict[int, set[int]]:
    """Return each item's slots held by live (not reversed) redemptions."""
    taken: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(SLOTS_SQL, [[item.pk for item in items]])
        for item_id, slot in cursor.fetchall():
            taken.setdefault(item_id, set()).add(slot)
    return taken


def _item_live(item: ItemRef, *, day: dt.date) -> bool:
    campaign = item.campaign
    return (
        campaign.status == CampaignStatus.ACTIVE
        and campaign.valid_from <= day <= campaign.valid_until
        and (item.valid_until is None or day <= item.valid_until)
    )


def _first_match(item: ItemRef, lines: list[SaleLine]) -> SaleLine | None:
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
    items = _items_locked(shopper=shopper, lines=lines)
    if not items:
        return []
    taken = _slots_taken(items)
    matched: list[SaleLine] = []
    for item in items:
        slot = _free_slot(taken.get(item.pk, set()), item.campaign.redemptions_per_member)
        if slot is None or item.held_out or not _item_live(item, day=day):
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
