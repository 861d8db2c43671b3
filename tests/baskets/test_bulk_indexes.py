"""A large load rebuilds the line and basket indexes instead of maintaining them per row."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.baskets.importing import bulk_indexes, pos_import_dir
from apps.baskets.models import Basket, BasketLine
from apps.core.citus import is_citus
from tests.baskets.bulk_load import bulk_import_sent
from tests.baskets.test_import import snapshot

pytestmark = pytest.mark.django_db

INDEXES_SQL = """
SELECT indexname, indexdef FROM pg_indexes
WHERE tablename IN ('baskets_basketline', 'baskets_basket') ORDER BY indexname
"""


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(INDEXES_SQL)
        return cursor.fetchall()


def test_worth_rebuilding_only_for_loads_large_against_the_table(monkeypatch):
    with connection.cursor() as cursor:
        if is_citus(connection):  # never on Citus (bulk_indexes' docstring)
            assert not bulk_indexes.worth_rebuilding(
                cursor=cursor, table="baskets_basketline", incoming_rows=10**9
            )
            return
        # An empty, never-analysed table: a load of MIN_ROWS rows qualifies, a smaller not.
        assert bulk_indexes.worth_rebuilding(
            cursor=cursor, table="baskets_basketline", incoming_rows=200_000
        )
        assert not bulk_indexes.worth_rebuilding(
            cursor=cursor, table="baskets_basketline", incoming_rows=199_999
        )
        cursor.execute(
            "UPDATE pg_class SET reltuples = 1000000 WHERE oid = 'baskets_basketline'::regclass"
        )
        assert bulk_indexes.worth_rebuilding(
            cursor=cursor, table="baskets_basketline", incoming_rows=250_001
        )
        assert not bulk_indexes.worth_rebuilding(
            cursor=cursor, table="baskets_basketline", incoming_rows=250_000
        )


def test_bulk_load_gives_the_same_rows_and_indexes(tmp_path, monkeypatch):
    before = indexes()
    secondary = {name for name, sql in before if "UNIQUE" not in sql}
    assert {"line_member_history", "line_product_time", "basket_member_history"} <= secondary

    sent = bulk_import_sent(tmp_path, monkeypatch, prefix="DROP INDEX")
    dropped = [sql.split('"')[1] for sql in sent]

    # Every secondary index went through the rebuild; none on Citus, which keeps them.
    assert set(dropped) == (set() if is_citus(connection) else secondary)
    assert indexes() == before  # and came back identical
    assert Basket.objects.count() == 3
    assert BasketLine.objects.count() == 5
    loaded = snapshot()

    again = pos_import_dir(directory=tmp_path)  # nothing new: no rebuild, nothing changes
    assert next(f for f in again.files if f.file_name == "baskets.csv").loaded == 0
    assert snapshot() == loaded
