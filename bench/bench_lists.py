"""Benchmark: shopping lists for N demo members with 1, then 2, worker processes.

Usage: DEBUG=1 .venv/bin/python bench/bench_lists.py [--members 100000] [--weeks 26]
Loads demo data (generate_demo) when the database has fewer members, computes the category
snapshots the lists need, then times `lists_generate` end to end (queue → all chunks
committed) on a fresh Celery worker with --concurrency 1 and then 2, deleting the period's
lists between runs. Prints members, lists, seconds and the speed-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.catalog.models import Category  # noqa: E402
from apps.jobs.models import JobStatus  # noqa: E402
from apps.jobs.waiting import job_wait  # noqa: E402
from apps.lists.models import ShoppingList  # noqa: E402
from apps.lists.services import lists_generate  # noqa: E402
from apps.members.models import Member  # noqa: E402
from apps.segments.services import snapshots_compute  # noqa: E402
from tests.live_worker import LiveWorker  # noqa: E402

DEMO_END = dt.date(2026, 3, 1)  # a Sunday: demo data made here ends then


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    if Member.objects.count() < args.members:
        started = time.perf_counter()
        call_command(
            "generate_demo", members=args.members, weeks=args.weeks, seed=args.seed,
            end_date=DEMO_END, verbosity=0,
        )  # fmt: skip
        print(f"demo data loaded in {time.perf_counter() - started:.0f} s")
    # Lists start the day after the last purchase in the data (bench_demo's data or ours).
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(purchased_at) FROM baskets_basket")
        end = timezone.localtime(cursor.fetchone()[0]).date()
    period = end + dt.timedelta(days=1)
    started = time.perf_counter()
    snapshots_compute(
        category_ids=Category.objects.values_list("pk", flat=True),
        window_start=period - dt.timedelta(weeks=args.weeks),
        window_end=period,
    )
    print(f"snapshots ready in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    members = Member.objects.count()
    timings: dict[int, float] = {}
    print(f"{'workers':>7} {'members':>9} {'lists':>8} {'seconds':>8} {'speed-up':>8}")
    for workers in args.workers:
        ShoppingList.objects.filter(period_start=period).delete()
        with tempfile.TemporaryDirectory() as tmp:
            worker = LiveWorker(Path(tmp) / "worker.log", concurrency=workers).start()
            try:
                started = time.perf_counter()
                job = lists_generate(period_start=period, chunk_size=args.chunk_size)
                job = job_wait(job_id=job.pk, progress=False)
                seconds = time.perf_counter() - started
            finally:
                worker.stop()
        if job.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"job failed: {job.error}")
        timings[workers] = seconds
        lists = ShoppingList.objects.filter(period_start=period).count()
        speed_up = timings[args.workers[0]] / seconds
        print(f"{workers:>7} {members:>9,} {lists:>8,} {seconds:>8.1f} {speed_up:>7.2f}×")


if __name__ == "__main__":
    main()
