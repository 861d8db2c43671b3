"""Writes: compute and store a window's category association rules."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from apps.core.clock import local_midnight
from apps.segments.affinity.sql import COMPUTE_SQL

DEFAULT_WEEKS = 52
# A rule needs this many baskets with both categories: below it a lift is mostly noise (a
# pair seen 3 times among 80,000 baskets can show a lift of 20). 20 keeps the demo's common
# pairs (about 80,000 baskets a year) and drops the accidental ones.
DEFAULT_MIN_BASKETS = 20


@transaction.atomic
def category_affinity_compute(
    *,
    window_end: dt.date,
    weeks: int = DEFAULT_WEEKS,
    min_baskets: int = DEFAULT_MIN_BASKETS,
) -> int:
    """Compute every category pair's rules for the `weeks` before `window_end`; return the count.

    Idempotent: the window's earlier rules are replaced in the same transaction (a rule that
    fell under `min_baskets` goes), so running it again, or after new baskets arrived for the
    window, leaves exactly one set of rules per window end. The window is local dates
    [window_end - weeks, window_end), like the segment snapshots'.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if min_baskets < 1:
        raise ValueError("min_baskets must be at least 1")
    window_start = window_end - dt.timedelta(weeks=weeks)
    with connection.cursor() as cursor:
        # The pair self-join sorts and hashes millions of rows on a large chain.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("DELETE FROM segments_categoryaffinity WHERE window_end = %s", [window_end])
        cursor.execute(
            COMPUTE_SQL,
            {
                "start": local_midnight(window_start),
                "end": local_midnight(window_end),
                "window_start": window_start,
                "window_end": window_end,
                "min_baskets": min_baskets,
            },
        )
        return cursor.rowcount
