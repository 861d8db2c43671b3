"""A store with a till, a member with a list of two offers, one funded by an agreement.

Every POS API answer a test client sees here is checked against the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from apps.agreements.models import AgreementStatus
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.checkout.services import till_token_create
from apps.lists.models import ListItem, ShoppingList
from tests.checkout.schema_check import check_django
from tests.factories import (
    AgreementFactory,
    CategoryFactory,
    ManufacturerFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

URL = "/api/pos/checkout"
HEINZ, OWN, MILK = "000000000011", "000000000022", "000000000033"
CARD, BARCODE = "400000000017", "992603020000000017"


@pytest.fixture(autouse=True)
def _schema_checked_client(monkeypatch):
    """Check every answer of every Django test client (any thread) against the schema."""
    original = Client.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        check_django(response.wsgi_request, response)
        return response

    monkeypatch.setattr(Client, "request", request)


def build_chain(*, heinz_per_member: int = 1, own_budget: Decimal = Decimal("1000")) -> dict:
    """Store S01 with a till token; Heinz and own-brand ketchup, milk; Ada's list of offers.

    Heinz: $0.75 off two, `heinz_per_member` times per member (a campaign funded half by
    Acme's agreement); own brand: 20 % off, from a budget of `own_budget`. Offers are valid
    2026-03-01 to 2026-03-15.
    """
    acme = ManufacturerFactory(code="ACME", name="Acme Foods")
    ketchup = CategoryFactory(name="Ketchup")
    dairy = CategoryFactory(name="Milk", department="Dairy")
    ProductFactory(upc=HEINZ, category=ketchup, brand="Heinz", manufacturer=acme)
    ProductFactory(upc=OWN, category=ketchup, brand="Our Own", brand_type="store")
    ProductFactory(upc=MILK, category=dairy, brand="Dairyland")
    agreement = AgreementFactory(
        manufacturer=acme,
        manufacturer_share_pct=Decimal("50"),
        budget_cap=Decimal("100.00"),
        status=AgreementStatus.ACTIVE,
    )
    agreement.categories.add(ketchup)
    dates = {"valid_from": dt.date(2026, 3, 1), "valid_until": dt.date(2026, 4, 30)}
    trial = Campaign.objects.create(
        name="Heinz trial", goal="trial", category=ketchup, target_cells=["national-3"],
        budget=Decimal("1000"), agreement=agreement, status=CampaignStatus.ACTIVE,
        redemptions_per_member=heinz_per_member, **dates,
    )  # fmt: skip
    switch = Campaign.objects.create(
        name="Own brand", goal="convert", category=ketchup, target_cells=["national-3"],
        budget=own_budget, status=CampaignStatus.ACTIVE, **dates,
    )  # fmt: skip
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
    heinz_item = ListItem.objects.create(
        shopping_list=shopping_list, kind="offer", campaign=trial, offer=heinz_offer,
        description="Ketchup: Heinz", discount=Decimal("0.75"), min_quantity=2,
        valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=shopping_list, kind="offer", campaign=switch, offer=own_offer,
        description="Ketchup: our own brand", discount_pct=Decimal("20"),
        valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    store = StoreFactory(code="S01")
    till, secret = till_token_create(store=store, name="Lane 1")
    return {
        "store": store, "till": till, "secret": secret, "member": member,
        "list": shopping_list, "agreement": agreement, "trial": trial, "switch": switch,
        "heinz_offer": heinz_offer, "own_offer": own_offer, "heinz_item": heinz_item,
    }  # fmt: skip


@pytest.fixture
def chain(db) -> dict:
    return build_chain()


def body(**changes) -> dict:
    """A basket: 2 Heinz at 3.49, 1 own-brand ketchup at 1.99, 1.5 milk at 2.00."""
    data = {
        "transaction_id": "T-1",
        "store": "S01",
        "scanned": "992603020000000017",
        "purchased_at": "2026-03-05T10:00:00-06:00",
        "lines": [
            {"upc": HEINZ, "quantity": 2, "unit_price": "3.49"},
            {"upc": OWN, "quantity": 1, "unit_price": "1.99"},
            {"upc": MILK, "quantity": 1.5, "unit_price": "2.00"},
        ],
    }
    data.update(changes)
    return data


def post(secret: str | None, data, client: Client | None = None):
    client = client or Client()
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    payload = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, data=payload, content_type="application/json", headers=headers)
