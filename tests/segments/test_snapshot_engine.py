"""The NumPy snapshot engine gives exactly the rows of the former one-statement SQL.

Random histories (seeded) stress what the hand-worked tests in test_snapshots.py pin one
by one: several lines on a day, several baskets on a day, returns (negative amounts) that
can bring a day or a buyer's spend to zero or below, free lines, national shares that need
rounding, spend ties broken by card number, times around midnight and the DST changes,
anonymous baskets and lines outside the window or the category. The reference is the
former statement (tests/segments/reference_snapshot_sql.py), run into its own snapshots.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from apps.baskets.models import Basket, BasketLine
from apps.catalog.models import BrandType
from apps.segments.models import SegmentMember, SegmentSnapshot
from apps.segments.services import snapshots_compute
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, StoreFactory
from tests.segments.reference_snapshot_sql import reference_rows_insert

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 1)  # spans both DST changes
COLUMNS = (
    "member_id",
    "category_spend",
    "national_share",
    "loyalty",
    "usage_tier",
    "occasions",
    "cycle_days",
    "next_purchase_on",
)


def random_history(seed: int, *, members: int = 150) -> list:
    rng = random.Random(seed)
    categories = [CategoryFactory(name=f"Cat {seed}-{i}") for i in range(3)]
    products = [
        ProductFactory(category=c, brand_type=rng.choice(list(BrandType)))
        for c in categories
        for _ in range(3)
    ]
    store = StoreFactory()
    people = [MemberFactory(card_number=f"{rng.randrange(10**9):010d}{i}") for i in range(members)]
    # A few cards that sort differently as bytes and as numbers.
    people.append(MemberFactory(card_number="9"))
    people.append(MemberFactory(card_number="10"))
    baskets, lines = [], []
    for member in [*people, None, None]:
        day = START - dt.timedelta(days=rng.randrange(20))
        visits = rng.choice([1, 2, 3, 10_000])  # some too few for a purchase cycle
        while day < END + dt.timedelta(days=10) and visits:
            visits -= 1
            # Around midnight, or at any time; some on the DST days themselves.
            minute = rng.choice([0, 1, 59, 23 * 60 + 59, rng.randrange(24 * 60)])
            local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
            moment = local.replace(tzinfo=CHICAGO)
            basket = Basket(
                basket_id=f"E{seed}-{len(baskets)}",
                member=member,
                store=store,
                purchased_at=moment,
                source="import",
            )
            baskets.append(basket)
            for _ in range(rng.choice([1, 1, 2, 4])):
                amount = Decimal(rng.choice([0, 1, 3, 7, 10, 33, 100, 999])) / 100
                if rng.random() < 0.15:
                    amount = -amount  # a return
                lines.append((basket, rng.choice(products), amount))
            day += dt.timedelta(days=rng.choice([0, 1, 2, 3, 7, 7, 14, 30]))
    Basket.objects.bulk_create(baskets, batch_size=2000)
    BasketLine.objects.bulk_create(
        [
            BasketLine(
                basket=basket,
                product=product,
                member=basket.member,
                purchased_at=basket.purchased_at,
                quantity=Decimal(-1 if amount < 0 else 1),
                amount=amount,
            )
            for basket, product, amount in lines
        ],
        batch_size=2000,
    )
    return categories


def rows(snapshot_id: int) -> set[tuple]:
    return set(SegmentMember.objects.filter(snapshot_id=snapshot_id).values_list(*COLUMNS))


def reference_rows(category_id: int, national: Decimal, store: Decimal) -> set[tuple]:
    """The former statement's rows, in a snapshot of their own (different thresholds key)."""
    snapshot = SegmentSnapshot.objects.create(
        category_id=category_id,
        window_start=START,
        window_end=END,
        national_threshold=Decimal("0.999"),
        store_threshold=Decimal("0.001"),
        buyers=0,
    )
    with connection.cursor() as cursor:
        reference_rows_insert(
            cursor, snapshot=snapshot, national_threshold=national, store_threshold=store
        )
    return rows(snapshot.pk)


@pytest.mark.parametrize(
    ("seed", "national", "store"),
    [(1, Decimal("0.80"), Decimal("0.20")), (2, Decimal("0.667"), Decimal("0.333"))],
)
def test_engine_rows_equal_the_former_sql(seed, national, store):
    categories = random_history(seed)
    ids = snapshots_compute(
        category_ids=[c.pk for c in categories],
        window_start=START,
        window_end=END,
        national_threshold=national,
        store_threshold=store,
    )
    assert len(ids) == 3
    compared = 0
    for snapshot in SegmentSnapshot.objects.filter(pk__in=ids):
        engine = rows(snapshot.pk)
        reference = reference_rows(snapshot.category_id, national, store)
        assert engine == reference
        assert snapshot.buyers == len(engine)
        compared += len(engine)
    # The history reaches every path: buyers in all tiers and cells, with and without cycles.
    assert compared > 120
    all_rows = SegmentMember.objects.filter(snapshot_id__in=ids)
    assert set(all_rows.values_list("loyalty", flat=True)) == {"national", "store", "swinger"}
    assert set(all_rows.values_list("usage_tier", flat=True)) == {1, 2, 3}
    assert all_rows.filter(cycle_days__isnull=True).exists()
    assert all_rows.filter(cycle_days__endswith=".50").exists()
