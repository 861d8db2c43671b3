"""A seeded shopping population for the attack tests: who buys what, known exactly.

ACME funds its brand "Acme" in Ketchup, Mustard and Relish (2026). 300 regular members buy
once a month, January to May, on a day of their own (1st–9th), mostly the same brand group
(Acme, Bolt or the store brand; Mustard for 60 % of them, Relish for half), skipping a month
or trying another group 3 % of the time each. Each category's snapshot puts them in cells,
some of them rare, so that cells, switching and flow tables hold groups of 1–9 members, the
cells nearly the same every month. In March, on each day from the 10th to the 29th, a
cohort of 1–9 new members buys Acme ketchup once: the size of the cohort of day d is what
an attacker differencing reports ending on d−1 and d would read.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from apps.agreements.models import AgreementStatus
from apps.baskets.models import Basket, BasketLine, BasketSource
from apps.catalog.models import BrandType
from apps.members.models import Member
from apps.segments.models import SegmentMember, SegmentSnapshot
from tests.factories import (
    AgreementFactory,
    CategoryFactory,
    ManufacturerFactory,
    ProductFactory,
    StoreFactory,
)

SEED = 17
MONTHS = [1, 2, 3, 4, 5]
CELLS = [(("national", 3), 0.34), (("national", 2), 0.2), (("national", 1), 0.14),
         (("swinger", 3), 0.08), (("swinger", 2), 0.05), (("swinger", 1), 0.03),
         (("store", 3), 0.02), (("store", 2), 0.015), (("store", 1), 0.015),
         (None, 0.11)]  # fmt: skip
PRICES = {("k", "yours"): "2.00", ("k", "national"): "3.00", ("k", "store"): "1.50",
          ("m", "yours"): "1.00", ("m", "national"): "2.00", ("m", "store"): "1.20",
          ("r", "yours"): "2.50", ("r", "national"): "2.80", ("r", "store"): "1.90"}  # fmt: skip


def build(manufacturer_a, manufacturer_b, *, regulars: int = 300) -> dict:
    rng = random.Random(SEED)
    store_maker = ManufacturerFactory(code="STORE", name="The chain")
    ketchup, mustard = CategoryFactory(name="Ketchup"), CategoryFactory(name="Mustard")
    relish = CategoryFactory(name="Relish")
    makers = {"yours": manufacturer_a, "national": manufacturer_b, "store": store_maker}
    brands = {"yours": "Acme", "national": "Bolt", "store": "Own"}
    products = {
        (c, g): ProductFactory(
            category=cat, brand=brands[g], manufacturer=makers[g],
            brand_type=BrandType.STORE if g == "store" else BrandType.NATIONAL,
        )
        for c, cat in (("k", ketchup), ("m", mustard), ("r", relish)) for g in brands
    }  # fmt: skip
    agreement = AgreementFactory(
        manufacturer=manufacturer_a, name="Condiments 2026", brands=["acme"],
        status=AgreementStatus.ACTIVE, reporting_included=True,
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
    )  # fmt: skip
    agreement.categories.set([ketchup, mustard, relish])
    cohorts = {day: rng.randint(1, 9) for day in range(10, 30)}
    members = Member.objects.bulk_create(
        Member(card_number=f"5{n:011d}", first_name="Pat", last_name=f"Shopper{n}",
               joined_on=dt.date(2024, 1, 1), consent_list=True)
        for n in range(regulars + sum(cohorts.values()))
    )  # fmt: skip
    store = StoreFactory(code="S01")
    lines: list[tuple] = []
    groups = ["yours", "national", "store"]
    for member in members[:regulars]:
        day = rng.randint(1, 9)
        k_group = rng.choices(groups, weights=[5, 3, 2])[0]
        m_group = rng.choices(groups, weights=[5, 3, 2])[0] if rng.random() < 0.6 else None
        r_group = rng.choices(groups, weights=[4, 3, 3])[0] if rng.random() < 0.5 else None
        for month in MONTHS:
            for category, group in (("k", k_group), ("m", m_group), ("r", r_group)):
                if group is None or rng.random() < 0.03:  # skips a month now and then
                    continue
                if rng.random() < 0.03:  # or tries another brand group for once
                    group = rng.choice([g for g in groups if g != group])
                lines.append((member, products[(category, group)], dt.date(2026, month, day)))
    cohort_members = iter(members[regulars:])
    for day, size in cohorts.items():
        for _ in range(size):
            lines.append((next(cohort_members), products[("k", "yours")],
                          dt.date(2026, 3, day)))  # fmt: skip
    baskets = Basket.objects.bulk_create(
        Basket(basket_id=f"POP-{n:06d}", member=member, store=store, purchased_at=_noon(day),
               total_amount=Decimal(_price(product, products)), line_count=1,
               source=BasketSource.IMPORT)
        for n, (member, product, day) in enumerate(lines)
    )  # fmt: skip
    BasketLine.objects.bulk_create(
        BasketLine(basket=basket, product=product, member=member, purchased_at=basket.purchased_at,
                   quantity=Decimal(1), amount=basket.total_amount)
        for basket, (member, product, _) in zip(baskets, lines, strict=True)
    )  # fmt: skip
    placed = []
    for category in (ketchup, mustard, relish):
        snapshot = SegmentSnapshot.objects.create(
            category=category, window_start=dt.date(2025, 1, 1), window_end=dt.date(2026, 1, 1),
            buyers=regulars,
        )  # fmt: skip
        for member in members[:regulars]:
            cell = rng.choices([c for c, _ in CELLS], weights=[w for _, w in CELLS])[0]
            if cell:
                placed.append(SegmentMember(
                    snapshot=snapshot, member=member, category_spend=Decimal("10"),
                    national_share=Decimal("0.5"), loyalty=cell[0], usage_tier=cell[1],
                    occasions=3,
                ))  # fmt: skip
    SegmentMember.objects.bulk_create(placed)
    return {"agreement": agreement, "categories": [ketchup, mustard, relish], "cohorts": cohorts}


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _price(product, products) -> str:
    return next(PRICES[key] for key, p in products.items() if p == product)
