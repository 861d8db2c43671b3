"""Distribute a co-located group of tables on a Citus cluster, keys and foreign keys included.

Citus places a distributed table's rows by one column, and holds a unique key, a primary key
or a foreign key only when it includes that column (docs/scale.md, "Learned"). Django's
schema keys rows by `id`. `distribute_group` makes the schema fit, from the database's own
catalog rather than a hand-kept list of constraints:

1. every foreign key into or out of the group (and of the tables becoming reference tables)
   is dropped, remembered with its definition;
2. the new reference tables are copied to every node;
3. each primary key, unique constraint and unique index of a group table that lacks the
   table's distribution column gains it at the end, keeping its name (so code that
   recognises a constraint by name, `apps.core.citus.violates`, still does) and its leading
   columns (so every lookup it served still uses it);
4. the first table is distributed by its column, every other one co-located with it;
5. the foreign keys come back where Citus can hold them: to a reference table as they were;
   between two group tables with the distribution column on both sides,
   `(member_id, basket_id) → (owner_id, id)`. Those between the group and a table that stays
   on the coordinator cannot be held, and are returned, for the migration to say so.

Nothing here runs on plain PostgreSQL: the caller checks `is_citus` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.migrations.operations.base import Operation

from apps.core.citus import is_citus

FOREIGN_KEYS_SQL = """
SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
       pg_get_constraintdef(c.oid),
       (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(att, n)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att),
       (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(att, n)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att),
       c.condeferrable, c.condeferred
FROM pg_constraint c
WHERE c.contype = 'f'
  AND (c.conrelid::regclass::text = ANY(%(tables)s)
       OR c.confrelid::regclass::text = ANY(%(tables)s))
ORDER BY 2, 1
"""

KEYS_SQL = """
SELECT c.conname, pg_get_constraintdef(c.oid),
       %(column)s = ANY(SELECT a.attname FROM pg_attribute a
                        WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey))
