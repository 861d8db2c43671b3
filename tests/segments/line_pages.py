"""How many of the basket lines' pages the visibility map marks all-visible (tests' helper)."""

from __future__ import annotations


def line_pages() -> tuple[int, int]:
    """The lines' pages and how many are all-visible (on Citus, summed over the shards)."""
    from django.db import connection

    from apps.core.citus import is_citus

    pages = "SELECT relpages || ',' || relallvisible FROM pg_class WHERE oid = '%s'::regclass"
    with connection.cursor() as cursor:
        if is_citus(connection):
            cursor.execute(
                "SELECT result FROM run_command_on_shards('baskets_basketline', %s)", [pages]
            )
        else:
            cursor.execute(pages % "baskets_basketline")
        counts = [tuple(map(int, result.split(","))) for (result,) in cursor.fetchall()]
    return sum(p for p, _ in counts), sum(v for _, v in counts)
