"""Let the test suite's flush empty the audit trail, which refuses TRUNCATE.

After a transactional test, Django empties every table with one TRUNCATE; the audit table's
BEFORE TRUNCATE trigger (audit migration 0004) refuses that, as it must for the product.
The flush here runs with session_replication_role = replica, for its own transaction only
(SET LOCAL): PostgreSQL then fires no ordinary trigger. Only a superuser may set it, as the
test database's owner is; the product's connection never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.postgresql.operations import DatabaseOperations

REPLICA = "SET LOCAL session_replication_role = replica"


@contextmanager
def flush_past_triggers() -> Iterator[None]:
    """Run every flush of the test run as a replica, so that triggers do not fire."""
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        # Django runs the list in one transaction (atomic): SET LOCAL ends with it.
        return original(self, [REPLICA, *sql_list] if sql_list else sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original
