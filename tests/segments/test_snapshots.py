"""Category snapshots: loyalty × usage cells and purchase cycles, on hand-worked data.

TIME_ZONE is America/Chicago (UTC−6 in winter). Window: [2026-01-01, 2026-04-01).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from apps.audit.models import AuditEvent, AuditKind
from apps.catalog.models import BrandType
from apps.segments.models import SegmentMember, SegmentSnapshot
from apps.segments.services import snapshots_compute
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
START, END = dt.date(2026, 1, 1), dt.date(2026, 4, 1)


@pytest.fixture
def ketchup():
    category = CategoryFactory(name="Ketchup")
    return {
        "category": category,
        "national": ProductFactory(category=category, brand_type=BrandType.NATIONAL),
        "store": ProductFactory(category=category, brand_type=BrandType.STORE, brand="Ours"),
    }


def buy(member, product, amount, when, *, local=True):
    """Record a one-line basket; `when` is local (Chicago) unless local=False (UTC)."""
    moment = when.replace(tzinfo=CHICAGO if local else dt.UTC)
    basket = BasketFactory(member=member, purchased_at=moment)
    BasketLineFactory(basket=basket, product=product, amount=Decimal(amount))


def compute(category, **kwargs):
    snapshots_compute(category_ids=[category.pk], window_start=START, window_end=END, **kwargs)
    snapshot = SegmentSnapshot.objects.get(category=category)
    return {row.member.card_number: row for row in snapshot.rows.select_related("member")}


def test_loyalty_thresholds_are_inclusive(ketchup):
    cases = {  # card: (national amount, store amount)
        "N080": ("8.00", "2.00"),  # share exactly 0.80 -> national
        "S020": ("2.00", "8.00"),  # share exactly 0.20 -> store
        "W0799": ("7.99", "2.01"),  # 0.799 -> swinger
        "W0201": ("2.01", "7.99"),  # 0.201 -> swinger
        "N100": ("3.00", "0"),  # national only
    }
    for card, (national, store) in cases.items():
        member = MemberFactory(card_number=card)
        buy(member, ketchup["national"], national, dt.datetime(2026, 2, 1, 10))
        if store != "0":
            buy(member, ketchup["store"], store, dt.datetime(2026, 2, 2, 10))
    rows = compute(ketchup["category"])
    assert {card: row.loyalty for card, row in rows.items()} == {
        "N080": "national",
        "S020": "store",
        "W0799": "swinger",
        "W0201": "swinger",
        "N100": "national",
    }
    assert rows["N080"].national_share == Decimal("0.800000")
    assert rows["W0799"].category_spend == Decimal("10.00")


def test_thresholds_are_settable(ketchup):
    member = MemberFactory(card_number="M1")
    buy(member, ketchup["national"], "7.00", dt.datetime(2026, 2, 1, 10))
    buy(member, ketchup["store"], "3.00", dt.datetime(2026, 2, 2, 10))
    rows = compute(
        ketchup["category"], national_threshold=Decimal("0.70"), store_threshold=Decimal("0.10")
    )
    assert rows["M1"].loyalty == "national"


def _use_linguistic_collation_for_card_numbers() -> None:
    """Give card_number a linguistic collation where the server has one (ICU builds do).

    Deployments often run with a linguistic default collation; the tie-break must still be
    byte order. The embedded server has no ICU, and there C.UTF-8 already sorts by bytes.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu'")
        if cursor.fetchone():
            cursor.execute(
                "ALTER TABLE members_member ALTER COLUMN card_number "
                'TYPE varchar(32) COLLATE "en-US-x-icu"'
            )


def test_usage_tiers_break_spend_ties_by_card_number_in_byte_order(ketchup):
    # Spend ascending: Z9 5.00, then a tie at 10.00 between "B2" and "a1", then C3 20.00.
    # ntile(3) over 4 buyers gives groups of 2, 1, 1. In byte order "B2" < "a1", so B2 is
    # 2nd (low) and a1 3rd (medium); a linguistic collation would swap them.
    _use_linguistic_collation_for_card_numbers()
    for card, amount in [("Z9", "5.00"), ("a1", "10.00"), ("B2", "10.00"), ("C3", "20.00")]:
        buy(MemberFactory(card_number=card), ketchup["store"], amount, dt.datetime(2026, 3, 1, 9))
    rows = compute(ketchup["category"])
    assert {card: row.usage_tier for card, row in rows.items()} == {
        "Z9": 1,
        "B2": 1,
        "a1": 2,
        "C3": 3,
    }


