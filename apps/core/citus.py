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

from django.db.migrations.operations.base import Operation
from psycopg import sql

CITUS_SQL = "SELECT 1 FROM pg_extension WHERE extname = 'citus'"

# The identity columns of the schema's tables (dropped columns keep their flag: skipped).
IDENTITIES_SQL = """
SELECT format('%I', c.relname), format('%I', a.attname),
       pg_get_serial_sequence(format('%I', c.relname), a.attname)
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY 1, 2
"""
DISTRIBUTED_SQL = "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = %s::regclass"


def is_citus(connection) -> bool:
    """Return whether the database behind `connection` is a Citus coordinator.

    Known from the connection's first statement (`citus_session`) once it is open, so that
    asking costs no query; asked of the database otherwise.
    """
    if connection.vendor != "postgresql":
        return False
    known = getattr(connection, "crm_citus", None)
    if known is not None and connection.connection is not None:
        return known
    with connection.cursor() as cursor:
        cursor.execute(CITUS_SQL)
        return cursor.fetchone() is not None


# What every connection to a Citus coordinator runs first (nothing elsewhere), found on the
# suite: a transaction that reads shards in parallel may not then write a reference table
# (tables with a foreign key to one need one connection per node: `sequential`); and the
# ORM joins rows by id, not by member (a line to its basket), which Citus runs only as a
# repartition join. Statements that must fan out wide set their own mode.
SESSION_SQL = """
SELECT count(*) > 0 FROM (
    SELECT set_config('citus.multi_shard_modify_mode', 'sequential', false),
           set_config('citus.enable_repartition_joins', 'on', false)
    WHERE EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
) citus
"""


def citus_session(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: SESSION_SQL on every new PostgreSQL connection.

    Its answer (a coordinator or not) is kept on the connection for `is_citus`.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SESSION_SQL)
            (connection.crm_citus,) = cursor.fetchone()


def identities_to_sequences(cursor) -> list[str]:
    """Give every identity column of the schema an owned sequence default instead.

    Citus converts a table tied by a foreign key to a reference table into a Citus-managed
    table, and converts it back, or distributes it, when asked; every such conversion of a
    table with an identity column either restarts its numbering at 1 or is refused outright
    ("cannot complete operation on a table with identity column"), tried on 13.2.2. A
    sequence default (what `bigserial` makes) numbers rows the same way for Django, which
    reads the new id back with RETURNING, and survives every conversion. The sequence keeps
    the identity's name and goes on after the largest id. Returns the columns changed as
    `table.column`.
    """
    cursor.execute(IDENTITIES_SQL)
    changed = []
    for table, column, sequence in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP IDENTITY")
        cursor.execute(f"CREATE SEQUENCE {sequence} OWNED BY {table}.{column}")
        cursor.execute(
            f"SELECT setval(%s, coalesce(max({column}), 0) + 1, false) FROM {table}", [sequence]
        )
        # A literal, not a parameter: DDL takes none (server-side binding, crm_site/settings).
        literal = sql.Literal(sequence).as_string()
        cursor.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT nextval({literal}::regclass)"
        )
        changed.append(f"{table}.{column}")
    return changed


class MakeReferenceTables(Operation):
    """Copy the tables to every node of a Citus cluster, in the order given.

    A reference table may refer by foreign key only to other reference tables, so list the
    referenced ones first. Identity columns become sequence defaults first
    (`identities_to_sequences`). Backwards, the tables and those Citus took in with them
    become local again; the sequences stay. Nothing happens on plain PostgreSQL.
    """

    reversible = True

    def __init__(self, *tables: str) -> None:
        self.tables = tables

    def deconstruct(self):
        return self.__class__.__name__, list(self.tables), {}

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not is_citus(schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            identities_to_sequences(cursor)
            for table in self.tables:
                cursor.execute("SELECT create_reference_table(%s)", [table])

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not is_citus(schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            for table in reversed(self.tables):
                cursor.execute(DISTRIBUTED_SQL, [table])
                if cursor.fetchone() is not None:  # not taken back with an earlier one
                    # With the tables Citus took in for the foreign keys: local again.
                    cursor.execute(
                        "SELECT undistribute_table(%s, cascade_via_foreign_keys => true)",
                        [table],
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
