"""Planner settings for the tests that read a plan to see which index a lookup fits.

Tiny test tables make any scan cheap, so these tests switch off the scans that need no
index condition. On Citus a shard's plan is made over Citus' own connection, which sees a
`SET LOCAL` only when `citus.propagate_set_commands` is 'local'.
"""

from __future__ import annotations

from django.db import connection

from apps.core.citus import is_citus


def plans_without(*scans: str) -> None:
    """Switch the planner's `enable_<scan>` off for the rest of the test's transaction."""
    with connection.cursor() as cursor:
        if is_citus(connection):
            cursor.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        for scan in scans:
            cursor.execute(f"SET LOCAL enable_{scan} = off")
