"""Fixtures of the fuzz tests: a till with its token, a small catalog, a member with a list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.agreements.models import AgreementStatus
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.checkout.services import till_token_create
from apps.lists.models import ListItem, ShoppingList
from tests.factories import (
    AgreementFactory,
    CategoryFactory,
    ManufacturerFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

HEINZ, OWN, MILK = "000000000011", "000000000022", "000000000033"
CARD, BARCODE = "400000000017", "992603020000000017"


@pytest.fixture
def pos(db) -> dict:
    """Store S01 with a till token; Heinz and own-brand ketchup, milk; Ada's list of offers.

    Heinz: $0.75 off two (a campaign funded half by Acme's agreement); own brand: 20 % off.
    Offers are valid 2026-03-01 to 2026-03-15.
    """
    acme = ManufacturerFactory(code="ACME", name="Acme Foods")
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(upc=HEINZ, category=ketchup, brand="Heinz", manufacturer=acme)
    ProductFactory(upc=OWN, category=ketchup, brand="Our Own", brand_type="store")
    ProductFactory(upc=MILK, category=CategoryFactory(name="Milk", department="Dairy"))
    agreement = AgreementFactory(
        manufacturer=acme,
        manufacturer_share_pct=Decimal("50"),
        budget_cap=Decimal("100.00"),
        status=AgreementStatus.ACTIVE,
    )
    agreement.categories.add(ketchup)
    dates = {"valid_from": dt.date(2026, 3, 1), "valid_until": dt.date(2026, 4, 30)}
    common = {"goal": "trial", "category": ketchup, "target_cells": ["national-3"]}
    trial = Campaign.objects.create(
        name="Heinz trial", budget=Decimal("1000"), agreement=agreement,
        status=CampaignStatus.ACTIVE, redemptions_per_member=2, **common, **dates,
    )  # fmt: skip
    switch = Campaign.objects.create(
        name="Own brand", budget=Decimal("5"), status=CampaignStatus.ACTIVE, **common, **dates
    )
    heinz_offer = Offer.objects.create(
        campaign=trial, usage_tier=3, applies_to="brand", brand="Heinz",
        discount_kind="amount", discount_value=Decimal("0.75"), min_quantity=2,
    )  # fmt: skip
    own_offer = Offer.objects.create(
        campaign=switch, usage_tier=3, applies_to="brand_type", brand_type="store",
        discount_kind="percent", discount_value=Decimal("20"),
    )  # fmt: skip
    member = MemberFactory(card_number=CARD, first_name="Ada")
    shopping_list = ShoppingList.objects.create(
        member=member,
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 16),
        barcode=BARCODE,
    )
    ListItem.objects.create(
        shopping_list=shopping_list, kind="offer", campaign=trial, offer=heinz_offer,
        description="Ketchup: Heinz", discount=Decimal("0.75"), min_quantity=2,
        valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=shopping_list, kind="offer", campaign=switch, offer=own_offer,
        description="Ketchup: our own brand", discount_pct=Decimal("20"),
        valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    _, secret = till_token_create(store=StoreFactory(code="S01"), name="Lane 1")
    StoreFactory(code="S02")
    return {"secret": secret, "member": member}
