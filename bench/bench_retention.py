"""Benchmark: a retention run that detaches half a year of baskets, on 2 Celery workers.

Usage: DEBUG=1 DATABASE_URL=postgres://…/crm_bench_retention .venv/bin/python \
           bench/bench_retention.py [--members 100000] [--workers 2]

Builds (or reuses) bench_rewards' chain in the database DATABASE_URL names — its own, never
bench_rewards' (`make bench` gives it crm_bench_retention): N members × 52 weeks of baskets
from 6 Jan 2025 (about 5 M baskets and 15 M lines at 100 k). Each basket's member is kept
aside once (bench_retention_owner). The run itself works on a copy of that database
(CREATE DATABASE ... TEMPLATE, not timed), dropped after, so every run starts from the same
tables; a database an older version of this bench detached in place is tied back and
compacted first (VACUUM FULL, not timed).

Then, beside the goal (≤ 60 s on 2 workers), a real `retention_start` as the nightly task
starts it, with both rules at 3 years on 7 Jul 2028: the baskets before 7 Jul 2025 — the
first half of the year — detach in chunks of basket ids on a Celery worker of 2 processes,
then every member is checked for inactivity (all bought since: none is erased). The
detached counts are checked against a plain count taken before. Then the same run again
(nothing left to detach: what a night costs when nothing is new), and the next night's run
(one more day of baskets passes the cutoff: what every night after the first costs).

Floors in the same run, on the same rows: the rows to detach read (one statement, the
server's parallel workers), and the same UPDATE of member to NULL on UNLOGGED copies of
those baskets and lines without indexes, on 2 connections (half the ids each).

The machine is shared: the load average is printed before and after; figures taken while
other work runs are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
# The worker and this process (which queues) use a queue of their own.
QUEUE = f"bench-retention-{uuid.uuid4().hex[:8]}"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
from _setup import bench_setup  # noqa: E402

bench_setup()

import bench_rewards  # noqa: E402  (the data set: its build)
from django.db import connection, connections  # noqa: E402

from apps.core.clock import local_midnight  # noqa: E402
from apps.jobs.models import Job, JobStatus  # noqa: E402
from apps.jobs.waiting import job_wait  # noqa: E402
from apps.rights.retention import JOB_KIND, RetentionPolicy, retention_start  # noqa: E402

GOAL_SECONDS = 60
POLICY = RetentionPolicy(basket_years=3, inactive_years=3)
TODAY = dt.date(2028, 7, 7)  # 3 years after START + 26 weeks: half the year detaches
CUTOFF = local_midnight(dt.date(2025, 7, 7))
NEXT_CUTOFF = local_midnight(dt.date(2025, 7, 8))  # the next night's
assert bench_rewards.START + dt.timedelta(weeks=26) == dt.date(2025, 7, 7)

OWNER_SQL = """
CREATE TABLE bench_retention_owner AS
SELECT id AS basket_id, member_id FROM baskets_basket WHERE member_id IS NOT NULL
"""
RESTORE_SQL = [
    """UPDATE baskets_basket b SET member_id = o.member_id FROM bench_retention_owner o
       WHERE b.id = o.basket_id AND b.member_id IS NULL""",
    """UPDATE baskets_basketline l SET member_id = b.member_id FROM baskets_basket b
       WHERE l.basket_id = b.id AND l.member_id IS NULL AND b.member_id IS NOT NULL""",
]
COUNT_SQL = """
SELECT (SELECT count(*) FROM baskets_basket
        WHERE purchased_at < %(cutoff)s AND member_id IS NOT NULL),
       (SELECT count(*) FROM baskets_basketline
        WHERE purchased_at < %(cutoff)s AND member_id IS NOT NULL)
"""
READ_FLOOR_SQL = """
SELECT count(*), sum(l.amount) FROM baskets_basketline l
JOIN baskets_basket b ON b.id = l.basket_id
WHERE b.purchased_at < %(cutoff)s AND b.member_id IS NOT NULL
"""
COPIES_SQL = [
    "DROP TABLE IF EXISTS bench_retention_b, bench_retention_l",
    """CREATE UNLOGGED TABLE bench_retention_b AS
       SELECT * FROM baskets_basket WHERE purchased_at < %(cutoff)s""",
    """CREATE UNLOGGED TABLE bench_retention_l AS
       SELECT * FROM baskets_basketline WHERE purchased_at < %(cutoff)s""",
    "VACUUM ANALYZE bench_retention_b",
    "VACUUM ANALYZE bench_retention_l",
]
WRITE_FLOOR_SQL = [
    """UPDATE bench_retention_b SET member_id = NULL
       WHERE id >= %(lo)s AND id < %(hi)s AND member_id IS NOT NULL""",
    """UPDATE bench_retention_l SET member_id = NULL
       WHERE basket_id >= %(lo)s AND basket_id < %(hi)s AND member_id IS NOT NULL""",
]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def execute(sql: str, params: dict | None = None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchall() if cursor.description else []


def prepare(members: int) -> None:
    """Build the chain once; tie back what an earlier run detached."""
    built = execute("SELECT count(*) FROM members_member WHERE card_number LIKE '77%%'")[0][0]
    if built < members:
        started = time.perf_counter()
        bench_rewards.build(members)
        execute(OWNER_SQL)
        print(f"chain built in {time.perf_counter() - started:.0f} s (not timed)", flush=True)
    elif execute("SELECT 1 FROM baskets_basket WHERE member_id IS NULL LIMIT 1"):
        started = time.perf_counter()
        for sql in RESTORE_SQL:
            execute(sql)
        execute("VACUUM FULL ANALYZE baskets_basket")
        execute("VACUUM FULL ANALYZE baskets_basketline")
        print(f"baskets tied back in {time.perf_counter() - started:.0f} s (not timed)")
    Job.objects.filter(kind=JOB_KIND).delete()


def use_copy(source: str, copy: str) -> None:
    """Make database `copy` from `source` and point Django and the worker's URL at it."""
    connections.close_all()
    settings_dict = connections["default"].settings_dict
    settings_dict["NAME"] = "postgres"
    execute(f'DROP DATABASE IF EXISTS "{copy}"')
    execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    connections.close_all()
    settings_dict["NAME"] = copy
    url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url[: url.rindex("/") + 1] + copy


