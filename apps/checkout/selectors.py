"""Reads of the checkout app."""

from __future__ import annotations

from apps.checkout.models import Redemption, TillToken, hash_token


def till_token_for_header(*, authorization: str) -> TillToken | None:
    """Return the live till token named by an `Authorization: Bearer …` header, else None."""
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return (
        TillToken.objects.select_related("store")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )


def live_redemptions_by_item(*, list_item_ids: list[int]) -> dict[int, list[Redemption]]:
    """Return the live (not reversed) redemptions of each given list item, oldest first.

    For the cashier screen: which offers of a list were used, when and at which store. An
    item has one redemption per slot (a campaign may allow several per member). One query
    on the partial unique index of live redemptions (list_item, slot).
    """
    found: dict[int, list[Redemption]] = {}
    if not list_item_ids:
        return found
    rows = (
        Redemption.objects.filter(list_item_id__in=list_item_ids, reversed_at__isnull=True)
        .select_related("basket__store")
        .order_by("list_item_id", "slot")
    )
    for redemption in rows:
        found.setdefault(redemption.list_item_id, []).append(redemption)
    return found
