"""Import failures the fuzzer found, pinned as plain tests (each failed before its fix).

- Non-ASCII digits ("١", "５", "²") passed the number checks (`\\d` and `str.isdigit` are
  Unicode-aware) and then broke the COPY into numeric columns: the whole file failed with an
  exception instead of one reported row.
- A date-time near the ends of Python's range ("9999-12-31T23:00:00" store-local,
  "0001-01-01T00:00:00+01:00") overflowed on conversion to UTC: OverflowError, not a reject.
- A NUL in a purchase time ("2026-03-01T09:30:00\\x00") was ignored by CPython's
  `datetime.fromisoformat`: the row loaded (or made its basket disagree) instead of being
  rejected.
- A basket whose lines are each a valid amount but sum to 10^10 or more overflowed
  `Basket.total_amount` (numeric(12,2)): the whole file failed with a DataError.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine
from apps.catalog.models import Product
from apps.members.models import Member
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

HEADER = "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
GOOD = "B1,1001,S01,2026-03-01T09:30:00,000000000001,1,3.49,0\n"


def rejects(path: Path) -> list[tuple[int, str]]:
    with path.with_name(f"{path.name}.rejects.csv").open(newline="", encoding="utf-8") as f:
        return [(int(row["line"]), row["reason"]) for row in csv.DictReader(f)]


@pytest.fixture
def product(db):
    return ProductFactory(upc="000000000001")


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("B2,1001,S01,2026-03-01T09:30:00,000000000001,١,3.49,0", "bad quantity"),
        ("B2,1001,S01,2026-03-01T09:30:00,000000000001,1,３.49,0", "bad amount"),
        ("B2,1001,S01,2026-03-01T09:30:00,000000000001,1,3.49,٠", "bad discount"),
        ("B2,1001,S01,9999-12-31T23:00:00,000000000001,1,3.49,0", "bad purchased_at"),
        ("B2,1001,S01,0001-01-01T00:00:00+01:00,000000000001,1,3.49,0", "bad purchased_at"),
        # CPython's fromisoformat stops at a NUL in the time: these parsed as good times.
        ("B2,1001,S01,2026-03-01T09:30:00\x00,000000000001,1,3.49,0", "bad purchased_at"),
        ("B2,1001,S01,2026-03-01T09:30\x00+05:00,000000000001,1,3.49,0", "bad purchased_at"),
    ],
)
def test_a_bad_basket_row_is_a_reject_not_an_exception(tmp_path, product, bad_row, reason):
    path = tmp_path / "baskets.csv"
    path.write_text(HEADER + GOOD + bad_row + "\n", encoding="utf-8")

    result = pos_import_dir(directory=tmp_path)

    (baskets,) = result.files
    assert (baskets.error, baskets.rows_read, baskets.loaded, baskets.rejected) == (None, 2, 1, 1)
    ((line, why),) = rejects(path)
    assert line == 3
    assert reason in why
    assert list(Basket.objects.values_list("basket_id", flat=True)) == ["B1"]
    assert BasketLine.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("١٢٣,Ketchup,Grocery,Ketchup,Heinz,national,HEINZ,1.00", "bad upc"),
        ("²³,Ketchup,Grocery,Ketchup,Heinz,national,HEINZ,1.00", "bad upc"),
        ("123,Ketchup,Grocery,Ketchup,Heinz,national,HEINZ,１.00", "bad price"),
    ],
)
def test_a_product_with_non_ascii_digits_is_a_reject(tmp_path, row, reason):
    path = tmp_path / "products.csv"
    header = "upc,name,department,category,brand,brand_type,manufacturer,price\n"
    path.write_text(header + row + "\n", encoding="utf-8")

    (products,) = pos_import_dir(directory=tmp_path).files

    assert (products.error, products.loaded, products.rejected) == (None, 0, 1)
    ((line, why),) = rejects(path)
    assert (line, reason in why) == (2, True)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("C1,٣,", "bad household_size"),
        ("C1,,２", "bad children"),
    ],
)
def test_a_member_with_non_ascii_digits_is_a_reject(tmp_path, row, reason):
    path = tmp_path / "members.csv"
    path.write_text("card_number,household_size,children\n" + row + "\n", encoding="utf-8")

    (members,) = pos_import_dir(directory=tmp_path).files

    assert (members.error, members.loaded, members.rejected) == (None, 0, 1)
    ((line, why),) = rejects(path)
    assert (line, reason in why) == (2, True)
    assert not Member.objects.exists()


def test_a_basket_whose_total_overflows_is_rejected_whole(tmp_path, product):
    path = tmp_path / "baskets.csv"
    big = "B2,1001,S01,2026-03-01T09:30:00,000000000001,1,9999999999.99,0\n"
    big_discount = "B3,,S01,2026-03-01T09:30:00,000000000001,1,1.00,6000000000\n"
    path.write_text(HEADER + big + GOOD + big + big_discount * 2, encoding="utf-8")

    (baskets,) = pos_import_dir(directory=tmp_path).files

    assert (baskets.error, baskets.rows_read, baskets.loaded, baskets.rejected) == (None, 5, 1, 4)
    found = rejects(path)
    assert [line for line, _ in found] == [2, 4, 5, 6]
    assert all("more than 9999999999.99" in why for _, why in found), found
    assert list(Basket.objects.values_list("basket_id", flat=True)) == ["B1"]
    assert BasketLine.objects.count() == 1
