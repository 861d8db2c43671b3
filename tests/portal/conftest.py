"""A small till history whose report figures are worked out by hand in the tests.

Agreement: ACME funds its brand "Acme" (not its brand "Zesty") in Ketchup and Mustard.
The month is March 2026; the month before is February 2026.

Ketchup, March     Acme $2.00: m1–m6 · Zesty (ACME, not covered) $5.00: m14
                   Bolt $3.00: m1–m3 · store brand $1.50: m7–m13, and m30 $9.99 on Mar 31
                   at 23:30 (its Apr 1 00:10 line is outside the period)
Ketchup, Feb       Acme $2.00: m1–m4, m15, m16 · Bolt $3.00: m15 · store $1.50: m5, m6
                   (m30's line of Jan 28 23:50 is before the month before)
Mustard, March     Acme $1.00: m1–m5 · Bolt $2.00: m20–m29
Ketchup snapshot   to Mar 1: m1–m3 national/high, m4 swinger/medium, m5 store/low
                   (m6 not in it); a later snapshot (to Jun 1) and an older one exist too.

Every member has a distinctive name, card, phone, e-mail, postal code, and every basket a
distinctive id, so that the anonymity tests can look for them in the output.

`funded` adds redemptions through the POS API (see tests/portal/test_redemptions.py).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.agreements.models import AgreementStatus
from apps.baskets.models import Basket, BasketLine, BasketSource
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.catalog.models import BrandType
from apps.checkout.models import Redemption
from apps.checkout.services import till_token_create
from apps.lists.models import ListItem, ShoppingList
from apps.portal.periods import Period
from apps.segments.models import SegmentMember, SegmentSnapshot
from tests.factories import (
    AgreementFactory,
    CategoryFactory,
    ManufacturerFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

MARCH = Period.month(2026, 3)
AFTER = dt.date(2026, 6, 1)  # a day by which March has ended: releases may be made


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def person(n: int):
    """A member with personal fields nobody could mistake for a figure."""
    return MemberFactory(
        card_number=f"7391{n:08d}",
        first_name=f"Quenby{n}",
        last_name=f"Oxtrell{n}",
        email=f"quenby.oxtrell{n}@mailhost.example",
        phone=f"(312) 867-{n:04d}",
        postal_code=f"ZQ{n:03d}X",
    )


class Till:
    """Writes baskets of one line each, with distinctive basket ids."""

    def __init__(self):
        self.store = StoreFactory(code="S01")
        self.n = 0

    def buy(self, member, product, when: dt.datetime, amount: str) -> None:
        self.n += 1
        basket = Basket.objects.create(
            basket_id=f"BXQ-{self.n:06d}-ZZ",
            member=member,
            store=self.store,
            purchased_at=when,
            total_amount=Decimal(amount),
            line_count=1,
            source=BasketSource.IMPORT,
        )
        BasketLine.objects.create(
            basket=basket,
            product=product,
            member=member,
            purchased_at=when,
            quantity=Decimal("1"),
            amount=Decimal(amount),
        )


@pytest.fixture
def world(manufacturer_a, manufacturer_b) -> dict:
    store_maker = ManufacturerFactory(code="STORE", name="The chain")
    ketchup = CategoryFactory(name="Ketchup")
    mustard = CategoryFactory(name="Mustard")
    relish = CategoryFactory(name="Relish")  # outside the agreement
    national = BrandType.NATIONAL
    p = {
        "k_acme": ProductFactory(category=ketchup, brand="Acme", manufacturer=manufacturer_a),
        "k_zesty": ProductFactory(category=ketchup, brand="Zesty", manufacturer=manufacturer_a),
        "k_bolt": ProductFactory(
            category=ketchup, brand="Bolt", manufacturer=manufacturer_b, brand_type=national
        ),  # fmt: skip
        "k_own": ProductFactory(
            category=ketchup, brand="Own", manufacturer=store_maker, brand_type=BrandType.STORE
        ),  # fmt: skip
        "m_acme": ProductFactory(category=mustard, brand="ACME", manufacturer=manufacturer_a),
        "m_bolt": ProductFactory(category=mustard, brand="Bolt", manufacturer=manufacturer_b),
        "r_acme": ProductFactory(category=relish, brand="Acme", manufacturer=manufacturer_a),
    }
    agreement = AgreementFactory(
        manufacturer=manufacturer_a,
        name="Condiments 2026",
        brands=["acme"],
        status=AgreementStatus.ACTIVE,
        reporting_included=True,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    agreement.categories.set([ketchup, mustard])
    m = {n: person(n) for n in [*range(1, 17), *range(20, 31)]}
    till = Till()
    march, feb = dt.date(2026, 3, 10), dt.date(2026, 2, 10)
    for n in range(1, 7):
        till.buy(m[n], p["k_acme"], at(march), "2.00")
    till.buy(m[14], p["k_zesty"], at(march), "5.00")
    for n in (1, 2, 3):
        till.buy(m[n], p["k_bolt"], at(march), "3.00")
    for n in range(7, 14):
        till.buy(m[n], p["k_own"], at(march), "1.50")
    till.buy(m[30], p["k_own"], at(dt.date(2026, 3, 31), 23, 30), "9.99")
    till.buy(m[30], p["k_own"], at(dt.date(2026, 4, 1), 0, 10), "9.99")
    till.buy(m[30], p["k_own"], at(dt.date(2026, 1, 28), 23, 50), "9.99")
    for n in (1, 2, 3, 4, 15, 16):
        till.buy(m[n], p["k_acme"], at(feb), "2.00")
    till.buy(m[15], p["k_bolt"], at(feb), "3.00")
    for n in (5, 6):
        till.buy(m[n], p["k_own"], at(feb), "1.50")
    for n in range(1, 6):
        till.buy(m[n], p["m_acme"], at(march), "1.00")
    for n in range(20, 30):
        till.buy(m[n], p["m_bolt"], at(march), "2.00")
    till.buy(m[1], p["r_acme"], at(march), "4.00")  # Relish is not in the agreement

    def snapshot(start, end, cells):
        snap = SegmentSnapshot.objects.create(
            category=ketchup, window_start=start, window_end=end, buyers=len(cells)
        )
        SegmentMember.objects.bulk_create(
            SegmentMember(
                snapshot=snap,
                member=m[n],
                category_spend=Decimal("10"),
                national_share=Decimal("0.5"),
                loyalty=loyalty,
                usage_tier=tier,
                occasions=3,
            )  # fmt: skip
            for n, (loyalty, tier) in cells.items()
        )
        return snap

    fitting = snapshot(
        dt.date(2025, 3, 1),
        dt.date(2026, 3, 1),
        {1: ("national", 3), 2: ("national", 3), 3: ("national", 3), 4: ("swinger", 2),
         5: ("store", 1)},
    )  # fmt: skip
    snapshot(dt.date(2025, 1, 1), dt.date(2026, 1, 1), {n: ("swinger", 1) for n in range(1, 7)})
    snapshot(dt.date(2025, 6, 1), dt.date(2026, 6, 1), {n: ("store", 3) for n in range(1, 7)})
    return {
        "agreement": agreement,
        "ketchup": ketchup,
        "mustard": mustard,
        "relish": relish,
        "members": m,
        "products": p,
        "snapshot": fitting,
    }


UPC = "000000004242"


@pytest.fixture
def funded(manufacturer_a) -> dict:
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(upc=UPC, category=ketchup, brand="Acme", manufacturer=manufacturer_a)
    agreement = AgreementFactory(
        manufacturer=manufacturer_a,
        manufacturer_share_pct=Decimal("50"),
        status=AgreementStatus.ACTIVE,
        reporting_included=True,
        valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2026, 4, 30),
    )
    agreement.categories.set([ketchup])
    campaign = Campaign.objects.create(
        name="Acme trial", goal="trial", category=ketchup, target_cells=["national-3"],
        valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2026, 4, 30),
        budget=Decimal("1000"), agreement=agreement, status=CampaignStatus.ACTIVE,
    )  # fmt: skip
    offer = Offer.objects.create(
        campaign=campaign, usage_tier=3, applies_to="brand", brand="Acme",
        discount_kind="amount", discount_value=Decimal("0.50"),
    )  # fmt: skip
    _, secret = till_token_create(store=StoreFactory(code="S01"), name="Lane 1")
    client = Client()
    for n, day in enumerate([3, 3, 3, 3, 3, 10, 4], start=1):
        member = person(100 + n)
        barcode = f"9926030200{n:08d}"
        shopping_list = ShoppingList.objects.create(
            member=member, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
            barcode=barcode,
        )  # fmt: skip
        ListItem.objects.create(
            shopping_list=shopping_list, kind="offer", campaign=campaign, offer=offer,
            description="Ketchup: Acme", discount=Decimal("0.50"), min_quantity=1,
            valid_until=dt.date(2026, 3, 15),
        )  # fmt: skip
        body = {
            "transaction_id": f"T-{n}",
            "store": "S01",
            "scanned": barcode,
            "purchased_at": f"2026-03-{day:02d}T10:00:00-06:00",
            "lines": [{"upc": UPC, "quantity": 1, "unit_price": "2.00"}],
        }
        response = client.post(
            "/api/pos/checkout",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code in (200, 201), response.content
    returned = Redemption.objects.get(member__card_number="739100000107")  # r7 returns
    Redemption.objects.filter(pk=returned.pk).update(reversed_at=timezone.now())
    assert Redemption.objects.filter(agreement=agreement).count() == 7
    return {"agreement": agreement, "ketchup": ketchup}
