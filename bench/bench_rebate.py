"""Benchmark: the year-end rebate over 100 k members holding a year of points.

Usage: DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_rebate.py [--members 100000]
       [--workers 2 1]

The data set is bench_rewards' (bench/bench_rewards.py): N members, 52 weeks of baskets from
Jan 6, 2025, their points backfilled (about 48 lots a member). On an empty database it is
built and backfilled here first (about 8 minutes at 100 k on 2 cores, not timed); a
database bench_rewards left is used as it is.

The conversion commits chunk by chunk, so it cannot be rolled back: each measurement runs
on a copy of the database (CREATE DATABASE ... TEMPLATE, not timed), dropped after; the
database is left as found (the ledger is append-only, and other benchmarks read it).
Timed, beside the goal (≤ 30 s), with the ledger in the cache (the read floor runs once
untimed first): `rebate_convert(2025)` as of Jan 1, 2026 (500 points a $5.00 certificate,
the rest carried), committed, for each `--workers` (connections converting chunks at once;
the product's default is CRM_REBATE_WORKERS, 2), and again (nothing to do). Floors measured
in the same run, on the same rows: the conversion's read alone (every member's lots with
what is left of each and the running sums, counted, on one connection); the same number of
rows as the conversion writes (entries, lot uses, certificates) INSERT ... SELECT into an
UNLOGGED table without indexes. Then `ledger_problems()` over the whole ledger, the
conversion included, must be empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _setup import bench_setup  # noqa: E402

bench_setup()

import bench_rewards  # noqa: E402  (the data set: its build and backfill)
from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from apps.rewards.models import PointsEntry, RebateRun  # noqa: E402
from apps.rewards.rebate import CONVERT_SQL, FAR, LOCK_SQL, LOTS, rebate_convert  # noqa: E402
from apps.rewards.verify import ledger_problems  # noqa: E402

YEAR = 2025
GOAL_SECONDS = 30
READ_FLOOR_SQL = f"SELECT count(*), coalesce(sum(remaining), 0), sum(before) FROM ({LOTS}) l"
FLOOR_TABLE_SQL = "CREATE UNLOGGED TABLE bench_rebate_floor (a bigint, b bigint, points integer)"
WRITE_FLOOR_SQL = (
    "INSERT INTO bench_rebate_floor SELECT g, g, 1 FROM generate_series(1, %(rows)s) g"
)
# The members the conversion locks, read without locking them (for the read floor).
MEMBERS_SQL = LOCK_SQL.replace("FOR UPDATE", "")


def prepare(members: int, workers: int, chunk_size: int) -> None:
    """Build bench_rewards' chain and backfill its points if the database lacks them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member WHERE card_number LIKE '77%'")
        built = cursor.fetchone()[0] >= members
    if not built:
        started = time.perf_counter()
        bench_rewards.build(members)
        print(f"chain built in {time.perf_counter() - started:.0f} s (not timed)")
    if PointsEntry.objects.filter(kind="earn").exists():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) + 1 FROM members_member")
        lo, hi = cursor.fetchone()
    chunks = [(a, min(a + chunk_size, hi)) for a in range(lo, hi, chunk_size)]
    started = time.perf_counter()
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.starmap(bench_rewards.backfill_chunk, chunks, chunksize=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rewards_pointsentry")
        cursor.execute("VACUUM ANALYZE rewards_lotuse")
        cursor.execute("VACUUM ANALYZE rewards_pointsbalance")
    print(f"points backfilled in {time.perf_counter() - started:.0f} s (not timed)")


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<62} {seconds:6.1f} s  {note}".rstrip())


def use_database(name: str) -> None:
    """Point Django's default connection at database `name` (closing the current one)."""
    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def copy_database(source: str, copy: str) -> None:
    """CREATE DATABASE copy TEMPLATE source (no one may be connected to source)."""
    use_database("postgres")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    use_database(copy)


def drop_database(source: str, copy: str) -> None:
    use_database("postgres")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    use_database(source)


