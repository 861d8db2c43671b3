"""Writes of baskets: the one place that inserts baskets and their lines.

Two writers share these rules, stated here once:
- a basket's `total_amount`, `total_discount` and `line_count` are the sums and count of its
  lines (`basket_totals` for a till basket; the import sums its staged lines per basket in
  `apps/baskets/importing/basket_groups.py`);
- every line carries its basket's `member` and `purchased_at` (BasketLine repeats them so
  that a member's or a window's history needs no join);
- a till transaction's basket id is `POS:<store>:<transaction id>` (`pos_basket_id`), and the
  file import refuses ids with that prefix (`is_pos_basket_id`), so an imported basket never
  takes an id a till will need.

A till basket (`basket_record`) is one statement, the basket and its lines. The import stays
set-based: it COPYs every line of a file's new baskets (`IMPORT_LINES_COPY_SQL`), then inserts
the baskets in one statement (`baskets_insert_grouped`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.db import IntegrityError, connection

from apps.baskets.models import Basket, BasketSource, Store
from apps.baskets.owners import basket_owner
from apps.core.citus import is_citus, violates

if TYPE_CHECKING:
    from apps.catalog.models import Product
    from apps.members.models import Member

ZERO = Decimal("0.00")

# The POS API's baskets are "POS:<store>:<transaction id>"; the file import refuses basket
# ids beginning with it, so an imported basket cannot take an id a till will need.
POS_BASKET_ID_PREFIX = "POS:"
BASKET_ID_UNIQUE = "basket_basket_id_unique"

P = ParamSpec("P")
R = TypeVar("R")


def pos_basket_id(*, store_code: str, transaction_id: str) -> str:
    """Return the basket id of a till transaction: one id per (store, transaction id).

    The store code's ":" and "%" are percent-escaped, so the first ":" after the prefix
    always ends the store code: without it store "S01:X" with transaction "1" and store
    "S01" with transaction "X:1" would share "POS:S01:X:1". Transaction ids are kept as
    sent (tills and staff read them in basket ids); codes without ":" or "%" are unchanged.
    """
    store = store_code.replace("%", "%25").replace(":", "%3A")
    return f"{POS_BASKET_ID_PREFIX}{store}:{transaction_id}"


def is_pos_basket_id(basket_id: str) -> bool:
    """Tell whether a basket id is in the tills' id space (a file may not use it)."""
    return basket_id.startswith(POS_BASKET_ID_PREFIX)


class BasketIdTaken(Exception):
    """The till transaction's basket id is already another basket's (not a till's).

    Tills' baskets cannot collide with each other (pos_basket_id is one-to-one and the
    PosTransaction is unique per store and id); this is a basket loaded from a file before
    the import reserved the prefix. `message` says so in plain words, the same every time.
    """

    def __init__(self, *, basket_id: str, source: str = ""):
        super().__init__(basket_id)
        self.basket_id = basket_id
        self.source = source

    @property
    def message(self) -> str:
        where = "loaded from a till file" if self.source == BasketSource.IMPORT else "already there"
        return (
            f"Basket id {self.basket_id!r}, which this transaction needs, belongs to a basket "
            f"{where}, so nothing was recorded. Sending it again gives this same answer: "
            "ask the office to rename or remove that basket, or use another transaction id."
        )


