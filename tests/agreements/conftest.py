"""A funded deal with hand-made redemptions: every discount and share is written out here.

Redemptions are built row by row (not through the till) so each test states its amounts;
`test_checkout_flow.py` goes through the real POS API instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.agreements.models import AgreementStatus
from apps.baskets.models import Basket, BasketSource
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.checkout.models import PosTransaction, Redemption
from apps.lists.models import ListItem, ShoppingList
from tests.factories import (
    AgreementFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

_numbers = itertools.count(1)
CARD, FIRST, LAST = "400000000017", "Adelaide", "Quimby"


def at(day: str, clock: str = "12:00") -> dt.datetime:
    """Return an aware datetime in the site's time zone (America/Chicago)."""
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{clock}"))


@pytest.fixture
def deal(db, manufacturer_a, manufacturer_b) -> dict:
    """Acme pays 50 % of each discount up to $10.00; two campaigns, two products."""
    condiments = CategoryFactory(name="Condiments")
    heinz = ProductFactory(
        upc="000000000011", name="Ketchup 20 oz", brand="Heinz", category=condiments,
        manufacturer=manufacturer_a,
    )  # fmt: skip
    mustard = ProductFactory(
        upc="000000000044", name="Yellow mustard", brand="Frenchs", category=condiments,
        manufacturer=manufacturer_a,
    )  # fmt: skip
    bolt_product = ProductFactory(
        upc="000000000055", name="Hot sauce", brand="Bolt", category=condiments,
        manufacturer=manufacturer_b,
    )  # fmt: skip
    agreement = AgreementFactory(
        manufacturer=manufacturer_a, name="Acme condiments 2026",
        manufacturer_share_pct=Decimal("50"), budget_cap=Decimal("10.00"),
        status=AgreementStatus.ACTIVE,
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
    )  # fmt: skip
    bolt_agreement = AgreementFactory(
        manufacturer=manufacturer_b, name="Bolt heat", budget_cap=Decimal("500.00"),
        status=AgreementStatus.ACTIVE,
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
    )  # fmt: skip
    dates = {"valid_from": dt.date(2026, 1, 1), "valid_until": dt.date(2026, 12, 31)}

    def campaign(name, agreement_):
        c = Campaign.objects.create(
            name=name, goal="trial", category=condiments, target_cells=["national-3"],
            budget=Decimal("1000"), agreement=agreement_, status=CampaignStatus.ACTIVE, **dates,
        )  # fmt: skip
        offer = Offer.objects.create(
            campaign=c, usage_tier=3, applies_to="brand", brand=name.split()[0],
            discount_kind="amount", discount_value=Decimal("1.00"),
        )  # fmt: skip
        return c, offer

    member = MemberFactory(card_number=CARD, first_name=FIRST, last_name=LAST)
    shopping_list = ShoppingList.objects.create(
        member=member, period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 1, 1),
        barcode="992601010000000017",
    )  # fmt: skip
    return {
        "agreement": agreement,
        "bolt_agreement": bolt_agreement,
        "heinz": heinz,
        "mustard": mustard,
        "bolt_product": bolt_product,
        "heinz_campaign": campaign("Heinz trial", agreement),
        "mustard_campaign": campaign("Frenchs mustard", agreement),
        "bolt_campaign": campaign("Bolt heat", bolt_agreement),
        "store": StoreFactory(code="S01", name="Main Street"),
        "member": member,
        "list": shopping_list,
    }


def redeem(
    deal: dict,
    *,
    when: dt.datetime,
    discount: str,
    share: str,
    product: str = "heinz",
    campaign: str = "heinz_campaign",
    agreement: str | None = "agreement",
    reversed_at: dt.datetime | None = None,
) -> Redemption:
    """Record one redemption as the checkout would have: its own transaction and basket."""
    n = next(_numbers)
    store, member = deal["store"], deal["member"]
    campaign_, offer = deal[campaign]
    pos = PosTransaction.objects.create(
        store=store, transaction_id=f"T-{n}", body_hash=f"{n:064d}", request={}
    )
    basket = Basket.objects.create(
        basket_id=f"POS:S01:T-{n}", member=member, store=store, purchased_at=when,
        total_discount=Decimal(discount), source=BasketSource.POS,
    )  # fmt: skip
    item = ListItem.objects.create(
        shopping_list=deal["list"], kind="offer", campaign=campaign_, offer=offer,
        description=f"Offer {n}", discount=Decimal(discount),
    )  # fmt: skip
    return Redemption.objects.create(
        pos_transaction=pos, basket=basket, list_item=item, offer=offer, campaign=campaign_,
        agreement=deal[agreement] if agreement else None, member=member,
        purchased_at=when, store=store, product=deal[product], quantity=Decimal("1"),
        discount=Decimal(discount),
        manufacturer_share=Decimal(share), reversed_at=reversed_at,
    )  # fmt: skip


def reverse_at(redemption: Redemption, when: dt.datetime) -> None:
    Redemption.objects.filter(pk=redemption.pk).update(reversed_at=when)


@pytest.fixture
def february_march(deal) -> dict:
    """Acme's redemptions around March 2026 (cap $10.00, 50 %), as the till charged them.

    Live shares in time order: 1.00, 2.00, 1.50, 3.00, (R5 1.00 reversed on Mar 16),
    2.50 → exactly the $10.00 cap; R7, R8 and R9 came after it was used up: share 0.
    """
    r = {
        "R1": redeem(deal, when=at("2026-02-20"), discount="2.00", share="1.00"),
        "R2": redeem(deal, when=at("2026-03-01", "00:10"), discount="4.00", share="2.00"),
        "R3": redeem(deal, when=at("2026-03-10"), discount="3.00", share="1.50"),
        "R4": redeem(deal, when=at("2026-03-12"), discount="6.00", share="3.00",
                     product="mustard", campaign="mustard_campaign"),
        "R5": redeem(deal, when=at("2026-03-15"), discount="2.00", share="1.00",
                     reversed_at=at("2026-03-16")),
        "R6": redeem(deal, when=at("2026-03-20"), discount="5.00", share="2.50",
                     product="mustard", campaign="mustard_campaign"),
        "R7": redeem(deal, when=at("2026-03-25"), discount="1.50", share="0.00"),
        # 23:30 in Chicago is already April 1 in UTC: still March here.
        "R8": redeem(deal, when=at("2026-03-31", "23:30"), discount="2.50", share="0.00",
                     product="mustard", campaign="mustard_campaign"),
        "R9": redeem(deal, when=at("2026-04-01", "00:30"), discount="3.00", share="0.00"),
        # Not Acme's agreement, or no agreement at all: never on Acme's statement.
        "B1": redeem(deal, when=at("2026-03-11"), discount="9.00", share="4.50",
                     product="bolt_product", campaign="bolt_campaign", agreement="bolt_agreement"),
        "N1": redeem(deal, when=at("2026-03-11"), discount="7.00", share="0.00", agreement=None),
    }  # fmt: skip
    return {**deal, "r": r}
