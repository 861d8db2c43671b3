"""Reads of the checkout app."""

from __future__ import annotations

from apps.checkout.models import TillToken, hash_token


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
