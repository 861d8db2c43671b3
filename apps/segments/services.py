"""Compute category snapshots (brand-loyalty × usage cells and purchase cycles) in PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.segments import sql
from apps.segments.models import SegmentSnapshot

DEFAULT_NATIONAL_THRESHOLD = Decimal("0.80")
DEFAULT_STORE_THRESHOLD = Decimal("0.20")

_CLAIM_SNAPSHOTS = """
INSERT INTO segments_segmentsnapshot
    (category_id, window_start, window_end, national_threshold, store_threshold, buyers,
     computed_at, job_id)
SELECT c, %(start)s, %(end)s, %(national_threshold)s, %(store_threshold)s, 0, now(), %(job_id)s
FROM unnest(%(category_ids)s::bigint[]) AS c
ON CONFLICT ON CONSTRAINT segment_snapshot_unique_run DO NOTHING
RETURNING id, category_id
"""


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the start of a local calendar day in the chain's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic
def snapshots_compute(
    *,
    category_ids: Iterable[int],
    window_start: dt.date,
    window_end: dt.date,
    national_threshold: Decimal = DEFAULT_NATIONAL_THRESHOLD,
    store_threshold: Decimal = DEFAULT_STORE_THRESHOLD,
    job_id: int | None = None,
) -> list[int]:
    """Create the snapshots that do not exist yet for these categories and return their ids.

    Claiming a snapshot and writing its rows happen in one transaction: a worker killed
    midway leaves nothing, and a second run of the same work (or a racing one, which waits
    on the unique constraint) finds the snapshot and does nothing.
    """
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    if not Decimal(0) <= store_threshold < national_threshold <= Decimal(1):
        raise ValueError("need 0 <= store threshold < national threshold <= 1")
    params = {
        "category_ids": list(category_ids),
        "start": window_start,
        "end": window_end,
        "national_threshold": national_threshold,
        "store_threshold": store_threshold,
        "job_id": job_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SNAPSHOTS, params)
        claimed = cursor.fetchall()
        if not claimed:
            return []
        snapshot_ids = [row[0] for row in claimed]
        cursor.execute(
            sql.INSERT_SNAPSHOT_ROWS,
            {
                "category_ids": [row[1] for row in claimed],
                "snapshot_ids": snapshot_ids,
                "tz": settings.TIME_ZONE,
                "start": local_midnight(window_start),
                "end": local_midnight(window_end),
                "national_threshold": national_threshold,
                "store_threshold": store_threshold,
            },
        )
        cursor.execute(sql.COUNT_BUYERS, {"snapshot_ids": snapshot_ids})
    return snapshot_ids


def snapshot_get_or_compute(
    *,
    category_id: int,
    window_start: dt.date,
    window_end: dt.date,
    national_threshold: Decimal = DEFAULT_NATIONAL_THRESHOLD,
    store_threshold: Decimal = DEFAULT_STORE_THRESHOLD,
) -> SegmentSnapshot:
    """Return the snapshot for these parameters, computing it first when missing."""
    snapshots_compute(
        category_ids=[category_id],
        window_start=window_start,
        window_end=window_end,
        national_threshold=national_threshold,
        store_threshold=store_threshold,
    )
    return SegmentSnapshot.objects.get(
        category_id=category_id,
        window_start=window_start,
        window_end=window_end,
        national_threshold=national_threshold,
        store_threshold=store_threshold,
    )
