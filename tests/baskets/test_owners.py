"""`owner_id`, the key baskets and lines are distributed by: the member, or a store-day key.

Expected keys are written out by hand here: day 20,794 is 7 Dec 2026 counted from
1 Jan 1970 (56 years of 365 days, 14 leap days to 2024, then 340 days of 2026).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine
from apps.baskets.owners import anonymous_owner
from apps.baskets.services import LineRecord, basket_record
from tests.factories import MemberFactory, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db

# 23:30 in Chicago on 6 Dec is 05:30 UTC on 7 Dec: the day is counted in UTC.
LATE_IN_CHICAGO = dt.datetime(2026, 12, 7, 5, 30, tzinfo=dt.UTC)
DAY_20794 = 20_794


def test_the_store_day_key_counts_days_in_utc():
    assert anonymous_owner(store_id=3, purchased_at=LATE_IN_CHICAGO) == -(3 * 100_000 + DAY_20794)
    chicago = dt.timezone(dt.timedelta(hours=-6))
    same_instant = LATE_IN_CHICAGO.astimezone(chicago)
    assert anonymous_owner(store_id=3, purchased_at=same_instant) == -320_794


def test_a_till_basket_and_its_lines_belong_to_the_member_or_to_the_store_day():
    store = StoreFactory()
    member = MemberFactory()
    product = ProductFactory()
    line = LineRecord(product=product, quantity=Decimal("1"), amount=Decimal("2.00"))
    mine = basket_record(
        store=store,
        transaction_id="T1",
        member=member,
        purchased_at=LATE_IN_CHICAGO,
        lines=[line],
    )
    anonymous = basket_record(
        store=store,
        transaction_id="T2",
        member=None,
        purchased_at=LATE_IN_CHICAGO,
        lines=[line, line],
    )
    day_key = -(store.pk * 100_000 + DAY_20794)
    assert Basket.objects.get(pk=mine.pk).owner_id == member.pk
    assert Basket.objects.get(pk=anonymous.pk).owner_id == day_key
    assert list(BasketLine.objects.filter(basket=mine).values_list("owner_id", flat=True)) == [
        member.pk
    ]
    assert list(BasketLine.objects.filter(basket=anonymous).values_list("owner_id", flat=True)) == [
        day_key,
        day_key,
    ]


def test_the_import_gives_baskets_and_lines_the_same_owners(tmp_path: Path):
    (tmp_path / "products.csv").write_text(
        "upc,name,department,category,brand,brand_type,manufacturer,price\n"
        "000000000001,Ketchup,Grocery,Ketchup,Heinz,national,HEINZ,3.49\n"
    )
    (tmp_path / "members.csv").write_text("card_number,first_name\n1001,Ann\n")
    (tmp_path / "baskets.csv").write_text(
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        "B1,1001,S01,2026-12-07T05:30:00Z,000000000001,1,3.49,0\n"
        "B2,,S01,2026-12-07T05:30:00Z,000000000001,1,3.49,0\n"
        "B2,,S01,2026-12-07T05:30:00Z,000000000001,2,6.98,0\n"
    )
    pos_import_dir(directory=tmp_path)
    b1 = Basket.objects.select_related("member", "store").get(basket_id="B1")
    b2 = Basket.objects.select_related("store").get(basket_id="B2")
    assert b1.owner_id == b1.member.pk
    assert b2.owner_id == -(b2.store.pk * 100_000 + DAY_20794)
    owners = set(BasketLine.objects.values_list("basket__basket_id", "owner_id"))
    assert owners == {("B1", b1.member.pk), ("B2", b2.owner_id)}


@pytest.mark.parametrize(
    ("table", "constraint"),
    [("baskets_basket", "basket_owner_rule"), ("baskets_basketline", "line_owner_rule")],
)
def test_the_database_refuses_a_row_with_the_wrong_owner(table, constraint):
    store = StoreFactory()
    member = MemberFactory()
    basket = basket_record(
        store=store,
        transaction_id="T1",
        member=member,
        purchased_at=LATE_IN_CHICAGO,
        lines=[LineRecord(product=ProductFactory(), quantity=Decimal("1"), amount=Decimal("1"))],
    )
    with (
        pytest.raises(IntegrityError, match=constraint),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {table} SET owner_id = owner_id + 1 WHERE member_id = %s", [member.pk]
        )
    with (
        pytest.raises(IntegrityError, match=constraint),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):  # anonymous, yet still keyed by the member
        cursor.execute(f"UPDATE {table} SET member_id = NULL WHERE member_id = %s", [member.pk])
    assert Basket.objects.get(pk=basket.pk).owner_id == member.pk
