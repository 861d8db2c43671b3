"""The Citus-aware pieces behave exactly as Django's own on plain PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection, models

from apps.core.citus import MakeReferenceTables, is_citus
from apps.core.postgres.schema import DatabaseSchemaEditor
from apps.members.models import Member

pytestmark = pytest.mark.django_db


def test_the_suite_database_is_plain_postgresql():
    assert connection.vendor == "postgresql"
    assert not is_citus(connection)


def test_making_reference_tables_does_nothing_without_citus():
    # A table that does not exist: any attempt to distribute it would raise.
    operation = MakeReferenceTables("no_such_table")
    with connection.schema_editor() as editor:
        operation.database_forwards("core", editor, None, None)
        operation.database_backwards("core", editor, None, None)
    assert operation.describe() == "Make no_such_table reference tables on Citus"
    assert operation.deconstruct() == ("MakeReferenceTables", ["no_such_table"], {})


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
