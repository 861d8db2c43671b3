"""Benchmark: a year of points backfilled, then a nightly expiry of a month of lots.

Usage: DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_rewards.py [--members 100000]

Builds (or reuses, when the database already holds it) a synthetic chain in set-based SQL:
N members, 8 categories of 3 products (one, "tobacco", excluded by both earning rules),
52 weeks of imported baskets, a member visiting in a week with probability 0.95 at a
random time, 1 to 5 lines of $0.50-$14.99 each (about 5 M baskets and 15 M lines at
100 k), written in time order with members mixed, as till files arrive; rule 1 (1 point a
dollar) from the first day, rule 2 (1.5) from week 27. The ledger is emptied first when an
earlier run left entries (as a replica: it refuses deletes).

Then times, beside the goal (≤ 30 s each on 2 workers):
1. the backfill of the year's points: `points_earn_backfill` over chunks of member ids on 2
   worker processes (multiprocessing, each chunk its own transaction, as bench_allocation);
   and again (nothing is written: every sale has its entry);
2. the nightly expiry, `points_expire`, on the day a month of lots has passed its last day
   (one statement, timed as is), and once more the next day (a day's lots).
Floors measured in the same run, on the same rows: a full `count`/`sum` over the lines;
the backfill's own read (its per-basket aggregate, no writes) on the same chunks and 2
workers; the same number of entry rows INSERT ... SELECT into an UNLOGGED table without
indexes (2 workers); the expiry's due lots read and written to such a table.
Last, `ledger_problems()` over the whole ledger must come back empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from apps.baskets.models import Store  # noqa: E402
from apps.catalog.models import Category, Manufacturer, Product  # noqa: E402
from apps.rewards.backfill import BACKFILL_SQL, points_earn_backfill  # noqa: E402
from apps.rewards.expiry import points_expire  # noqa: E402
from apps.rewards.models import EarningRule  # noqa: E402
from apps.rewards.verify import ledger_problems  # noqa: E402

START = dt.date(2025, 1, 6)  # a Monday; the year's baskets are [START, START + 52 weeks)
BACKFILL_DAY = dt.date(2026, 1, 5)  # the backfill runs the day after the year ends
# Lots of day d last until d + 12 months - 1: on this day those bought before
# START + 1 month (Jan 6 to Feb 5, 2025) have passed their last day.
EXPIRY_DAY = dt.date(2026, 2, 6)
GOAL_SECONDS = 30
CATEGORIES = 8
WEEKS = 52
WEEK_BLOCK = 4  # weeks of baskets per INSERT while building (progress, bounded statements)

# A 31-bit pseudo-random number from a basket's sequence number and a salt.
H = "(hashint8extended({x}, {salt}) & 2147483647)"
BASKETS_SQL = f"""
INSERT INTO baskets_basket
    (basket_id, member_id, owner_id, store_id, purchased_at, total_amount, total_discount,
     line_count, source, loaded_at)
SELECT 'RB' || s.seq, s.member_id, s.member_id, %(store)s, s.at, t.total, 0, s.n, 'import', now()
FROM (
    SELECT v.*,
           (%(start)s::timestamp + make_interval(
                weeks => v.week, days => {H.format(x="v.seq", salt=2)}::int %% 7,
                hours => 8 + {H.format(x="v.seq", salt=3)}::int %% 13,
                mins => {H.format(x="v.seq", salt=4)}::int %% 60)) AT TIME ZONE %(tz)s AS at,
           1 + {H.format(x="v.seq", salt=5)} %% 5 AS n
    FROM (
        SELECT w AS week, m.id AS member_id, w::bigint * %(span)s + (m.id - %(first)s) AS seq
        FROM generate_series(%(w0)s::int, %(w1)s::int - 1) w
        CROSS JOIN members_member m
        WHERE m.id >= %(first)s AND m.id < %(first)s + %(span)s
    ) v
    WHERE {H.format(x="v.seq", salt=1)} %% 100 < 95
) s
CROSS JOIN LATERAL (
    SELECT sum((50 + {H.format(x="s.seq * 8 + k", salt=7)} %% 1450) / 100.0)::numeric(12, 2)
        AS total
    FROM generate_series(1, s.n) k
) t
ORDER BY s.at, s.member_id  -- as a chain's till files arrive: in time, members mixed
"""
LINES_SQL = f"""
INSERT INTO baskets_basketline
    (basket_id, product_id, member_id, owner_id, purchased_at, quantity, amount, discount)
