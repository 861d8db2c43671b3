"""Compute category snapshots (brand-loyalty × usage cells and purchase cycles) in PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from celery import group
from django.conf import settings
from django.db import connection, transaction

from apps.catalog.models import Category
from apps.jobs.models import Job
from apps.jobs.services import (
    job_advance_chunk,
    job_create,
    job_fail,
    job_start,
    job_succeed,
)
from apps.segments import cells, copying, sql
from apps.segments.job_messages import ALL_SNAPSHOTS_EXIST, CATEGORIES
from apps.segments.models import SegmentSnapshot

DEFAULT_NATIONAL_THRESHOLD = Decimal("0.80")
DEFAULT_STORE_THRESHOLD = Decimal("0.20")
# Categories whose lines are read and grouped at once: bounds the memory a call over
# every category takes (one line is ~60 bytes in flight).
CATEGORIES_PER_PASS = 25

_CLAIM_SNAPSHOTS = """
INSERT INTO segments_segmentsnapshot
    (category_id, window_start, window_end, national_threshold, store_threshold, buyers,
     computed_at, job_id)
SELECT c, %(start)s, %(end)s, %(national_threshold)s, %(store_threshold)s, 0, now(), %(job_id)s
FROM unnest(%(category_ids)s::bigint[]) AS c
ON CONFLICT ON CONSTRAINT segment_snapshot_unique_run DO NOTHING
RETURNING id, category_id
"""


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
        snapshot_of = {category_id: snapshot_id for snapshot_id, category_id in claimed}
        categories = sorted(snapshot_of)
        midnights = copying.local_midnights(
            cursor, first=window_start, last=window_end, tz=settings.TIME_ZONE
        )
        for at in range(0, len(categories), CATEGORIES_PER_PASS):
            _snapshot_rows_write(
                cursor,
                snapshot_of={c: snapshot_of[c] for c in categories[at : at + CATEGORIES_PER_PASS]},
                first=window_start,
                midnights=midnights,
                national_threshold=national_threshold,
                store_threshold=store_threshold,
            )
        snapshot_ids = [row[0] for row in claimed]
        cursor.execute(sql.COUNT_BUYERS, {"snapshot_ids": snapshot_ids})
    return snapshot_ids


def _snapshot_rows_write(
    cursor, *, snapshot_of: dict[int, int], first, midnights, national_threshold, store_threshold
) -> None:
    """Compute and insert the buyer rows of these categories' snapshots (category → id)."""
    lines = copying.lines_read(
        cursor, category_ids=list(snapshot_of), first=first, midnights=midnights
    )
    buyers = cells.buyer_cells(
        lines,
        members_by_card=lambda member_ids: copying.card_order(cursor, member_ids=member_ids),
        national_threshold=national_threshold,
        store_threshold=store_threshold,
    )
    copying.buyers_write(cursor, buyers=buyers, snapshot_of=snapshot_of)


def basket_lines_vacuum() -> bool:
    """VACUUM the basket lines before the nightly snapshots; False when in a transaction.

    The snapshots read the lines by an index-only scan of `line_product_time`, which reads
    only the index on pages the visibility map marks all-visible. Pages written since the
    last VACUUM are not, and autovacuum comes after inserts of 20 % of the table: a daily
    import of a few days' lines never triggers it, and a bulk load not before its next
    round (on the 10.6 M-line demo, as loaded: the largest category's read 2.7 s against
    0.4 s, docs/decisions.md). VACUUM skips the pages already all-visible, so a night's
    costs about the pages written that day. It cannot run inside a transaction block.
    """
    if connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM baskets_basketline")
    return True


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


def snapshots_compute_chunk(
    *,
    job_id: int,
    category_ids: list[int],
    window_start: dt.date,
    window_end: dt.date,
    national_threshold: Decimal,
    store_threshold: Decimal,
) -> int:
    """Compute one batch of a job's snapshots and count its categories on the job.

    In one transaction: the snapshots and the progress they represent commit together or
    not at all, and the job counts each batch once (apps.jobs.services.job_advance_chunk),
    so a batch delivered again after its work committed adds nothing.
    """
    try:
        with transaction.atomic():
            created = snapshots_compute(
                category_ids=category_ids,
                window_start=window_start,
                window_end=window_end,
                national_threshold=national_threshold,
                store_threshold=store_threshold,
                job_id=job_id,
            )
            job_advance_chunk(job_id=job_id, chunk=min(category_ids), units=len(category_ids))
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    return len(created)


def snapshots_refresh_all(
    *,
    window_start: dt.date,
    window_end: dt.date,
    national_threshold: Decimal = DEFAULT_NATIONAL_THRESHOLD,
    store_threshold: Decimal = DEFAULT_STORE_THRESHOLD,
    started_by=None,
    batch_size: int = 25,
) -> Job:
    """Queue every missing category snapshot for the window, in batches, under one job."""
    from apps.segments.tasks import snapshots_compute_task

    existing = SegmentSnapshot.objects.filter(
        window_start=window_start,
        window_end=window_end,
        national_threshold=national_threshold,
        store_threshold=store_threshold,
    ).values("category_id")
    missing = list(
        Category.objects.exclude(pk__in=existing).order_by("pk").values_list("pk", flat=True)
    )
    job = job_create(
        kind="segments",
        params={
            "window_start": window_start.isoformat(),
            "window_end": window_end.isoformat(),
            "national_threshold": str(national_threshold),
            "store_threshold": str(store_threshold),
            "categories": len(missing),
        },
        started_by=started_by,
        total=len(missing),
    )
    job_start(job_id=job.pk, total=len(missing), message=CATEGORIES(n=len(missing)))
    if not missing:
        job_succeed(job_id=job.pk, message=ALL_SNAPSHOTS_EXIST())
        job.refresh_from_db()
        return job
    batches = [missing[i : i + batch_size] for i in range(0, len(missing), batch_size)]
    signature = group(
        snapshots_compute_task.s(
            job.pk,
            batch,
            window_start.isoformat(),
            window_end.isoformat(),
            str(national_threshold),
            str(store_threshold),
        )
        for batch in batches
    )
    transaction.on_commit(signature.delay)
    return job
