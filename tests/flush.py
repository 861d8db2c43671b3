"""Let the test suite's flush empty the tables that refuse TRUNCATE.

After a transactional test, Django empties every table with one TRUNCATE; the audit trail
and the points ledger refuse that with BEFORE TRUNCATE triggers (audit 0004, rewards 0002),
as they must for the product. The flush here switches those triggers off for its own
transaction only: Django runs the flush in one transaction, and the ALTER TABLEs that
switch them back on are its last statements, so a failed flush leaves them on too.

(It used to run the flush with session_replication_role = replica, under which PostgreSQL
fires no ordinary trigger. On Citus, that role also keeps the TRUNCATE from reaching the
shards, so the rows stayed: docs/scale.md.)

On Citus, a distributed table's shards carry the trigger too, and an ALTER TABLE on the
coordinator does not reach them: `run_command_on_shards` switches them off before the
flush and on after it. It runs on connections of its own, so the switch on waits until the
flush has committed (inside the flush it would wait on the flush's own locks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.postgresql.operations import DatabaseOperations

from apps.core.citus import is_citus

# The user's own triggers that fire on TRUNCATE (bit 32 of tgtype), not Citus' own.
TRUNCATE_TRIGGERS_SQL = """
SELECT format('%I', c.relname), format('%I', t.tgname)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgtype & 32 <> 0 AND n.nspname = current_schema()
  AND t.tgname NOT LIKE 'truncate\\_trigger\\_%'
ORDER BY 1, 2
"""
SHARDED_SQL = "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h'"


def _on_shards(connection, triggers: list[tuple[str, str]], action: str) -> None:
    """Switch the user triggers of these distributed tables on or off on every shard.

    A shard's trigger is named after the shard (`<name>_<shard id>`), so all of the shard's
    user triggers are switched (the append-only ones go with the TRUNCATE ones: the flush
    deletes nothing row by row).
    """
    with connection.cursor() as cursor:
        for table in sorted({table for table, _ in triggers}):
            cursor.execute(
                "SELECT shardid, result FROM run_command_on_shards(%s, %s) WHERE NOT success",
                [table, f"ALTER TABLE %s {action} TRIGGER USER"],
            )
            failed = cursor.fetchall()
            if failed:
                raise RuntimeError(f"{action} TRIGGER on {table}'s shards: {failed}")


@contextmanager
def flush_past_triggers() -> Iterator[None]:
    """Run every flush of the test run with the TRUNCATE-refusing triggers switched off."""
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if not sql_list:
            return original(self, sql_list)
        with self.connection.cursor() as cursor:
            cursor.execute(TRUNCATE_TRIGGERS_SQL)
            triggers = cursor.fetchall()
            sharded = set()
            if is_citus(self.connection):
                cursor.execute(SHARDED_SQL)
                sharded = {row[0] for row in cursor.fetchall()}
        on_shards = [(t, n) for t, n in triggers if t in sharded]
        _on_shards(self.connection, on_shards, "DISABLE")
        try:
            unsafe = ["SET LOCAL citus.enable_unsafe_triggers = on"] if sharded else []
            off = [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for table, name in triggers]
            on = [f"ALTER TABLE {table} ENABLE TRIGGER {name}" for table, name in triggers]
            return original(self, [*unsafe, *off, *sql_list, *on])
        finally:
            _on_shards(self.connection, on_shards, "ENABLE")

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original