SELECT b.id, (%(products)s::bigint[])[(1 + {H.format(x="s.seq * 8 + k", salt=6)} %% %(p)s)::int],
       b.member_id, b.owner_id, b.purchased_at, 1,
       ((50 + {H.format(x="s.seq * 8 + k", salt=7)} %% 1450) / 100.0)::numeric(12, 2), 0
FROM baskets_basket b
CROSS JOIN LATERAL (SELECT substr(b.basket_id, 3)::bigint AS seq) s
CROSS JOIN LATERAL generate_series(1, b.line_count) k
WHERE b.id > %(after)s
ORDER BY b.id, k
"""
MEMBERS_SQL = """
INSERT INTO members_member
    (card_number, first_name, last_name, email, phone, postal_code, joined_on,
     consent_list, status, created_at, updated_at)
SELECT '77' || lpad(g::text, 10, '0'), 'R', 'Bench', '', '', '', '2024-01-01', true,
       'active', now(), now()
FROM generate_series(0, %(n)s - 1) g
ORDER BY g
"""


def build(members: int) -> None:
    """Create the chain, every step set-based; each block of weeks commits on its own."""
    with transaction.atomic():
        maker = Manufacturer.objects.create(code="BENCHR", name="Bench rewards maker")
        store = Store.objects.create(code="BENCHR", name="Bench rewards store")
        categories = Category.objects.bulk_create(
            Category(name=f"Bench R {i}", department="Grocery") for i in range(CATEGORIES - 1)
        ) + [Category.objects.create(name="Bench R tobacco", department="Tobacco")]
        products = Product.objects.bulk_create(
            Product(
                upc=f"77{i:04d}{k:06d}",
                name=f"Bench R {i} {k}",
                category=category,
                brand=f"Brand {k}",
                brand_type="national",
                manufacturer=maker,
                price=Decimal("4.99"),
            )
            for i, category in enumerate(categories)
            for k in range(3)
        )
        EarningRule.objects.all().delete()  # the migration's default: no entry uses it yet
        for rate, week in ((Decimal(1), 0), (Decimal("1.5"), 26)):
            rule = EarningRule.objects.create(
                points_per_dollar=rate, starts_on=START + dt.timedelta(weeks=week)
            )
            rule.excluded_categories.add(categories[-1])
        with connection.cursor() as cursor:
            cursor.execute(MEMBERS_SQL, {"n": members})
            cursor.execute("SELECT min(id) FROM members_member WHERE card_number LIKE '77%'")
            first = cursor.fetchone()[0]
    params = {
        "store": store.pk,
        "start": START,
        "tz": settings.TIME_ZONE,
        "span": members,
        "first": first,
        "products": [p.pk for p in products],
        "p": len(products),
    }
    for w0 in range(0, WEEKS, WEEK_BLOCK):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM baskets_basket")
            after = cursor.fetchone()[0]
            cursor.execute(BASKETS_SQL, {**params, "w0": w0, "w1": min(w0 + WEEK_BLOCK, WEEKS)})
            baskets = cursor.rowcount
            cursor.execute(LINES_SQL, {**params, "after": after})
            print(f"  weeks {w0}-{w0 + WEEK_BLOCK - 1}: {baskets:,} baskets, "
                  f"{cursor.rowcount:,} lines", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE baskets_basket")
        cursor.execute("VACUUM ANALYZE baskets_basketline")
        cursor.execute("VACUUM ANALYZE members_member")
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE rewards_earningrule")
        cursor.execute("ANALYZE rewards_earningrule_excluded_categories")


def ledger_reset() -> None:
    """Empty the ledger an earlier run filled (it refuses TRUNCATE but as a replica)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE rewards_lotuse, rewards_pointsentry, rewards_pointsbalance")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_entry_floor, bench_expiry_floor")
        cursor.execute("VACUUM ANALYZE rewards_pointsentry")


