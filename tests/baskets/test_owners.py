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


def test_the_database_refuses_a_row_with_the_wrong_owner():
    """Written by INSERT: on a Citus cluster an owner, the distribution key, cannot even be
    updated, so a writer's mistake would come as a new row."""
    store = StoreFactory()
    member = MemberFactory()
    product = ProductFactory()
    basket = basket_record(
        store=store,
        transaction_id="T1",
        member=member,
        purchased_at=LATE_IN_CHICAGO,
        lines=[LineRecord(product=product, quantity=Decimal("1"), amount=Decimal("1"))],
    )
    wrong_baskets = [
        (member.pk, member.pk + 1),  # a member's basket keyed by someone else
        (None, member.pk),  # an anonymous basket keyed by a member
        (None, -1),  # an anonymous basket keyed by another store-day
    ]
    for member_id, owner_id in wrong_baskets:
        with (
            pytest.raises(IntegrityError, match="basket_owner_rule"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO baskets_basket (basket_id, member_id, owner_id, store_id, "
                "purchased_at, total_amount, total_discount, line_count, source, loaded_at) "
                "VALUES ('X', %s, %s, %s, %s, 0, 0, 0, 'pos', now())",
                [member_id, owner_id, store.pk, LATE_IN_CHICAGO],
            )
    for member_id, owner_id in [(member.pk, member.pk + 1), (None, member.pk)]:
        with (
            pytest.raises(IntegrityError, match="line_owner_rule"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO baskets_basketline (basket_id, product_id, member_id, owner_id, "
                "purchased_at, quantity, amount, discount) VALUES (%s, %s, %s, %s, %s, 1, 1, 0)",
                [basket.pk, product.pk, member_id, owner_id, LATE_IN_CHICAGO],
            )
    assert Basket.objects.get(pk=basket.pk).owner_id == member.pk
