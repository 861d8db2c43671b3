"""Exactly once: a till transaction's row is inserted first, and its unique index decides."""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from psycopg.types.json import Jsonb

from apps.checkout.models import PosTransaction, TillToken


class CheckoutConflict(Exception):
    """The transaction id was already used for a different body."""


# One statement, no savepoint: a concurrent duplicate waits on the unique index
# (pos_transaction_once_per_store) until the first commits, then inserts nothing and gets
# no row back; if the first rolls back, it inserts. `response` and `unknown_lines` start
# as the model's defaults; the service writes them with the basket at the end.
CLAIM_SQL = """
INSERT INTO checkout_postransaction
    (store_id, transaction_id, kind, body_hash, request, response, unknown_lines, till_id,
     created_at)
VALUES (%s, %s, %s, %s, %s, '{}', '[]', %s, now())
ON CONFLICT (store_id, transaction_id) DO NOTHING
RETURNING id, created_at
"""
DONE_SQL = """
SELECT body_hash, response FROM checkout_postransaction WHERE store_id = %s AND transaction_id = %s
"""


def body_hash(raw: dict) -> str:
    """Hash the body's JSON canonically: key order and whitespace do not change it."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def transaction_claim(
    *, till: TillToken, transaction_id: str, raw: dict, kind: str = PosTransaction.Kind.SALE
) -> tuple[PosTransaction | None, dict | None]:
    """Insert the transaction's row first: (row, None) for the first, (None, answer) after.

    A concurrent duplicate waits on the unique index until the first commits, then finds
    the row taken here and replays the stored answer (or a conflict). Raises
    CheckoutConflict when the id was used with another body. The row is built from what
    was inserted (no read back), ready for `save(update_fields=…)`.
    """
    digest = body_hash(raw)
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_SQL, [till.store_id, transaction_id, kind, digest, Jsonb(raw), till.pk]
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(DONE_SQL, [till.store_id, transaction_id])
            done_hash, response = cursor.fetchone()
            if done_hash != digest:
                raise CheckoutConflict
            # Django reads jsonb as text (JSONField decodes it): so does this.
            return None, json.loads(response) if isinstance(response, str) else response
    pos = PosTransaction(
        id=row[0], store=till.store, transaction_id=transaction_id, kind=kind,
        body_hash=digest, request=raw, response={}, unknown_lines=[], till=till,
        created_at=row[1],
    )  # fmt: skip
    pos._state.adding, pos._state.db = False, connection.alias
    return pos, None
