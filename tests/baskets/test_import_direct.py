"""The direct write of lines (`importing/direct_lines.py`, `direct_load.py`).

Lines are COPYed into basketline before the file's end is read, so what is found only at the
end must be undone: the lines of a basket whose rows disagree, and of one a concurrent import
inserted first, and the cards and stores created only for them. The owner, computed in Arrow,
is held to PostgreSQL's own expression of the rule (`owners.anonymous_owner_sql`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from django.db import connection

from apps.baskets.importing import baskets, pos_import_dir
from apps.baskets.importing.direct_lines import owners
from apps.baskets.models import Basket, BasketLine, Store
from apps.baskets.owners import anonymous_owner_sql
from apps.members.models import Member
from tests.baskets.test_import import PRODUCTS, by_name, write
from tests.baskets.test_import_loaded import HEADER
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _sql_owner(member: int | None, store: int, utc_text: str) -> int:
    """The owner by the database's expression (the one basket_owner_rule checks)."""
    expression = anonymous_owner_sql(store="%(store)s", purchased_at="%(at)s::timestamptz")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(%(member)s, {expression})", {
            "member": member, "store": store, "at": utc_text,
        })  # fmt: skip
        return cursor.fetchone()[0]


def test_owners_in_arrow_are_the_databases_rule():
    """Times as the import stages them (UTC ISO text, with and without fractions), around
    UTC midnight, at the calendar's ends, a leap day; members and anonymous rows."""
    rows = [
        (None, 1, "2026-12-07 05:30:00+00:00"),
        (None, 1, "2026-12-06 23:59:59.999999+00:00"),
        (None, 40, "2026-12-07 00:00:00+00:00"),
        (None, 7, "1970-01-01 00:00:00+00:00"),
        (None, 7, "1969-12-31 23:59:59+00:00"),
        (None, 3, "0001-01-01 00:00:00+00:00"),
        (None, 3, "9999-12-31 23:59:59+00:00"),
        (None, 12345, "2024-02-29 12:00:00+00:00"),
        (17, 5, "2026-03-01 09:30:00+00:00"),
        (2**40, 5, "1999-01-01 00:00:00+00:00"),
    ]
    got = owners(
        member_ids=pa.array([m for m, _, _ in rows], pa.int64()),
        store_ids=pa.array([s for _, s, _ in rows], pa.int64()),
        times=pa.array([t for _, _, t in rows], pa.string()),
    ).to_pylist()
    assert got == [_sql_owner(*row) for row in rows]


def test_a_basket_rejected_at_the_end_leaves_no_line_card_or_store(tmp_path):
    """R1's rows disagree on the store; its card 7777 and stores S98, S99 are new and named
    by nothing else, so the import that created them as the rows came removes them again.
    G1 (new card 8888, store S01) loads."""
    write(tmp_path, "products.csv", PRODUCTS)
    write(
        tmp_path,
        "baskets.csv",
        HEADER
        + "R1,7777,S98,2026-03-01 09:30,000000000001,1,3.49,0\n"
        + "G1,8888,S01,2026-03-01 10:30,000000000002,1,1.99,0\n"
        + "R1,7777,S99,2026-03-01 09:30,000000000002,1,1.99,0\n",
    )
    result = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert (result.rows_read, result.loaded, result.rejected) == (3, 1, 2)
    assert {r.line for r in result.first_rejects} == {2, 4}
    assert list(Basket.objects.values_list("basket_id", flat=True)) == ["G1"]
    assert list(BasketLine.objects.values_list("basket__basket_id", flat=True)) == ["G1"]
    assert set(Member.objects.values_list("card_number", flat=True)) == {"8888"}
    assert set(Store.objects.values_list("code", flat=True)) == {"S01"}


def test_a_basket_a_concurrent_import_inserted_first_keeps_none_of_these_lines(
    tmp_path: Path, monkeypatch
):
    """C1 appears in baskets_basket after its lines were written and before the baskets
    are inserted (as a concurrent import's would): that basket stays as it was, with no
    line of this file; C2 loads."""
    write(tmp_path, "products.csv", PRODUCTS)
    write(
        tmp_path,
        "baskets.csv",
        HEADER
        + "C1,,S01,2026-03-01 09:30,000000000001,1,3.49,0\n"
        + "C1,,S01,2026-03-01 09:30,000000000002,1,1.99,0\n"
        + "C2,,S01,2026-03-01 10:30,000000000002,1,1.99,0\n",
    )
    real = baskets.insert_baskets

    def concurrent_first(**kwargs):
        store = Store.objects.get(code="S01")
        at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        Basket.objects.create(basket_id="C1", store=store, purchased_at=at, source="pos")
        return real(**kwargs)

    monkeypatch.setattr(baskets, "insert_baskets", concurrent_first)
    result = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert (result.rows_read, result.loaded, result.rejected) == (3, 1, 0)
    c1 = Basket.objects.get(basket_id="C1")
    assert (c1.source, c1.line_count) == ("pos", 0)
    assert list(BasketLine.objects.values_list("basket__basket_id", flat=True)) == ["C2"]
    assert BasketLine.objects.count() == 1


def test_stores_known_before_are_kept_even_when_their_only_basket_is_rejected(tmp_path):
    """Only what this import created is removed: S05 existed before."""
    StoreFactory(code="S05")
    write(tmp_path, "products.csv", PRODUCTS)
    write(
        tmp_path,
        "baskets.csv",
        HEADER
        + "R1,,S05,2026-03-01 09:30,000000000001,1,3.49,0\n"
        + "R1,,S05,2026-03-01 09:31,000000000002,1,1.99,0\n",
    )
    result = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert (result.loaded, result.rejected) == (0, 2)
    assert set(Store.objects.values_list("code", flat=True)) == {"S05"}
    assert BasketLine.objects.count() == 0