def test_purchase_cycle_median_and_next_purchase(ketchup):
    odd = MemberFactory(card_number="ODD")  # gaps 7, 7 -> 7; next 2026-01-22
    for day in (1, 8, 15):
        buy(odd, ketchup["store"], "2.00", dt.datetime(2026, 1, day, 12))
    even = MemberFactory(card_number="EVEN")  # gaps 2, 5, 1, 10 -> median 3.5 -> +4
    for day in (1, 3, 8, 9, 19):
        buy(even, ketchup["store"], "2.00", dt.datetime(2026, 1, day, 12))
    half = MemberFactory(card_number="HALF")  # gaps 2, 3 -> median 2.5 -> rounds up to 3
    for day in (10, 12, 15):
        buy(half, ketchup["store"], "2.00", dt.datetime(2026, 2, day, 12))
    two = MemberFactory(card_number="TWO")  # only 2 occasions -> no cycle
    for day in (1, 20):
        buy(two, ketchup["store"], "2.00", dt.datetime(2026, 1, day, 12))
    rows = compute(ketchup["category"])
    assert (rows["ODD"].occasions, rows["ODD"].cycle_days, rows["ODD"].next_purchase_on) == (
        3,
        Decimal("7.00"),
        dt.date(2026, 1, 22),
    )
    assert rows["EVEN"].cycle_days == Decimal("3.50")
    assert rows["EVEN"].next_purchase_on == dt.date(2026, 1, 23)
    assert rows["HALF"].cycle_days == Decimal("2.50")
    assert rows["HALF"].next_purchase_on == dt.date(2026, 2, 18)
    assert (rows["TWO"].occasions, rows["TWO"].cycle_days, rows["TWO"].next_purchase_on) == (
        2,
        None,
        None,
    )


def test_occasions_are_distinct_local_dates(ketchup):
    member = MemberFactory(card_number="LOCAL")
    # 03:00 UTC on Jan 2 is 21:00 on Jan 1 in Chicago: the same local day as the noon visit.
    buy(member, ketchup["store"], "1.00", dt.datetime(2026, 1, 1, 12))
    buy(member, ketchup["national"], "1.00", dt.datetime(2026, 1, 2, 3), local=False)
    buy(member, ketchup["store"], "1.00", dt.datetime(2026, 1, 5, 12))
    buy(member, ketchup["store"], "1.00", dt.datetime(2026, 1, 9, 12))
    rows = compute(ketchup["category"])
    assert rows["LOCAL"].occasions == 3  # Jan 1 (twice), Jan 5, Jan 9
    assert rows["LOCAL"].cycle_days == Decimal("4.00")
    assert rows["LOCAL"].category_spend == Decimal("4.00")


def test_only_members_lines_in_the_window_and_category_count(ketchup):
    member = MemberFactory(card_number="IN")
    buy(member, ketchup["store"], "3.00", dt.datetime(2026, 1, 1, 0, 0))  # at start: in
    buy(member, ketchup["store"], "100.00", dt.datetime(2026, 4, 1, 0, 0))  # at end: out
    buy(member, ketchup["store"], "100.00", dt.datetime(2025, 12, 31, 23, 59))  # before: out
    other = ProductFactory(category=CategoryFactory(name="Mustard"))
    buy(member, other, "50.00", dt.datetime(2026, 2, 1, 12))  # other category: out
    anonymous = BasketFactory(member=None, purchased_at=dt.datetime(2026, 2, 1, tzinfo=CHICAGO))
    BasketLineFactory(basket=anonymous, product=ketchup["store"], amount=Decimal("9.00"))
    refunded = MemberFactory(card_number="ZERO")  # spend 0 -> not a buyer
    buy(refunded, ketchup["store"], "2.00", dt.datetime(2026, 2, 1, 12))
    buy(refunded, ketchup["store"], "-2.00", dt.datetime(2026, 2, 3, 12))
    rows = compute(ketchup["category"])
    assert set(rows) == {"IN"}
    assert rows["IN"].category_spend == Decimal("3.00")
    assert SegmentSnapshot.objects.get().buyers == 1


def test_recompute_is_idempotent(ketchup):
    member = MemberFactory(card_number="M1")
    buy(member, ketchup["store"], "2.00", dt.datetime(2026, 2, 1, 12))
    first = snapshots_compute(
        category_ids=[ketchup["category"].pk], window_start=START, window_end=END
    )
    again = snapshots_compute(
        category_ids=[ketchup["category"].pk], window_start=START, window_end=END
    )
    assert len(first) == 1 and again == []
    assert SegmentSnapshot.objects.count() == 1
    assert SegmentMember.objects.count() == 1


def test_export_segments_writes_the_documented_csv(ketchup, tmp_path):
    high = MemberFactory(card_number="C2")
    for day in (5, 12, 19):
        buy(high, ketchup["national"], "4.00", dt.datetime(2026, 1, day, 12))
    low = MemberFactory(card_number="C1")
    buy(low, ketchup["store"], "1.50", dt.datetime(2026, 1, 6, 12))
    mid = MemberFactory(card_number="C3")
    buy(mid, ketchup["national"], "3.00", dt.datetime(2026, 1, 7, 12))
    buy(mid, ketchup["store"], "3.00", dt.datetime(2026, 1, 8, 12))
    out = io.StringIO()
    call_command(
        "export_segments",
        "--category",
        "Ketchup",
        "--start",
        "2026-01-01",
        "--end",
        "2026-04-01",
        stdout=out,
    )
    assert out.getvalue().splitlines() == [
        "card_number,category_spend,national_share,loyalty,usage_tier,cycle_days,next_purchase_on",
        "C1,1.50,0.0000,store,low,,",
        "C2,12.00,1.0000,national,high,7,2026-01-26",
        "C3,6.00,0.5000,swinger,medium,,",
    ]
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, object_id="export_segments")
    assert event.row_count == 3 and event.detail["category"] == "Ketchup"
