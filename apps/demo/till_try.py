"""The demo till a person can try: its secret, kept across restarts, and a basket to send.

`make run` prints a `curl` for the POS API with the first store's demo till and a basket
that redeems an offer on a current list now, so the checkout can be tried by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.campaigns.models import CampaignStatus
from apps.campaigns.validation import offer_products
from apps.catalog.models import Product
from apps.checkout.models import Redemption, TillToken, hash_token
from apps.lists.models import ItemKind, ListItem
from apps.members.models import MemberStatus

TILL_NAME = "Lane 1"


@dataclass(frozen=True)
class TryTill:
    """A till token's fresh secret and a basket to send with it."""

    store: str
    secret: str
    body: dict

    def curl(self, base_url: str) -> str:
        payload = json.dumps(self.body, separators=(",", ":"))
        return (
            f"curl -s -X POST {base_url.rstrip('/')}/api/pos/checkout "
            f"-H 'Authorization: Bearer {self.secret}' "
            f"-H 'Content-Type: application/json' -d '{payload}'"
        )


def demo_till_try(
    *, secret_file: Path | None = None, now: dt.datetime | None = None
) -> TryTill | None:
    """Return the first store's demo till, its secret and a basket that redeems an offer now.

    Only a secret's hash is stored, so the secret itself is kept in `secret_file` (default
    var/demo-till-secret, beside the demo's data) and reused while it still matches the
    till: the `curl` printed by one start of the demo keeps working after a restart. A
    missing or stale file gets a new secret.
    """
    till = (
        TillToken.objects.filter(name=TILL_NAME, revoked_at__isnull=True)
        .select_related("store")
        .order_by("store__code")
        .first()
    )
    if till is None:
        return None
    secret_file = secret_file or settings.VAR_DIR / "demo-till-secret"
    secret = _kept_secret(till=till, secret_file=secret_file)
    now = now or timezone.now()
    scanned, lines = _try_basket(today=timezone.localdate(now))
    body = {
        "transaction_id": f"TRY-{timezone.localtime(now):%Y%m%d-%H%M%S}",
        "store": till.store.code,
        "scanned": scanned,
        "purchased_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "lines": lines,
    }
    return TryTill(store=till.store.code, secret=secret, body=body)


def _kept_secret(*, till: TillToken, secret_file: Path) -> str:
    """Return the secret kept in the file if it is still the till's, else give it a new one."""
    try:
        kept = secret_file.read_text().strip()
    except OSError:
        kept = ""
    if kept and hash_token(kept) == till.token_hash:
        return kept
    secret = till.set_new_secret()
    till.save(update_fields=["token_hash"])
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.touch()
    secret_file.chmod(0o600)  # before the secret is in it
    secret_file.write_text(secret + "\n")
    return secret


def _try_basket(*, today: dt.date) -> tuple[str, list[dict]]:
    """A current list's unredeemed offer with a product it applies to (and a due product)."""
    running = Q(placed_list__period_start__lte=today, placed_list__period_end__gt=today)
    item = (
        ListItem.objects.filter(
            running,
            kind=ItemKind.OFFER,
            valid_until__gte=today,
            offer__campaign__status=CampaignStatus.ACTIVE,
            offer__campaign__valid_from__lte=today,
            offer__campaign__valid_until__gte=today,
            member__status=MemberStatus.ACTIVE,
        )
        .exclude(pk__in=Redemption.objects.filter(reversed_at__isnull=True).values("list_item"))
        .select_related("placed_list", "offer__campaign")
        .order_by("member_id", "offer_id")
        .first()
    )
    lines = []
    if item is not None:
        product = offer_products(item.offer).filter(price__gt=0).order_by("upc").first()
        if product is not None:
            lines.append(_line(product, item.min_quantity))
        due = (
            ListItem.objects.filter(
                member_id=item.member_id, shopping_list_id=item.shopping_list_id, kind=ItemKind.DUE
            )
            .exclude(product=product)
            .select_related("product")
            .order_by("product_id")
            .first()
        )
        if due is not None and due.product.price:
            lines.append(_line(due.product, 1))
        if lines:
            return item.placed_list.barcode, lines
    product = Product.objects.filter(price__gt=0).order_by("upc").first()
    return "", [_line(product, 1)] if product is not None else []


def _line(product: Product, units: int) -> dict:
    return {"upc": product.upc, "quantity": units, "unit_price": f"{product.price:.2f}"}
