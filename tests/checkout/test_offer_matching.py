"""One rule for "does this offer match this product", whichever path asks it.

The campaign preview and the reports ask it in SQL (OFFER_MATCHES_PRODUCT, brands compared
by PostgreSQL's upper()); the checkout used to ask it in Python (casefold()), which judged
'Straße' = 'STRASSE' where SQL does not. Both paths are asked about the same products here,
with brands whose case mapping is tricky, and must give the same, hand-written verdicts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.campaigns.selectors import OFFER_MATCHES_PRODUCT
from apps.checkout.services import till_token_create
from apps.lists.models import ListItem, ShoppingList
from tests.checkout.conftest import post
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, StoreFactory

# (upc, brand, category): brands that casefold() and upper() judge differently ('ß' folds
# to 'ss'), a Turkish dotted capital I, stray spaces, mixed case; and one product of a
# matching brand in another category whose name differs only in case.
PRODUCTS = [
    ("000000000101", "Straße", "Bière & Café"),
    ("000000000102", "STRASSE", "Bière & Café"),
    ("000000000103", "straße", "Bière & Café"),
    ("000000000104", "İzmir", "Bière & Café"),
    ("000000000105", "izmir", "Bière & Café"),
    ("000000000106", "IZMIR", "Bière & Café"),
    ("000000000107", "Heinz ", "Bière & Café"),
    ("000000000108", " Heinz", "Bière & Café"),
    ("000000000109", "hEiNz", "Bière & Café"),
    ("000000000110", "Heinz", "BIÈRE & CAFÉ"),
]
OFFER_BRANDS = ["STRAßE", "Izmir", "Heinz"]
# Which offer each product matches, worked out by hand: upper() maps one character to one,
# so 'ß' stays 'ß' ('STRASSE' is another brand), 'İ' stays 'İ' (not 'I'), a space is a
# character, and the campaign's category is the one named "Bière & Café" only.
EXPECTED = {
    "000000000101": "STRAßE",
    "000000000102": None,
    "000000000103": "STRAßE",
    "000000000104": None,
    "000000000105": "Izmir",
    "000000000106": "Izmir",
    "000000000107": None,
    "000000000108": None,
    "000000000109": "Heinz",
    "000000000110": None,
}


@pytest.fixture
def brands(db) -> dict:
    categories = {name: CategoryFactory(name=name) for _, _, name in PRODUCTS}
    for upc, brand, category in PRODUCTS:
        ProductFactory(upc=upc, brand=brand, category=categories[category])
    campaign = Campaign.objects.create(
        name="Brands", goal="trial", category=categories["Bière & Café"],
        target_cells=["national-3"], budget=Decimal("1000"), status=CampaignStatus.ACTIVE,
        redemptions_per_member=50, valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2026, 4, 30),
    )  # fmt: skip
    offers = {
        brand: Offer.objects.create(
            campaign=campaign,
            usage_tier=tier,  # one offer per usage tier
            applies_to="brand",
            brand=brand,
            discount_kind="amount",
            discount_value=Decimal("0.10"),
        )
        for tier, brand in enumerate(OFFER_BRANDS, start=1)
    }
    shopping_list = ShoppingList.objects.create(
        member=MemberFactory(card_number="400000000017"),
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 16),
        barcode="992603020000000017",
    )
    for offer in offers.values():
        ListItem.objects.create(
            shopping_list=shopping_list, kind="offer", campaign=campaign, offer=offer,
            description=offer.brand, discount=Decimal("0.10"),
        )  # fmt: skip
    _, secret = till_token_create(store=StoreFactory(code="S01"), name="Lane 1")
    return {"secret": secret, "offers": offers}


def sql_verdicts() -> dict[str, str | None]:
    """Ask the SQL rule, as the campaign preview and the reports embed it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.upc, o.brand
            FROM catalog_product p
            LEFT JOIN (campaigns_offer o JOIN campaigns_campaign c ON c.id = o.campaign_id)
                ON p.category_id = c.category_id AND {OFFER_MATCHES_PRODUCT}
            """
        )
        return dict(cursor.fetchall())


def checkout_verdicts(brands: dict) -> dict[str, str | None]:
    """Ask the checkout: one basket per product, one unit, the list with every offer."""
    by_id = {offer.pk: brand for brand, offer in brands["offers"].items()}
    verdicts = {}
    for number, (upc, _, _) in enumerate(PRODUCTS):
        answer = post(
            brands["secret"],
            {
                "transaction_id": f"M-{number}",
                "store": "S01",
                "scanned": "992603020000000017",
                "purchased_at": "2026-03-05T10:00:00-06:00",
                "lines": [{"upc": upc, "quantity": 1, "unit_price": "2.00"}],
            },
        )
        assert answer.status_code == 200, answer.content
        verdicts[upc] = by_id.get(answer.json()["lines"][0]["offer"])
    return verdicts


def test_sql_and_checkout_judge_tricky_brands_alike(brands):
    assert sql_verdicts() == EXPECTED
    assert checkout_verdicts(brands) == EXPECTED


def test_a_non_ascii_capital_is_judged_alike_whatever_the_databases_ctype(brands):
    # Whether upper('ü') is 'Ü' depends on the database's ctype (a UTF-8 one: yes; "C": no),
    # so no verdict is written here: only that both paths give the same one.
    ProductFactory(
        upc="000000000111", brand="müller", category=brands["offers"]["Heinz"].campaign.category
    )
    Offer.objects.filter(brand="Heinz").update(brand="MÜLLER")
    sql = sql_verdicts()["000000000111"]
    answer = post(
        brands["secret"],
        {
            "transaction_id": "U-1",
            "store": "S01",
            "scanned": "992603020000000017",
            "purchased_at": "2026-03-05T10:00:00-06:00",
            "lines": [{"upc": "000000000111", "quantity": 1, "unit_price": "2.00"}],
        },
    ).json()
    applied = answer["lines"][0]["offer"]
    assert (applied is not None) == (sql == "MÜLLER")
