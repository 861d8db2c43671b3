"""The one writer of baskets: a till's basket (basket_record) and the import's, alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, Store
from apps.baskets.services import (
    BasketIdTaken,
    LineRecord,
    basket_clash_described,
    basket_record,
    is_pos_basket_id,
    pos_basket_id,
)
from tests.factories import BasketFactory, MemberFactory, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 3, 5, 16, 0, tzinfo=dt.UTC)


def test_a_till_basket_totals_its_lines_and_its_lines_carry_member_and_time():
    store = StoreFactory(code="S:1%")
    member = MemberFactory(card_number="400000000017")
    heinz = ProductFactory(upc="000000000011")
    milk = ProductFactory(upc="000000000033")
    basket = basket_record(
        store=store,
        transaction_id="T-9",
        member=member,
        purchased_at=WHEN,
        lines=[
            LineRecord(
                product=heinz,
                quantity=Decimal("2"),
                amount=Decimal("6.23"),
                discount=Decimal("0.75"),
            ),
            LineRecord(product=milk, quantity=Decimal("1.5"), amount=Decimal("2.99")),
        ],
    )
    basket.refresh_from_db()
    assert (basket.basket_id, basket.source) == ("POS:S%3A1%25:T-9", "pos")
    assert (basket.total_amount, basket.total_discount, basket.line_count) == (
        Decimal("9.22"),
        Decimal("0.75"),
        2,
    )
    lines = BasketLine.objects.filter(basket=basket).order_by("product__upc")
    assert [
        (li.product.upc, li.member_id, li.purchased_at, li.quantity, li.amount, li.discount)
        for li in lines
    ] == [
        ("000000000011", member.pk, WHEN, Decimal("2.000"), Decimal("6.23"), Decimal("0.75")),
        ("000000000033", member.pk, WHEN, Decimal("1.500"), Decimal("2.99"), Decimal("0.00")),
    ]


def test_the_tills_id_space_escapes_the_store_code():
    assert pos_basket_id(store_code="S01", transaction_id="X:1") == "POS:S01:X:1"
    assert pos_basket_id(store_code="S01:X", transaction_id="1") == "POS:S01%3AX:1"
    assert pos_basket_id(store_code="5%", transaction_id="1") == "POS:5%25:1"
    assert is_pos_basket_id("POS:S01:1")
    assert not is_pos_basket_id("pos:S01:1")
    assert not is_pos_basket_id("EX-0001")


def test_a_taken_id_undoes_the_whole_write_and_names_the_basket_in_the_way():
    store = StoreFactory(code="S01")
    product = ProductFactory(upc="000000000011")
    BasketFactory(basket_id="POS:S01:T-1", store=store, member=None)

    @basket_clash_described
    @transaction.atomic
    def record() -> Basket:
        Store.objects.create(code="S99")  # the caller's other writes in the same transaction
        return basket_record(
            store=store,
            transaction_id="T-1",
            member=None,
            purchased_at=WHEN,
            lines=[LineRecord(product=product, quantity=Decimal("1"), amount=Decimal("3.49"))],
        )

    with pytest.raises(BasketIdTaken) as raised:
        record()
    assert raised.value.basket_id == "POS:S01:T-1"
    assert raised.value.source == "import"
    assert raised.value.message.startswith(
        "Basket id 'POS:S01:T-1', which this transaction needs, belongs to a basket loaded "
        "from a till file, so nothing was recorded."
    )
    assert list(Basket.objects.values_list("basket_id", flat=True)) == ["POS:S01:T-1"]
    assert not BasketLine.objects.exists()
    assert not Store.objects.filter(code="S99").exists()


def test_the_import_records_a_basket_by_the_same_rules(tmp_path: Path):
    ProductFactory(upc="000000000011")
    ProductFactory(upc="000000000033")
    (tmp_path / "baskets.csv").write_text(
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        "B-1,400000000017,S01,2026-03-05T16:00:00Z,000000000011,2,6.23,0.75\n"
        "B-1,400000000017,S01,2026-03-05T16:00:00Z,000000000033,1.5,2.99,0\n"
    )
    pos_import_dir(directory=tmp_path)
    basket = Basket.objects.get()
    assert (basket.basket_id, basket.source, basket.member.card_number) == (
        "B-1",
        "import",
        "400000000017",
    )
    assert (basket.total_amount, basket.total_discount, basket.line_count) == (
        Decimal("9.22"),
        Decimal("0.75"),
        2,
    )
    assert sorted(
        BasketLine.objects.filter(basket=basket).values_list("member_id", "purchased_at")
    ) == [(basket.member_id, WHEN), (basket.member_id, WHEN)]
