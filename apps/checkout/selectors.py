"""Reads of the checkout app."""

from __future__ import annotations

from django.db import connection

from apps.baskets.models import Basket, Store
from apps.checkout.models import Redemption, TillToken, hash_token
from apps.core import rows

# Every till request's first statement: raw SQL, the instances built by hand (the ORM's
# query building and row handling cost more than the rest of the lookup).
TILL_TOKEN_SQL = """
SELECT t.id, t.name, t.created_at, s.id, s.code, s.name, s.city
FROM checkout_tilltoken t JOIN baskets_store s ON s.id = t.store_id
WHERE t.token_hash = %s AND t.revoked_at IS NULL
"""


def till_token_for_header(*, authorization: str) -> TillToken | None:
    """Return the live till token named by an `Authorization: Bearer …` header, else None."""
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    digest = hash_token(secret)
    with connection.cursor() as cursor:
        cursor.execute(TILL_TOKEN_SQL, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    store = Store(id=row[3], code=row[4], name=row[5], city=row[6])
    till = TillToken(id=row[0], store=store, name=row[1], token_hash=digest, created_at=row[2])
    for instance in (store, till):
        instance._state.adding, instance._state.db = False, connection.alias
    return till


def live_redemptions_by_item(*, list_item_ids: list[int]) -> dict[int, list[Redemption]]:
    """Return the live (not reversed) redemptions of each given list item, oldest first.

    For the cashier screen: which offers of a list were used, when and at which store. An
    item has one redemption per slot (a campaign may allow several per member). One query
    on the partial unique index of live redemptions (list_item, slot).
    """
    found: dict[int, list[Redemption]] = {}
    if not list_item_ids:
        return found
    # The ORM's SQL, written out (apps/core/rows.py): read on every scan of the screen.
    sql = f"""
SELECT {rows.columns(Redemption)}, {rows.columns(Basket)}, {rows.columns(Store)}
FROM checkout_redemption
JOIN baskets_basket ON checkout_redemption.basket_id = baskets_basket.id
JOIN baskets_store ON baskets_basket.store_id = baskets_store.id
WHERE checkout_redemption.list_item_id = ANY(%s) AND checkout_redemption.reversed_at IS NULL
ORDER BY checkout_redemption.list_item_id, checkout_redemption.slot
"""
    basket_at = rows.width(Redemption)
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(list_item_ids)])
        for row in cursor.fetchall():
            redemption = rows.instance(Redemption, row)
            redemption.basket = rows.instance(Basket, row, basket_at)
            redemption.basket.store = rows.instance(Store, row, basket_at + rows.width(Basket))
            found.setdefault(redemption.list_item_id, []).append(redemption)
    return found
