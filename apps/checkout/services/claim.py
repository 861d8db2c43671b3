"""Exactly once: a till transaction's row is inserted first, and its unique index decides."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction

from apps.checkout.models import PosTransaction, TillToken


class CheckoutConflict(Exception):
    """The transaction id was already used for a different body."""


def body_hash(raw: dict) -> str:
    """Hash the body's JSON canonically: key order and whitespace do not change it."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def transaction_claim(
    *, till: TillToken, transaction_id: str, raw: dict, kind: str = PosTransaction.Kind.SALE
) -> tuple[PosTransaction | None, dict | None]:
    """Insert the transaction's row first: (row, None) for the first, (None, answer) after.

    A concurrent duplicate waits on the unique index until the first commits, then gets
    the unique violation here and replays the stored answer (or a conflict). Raises
    CheckoutConflict when the id was used with another body.
    """
    digest = body_hash(raw)
    try:
        with transaction.atomic():
            pos = PosTransaction.objects.create(
                store=till.store,
                transaction_id=transaction_id,
                kind=kind,
                body_hash=digest,
                request=raw,
                till=till,
            )
    except IntegrityError:
        done = PosTransaction.objects.get(store=till.store, transaction_id=transaction_id)
        if done.body_hash != digest:
            raise CheckoutConflict from None
        return None, done.response
    return pos, None
