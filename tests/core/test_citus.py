"""The Citus-aware pieces behave exactly as Django's own on plain PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection, models
from django.db.migrations.exceptions import IrreversibleError

from apps.core.citus import MakeReferenceTables, is_citus
from apps.core.postgres.schema import DatabaseSchemaEditor
from apps.members.models import Member

pytestmark = pytest.mark.django_db


def citus_functions() -> bool:
    """Whether Citus' functions exist: found another way than is_citus (pg_extension)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('create_reference_table') IS NOT NULL")
        return cursor.fetchone()[0]


def citus_kind(table: str) -> str | None:
    """Return Citus' partition method of the table ('n': reference), None when not Citus'."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_dist_partition') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            "SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = %s::regclass",
            [table],
        )
        row = cursor.fetchone()
        return row[0] if row else None


def test_is_citus_says_whether_the_database_has_citus():
    # The plain suite runs on PostgreSQL without Citus; `make test-citus` on a coordinator.
    assert connection.vendor == "postgresql"
    assert is_citus(connection) == citus_functions()


def test_reference_tables_on_citus_and_nothing_elsewhere():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE core_probe_reference (id bigint PRIMARY KEY)")
    operation = MakeReferenceTables("core_probe_reference")
    with connection.schema_editor() as editor:
        operation.database_forwards("core", editor, None, None)
    assert citus_kind("core_probe_reference") == ("n" if citus_functions() else None)
    if citus_functions():  # Citus cannot make such tables local again: refused, said why
        with (
            pytest.raises(IrreversibleError, match="cannot make tables with identity"),
            connection.schema_editor() as editor,
        ):
            operation.database_backwards("core", editor, None, None)
        assert citus_kind("core_probe_reference") == "n"
    else:
        with connection.schema_editor() as editor:
            operation.database_backwards("core", editor, None, None)
        assert citus_kind("core_probe_reference") is None
    assert operation.describe() == "Make core_probe_reference reference tables on Citus"
    assert operation.deconstruct() == ("MakeReferenceTables", ["core_probe_reference"], {})


def test_the_backend_adds_a_positive_field_with_its_check_as_django_does():
    field = models.PositiveSmallIntegerField(null=True)
    field.set_attributes_from_name("probe")
    field.model = Member
    with connection.schema_editor() as editor:
        assert isinstance(editor, DatabaseSchemaEditor)
        editor.add_field(Member, field)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.conrelid = 'members_member'::regclass AND c.contype = 'c' "
            "AND a.attname = 'probe'"
        )
        assert [row[0] for row in cursor.fetchall()] == ["CHECK ((probe >= 0))"]
