"""Benchmark the marketing dashboard on the 100,000-member demo data (after bench_lists).

    DATABASE_URL=<scratch db with demo data> .venv/bin/python bench/bench_reports.py [--runs 30]

Makes what the pages need when it is missing: a member-value fit, category snapshots for the
first day of the last `--months` months (so buyers can move between monthly snapshots), and
the demo marketing programme (`seed_demo_program`: campaigns, lists, checkouts with
redemptions) when no campaign has run. Then times a full refresh of the aggregates (per
step) and each dashboard page, unfiltered and filtered, through Django's test Client with
DEBUG off: server time p50 / p95 / max in ms (middleware, session, view, SQL, template,
plotly JSON), and the page's SQL statements and their share of the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.baskets.models import Store  # noqa: E402
from apps.campaigns.models import Campaign  # noqa: E402
from apps.catalog.models import Category  # noqa: E402
from apps.members.models import Member  # noqa: E402
from apps.reports.forms import add_months  # noqa: E402
from apps.reports.models import CellAggregate  # noqa: E402
from apps.reports.services import reports_refresh  # noqa: E402
from apps.segments.fits import repeat_model_fit  # noqa: E402
from apps.segments.models import RepeatModelFit, SegmentMember, SegmentSnapshot  # noqa: E402
from apps.segments.services import snapshots_compute  # noqa: E402


def _last_day() -> dt.date:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(purchased_at) FROM baskets_basket")
        last = cursor.fetchone()[0]
    if last is None:
        raise SystemExit("No baskets: run bench_demo first on this database.")
    return timezone.localtime(last).date()


def prepare(months: int) -> None:
    """Make the fit, the monthly snapshots and the programme the pages show, if missing."""
    end = _last_day()
    if not RepeatModelFit.objects.exists():
        started = time.perf_counter()
        repeat_model_fit(calibration_end=end)
        print(f"member-value fit: {time.perf_counter() - started:.0f} s")
    categories = list(Category.objects.values_list("pk", flat=True))
    first = end.replace(day=1)
    for k in range(months - 1, -1, -1):
        window_end = add_months(first, -k)
        if SegmentSnapshot.objects.filter(window_end=window_end).exists():
            continue
        started = time.perf_counter()
        snapshots_compute(
            category_ids=categories,
            window_start=window_end - dt.timedelta(weeks=52),
            window_end=window_end,
        )
        print(f"snapshots ending {window_end}: {time.perf_counter() - started:.0f} s")
    ran = Campaign.objects.filter(status__in=["active", "ended"]).exists()
    if not ran and "seed_demo_program" in get_commands():
        started = time.perf_counter()
        call_command("seed_demo_program", verbosity=0)
        print(f"seed_demo_program: {time.perf_counter() - started:.0f} s")
    elif not ran:
        print("note: no campaign has run and seed_demo_program is missing: redemption empty")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_pages(pages: list[tuple[str, str, dict]], runs: int) -> None:
    settings.DEBUG = False  # no query log on the timed runs, as in production
    user, _ = User.objects.get_or_create(
        username="bench-reports", defaults={"role": Role.MARKETING}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    print(f"{'page':<44} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7} {'SQL ms':>7}")
    for label, url, params in pages:
        for _ in range(3):  # warm the connection, caches and templates
            assert client.get(url, params).status_code == 200
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        timings.sort()
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        print(
            f"{label:<44} {statistics.median(timings):>7.1f} {p95:>7.1f} {timings[-1]:>7.1f} "
            f"{len(queries.captured_queries):>7} {sql_ms:>7.1f}"
        )


def refresh() -> None:
    print(
        f"{Member.objects.count():,} members, {SegmentMember.objects.count():,} snapshot rows "
        f"in {SegmentSnapshot.objects.count():,} snapshots, "
        f"{Campaign.objects.count()} campaigns"
    )
    started = time.perf_counter()
    result = reports_refresh(full=True)
    total = time.perf_counter() - started
    steps = ", ".join(f"{label} {s:.1f} s" for label, s in result["seconds"].items())
    print(f"full refresh: {total:.1f} s ({steps})")
    started = time.perf_counter()
    again = reports_refresh()
    print(
        f"nightly refresh with no new snapshot: {time.perf_counter() - started:.1f} s "
        f"({again['snapshots_aggregated']} snapshots re-aggregated)"
    )
    print(f"{CellAggregate.objects.count():,} cell rows")


def pages(runs: int) -> None:
    store = Store.objects.order_by("code").first()
    biggest = (
        CellAggregate.objects.filter(category__isnull=False)
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("category_id", flat=True)
        .first()
    )
    filters = [
        ("", {}),
        ("store", {"store": store.pk}),
        ("category", {"category": biggest}),
        ("store + category", {"store": store.pk, "category": biggest}),
    ]
    urls = [
        (f"{name} {label}".strip(), reverse(f"reports:{name}"), params)
        for name in ("loyalty", "redemption")
        for label, params in filters
    ]
    loyalty = reverse("reports:loyalty")
    urls += [
        ("loyalty table: cells (a fragment)", loyalty, {"_fragment": "cells"}),
        ("loyalty table: moves (a fragment)", loyalty, {"_fragment": "moves"}),
        ("loyalty CSV export: cells", loyalty, {"_export": "csv", "_table": "cells"}),
    ]
    time_pages(urls, runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--pages-only", action="store_true", help="time the pages only")
    args = parser.parse_args()

    if not args.pages_only:
        prepare(args.months)
        refresh()
    pages(args.runs)


if __name__ == "__main__":
    main()
