"""How many times the basket lines have been vacuumed by hand, per shard (tests' helper).

The tests check that VACUUM runs, not how many pages it could mark all-visible: that
depends on every other open transaction in the database (a page newer than another
session's snapshot stays unmarked), which a test cannot control.
"""

from __future__ import annotations


def line_vacuums() -> list[int]:
    """`pg_stat_user_tables.vacuum_count` of the lines' table (on Citus, of each shard)."""
    from django.db import connection

    from apps.core.citus import is_citus

    count = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = '%s'::regclass"
    with connection.cursor() as cursor:
        if is_citus(connection):
            cursor.execute(
                "SELECT result FROM run_command_on_shards('baskets_basketline', %s) "
                "ORDER BY shardid",
                [count],
            )
        else:
            cursor.execute(count % "baskets_basketline")
        return [int(value) for (value,) in cursor.fetchall()]