def floors(at: dt.datetime, ppc: int) -> tuple[float, int, int]:
    """The conversion's read over every member, timed the second time (cache warm)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the conversion sets them
        cursor.execute("SET LOCAL work_mem = '512MB'")
        params = {"least": ppc, "issued": at.date(), "close": at.replace(hour=0),
                  "lo": 0, "hi": FAR}  # fmt: skip
        for _ in range(2):  # the first reads the ledger into the cache, untimed
            started = time.perf_counter()
            cursor.execute(MEMBERS_SQL, params)
            params["members"] = [row[0] for row in cursor.fetchall()]
            cursor.execute(READ_FLOOR_SQL, params)
            rows, points, _ = cursor.fetchone()
            seconds = time.perf_counter() - started
    return seconds, rows, points


def write_floor(rows: int) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_SQL)
        started = time.perf_counter()
        cursor.execute(WRITE_FLOOR_SQL, {"rows": rows})
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_rebate_floor")
    return seconds


def measure(workers: int, at: dt.datetime, verify: bool) -> dict:
    """On the current (copied) database: the read floor, the conversion, again, the checks."""
    ppc = settings.CRM_REBATE_POINTS_PER_CERTIFICATE
    read_s, read_rows, read_points = floors(at, ppc)
    started = time.perf_counter()
    run = rebate_convert(YEAR, at=at, workers=workers)
    convert_s = time.perf_counter() - started
    started = time.perf_counter()
    again = rebate_convert(YEAR, at=at + dt.timedelta(days=1), workers=workers)
    again_s = time.perf_counter() - started
    assert again["created"] is False and again["run"] == run["run"], again
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM rewards_pointsentry WHERE rebate_run_id = %s),"
            " (SELECT count(*) FROM rewards_lotuse u JOIN rewards_pointsentry e"
            "  ON e.id = u.consumer_id WHERE e.rebate_run_id = %s)",
            [run["run"], run["run"]],
        )
        entries, uses = cursor.fetchone()
    rows = entries + uses + run["certificates"]
    problems = ledger_problems() if verify else None
    return {"run": run, "convert_s": convert_s, "again_s": again_s, "read_s": read_s,
            "read_rows": read_rows, "read_points": read_points, "entries": entries,
            "uses": uses, "rows": rows, "write_s": write_floor(rows),
            "problems": problems}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 1],
                        help="Connections converting at once, one measurement each.")  # fmt: skip
    parser.add_argument("--build-workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=25_000)
    parser.add_argument("--no-verify", action="store_true", help="Skip ledger_problems().")
    args = parser.parse_args()
    prepare(args.members, args.build_workers, args.chunk_size)
    if RebateRun.objects.filter(year=YEAR).exists():
        raise SystemExit(f"Year {YEAR} was converted and committed here: use a fresh database.")

    at = dt.datetime(YEAR + 1, 1, 1, 6, tzinfo=ZoneInfo(settings.TIME_ZONE))
    ppc = settings.CRM_REBATE_POINTS_PER_CERTIFICATE
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(points) FROM rewards_pointsbalance")
        members, points = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM rewards_pointsentry WHERE points > 0")
        lots = cursor.fetchone()[0]
    print(f"members with points {members:,}, {points:,} points held, {lots:,} lots; "
          f"{ppc} points a ${settings.CRM_REBATE_CERTIFICATE_VALUE} certificate, rest "
          f"{settings.CRM_REBATE_REMAINDER}")  # fmt: skip
    assert LOTS in CONVERT_SQL  # the floor reads what the conversion reads

    source = connection.settings_dict["NAME"]
    copy = f"{source}_rebate_copy"
    results = {}
    for workers in args.workers:
        started = time.perf_counter()
        copy_database(source, copy)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\ncopy of the database made in {time.perf_counter() - started:.0f} s "
              f"(not timed); load average: {load}")  # fmt: skip
        try:
            results[workers] = measure(workers, at, verify=not args.no_verify)
        finally:
            drop_database(source, copy)

    print(f"\nyear-end rebate of {YEAR} as of {at:%Y-%m-%d}, committed (on copies, dropped)")
    for workers, r in results.items():
        run = r["run"]
        print(f"{workers} worker{'s' if workers > 1 else ''}:")
        line(f"floor: the conversion's read, {r['read_rows']:,} lots "
             f"({r['read_points']:,} points), 1 connection", r["read_s"])  # fmt: skip
        line(f"floor: {r['rows']:,} rows into an unlogged table, no index", r["write_s"])
        verdict = "within" if r["convert_s"] <= GOAL_SECONDS else "OVER"
        line(f"rebate_convert: {run['certificates']:,} certificates, {run['members']:,} members",
             r["convert_s"], f"{verdict} the goal of {GOAL_SECONDS} s")  # fmt: skip
        print(f"    {run['points_converted']:,} points converted; written: {r['entries']:,} "
              f"entries, {r['uses']:,} lot uses, {run['certificates']:,} certificates")  # fmt: skip
        line("rebate_convert again: nothing to do", r["again_s"])
        if r["problems"] is not None:
            print(f"    ledger_problems(): {r['problems'] or 'none'}")
            if r["problems"]:
                raise SystemExit(1)
    if len(results) > 1:
        first, *rest = results
        for workers in rest:
            print(
                f"speed-up of {first} workers over {workers}: "
                f"{results[workers]['convert_s'] / results[first]['convert_s']:.2f}×"
            )
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
