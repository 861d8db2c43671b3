"""A large load checks the baskets' foreign keys once, set-based, and puts them back as
Django made them."""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from apps.baskets.importing.bulk_constraints import foreign_keys_checked_after
from apps.baskets.models import Basket, BasketLine, Store
from apps.core.citus import is_citus
from tests.baskets.bulk_load import bulk_import_sent

pytestmark = pytest.mark.django_db

# Everything that defines a foreign key of baskets_basket, and the triggers that enforce
# it on both tables, read from the catalog (not through the module under test).
CONSTRAINTS_SQL = """
SELECT conname, contype, condeferrable, condeferred, convalidated, confrelid::regclass::text,
       conkey, confkey, confupdtype, confdeltype, confmatchtype
FROM pg_constraint
WHERE conrelid = 'baskets_basket'::regclass AND contype = 'f'
ORDER BY conname
"""
TRIGGERS_SQL = """
SELECT c.conname, t.tgrelid::regclass::text, t.tgfoid::regproc::text, t.tgtype,
       t.tgenabled, t.tgdeferrable, t.tginitdeferred
FROM pg_trigger t
JOIN pg_constraint c ON c.oid = t.tgconstraint
WHERE c.conrelid = 'baskets_basket'::regclass AND c.contype = 'f'
ORDER BY 1, 2, 3, 4
"""


def foreign_keys() -> tuple[list[tuple], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(CONSTRAINTS_SQL)
        constraints = cursor.fetchall()
        cursor.execute(TRIGGERS_SQL)
        return constraints, cursor.fetchall()


def test_bulk_load_puts_back_the_same_foreign_keys(tmp_path, monkeypatch):
    before = foreign_keys()
    names = {row[0] for row in before[0]}
    assert len(names) == 2  # member and store, as Django made them
    assert all(row[2:5] == (True, True, True) for row in before[0])  # deferrable, deferred

    altered = bulk_import_sent(tmp_path, monkeypatch, prefix='ALTER TABLE "baskets_basket"')

    # Dropped and added back on plain PostgreSQL; never touched on Citus (no bulk path).
    assert len(altered) == (0 if is_citus(connection) else 2)
    assert all(name in sql for sql in altered for name in names)
    assert foreign_keys() == before
    assert Basket.objects.count() == 3
    assert BasketLine.objects.count() == 5


def test_a_row_without_its_referenced_row_fails_the_check():
    if is_citus(connection):
        pytest.skip("the bulk path is off on Citus (bulk_indexes' docstring)")
    store = Store.objects.create(code="S9")
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
    with (
        connection.cursor() as cursor,
        pytest.raises(IntegrityError, match="member_id"),
        transaction.atomic(),
        foreign_keys_checked_after(cursor=cursor, table="baskets_basket"),
    ):
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == lock_timeout  # the drop's own wait only
        cursor.execute(
            """
            INSERT INTO baskets_basket (
                basket_id, member_id, owner_id, store_id, purchased_at, total_amount,
                total_discount, line_count, source, loaded_at
            ) VALUES ('orphan', -42, -42, %s, now(), 0, 0, 0, 'import', now())
            """,
            [store.pk],
        )
    assert not Basket.objects.filter(basket_id="orphan").exists()
    assert len(foreign_keys()[0]) == 2  # rolled back with the failed load: still in place


def test_a_busy_members_table_keeps_the_foreign_keys_and_their_per_row_checks():
    if is_citus(connection):
        pytest.skip("the bulk path is off on Citus (bulk_indexes' docstring)")
    params = connection.get_connection_params()
    before = foreign_keys()
    with (
        psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as reader,
        connection.cursor() as cursor,
    ):
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        # Another session reading members: the drop cannot have its lock within LOCK_WAIT.
        reader.execute("LOCK TABLE members_member IN ACCESS SHARE MODE")
        with foreign_keys_checked_after(cursor=cursor, table="baskets_basket"):
            inside = foreign_keys()
        reader.rollback()
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == lock_timeout
    assert inside == before  # kept: the load goes on with the per-row checks
    assert foreign_keys() == before