def basket_clash_described(record: Callable[P, R]) -> Callable[P, R]:
    """Name where the basket in the way came from, once `record`'s transaction is undone.

    Wrap an atomic writer that calls basket_record: the read runs after its rollback.
    """

    @functools.wraps(record)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return record(*args, **kwargs)
        except BasketIdTaken as exc:
            holder = Basket.objects.filter(basket_id=exc.basket_id)
            exc.source = holder.values_list("source", flat=True).first() or ""
            raise

    return wrapper


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One line of a till basket: `amount` is what was paid, after `discount`."""

    product: Product
    quantity: Decimal
    amount: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class BasketTotals:
    total_amount: Decimal
    total_discount: Decimal
    line_count: int


def basket_totals(lines: Sequence[LineRecord]) -> BasketTotals:
    """Return a basket's totals: the sums of its lines' amounts and discounts, their count."""
    return BasketTotals(
        total_amount=sum((line.amount for line in lines), ZERO),
        total_discount=sum((line.discount for line in lines), ZERO),
        line_count=len(lines),
    )


# A till basket and its lines in one statement (two round trips before, each with the
# ORM's query building): the basket's id goes from its INSERT … RETURNING to the lines'.
# Lines repeat the basket's member, owner and time (BasketLine's rule, above).
BASKET_INSERT_SQL = f"""
WITH basket AS (
    INSERT INTO baskets_basket (
        basket_id, member_id, store_id, purchased_at, total_amount, total_discount,
        line_count, source, loaded_at, owner_id
    )
    VALUES (%(basket_id)s, %(member)s, %(store)s, %(at)s, %(total)s, %(discount)s,
            %(count)s, '{BasketSource.POS.value}', now(), %(owner)s)
    RETURNING id, loaded_at
), lines AS (
    INSERT INTO baskets_basketline (
        basket_id, product_id, member_id, purchased_at, quantity, amount, discount, owner_id
    )
    SELECT basket.id, l.product, %(member)s, %(at)s, l.quantity, l.amount, l.discount,
           %(owner)s
    FROM basket,
         unnest(%(products)s::bigint[], %(quantities)s::numeric[], %(amounts)s::numeric[],
                %(discounts)s::numeric[]) AS l (product, quantity, amount, discount)
)
SELECT id, loaded_at FROM basket
"""


def _basket_insert(basket: Basket, lines: Sequence[LineRecord]) -> None:
    """Insert the basket and its lines; raise BasketIdTaken when another basket holds its id.

    On a cluster the unique key of basket ids includes the owner (a cluster holds a unique
    key only with the distribution column in it, docs/scale.md), so a holder with another
    owner is looked for first, on every shard. No race: a till's ids are only the till's
    (the import refuses the prefix) and its transaction's unique key serializes them.
    """
    if is_citus(connection) and Basket.objects.filter(basket_id=basket.basket_id).exists():
        raise BasketIdTaken(basket_id=basket.basket_id)
    params = {
        "basket_id": basket.basket_id, "member": basket.member_id, "store": basket.store_id,
        "at": basket.purchased_at, "total": basket.total_amount,
        "discount": basket.total_discount, "count": basket.line_count,
        "owner": basket.owner_id,
        "products": [line.product.pk for line in lines],
        "quantities": [line.quantity for line in lines],
        "amounts": [line.amount for line in lines],
        "discounts": [line.discount for line in lines],
    }  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute(BASKET_INSERT_SQL, params)
            basket.pk, basket.loaded_at = cursor.fetchone()
    except IntegrityError as exc:
        if not violates(exc, BASKET_ID_UNIQUE):
            raise
        raise BasketIdTaken(basket_id=basket.basket_id) from None
    basket._state.adding, basket._state.db = False, connection.alias


def basket_record(
    *,
    store: Store,
    transaction_id: str,
    member: Member | None,
    purchased_at: dt.datetime,
    lines: Sequence[LineRecord],
) -> Basket:
    """Insert a till transaction's basket and its lines; raise BasketIdTaken if its id is.

    One statement. No savepoint (two more on every checkout): the unique violation rolls
    the caller's whole transaction back, so a retry meets the same clash and gets the same
    answer instead of a replay of something half-recorded. Call it inside the caller's
    transaction, wrapped in basket_clash_described. `member` needs only its `pk`.
    """
    totals = basket_totals(lines)
    member_id = member.pk if member else None
    basket = Basket(
        owner_id=basket_owner(member_id=member_id, store_id=store.pk, purchased_at=purchased_at),
        basket_id=pos_basket_id(store_code=store.code, transaction_id=transaction_id),
        member_id=member_id,
        store=store,
        purchased_at=purchased_at,
        total_amount=totals.total_amount,
        total_discount=totals.total_discount,
        line_count=totals.line_count,
        source=BasketSource.POS,
    )
    _basket_insert(basket, lines)
    return basket


# The import's side of the same rules (apps/baskets/importing/direct_load.py).
#
# Its lines go first, by COPY, each with its basket's id (reserved from the baskets'
# sequence), member, owner and purchased_at, as the import computed them for the basket's
# rows. Its baskets follow from pos_stage_baskets (a basket per row: its reserved `id`,
# member, store and owner ids, the sums and count of its lines, `problem` '' when good,
# `already` when loaded before, `id` NULL for a basket the file does not add to).
# ON CONFLICT DO NOTHING lets a concurrent import of the same basket win cleanly (the
# import then deletes the lines it wrote for it: `lines_delete`). It names no columns: the
# basket id's unique key is `(basket_id)` on PostgreSQL and `(owner_id, basket_id)` on a
# Citus cluster (apps/core/citus_group.py), under one name. The owner the import computed is
# held to the rule by the check constraint `basket_owner_rule` (baskets migration 0006).
IMPORT_LINES_COPY_SQL = (
    "COPY baskets_basketline (basket_id, product_id, member_id, owner_id, purchased_at, "
    "quantity, amount, discount) FROM STDIN (FORMAT binary)"
)
IMPORT_BASKETS_INSERT_SQL = f"""
INSERT INTO baskets_basket (
    id, basket_id, member_id, owner_id, store_id, purchased_at,
    total_amount, total_discount, line_count, source, loaded_at
)
SELECT id, basket_id, member_id, owner_id, store_id, purchased_at,
       total_amount, total_discount, line_count, '{BasketSource.IMPORT.value}', now()
FROM pos_stage_baskets
WHERE problem = '' AND NOT already AND id IS NOT NULL
ON CONFLICT DO NOTHING
"""
_LINES_DELETE_SQL = "DELETE FROM baskets_basketline WHERE basket_id = ANY(%s)"


def baskets_insert_grouped(*, cursor) -> int:
    """Insert the import's new good baskets (their lines are in already); return how many."""
    cursor.execute(IMPORT_BASKETS_INSERT_SQL)
    return cursor.rowcount


def lines_delete(*, cursor, basket_ids: list[int]) -> int:
    """Delete the lines the import wrote for baskets it did not insert; return how many."""
    cursor.execute(_LINES_DELETE_SQL, [basket_ids])
    return cursor.rowcount