FROM pg_constraint c
WHERE c.conrelid = %(table)s::regclass AND c.contype IN ('p', 'u')
ORDER BY c.contype, c.conname
"""

UNIQUE_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
       %(column)s = ANY(SELECT a.attname FROM pg_attribute a
                        WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey))
FROM pg_index i
WHERE i.indrelid = %(table)s::regclass AND i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


@dataclass(frozen=True)
class ForeignKey:
    name: str
    table: str
    target: str
    definition: str
    columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    deferrable: bool
    deferred: bool


def _foreign_keys(cursor, tables: list[str]) -> list[ForeignKey]:
    cursor.execute(FOREIGN_KEYS_SQL, {"tables": tables})
    return [
        ForeignKey(name, table, target, definition, tuple(cols), tuple(tcols), dfr, dfd)
        for name, table, target, definition, cols, tcols, dfr, dfd in cursor.fetchall()
    ]


def _with_column_last(definition: str, opening: str, column: str) -> str:
    """Add `column` at the end of the column list opened by the first match of `opening`."""
    start = re.search(opening, definition).end()
    depth = 1
    for i in range(start, len(definition)):
        depth += {"(": 1, ")": -1}.get(definition[i], 0)
        if depth == 0:
            return f"{definition[:i]}, {column}{definition[i:]}"
    raise ValueError(f"unbalanced column list: {definition}")


def _widen_keys(cursor, anchor: str, table: str, column: str) -> None:
    """Add `column` at the end of every key and unique index of `table` that lacks it.

    At the end, so that every lookup the key served (by id, by a basket's id, by a list
    item's slot) still finds its rows by the index's leading columns.
    """
    cursor.execute(KEYS_SQL, {"table": table, "column": column})
    for name, definition, has_column in cursor.fetchall():
        if has_column:
            continue
        wider = _with_column_last(definition, r"\(", column)
        cursor.execute(SAVE_SQL, [anchor, table, name, "key", definition])
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {wider}')
    cursor.execute(UNIQUE_INDEXES_SQL, {"table": table, "column": column})
    for name, definition, has_column in cursor.fetchall():
        if has_column:
            continue
        wider = _with_column_last(definition, r"USING \w+ \(", column)
        cursor.execute(SAVE_SQL, [anchor, table, name, "index", definition])
        cursor.execute(f"DROP INDEX {name}")
        cursor.execute(wider)


REFERENCE_TABLES_SQL = """
SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE repmodel = 't'
"""

# What the forward step changed, kept on the coordinator so that going back restores the
# schema Django made: each widened key's and each dropped foreign key's first definition.
SAVED_SQL = """
CREATE TABLE IF NOT EXISTS cluster_saved_constraint (
    anchor text NOT NULL,
    table_name text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('key', 'index', 'foreign key')),
    definition text NOT NULL,
    PRIMARY KEY (anchor, table_name, name)
)
"""
SAVE_SQL = "INSERT INTO cluster_saved_constraint VALUES (%s, %s, %s, %s, %s)"


def _restore(cursor, fk: ForeignKey, group: dict[str, str], reference: set[str]) -> bool:
    """Add the foreign key back if Citus can hold it; return whether it could."""
    timing = " DEFERRABLE" if fk.deferrable else ""
    timing += " INITIALLY DEFERRED" if fk.deferred else ""
    if fk.target in reference and (fk.table in group or fk.table in reference):
        cursor.execute(f'ALTER TABLE {fk.table} ADD CONSTRAINT "{fk.name}" {fk.definition}')
        return True
    if fk.table in group and fk.target in group:
        columns = ", ".join((group[fk.table], *fk.columns))
        targets = ", ".join((group[fk.target], *fk.target_columns))
        cursor.execute(
            f'ALTER TABLE {fk.table} ADD CONSTRAINT "{fk.name}" FOREIGN KEY ({columns}) '
            f"REFERENCES {fk.target} ({targets}){timing}"
        )
        return True
    if fk.table not in group and fk.target not in group:
        # Between tables that stay on the coordinator (or to a reference table).
        cursor.execute(f'ALTER TABLE {fk.table} ADD CONSTRAINT "{fk.name}" {fk.definition}')
        return True
    return False


def distribute_group(cursor, *, reference: list[str], group: dict[str, str]) -> list[ForeignKey]:
    """Make `reference` reference tables and distribute `group` (table → column), co-located
    with its first table. Return the foreign keys that could not come back."""
    tables = [*reference, *group]
    # Keys to reference tables are added in the same transaction as the shards: Citus
    # then needs one connection per node for all of it.
    cursor.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
    cursor.execute(SAVED_SQL)
    anchor = next(iter(group))
    foreign_keys = _foreign_keys(cursor, tables)
    for fk in foreign_keys:
        cursor.execute(SAVE_SQL, [anchor, fk.table, fk.name, "foreign key", fk.definition])
        cursor.execute(f'ALTER TABLE {fk.table} DROP CONSTRAINT "{fk.name}"')
    for table in reference:
        cursor.execute("SELECT create_reference_table(%s)", [table])
    for table, column in group.items():
        _widen_keys(cursor, anchor, table, column)
    # The ledger's append-only triggers go with their tables to the shards (rewards 0014
    # makes them recognise a shard's name); Citus asks for this setting to allow it.
    cursor.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    for table, column in group.items():
        if table == anchor:
            cursor.execute("SELECT create_distributed_table(%s, %s)", [table, column])
        else:
            cursor.execute(
                "SELECT create_distributed_table(%s, %s, colocate_with => %s)",
                [table, column, anchor],
            )
    cursor.execute(REFERENCE_TABLES_SQL)
    references = {row[0] for row in cursor.fetchall()}
    return [fk for fk in foreign_keys if not _restore(cursor, fk, group, references)]


def undistribute_group(cursor, *, reference: list[str], group: dict[str, str]) -> None:
    """Undo `distribute_group`: every table local again, with the keys and foreign keys
    Django made (from what the forward step saved)."""
    tables = [*reference, *group]
    cursor.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
    for fk in _foreign_keys(cursor, tables):
        cursor.execute(f'ALTER TABLE {fk.table} DROP CONSTRAINT "{fk.name}"')
    cursor.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    # A dropped column keeps its identity flag (rewards_lotuse lost its `id` in rewards
    # 0013), and Citus refuses to make such a table local ("cannot complete operation on a
    # table with identity column"). The flag means nothing on a dropped column: cleared.
    cursor.execute(
        "UPDATE pg_attribute SET attidentity = '' WHERE attisdropped AND attidentity <> '' "
        "AND attrelid = ANY(%s::regclass[])",
        [tables],
    )
    for table in reversed(tables):
        cursor.execute("SELECT undistribute_table(%s)", [table])
    anchor = next(iter(group))
    cursor.execute(
        "DELETE FROM cluster_saved_constraint WHERE anchor = %s "
        "RETURNING table_name, name, kind, definition",
        [anchor],
    )
    saved = sorted(cursor.fetchall(), key=lambda row: (row[2] == "foreign key", row[0], row[1]))
    for table, name, kind, definition in saved:  # keys and indexes before foreign keys
        if kind == "key":
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        elif kind == "index":
            cursor.execute(f"DROP INDEX {name}")
            cursor.execute(definition)
        else:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SELECT 1 FROM cluster_saved_constraint LIMIT 1")
    if cursor.fetchone() is None:
        cursor.execute("DROP TABLE cluster_saved_constraint")


class DistributeGroup(Operation):
    """`distribute_group` as a migration operation; nothing happens on plain PostgreSQL."""

    reversible = True

    def __init__(self, *, reference: list[str], group: dict[str, str]) -> None:
        self.reference = list(reference)
        self.group = dict(group)

    def deconstruct(self):
        return self.__class__.__name__, [], {"reference": self.reference, "group": self.group}

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not is_citus(schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            distribute_group(cursor, reference=self.reference, group=self.group)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not is_citus(schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            undistribute_group(cursor, reference=self.reference, group=self.group)

    def describe(self) -> str:
        return f"Distribute {len(self.group)} tables co-located with {next(iter(self.group))}"
