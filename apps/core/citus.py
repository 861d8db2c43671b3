"""Citus: one set of migrations for plain PostgreSQL and for a Citus coordinator.

When the database has the `citus` extension (a coordinator of a cluster, docs/scale.md),
these migration operations distribute tables: small tables every node joins with become
*reference tables* (a full copy on every node), per-member tables are *distributed* by the
member and co-located with the members. On plain PostgreSQL (the embedded server, the
machine's server) they do nothing, so the schema and every query stay as they are.

Django's state is not touched: distribution is a property of the database, like a
tablespace, not of the models.
"""

from __future__ import annotations

import re

from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.operations.base import Operation

CITUS_SQL = "SELECT 1 FROM pg_extension WHERE extname = 'citus'"

# The identity columns of the schema's tables. Turning a table into a reference table also
# turns the local tables tied to it by foreign keys into Citus-managed tables, and
# undistributing turns them back; each conversion restarts their identity sequences at 1
# (tried on Citus 13.2.2): rows already there would then collide with the next insert.
IDENTITIES_SQL = """
SELECT format('%I', c.relname), a.attname,
       pg_get_serial_sequence(format('%I', c.relname), a.attname)
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
"""


def is_citus(connection) -> bool:
    """Return whether the database behind `connection` is a Citus coordinator."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(CITUS_SQL)
        return cursor.fetchone() is not None


def resume_identities(schema_editor) -> None:
    """Set every identity of the schema past its column's largest value."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(IDENTITIES_SQL)
        identities = cursor.fetchall()
        for table, column, sequence in identities:
            cursor.execute(
                f'SELECT setval(%s, coalesce(max("{column}"), 0) + 1, false) FROM {table}',
                [sequence],
            )


class MakeReferenceTables(Operation):
    """Copy the tables to every node of a Citus cluster, in the order given.

    A reference table may refer by foreign key only to other reference tables, so list the
    referenced ones first. Nothing happens on plain PostgreSQL.
    """

    reversible = True  # on plain PostgreSQL; see database_backwards

    def __init__(self, *tables: str) -> None:
        self.tables = tables

    def deconstruct(self):
        return self.__class__.__name__, list(self.tables), {}

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if is_citus(schema_editor.connection):
            for table in self.tables:
                schema_editor.execute("SELECT create_reference_table(%s)", [table])
            resume_identities(schema_editor)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        """Refuse on Citus: the tables cannot be made local again.

        Citus' undistribute_table refuses every table with an identity column ("cannot
        complete operation on a table with identity column", tried on 13.2.2), and the
        Citus-managed tables tied to these by foreign keys would have to go back with them.
        A cluster is rebuilt from a backup, or from a dump into a fresh database, instead.
        """
        if is_citus(schema_editor.connection):
            raise IrreversibleError(
                f"{self.describe()}: Citus cannot make tables with identity columns local "
                "again (docs/scale.md)"
            )

    def describe(self) -> str:
        return f"Make {', '.join(self.tables)} reference tables on Citus"


def violates(exc: BaseException, constraint: str) -> bool:
    """Return whether the database error `exc` (Django's, or psycopg's) broke `constraint`.

    On Citus the error names the constraint of the shard that refused the row, which is the
    constraint's name followed by `_<shard id>` (`basket_basket_id_unique_102044`), so a
    comparison by name alone would miss it.
    """
    error = exc if hasattr(exc, "diag") else exc.__cause__
    name = getattr(getattr(error, "diag", None), "constraint_name", None) or ""
    return name == constraint or bool(re.fullmatch(re.escape(constraint) + r"_\d+", name))