def drop_copy(source: str, copy: str) -> None:
    connections.close_all()
    settings_dict = connections["default"].settings_dict
    settings_dict["NAME"] = "postgres"
    execute(f'DROP DATABASE IF EXISTS "{copy}"')
    connections.close_all()
    settings_dict["NAME"] = source


def start_worker(workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": QUEUE}
    command = [sys.executable, "-m", "celery", "-A", "crm_site", "worker", "--loglevel", "info",
               "--concurrency", str(workers), "--queues", QUEUE, "--hostname", f"{QUEUE}@%h",
               "--without-gossip", "--without-mingle"]  # fmt: skip
    out = open(log, "w")  # noqa: SIM115 - the worker's log, open while it runs
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while " ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return process


def timed_run(basket_chunk: int, today: dt.date = TODAY) -> tuple[float, Job]:
    started = time.perf_counter()
    job = retention_start(policy=POLICY, today=today, basket_chunk=basket_chunk)
    job = job_wait(job_id=job.pk, timeout=1800, progress=False)
    return time.perf_counter() - started, job


def floors() -> tuple[float, float]:
    started = time.perf_counter()
    execute(READ_FLOOR_SQL, {"cutoff": CUTOFF})
    read = time.perf_counter() - started
    for sql in COPIES_SQL:
        execute(sql, {"cutoff": CUTOFF})
    lo, hi = execute("SELECT min(id), max(id) + 1 FROM bench_retention_b")[0]
    middle = (lo + hi) // 2

    def half(bounds: tuple[int, int]) -> None:
        for sql in WRITE_FLOOR_SQL:
            execute(sql, {"lo": bounds[0], "hi": bounds[1]})
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(half, [(lo, middle), (middle, hi)]))
    write = time.perf_counter() - started
    execute("DROP TABLE bench_retention_b, bench_retention_l")
    return read, write


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--basket-chunk", type=int, default=20_000)
    args = parser.parse_args()

    prepare(args.members)
    baskets, lines = execute(COUNT_SQL, {"cutoff": CUTOFF})[0]
    total = execute("SELECT (SELECT count(*) FROM baskets_basket), "
                    "(SELECT count(*) FROM baskets_basketline)")[0]  # fmt: skip
    print(f"{args.members:,} members, {total[0]:,} baskets, {total[1]:,} lines; to detach "
          f"(before {CUTOFF:%d %b %Y}): {baskets:,} baskets, {lines:,} lines")  # fmt: skip
    source = connection.settings_dict["NAME"]
    copy = f"{source}_run_copy"
    started = time.perf_counter()
    use_copy(source, copy)
    print(f"copy of the database made in {time.perf_counter() - started:.0f} s (not timed)")
    print(f"load average before: {load()}", flush=True)
    try:
        read, write = floors()
        connections.close_all()
        log = Path(os.environ.get("CRM_VAR_DIR", ROOT / "var")) / "bench-retention-worker.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        worker = start_worker(args.workers, log)
        try:
            seconds, job = timed_run(args.basket_chunk)
            again_seconds, again = timed_run(args.basket_chunk)
            night = execute(COUNT_SQL, {"cutoff": NEXT_CUTOFF})[0]
            night_seconds, next_night = timed_run(args.basket_chunk, TODAY + dt.timedelta(1))
        finally:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=60)
        left = execute(COUNT_SQL, {"cutoff": NEXT_CUTOFF})[0]
    finally:
        drop_copy(source, copy)

    ok = all(j.status == JobStatus.SUCCEEDED for j in (job, again, next_night))
    n = next_night.result
    night_exact = (n.get("baskets_detached"), n.get("lines_detached")) == night
    r = job.result
    exact = (r.get("baskets_detached"), r.get("lines_detached")) == (baskets, lines)
    met = "met" if seconds <= GOAL_SECONDS else "NOT met"
    print(f"retention run, {args.workers} worker processes, chunks of {args.basket_chunk:,} "
          f"basket ids ({len(r.get('chunks_done', []))} chunks with the members'): "
          f"{seconds:.1f} s (goal ≤ {GOAL_SECONDS} s: {met})")  # fmt: skip
    print(f"  detached {r.get('baskets_detached', 0):,} baskets, "
          f"{r.get('lines_detached', 0):,} lines, erased {r.get('members_erased', 0):,} "
          f"members; as counted before: {'yes' if exact else 'NO'}; "
          f"still tied before the cutoff: {left}")  # fmt: skip
    print(f"  the same run again (nothing new): {again_seconds:.1f} s, "
          f"{again.result.get('baskets_detached', 0)} baskets detached")  # fmt: skip
    print(f"  the next night (one more day passes the cutoff): {night_seconds:.1f} s, "
          f"{n.get('baskets_detached', 0):,} baskets and {n.get('lines_detached', 0):,} "
          f"lines detached; as counted before: {'yes' if night_exact else 'NO'}")  # fmt: skip
    print(f"floors: the rows read {read:.1f} s; the same UPDATE on unlogged copies without "
          f"indexes, 2 connections {write:.1f} s")  # fmt: skip
    print(f"load average after: {load()} (a shared machine: noisy when others run)")
    if not ok or not exact or not night_exact or left != (0, 0):
        print(job.error or again.error or "counts differ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
