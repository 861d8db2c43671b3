"""Who is at the till: the member and the list a scanned barcode or card names.

Read with raw SQL into small records, not model instances: the till needs a handful of
columns, and the ORM's query building was most of a checkout's CPU (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from apps.lists.selectors import CURRENT_LIST_RULE
from apps.members.models import MemberStatus

# The list whose barcode was scanned and its member, else the member whose card it is (a
# list barcode wins, as it always has), and the sale's products: one statement. The list is
# found first, alone (on a cluster its table is sharded by member: a subplan), then the
# member. The products (sale.py's PRODUCTS_SQL, as parallel arrays: an aggregate without
# GROUP BY is one row, found or not) ride along: reading them cost a statement of its own,
# and on a cluster they, like the members, are a reference table joined on the coordinator.
WHO_SQL = """
WITH l AS (
    SELECT id, barcode, member_id FROM lists_shoppinglist
    WHERE barcode = %(scanned)s ORDER BY id LIMIT 1
)
SELECT m.id, m.card_number, m.first_name, m.status, l.id, l.barcode,
       p.upcs, p.ids, p.categories, p.manufacturers, p.brands
FROM members_member m
LEFT JOIN l ON l.member_id = m.id
CROSS JOIN LATERAL (
    SELECT array_agg(upc) AS upcs, array_agg(id) AS ids, array_agg(category_id) AS categories,
           array_agg(manufacturer_id) AS manufacturers, array_agg(brand) AS brands
    FROM catalog_product WHERE upc = ANY(%(upcs)s)
) p
WHERE m.id = (SELECT member_id FROM l)
   OR (m.card_number = %(scanned)s AND NOT EXISTS (SELECT 1 FROM l))
ORDER BY l.id IS NULL
LIMIT 1
"""
# A card's list: the one whose period holds the day, else the latest started
# (apps.lists.selectors' rule, the one the cashier's screen shows).
CURRENT_LIST_SQL = f"SELECT id, barcode FROM lists_shoppinglist WHERE {CURRENT_LIST_RULE} LIMIT 1"


@dataclass(frozen=True, slots=True)
class MemberRef:
    """The member as the till needs them (`pk` as on a Member, for the shared code)."""

    pk: int
    card_number: str
    first_name: str
    status: str


@dataclass(frozen=True, slots=True)
class ListRef:
    """A shopping list as the till needs it."""

    pk: int
    barcode: str
    member_id: int


@dataclass(slots=True)
class Shopper:
    """The member (None: anonymous), the list whose offers apply (None: none), and notes."""

    member: MemberRef | None = None
    shopping_list: ListRef | None = None
    warnings: list[str] = field(default_factory=list)
    # The sale's products read with the member, UPC → (id, category, manufacturer, brand);
    # None when not read (nothing scanned, or nobody found: sale.py reads them then).
    products: dict[str, tuple] | None = None


def shopper_resolve(*, scanned: str, day: dt.date, upcs: list[str] = ()) -> Shopper:
    """Return who a scan names: a list barcode its list and member, a card its member and
    their list of the day. Unknown scans are anonymous and a closed card gets no offers,
    each with a warning (the basket is still recorded). The products of `upcs` found come
    with a member found (`Shopper.products`)."""
    shopper = Shopper()
    if not scanned:
        return shopper
    with connection.cursor() as cursor:
        cursor.execute(WHO_SQL, {"scanned": scanned, "upcs": list(upcs)})
        row = cursor.fetchone()
        if row is None:
            shopper.warnings.append(
                f"Unknown card or list {scanned!r}: recorded as an anonymous basket."
            )
            return shopper
        member = shopper.member = MemberRef(*row[:4])
        shopper.products = {
            upc: product
            for upc, *product in zip(*(column or () for column in row[6:11]), strict=True)
        }
        if row[4] is not None:
            shopper.shopping_list = ListRef(row[4], row[5], member.pk)
        else:
            cursor.execute(CURRENT_LIST_SQL, {"member": member.pk, "day": day})
            found = cursor.fetchone()
            if found is not None:
                shopper.shopping_list = ListRef(found[0], found[1], member.pk)
    if member.status != MemberStatus.ACTIVE:
        shopper.warnings.append(f"Card {member.card_number} is {member.status}: no offers applied.")
        shopper.shopping_list = None
    return shopper
