"""Till tokens: a till's credential, stored as a hash, its secret shown once."""

from __future__ import annotations

from django.db import transaction

from apps.baskets.models import Store
from apps.checkout.models import TillToken


@transaction.atomic
def till_token_create(*, store: Store, name: str) -> tuple[TillToken, str]:
    """Create a till token; return it and its secret (not stored, shown once)."""
    token = TillToken(store=store, name=name)
    secret = token.set_new_secret()
    token.save()
    return token, secret
