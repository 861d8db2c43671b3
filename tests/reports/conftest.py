"""A small chain whose every report figure is worked out by hand in the tests.

Two stores; six members A–F; one category (Ketchup) with a national and a store-brand
product; two monthly snapshots (January and February 2026); a member-value fit; shopping
lists; one campaign that ran 2026-03-02 … 2026-03-15 with a holdout, and its redemptions.

Home stores (all-history basket totals):
  A  S1 5.48 + 0.00 vs S2 2.00          → S1
  B  S2 6.98 + 9.99                      → S2
  C  S1 5.00 + 2.99 = 7.99 vs S2 7.99    → S1 (tie: the lower store id)
  D  S1 3.49 + 1.00                      → S1
  E  S2 2.99 + 5.00                      → S2
  F  no basket                           → none
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.baskets.models import Basket, BasketLine
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus, Offer
from apps.checkout.models import PosTransaction, Redemption
from apps.lists.models import ListItem, ShoppingList
from apps.segments.models import MemberScore, RepeatModelFit, SegmentMember, SegmentSnapshot
from tests.factories import (
    CategoryFactory,
    ManufacturerFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

CHICAGO = ZoneInfo("America/Chicago")


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHICAGO)


class World:
    """Handles on the objects the tests name."""

    def __init__(self):
        self.baskets: dict[str, Basket] = {}

    def basket(self, key, member, store, when, *lines):
        """A basket whose total is the sum of its lines (product, amount paid, discount)."""
        basket = Basket.objects.create(
            basket_id=key,
            member=member,
            store=store,
            purchased_at=when,
            total_amount=sum((Decimal(a) for _, a, _ in lines), Decimal(0)),
            total_discount=sum((Decimal(d) for _, _, d in lines), Decimal(0)),
            line_count=len(lines),
            source="import",
        )
        for product, amount, discount in lines:
            BasketLine.objects.create(
                basket=basket, product=product, member=member, purchased_at=when,
                quantity=Decimal(1), amount=Decimal(amount), discount=Decimal(discount),
            )  # fmt: skip
        self.baskets[key] = basket
        return basket


def _snapshot(category, window_end, rows, **thresholds):
    snapshot = SegmentSnapshot.objects.create(
        category=category,
        window_start=window_end - dt.timedelta(days=364),
        window_end=window_end,
        **thresholds,
    )
    for member, loyalty, tier, spend, share in rows:
        SegmentMember.objects.create(
            snapshot=snapshot, member=member, loyalty=loyalty, usage_tier=tier,
            category_spend=Decimal(spend), national_share=Decimal(share), occasions=3,
        )  # fmt: skip
    return snapshot


@pytest.fixture
def world(db) -> World:
    w = World()
    w.s1 = StoreFactory(code="S1", name="Store One")
    w.s2 = StoreFactory(code="S2", name="Store Two")
    acme = ManufacturerFactory(code="ACME", name="Acme Foods")
    chain_brand = ManufacturerFactory(code="OWN", name="The Chain")
    w.ketchup = CategoryFactory(name="Ketchup")
    milk_category = CategoryFactory(name="Milk", department="Dairy")
    heinz = ProductFactory(upc="000000000011", category=w.ketchup, brand="Heinz",
                           brand_type="national", manufacturer=acme)  # fmt: skip
    own = ProductFactory(upc="000000000022", category=w.ketchup, brand="Our Own",
                         brand_type="store", manufacturer=chain_brand)  # fmt: skip
    milk = ProductFactory(upc="000000000033", category=milk_category, brand="Dairyland")
    w.heinz, w.own, w.milk = heinz, own, milk

    a, b, c, d = (MemberFactory() for _ in range(4))
    e = MemberFactory(consent_list=False)
    f = MemberFactory(status="closed")
    w.a, w.b, w.c, w.d, w.e, w.f = a, b, c, d, e, f

    # Baskets. The campaign runs on local days Mar 2 … Mar 15, 2026.
    w.basket("A1", a, w.s1, local(2026, 3, 5), (own, "1.99", "1.00"), (heinz, "3.49", "0"))
    w.basket("A0", a, w.s2, local(2026, 2, 10), (milk, "2.00", "0"))
    w.basket("B1", b, w.s2, local(2026, 3, 6), (heinz, "6.98", "0"))
    w.basket("B2", b, w.s2, local(2026, 3, 16, 0, 30), (heinz, "9.99", "0"))  # day after
    w.basket("C1", c, w.s1, local(2026, 3, 7), (own, "2.99", "0"))
    w.basket("C0", c, w.s1, local(2026, 3, 1, 23, 30), (own, "5.00", "0"))  # day before
    w.basket("C2", c, w.s2, local(2026, 2, 15), (milk, "7.99", "0"))
    w.basket("D1", d, w.s1, local(2026, 3, 8), (heinz, "3.49", "0"))
    w.basket("D2", d, w.s1, local(2026, 3, 15, 23, 30), (heinz, "1.00", "0"))  # last evening
    w.basket("E1", e, w.s2, local(2026, 3, 9), (own, "2.99", "0"), (milk, "5.00", "0"))

    # Snapshots: an older January one (not the month's latest), January, February.
    _snapshot(w.ketchup, dt.date(2026, 1, 15), [(a, "store", 1, "1.00", "0")])
    w.january = _snapshot(w.ketchup, dt.date(2026, 2, 1), [
        (a, "national", 3, "10.00", "0.900000"),
        (b, "national", 2, "8.00", "1.000000"),
        (c, "swinger", 1, "4.00", "0.500000"),
        (d, "store", 1, "2.00", "0.100000"),
    ])  # fmt: skip
    w.february = _snapshot(w.ketchup, dt.date(2026, 3, 1), [
        (a, "store", 3, "12.00", "0"),
        (b, "national", 2, "6.00", "1.000000"),
        (c, "swinger", 1, "4.00", "0.250000"),
        (e, "national", 1, "3.00", "1.000000"),
    ])  # fmt: skip

    # Member value.
    w.fit = RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 3, 1), r=1, alpha=1, a=1, b=1,
        bgnbd_log_likelihood=0, members=5, repeat_buyers=5,
    )  # fmt: skip
    for member, spend, clv, p_alive, risk in (
        (a, "100", "50", 0.95, False),
        (b, "300", "200", 0.40, True),
        (c, "50", "10", 0.06, True),
        (d, "25", "0", 1.0, False),
        (e, "25", "1000", 0.5, False),
    ):
        MemberScore.objects.create(
            fit=w.fit, member=member, frequency=1, recency_weeks=1, age_weeks=2,
            days_since_last=1, total_spend=Decimal(spend), average_repeat_spend=1,
            recency_score=1, frequency_score=1, monetary_score=1, p_alive=p_alive,
            expected_purchases_2w=0, expected_purchases_4w=0, expected_purchases_13w=0,
            expected_spend=0, clv=Decimal(clv), sales_share=0, cumulative_share=0,
            churn_risk=risk,
        )  # fmt: skip

    # The campaign, its offers and its audience (drawn by hand).
    w.campaign = Campaign.objects.create(
        name="Switch to our ketchup", goal="convert", category=w.ketchup,
        target_cells=["national-3", "national-2"], valid_from=dt.date(2026, 3, 2),
        valid_until=dt.date(2026, 3, 15), budget=Decimal("500"), status=CampaignStatus.ENDED,
    )  # fmt: skip
    high = Offer.objects.create(
        campaign=w.campaign, usage_tier=3, applies_to="brand_type", brand_type="store",
        discount_kind="amount", discount_value=Decimal("1.00"),
    )  # fmt: skip
    medium = Offer.objects.create(
        campaign=w.campaign, usage_tier=2, applies_to="brand", brand="our own",
        discount_kind="percent", discount_value=Decimal("10"),
    )  # fmt: skip
    for member, cell, tier, holdout in (
        (a, "national-3", 3, False),
        (b, "national-3", 3, False),
        (f, "national-3", 3, False),
        (d, "national-3", 3, True),
        (c, "national-2", 2, False),
        (e, "national-2", 2, True),
    ):
        CampaignAudience.objects.create(
            campaign=w.campaign, member=member, cell=cell, usage_tier=tier, holdout=holdout
        )

    # Lists: A, B, C got the offer in the period from Mar 2; D a list without offers; A again.
    items = {}
    for member, offer in ((a, high), (b, high), (c, medium), (d, None)):
        shopping_list = ShoppingList.objects.create(
            member=member, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
            barcode=f"99260302{member.pk:010d}",
        )  # fmt: skip
        ListItem.objects.create(shopping_list=shopping_list, kind="due", description="due")
        if offer is not None:
            items[member.pk] = ListItem.objects.create(
                shopping_list=shopping_list, kind="offer", campaign=w.campaign, offer=offer,
                description="Ketchup: our own brand",
            )  # fmt: skip
    ShoppingList.objects.create(
        member=a, period_start=dt.date(2026, 3, 16), period_end=dt.date(2026, 3, 30),
        barcode=f"99260316{a.pk:010d}",
    )  # fmt: skip

    # Redemptions: A's is live ($1.00, of which the manufacturer pays $0.40); B's was
    # reversed by a return.
    for member, basket_key, product, discount, share, reversed_at in (
        (a, "A1", own, "1.00", "0.40", None),
        (b, "B1", own, "0.50", "0", timezone.now()),
    ):
        basket = w.baskets[basket_key]
        pos = PosTransaction.objects.create(
            store=basket.store, transaction_id=basket_key, body_hash="x", request={},
            basket=basket,
        )  # fmt: skip
        Redemption.objects.create(
            pos_transaction=pos, basket=basket, list_item=items[member.pk],
            offer=items[member.pk].offer, campaign=w.campaign, member=member,
            purchased_at=basket.purchased_at, store=basket.store, product=product, quantity=1,
            discount=Decimal(discount),
            manufacturer_share=Decimal(share), reversed_at=reversed_at,
        )  # fmt: skip
    return w