# The backfill's read alone: its per-basket aggregate (the `sales` part), nothing written.
READ_FLOOR_SQL = (
    BACKFILL_SQL.split("), earned AS (")[0]
    + ") SELECT count(*), coalesce(sum(floor(basis * points_per_dollar)), 0) FROM sales"
    + " WHERE floor(basis * points_per_dollar) >= 1"
)
# The same rows as the entries written, into a table without indexes, constraints or WAL.
FLOOR_TABLE_SQL = """
CREATE UNLOGGED TABLE bench_entry_floor (
    id bigserial, member_id bigint, kind varchar(8), points integer, key varchar(80),
    created_at timestamptz, valid_until date, basket_id bigint, rule_id bigint,
    basis numeric(12, 2), reason varchar(200))
"""
WRITE_FLOOR_SQL = """
INSERT INTO bench_entry_floor
    (member_id, kind, points, key, created_at, valid_until, basket_id, rule_id, basis, reason)
SELECT member_id, kind, points, key, created_at, valid_until, basket_id, rule_id, basis, reason
FROM rewards_pointsentry
WHERE member_id >= %(lo)s AND member_id < %(hi)s
ORDER BY created_at, basket_id
"""
EXPIRY_FLOOR_SQL = """
CREATE UNLOGGED TABLE bench_expiry_floor AS
SELECT e.id, e.member_id, e.points FROM rewards_pointsentry e
WHERE e.points > 0 AND e.valid_until < %(today)s
"""


# The due lots of a bounded run (last day from the previous run's day) with what is left of
# each, written to an unindexed unlogged table: the expiry's reading and writing, no more.
DUE_FLOOR_SQL = """
CREATE UNLOGGED TABLE bench_expiry_floor AS
SELECT e.id, e.member_id,
       e.points - coalesce((SELECT sum(u.points) FROM rewards_lotuse u WHERE u.lot_id = e.id), 0)
FROM rewards_pointsentry e
WHERE e.points > 0 AND e.valid_until < %(today)s AND e.valid_until >= %(since)s
"""


def run_sql(sql: str, lo: int, hi: int) -> tuple[int, int]:
    """One chunk of a floor in its own transaction: the statement's (count, sum) or rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # as the backfill sets them
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, {"lo": lo, "hi": hi, "tz": settings.TIME_ZONE,
                             "months": settings.CRM_POINTS_EXPIRY_MONTHS})  # fmt: skip
        if cursor.description is None:
            return cursor.rowcount, 0
        count, total = cursor.fetchone()
        return count, int(total)


def read_floor_chunk(lo: int, hi: int) -> tuple[int, int]:
    return run_sql(READ_FLOOR_SQL, lo, hi)


def write_floor_chunk(lo: int, hi: int) -> tuple[int, int]:
    return run_sql(WRITE_FLOOR_SQL, lo, hi)


def backfill_chunk(lo: int, hi: int) -> tuple[int, int]:
    """One chunk of the backfill (a worker process's unit; its own transaction)."""
    return points_earn_backfill(lo=lo, hi=hi, today=BACKFILL_DAY)


def timed(pool, function, chunks) -> tuple[float, int, int]:
    started = time.perf_counter()
    results = pool.starmap(function, chunks, chunksize=1)
    seconds = time.perf_counter() - started
    return seconds, sum(r[0] for r in results), sum(r[1] for r in results)


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<62} {seconds:6.1f} s  {note}".rstrip())


def verdict(seconds: float) -> str:
    return "within" if seconds <= GOAL_SECONDS else "OVER"


