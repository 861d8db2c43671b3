"""Check a large load's foreign keys in one set-based pass instead of row by row.

Django makes every foreign key DEFERRABLE INITIALLY DEFERRED, so each inserted basket
queues one RI trigger event per constraint (member, store); at commit (or at SET
CONSTRAINTS ALL IMMEDIATE, bulk_indexes) each event runs its own look-up of the referenced
row and locks it FOR KEY SHARE. For 137 k baskets that took ~1 s on a quiet machine and
2 s under load. A load large enough to rebuild the indexes (bulk_indexes.worth_rebuilding)
drops the table's foreign keys instead, inserts, and adds them back with the definitions it
read from the catalog (same names, same DEFERRABLE INITIALLY DEFERRED), as pg_restore does:
ADD CONSTRAINT … FOREIGN KEY checks every existing row in one anti-join. A row without its
referenced row fails the ADD, with PostgreSQL's own foreign-key error, and the import's
transaction rolls back as it would have at commit.

Locks: dropping a foreign key drops its triggers on the referenced table too, so the
transaction holds an ACCESS EXCLUSIVE lock on the table and on the referenced ones
(members_member, baskets_store) until commit: readers of members and stores wait for such
a load, as readers of baskets already do for bulk_indexes' DROP INDEX. Daily files stay
below the threshold and keep the per-row checks and the lock-free path. The drop waits at
most LOCK_WAIT for those locks: a long reader of members (a report, a segment job) would
otherwise queue every other session's reads of members behind the load's lock request.
When it cannot have them in time, the load keeps its foreign keys and their per-row checks.

Not on Citus: the bulk path is off there (bulk_indexes' docstring).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, transaction

# How long the drop may wait for its locks before the load keeps the per-row checks. Below
# PostgreSQL's deadlock_timeout (1 s): the load gives way before a deadlock check would
# have to pick a victim (it holds the basket tables' locks already, bulk_indexes).
LOCK_WAIT = "500ms"
LOCK_NOT_AVAILABLE = "55P03"

# What pg_dump would write for them: definitions that re-create the constraints exactly.
_FOREIGN_KEYS_SQL = """
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f'
ORDER BY conname
"""


@contextmanager
def foreign_keys_checked_after(*, cursor, table: str, enabled: bool = True) -> Iterator[None]:
    """Drop the table's foreign keys, run the body, then add them back (one check each)."""
    if not enabled:
        yield
        return
    cursor.execute(_FOREIGN_KEYS_SQL, [table])
    definitions = cursor.fetchall()
    if not definitions:
        yield
        return
    # ALTER TABLE refuses a table (or a referenced one) with trigger events still queued,
    # e.g. a caller's earlier writes in the same transaction: run those checks now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if not _dropped(cursor=cursor, table=table, names=[name for name, _ in definitions]):
        yield
        return
    yield
    adds = ", ".join(f'ADD CONSTRAINT "{name}" {definition}' for name, definition in definitions)
    cursor.execute(f'ALTER TABLE "{table}" {adds}')


def _dropped(*, cursor, table: str, names: list[str]) -> bool:
    """Drop the named constraints, waiting at most LOCK_WAIT for the locks; return whether
    they were dropped (nothing changes when not)."""
    cursor.execute("SELECT current_setting('lock_timeout')")
    lock_timeout = cursor.fetchone()[0]
    drops = ", ".join(f'DROP CONSTRAINT "{name}"' for name in names)
    try:
        with transaction.atomic():  # a savepoint: a timed-out drop leaves the load intact
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            cursor.execute(f'ALTER TABLE "{table}" {drops}')
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return False
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
    return True
