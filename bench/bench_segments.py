"""Benchmark category snapshots on the demo data (run after bench_demo, same database).

Prints the time to compute every category's snapshot for the last 52 weeks in one pass,
and one category's snapshot alone (the largest and the median category by lines), each
beside issue 22's goal. For one category, the peer in the same run is the former
one-statement SQL (tests/segments/reference_snapshot_sql.py, the tests' oracle), run
alternately with the product's NumPy engine and rolled back: best and median of 3 each.

    make bench  (or: DATABASE_URL=<db with demo data> .venv/bin/python bench/bench_segments.py)
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _setup import bench_setup

bench_setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.catalog.models import Category  # noqa: E402
from apps.jobs.models import JobStatus  # noqa: E402
from apps.jobs.waiting import job_wait  # noqa: E402
from apps.segments.models import SegmentMember, SegmentSnapshot  # noqa: E402
from apps.segments.services import snapshots_compute, snapshots_refresh_all  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_worker import LiveWorker  # noqa: E402
from tests.segments.reference_snapshot_sql import reference_rows_insert  # noqa: E402

ONE_CATEGORY_GOAL = 0.5
ALL_ON_TWO_WORKERS_GOAL = 10.0
RUNS = 3


class RolledBack(Exception):
    pass


def timed_and_rolled_back(work) -> float:
    """Seconds `work` takes inside a transaction that is then rolled back."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
            raise RolledBack
    except RolledBack:
        return seconds


def former_sql(category: int, start: dt.date, end: dt.date) -> None:
    """The former one-statement snapshot of one category (the peer)."""
    snapshot = SegmentSnapshot.objects.create(
        category_id=category, window_start=start, window_end=end, buyers=0
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")  # as the former service did
        reference_rows_insert(
            cursor,
            snapshot=snapshot,
            national_threshold=snapshot.national_threshold,
            store_threshold=snapshot.store_threshold,
        )


def spread(values: list[float]) -> str:
    return f"best {min(values):.2f} s, median {statistics.median(values):.2f} s"


def main() -> None:
    with connection.cursor() as cursor:
        # What autovacuum does after a load: statistics and the visibility map.
        cursor.execute("VACUUM (ANALYZE) baskets_basketline, baskets_basket")
        cursor.execute("SELECT count(*), max(purchased_at) FROM baskets_basketline")
        lines, last = cursor.fetchone()
        cursor.execute(
            "SELECT p.category_id, count(*) FROM baskets_basketline l "
            "JOIN catalog_product p ON p.id = l.product_id GROUP BY 1 ORDER BY 2 DESC"
        )
        sizes = cursor.fetchall()
    if not lines:
        raise SystemExit("No basket lines: run bench_demo first on this database.")
    end = timezone.localtime(last).date() + dt.timedelta(days=1)
    start = end - dt.timedelta(weeks=52)
    categories = list(Category.objects.values_list("pk", flat=True))
    print(f"{lines:,} basket lines, {len(categories)} categories, window {start} to {end}")

    for label, (category, category_lines) in (
        ("largest", sizes[0]),
        ("median", sizes[len(sizes) // 2]),
    ):
        SegmentSnapshot.objects.all().delete()
        engine, former = [], []
        for _ in range(RUNS):
            engine.append(
                timed_and_rolled_back(
                    lambda c=category: snapshots_compute(
                        category_ids=[c], window_start=start, window_end=end
                    )
                )
            )
            former.append(timed_and_rolled_back(lambda c=category: former_sql(c, start, end)))
        snapshots_compute(category_ids=[category], window_start=start, window_end=end)
        buyers = SegmentMember.objects.count()
        print(
            f"{label} category ({category_lines:,} lines, {buyers:,} buyers): "
            f"{spread(engine)} (goal <= {ONE_CATEGORY_GOAL} s: "
            f"{'met' if min(engine) <= ONE_CATEGORY_GOAL else 'not met'}); "
            f"former SQL, same run: {spread(former)}"
        )

    SegmentSnapshot.objects.all().delete()
    started = time.perf_counter()
    snapshots_compute(category_ids=categories, window_start=start, window_end=end)
    every = time.perf_counter() - started
    print(
        f"all {len(categories)} categories in one call: {every:.1f} s "
        f"({SegmentMember.objects.count():,} buyer rows)"
    )

    # The production path: batches of categories fanned out to Celery workers.
    for concurrency in (1, 2):
        SegmentSnapshot.objects.all().delete()
        with tempfile.TemporaryDirectory() as tmp:
            worker = LiveWorker(Path(tmp) / "worker.log", concurrency=concurrency).start()
            try:
                started = time.perf_counter()
                job = snapshots_refresh_all(window_start=start, window_end=end)
                job = job_wait(job_id=job.pk, progress=False)
                seconds = time.perf_counter() - started
            finally:
                worker.stop()
        if job.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"job failed: {job.error}")
        goal = (
            f" (goal <= {ALL_ON_TWO_WORKERS_GOAL:.0f} s: "
            f"{'met' if seconds <= ALL_ON_TWO_WORKERS_GOAL else 'not met'})"
            if concurrency == 2
            else ""
        )
        print(
            f"all {len(categories)} categories on {concurrency} worker process(es), "
            f"batches of 25: {seconds:.1f} s{goal}"
        )


if __name__ == "__main__":
    main()