def expiry_bench(day: dt.date) -> None:
    """Time the nightly expiry on `day` (what lapsed since the ledger's last expiry run, or
    since the start when it has none) and on the next day (one night's lots), beside the
    floor of reading and writing the same due lots."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rewards_pointsentry")
        cursor.execute("SELECT count(*), max(day) FROM rewards_expiryrun")
        runs, last = cursor.fetchone()
    print(f"expiry runs recorded before: {runs} (last {last}); load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip
    for today in (day, day + dt.timedelta(days=1)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(day) FROM rewards_expiryrun WHERE day <= %s", [today])
            since = cursor.fetchone()[0] or dt.date(1, 1, 1)
            cursor.execute("DROP TABLE IF EXISTS bench_expiry_floor")
            started = time.perf_counter()
            cursor.execute(DUE_FLOOR_SQL, {"today": today, "since": since})
            floor_s = time.perf_counter() - started
        started = time.perf_counter()
        lots, points = points_expire(today=today)
        seconds = time.perf_counter() - started
        line(f"floor on {today}: the due lots' remainders read, written unlogged", floor_s)
        line(f"expiry on {today}: {lots:,} lots, {points:,} points", seconds,
             f"{verdict(seconds)} the goal of {GOAL_SECONDS} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=25_000)
    parser.add_argument(
        "--expiry-only", type=dt.date.fromisoformat, metavar="DAY",
        help="on a ledger an earlier run filled: time only the expiry on DAY and the next day",
    )  # fmt: skip
    args = parser.parse_args()
    if args.expiry_only:
        expiry_bench(args.expiry_only)
        return

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member WHERE card_number LIKE '77%'")
        if cursor.fetchone()[0] < args.members:
            started = time.perf_counter()
            build(args.members)
            print(f"chain built in {time.perf_counter() - started:.0f} s")
        ledger_reset()
        cursor.execute("SELECT min(id), max(id) + 1, count(*) FROM members_member")
        lo, hi, members = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM baskets_basket")
        baskets = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute("SELECT count(*), sum(amount) FROM baskets_basketline")
        lines, _ = cursor.fetchone()
        scan = time.perf_counter() - started
    chunks = [(a, min(a + args.chunk_size, hi)) for a in range(lo, hi, args.chunk_size)]
    print(f"members {members:,}, baskets {baskets:,}, lines {lines:,}; {len(chunks)} chunks "
          f"of {args.chunk_size:,} member ids on {args.workers} workers")  # fmt: skip
    # The machine may be shared: the load says how much of it the run had.
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    connections.close_all()  # each forked process opens its own connection
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        read_s, read_n, read_points = timed(pool, read_floor_chunk, chunks)
        back_s, entries, points = timed(pool, backfill_chunk, chunks)
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_TABLE_SQL)
        connections.close_all()
        write_s, written, _ = timed(pool, write_floor_chunk, chunks)
        again_back_s, again_entries, _ = timed(pool, backfill_chunk, chunks)
    assert again_entries == 0, again_entries
    assert (read_n, read_points) == (entries, points), (read_n, read_points, entries, points)
    assert written == entries

    workers = f"{args.workers} workers"
    print("\n(1) backfill of a year of points")
    line(f"floor: count, sum of all {lines:,} lines (1 process)", scan)
    line(f"floor: the backfill's read alone, per-basket sums ({workers})", read_s)
    line(f"floor: {written:,} entry rows into an unlogged table, no index", write_s)
    rate = f"{entries / back_s:,.0f} entries/s"
    line(f"backfill: {entries:,} entries, {points:,} points ({workers})", back_s,
         f"{rate}; {verdict(back_s)} the goal of {GOAL_SECONDS} s")  # fmt: skip
    line(f"backfill again: nothing written ({workers})", again_back_s)

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE rewards_pointsentry")
        cursor.execute("VACUUM ANALYZE rewards_pointsbalance")
        vacuum = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(EXPIRY_FLOOR_SQL, {"today": EXPIRY_DAY})
        due = cursor.rowcount
        floor_s = time.perf_counter() - started
    started = time.perf_counter()
    lots, expired = points_expire(today=EXPIRY_DAY)
    expiry_s = time.perf_counter() - started
    started = time.perf_counter()
    again = points_expire(today=EXPIRY_DAY + dt.timedelta(days=1))
    again_s = time.perf_counter() - started

    print(f"\n(2) nightly expiry on {EXPIRY_DAY} (after VACUUM ANALYZE of the ledger, "
          f"{vacuum:.1f} s, not timed)")  # fmt: skip
    line(f"floor: the {due:,} due lots read, written unlogged, no index", floor_s)
    line(f"expiry: {lots:,} lots, {expired:,} points (one statement)", expiry_s,
         f"{verdict(expiry_s)} the goal of {GOAL_SECONDS} s")  # fmt: skip
    line(f"expiry the next day, a day's lots: {again[0]:,}", again_s)

    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    started = time.perf_counter()
    problems = ledger_problems()
    print(f"\nledger_problems(): {problems or 'none'} ({time.perf_counter() - started:.1f} s)")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
