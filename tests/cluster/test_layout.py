"""Every table is placed on purpose, and on Citus the cluster is laid out as apps/cluster says.

On plain PostgreSQL the layout migration does nothing (no table is Citus'); on a Citus
coordinator (`make test-citus`) the reference tables are exactly the layout's. The foreign-key
order is read from the database's catalog, not from the layout.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection

from apps.cluster import layout
from apps.core.citus import MakeReferenceTables, is_citus
from apps.core.citus_group import DistributeGroup

pytestmark = pytest.mark.django_db

LISTS = {
    "REFERENCE": layout.REFERENCE,
    "MEMBERS": layout.MEMBERS,
    "DISTRIBUTED": tuple(layout.DISTRIBUTED),
    "COORDINATOR": layout.COORDINATOR,
}

FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
FROM pg_constraint c
WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY (%s)
"""


def model_tables() -> set[str]:
    return set(connection.introspection.django_table_names(include_views=False))


def test_every_table_of_every_model_is_in_exactly_one_list():
    placed = [table for tables in LISTS.values() for table in tables]
    assert len(placed) == len(set(placed)), "a table is in two lists, or twice in one"
    assert model_tables() - set(placed) == set(), "a new table: say where it lives"
    assert set(placed) - model_tables() == set(), "a table that no model has any more"


def test_a_reference_table_refers_only_to_reference_tables_listed_before_it():
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS_SQL, [list(layout.REFERENCE)])
        keys = cursor.fetchall()
    assert keys, "the catalog has foreign keys: the query found none"
    position = {table: i for i, table in enumerate(layout.REFERENCE)}
    for table, referenced in keys:
        assert referenced in position, f"{table} refers to {referenced}, not a reference table"
        assert position[referenced] <= position[table], f"{referenced} must come before {table}"


def test_the_migration_makes_the_layouts_reference_tables_in_its_order():
    migration = import_module("apps.cluster.migrations.0001_reference_tables").Migration
    (operation,) = migration.operations
    assert isinstance(operation, MakeReferenceTables)
    assert operation.tables == layout.REFERENCE


def test_the_group_migration_distributes_the_layouts_group():
    migration = import_module("apps.cluster.migrations.0002_per_member_group").Migration
    (operation,) = migration.operations
    assert isinstance(operation, DistributeGroup)
    assert tuple(operation.reference) == layout.MEMBERS
    assert operation.group == layout.DISTRIBUTED
    assert list(operation.group) == list(layout.DISTRIBUTED)  # the first is the anchor


def test_the_database_is_laid_out_as_the_layout_says():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_dist_partition') IS NOT NULL")
        (has_metadata,) = cursor.fetchone()
        assert has_metadata == is_citus(connection)
        if not has_metadata:  # plain PostgreSQL: the migration left every table alone
            return
        cursor.execute(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE repmodel = 't'"
        )
        references = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT logicalrelid::regclass::text, column_to_column_name(logicalrelid, partkey),"
            " colocationid FROM pg_dist_partition WHERE partmethod = 'h'"
        )
        distributed = cursor.fetchall()
    assert references == set(layout.REFERENCE) | set(layout.MEMBERS)
    assert {table: column for table, column, _ in distributed} == layout.DISTRIBUTED
    assert len({group for _, _, group in distributed}) == 1, "one co-location group"
