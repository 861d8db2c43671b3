"""The year-end rebate: each member's points of the programme year become certificates.

Set-based, as the nightly expiry: a handful of statements over all members, none per
member. As of the programme year's end (`CRM_PROGRAMME_YEAR_END`, "12-31"):
1. the run's row is claimed and committed (`RebateRun.year` is unique: a finished run is
   returned as it is, changing nothing; an unfinished one was interrupted and is resumed
   with the rules it recorded); a session advisory lock keeps a second call from racing
   the first;
2. lots past their last day on the year's end expire (`points_expire` for the day after);
3. the members are split into `CRM_REBATE_WORKERS` id ranges of about equal size, each
   converted in its own transaction on a connection of its own, at the same time (the
   conversion is bound by PostgreSQL's CPU: two connections use both cores). Each chunk
   locks its members in id order (their balance rows, as every movement does), so a till
   movement of one of them waits for the conversion or is waited for;
4. one statement converts a chunk: per member, the points of the year = what is left of their lots
   earned before the year closed and still valid, at most their balance (a debt is not
   converted). n = points // `CRM_REBATE_POINTS_PER_CERTIFICATE` certificates; one `convert`
   entry of -n × ppc (key `rebate:<year>:<member>`) takes them from the lots earliest last
   day first (lot uses computed with running sums over the lots); n certificates; with
   `CRM_REBATE_REMAINDER` "expire", one `expire` entry (key `rebate-rest:<year>:<member>`)
   takes the rest of the year's points, from the lots that follow; balances move.
Points earned after the year closed (a run late by a few days) stay: they belong to the
next year.
5. the run is marked finished with its counts, read from the certificates it made.
"""

from __future__ import annotations

import calendar
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.core.clock import local_midnight
from apps.rewards.expiry import points_expire
from apps.rewards.models import RebateRun

CLAIM_SQL = """
INSERT INTO rewards_rebaterun (year, points_per_certificate, certificate_value, remainder,
                               ran_at, closes_on, members, certificates)
VALUES (%(year)s, %(ppc)s::int, %(value)s, %(remainder)s, %(at)s, %(closes_on)s, 0, 0)
ON CONFLICT (year) DO NOTHING
"""

# Member id ranges of about equal numbers of members to convert: [start, next start).
CHUNKS_SQL = """
SELECT min(member_id) FROM (
    SELECT member_id, ntile(%(chunks)s) OVER (ORDER BY member_id) AS chunk
    FROM rewards_pointsbalance WHERE points >= %(least)s
) c
GROUP BY chunk ORDER BY 1
"""

# The chunk's members who may have points to convert (carry: a certificate's worth at
# least; expire: any), locked in id order like the expiry's lock.
# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
LOCK_SQL = """
WITH locked AS (
    UPDATE rewards_pointsbalance SET points = points
    WHERE points >= %(least)s AND member_id >= %(lo)s AND member_id < %(hi)s
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""

# The year's lots of the locked members with what is left of each, in the order consumers
# take them (earliest last day first), with the running sum of what is left before each.
# Joined to the members as a set (a hash join over one pass of the ledger): `member_id =
# ANY(array)` made it 100 k index probes into a ledger in time order, ten times slower.
LOTS = """
SELECT e.id, e.member_id, r.remaining,
       sum(r.remaining) OVER (PARTITION BY e.member_id ORDER BY e.valid_until, e.id)
           - r.remaining AS before
FROM rewards_pointsentry e
JOIN unnest(%(members)s::bigint[]) m(member_id) ON m.member_id = e.member_id
LEFT JOIN (
    SELECT member_id, lot_id, sum(points) AS used
    FROM rewards_lotuse GROUP BY member_id, lot_id
) u ON u.member_id = e.member_id AND u.lot_id = e.id
CROSS JOIN LATERAL (SELECT (e.points - coalesce(u.used, 0))::int AS remaining) r
WHERE e.points > 0 AND e.valid_until >= %(issued)s AND e.created_at < %(close)s
  AND r.remaining > 0
"""

CONVERT_SQL = f"""
WITH lots AS ({LOTS}), plan AS (
    SELECT l.member_id, least(b.points, sum(l.remaining))::int AS year_points,
           floor(least(b.points, sum(l.remaining)) / %(ppc)s::int)::int AS n
    FROM lots l JOIN rewards_pointsbalance b ON b.member_id = l.member_id
    GROUP BY l.member_id, b.points
    HAVING least(b.points, sum(l.remaining)) > 0
), moves AS (
    SELECT member_id, 'convert' AS kind, n * %(ppc)s::int AS points, 0 AS start,
           'rebate:' || %(year)s || ':' || member_id AS key
    FROM plan WHERE n > 0
    UNION ALL
    SELECT member_id, 'expire', year_points - n * %(ppc)s::int, n * %(ppc)s::int,
           'rebate-rest:' || %(year)s || ':' || member_id
    FROM plan WHERE %(expire_rest)s AND year_points > n * %(ppc)s::int
), entries AS (
    INSERT INTO rewards_pointsentry (member_id, kind, points, key, created_at, reason,
                                     rebate_run_id)
    SELECT member_id, kind, -points, key, %(at)s, 'Year-end rebate ' || %(year)s, %(run)s
    FROM moves
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, kind, points
), uses AS (
    -- Each move takes the points [start, start + points) of the member's lots in order.
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points, member_id)
    SELECT e.id, l.id,
           least(l.before + l.remaining, m.start + m.points) - greatest(l.before, m.start),
           e.member_id
    FROM entries e
    JOIN moves m ON m.member_id = e.member_id AND m.kind = e.kind
    JOIN lots l ON l.member_id = e.member_id
    WHERE l.before < m.start + m.points AND l.before + l.remaining > m.start
    -- In lot order: each index of the lot uses then grows along its pages (the new
    -- consumers' ids are all at its right end) instead of jumping about a ledger's worth.
    ORDER BY l.id
), certificates AS (
    INSERT INTO rewards_rebatecertificate
        (id, member_id, run_id, code, value, issued_on, valid_until)
    SELECT c.id, c.member_id, %(run)s,
           -- '97', the row's id (unique), six random digits (a neighbour's code cannot be
           -- guessed from one's own): 18 digits, packed two a symbol in Code128.
           '97' || lpad(c.id::text, 10, '0')
               || lpad(((('x' || substr(md5(gen_random_uuid()::text), 1, 8))::bit(32)::bigint)
                        %% 1000000)::text, 6, '0'),
           %(value)s, %(issued)s, %(valid_until)s
    FROM (
        SELECT nextval(pg_get_serial_sequence('rewards_rebatecertificate', 'id')) AS id,
               e.member_id
        FROM entries e CROSS JOIN LATERAL generate_series(1, -e.points / %(ppc)s::int) g
        WHERE e.kind = 'convert'
    ) c
    RETURNING member_id
), balances AS (
    UPDATE rewards_pointsbalance b SET points = b.points + d.delta, updated_at = now()
    FROM (SELECT member_id, sum(points) AS delta FROM entries GROUP BY member_id) d
    WHERE b.member_id = d.member_id
)
SELECT (SELECT count(DISTINCT member_id) FROM certificates),
       (SELECT count(*) FROM certificates),
       (SELECT coalesce(-sum(points), 0) FROM entries WHERE kind = 'convert'),
       (SELECT coalesce(-sum(points), 0) FROM entries WHERE kind = 'expire')
"""


def year_end(year: int) -> dt.date:
    """The last day of programme year `year` (a Feb 29 end is Feb 28 in other years)."""
    try:
        month, day = (int(part) for part in settings.CRM_PROGRAMME_YEAR_END.split("-"))
        if month == 2 and day == 29 and not calendar.isleap(year):
            day = 28
        return dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(
            f"CRM_PROGRAMME_YEAR_END must be a month-day like 12-31, not "
            f"{settings.CRM_PROGRAMME_YEAR_END!r}."
        ) from error


FINISH_SQL = """
UPDATE rewards_rebaterun r
SET finished_at = %(now)s, members = c.members, certificates = c.certificates
FROM (
    SELECT count(DISTINCT member_id) AS members, count(*) AS certificates
    FROM rewards_rebatecertificate WHERE run_id = %(run)s
) c
WHERE r.id = %(run)s AND r.finished_at IS NULL
"""

TOTALS_SQL = """
SELECT coalesce(-sum(points) FILTER (WHERE kind = 'convert'), 0),
       coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0)
FROM rewards_pointsentry WHERE rebate_run_id = %(run)s
"""

# One conversion of a year at a time (a session lock, released when the call ends or its
# connection dies): a second call while one runs returns at once instead of racing it.
ADVISORY_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('rewards.rebate'), %(year)s)"
ADVISORY_UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext('rewards.rebate'), %(year)s)"
FAR = 2**63 - 1  # past every member id: the last chunk's end


def _run_dict(run: RebateRun, *, created: bool) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, {"run": run.pk})
        converted, expired = cursor.fetchone()
    return {
        "year": run.year,
        "run": run.pk,
        "created": created,
        "finished": run.finished_at is not None,
        "members": run.members,
        "certificates": run.certificates,
        "points_converted": int(converted),
        "points_expired": int(expired),
    }


def _rules() -> tuple[int, Decimal, str]:
    ppc = settings.CRM_REBATE_POINTS_PER_CERTIFICATE
    value = Decimal(settings.CRM_REBATE_CERTIFICATE_VALUE)
    remainder = settings.CRM_REBATE_REMAINDER
    if ppc <= 0 or value <= 0 or remainder not in ("carry", "expire"):
        raise ValueError(
            "The rebate needs CRM_REBATE_POINTS_PER_CERTIFICATE > 0, "
            "CRM_REBATE_CERTIFICATE_VALUE > 0 and CRM_REBATE_REMAINDER 'carry' or 'expire'."
        )
    return ppc, value, remainder


def _chunk_params(run: RebateRun) -> dict:
    """What each chunk converts by: the run's own rules (a resumed run keeps them)."""
    issued = run.closes_on + dt.timedelta(days=1)
    return {
        "year": run.year,
        "run": run.pk,
        "ppc": run.points_per_certificate,
        "value": run.certificate_value,
        "at": run.ran_at,
        "issued": issued,
        "close": local_midnight(issued),
        "valid_until": issued + dt.timedelta(days=settings.CRM_REBATE_VALID_DAYS - 1),
        "expire_rest": run.remainder == "expire",
        "least": run.points_per_certificate if run.remainder == "carry" else 1,
    }


def rebate_convert_chunk(params: dict, lo: int, hi: int) -> None:
    """Convert the members with ids in [lo, hi), in one transaction of its own.

    Run again (a resumed run), it converts nothing twice: a converted member's year lots
    are used up but for a remainder under a certificate's worth, and the entries' keys
    (`rebate:<year>:<member>`) are unique.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement over every member of the chunk: no JIT compile (seconds, for
        # nothing here), and room to sort and hash the chunk's lots in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute(LOCK_SQL, {**params, "lo": lo, "hi": hi})
        members = [member_id for (member_id,) in cursor.fetchall()]
        if members:
            cursor.execute(CONVERT_SQL, {**params, "members": members})


def _in_thread(params: dict, lo: int, hi: int) -> None:
    try:
        rebate_convert_chunk(params, lo, hi)
    finally:
        connection.close()  # the thread's own connection


def _chunks(params: dict, count: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(CHUNKS_SQL, {**params, "chunks": count})
        starts = [start for (start,) in cursor.fetchall()]
    return list(zip([0, *starts[1:]], [*starts[1:], FAR], strict=True)) if starts else []


def _convert(run: RebateRun, workers: int) -> None:
    """Convert every chunk, `workers` at a time on connections of their own, then finish."""
    params = _chunk_params(run)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_in_thread, params, lo, hi) for lo, hi in _chunks(params, workers)
            ]
            for future in futures:
                future.result()  # a chunk's error is raised here, after the others ended
    else:
        for lo, hi in _chunks(params, 1):
            rebate_convert_chunk(params, lo, hi)
    with connection.cursor() as cursor:
        cursor.execute(FINISH_SQL, {"run": run.pk, "now": timezone.now()})


def rebate_convert(
    year: int,
    *,
    at: dt.datetime | None = None,
    closes_on: dt.date | None = None,
    workers: int | None = None,
) -> dict:
    """Convert the points of programme year `year` into certificates, once.

    Returns the run as a dict: `created` True when this call converted (or finished an
    interrupted run), False when the year was converted before (nothing changed) or is
    being converted by another call right now (`finished` False). Refuses (ValueError) a
    year that has not closed by `at` (default now). `closes_on`: the year's last day when
    not `CRM_PROGRAMME_YEAR_END`'s (the demo closes its year just before its lists, so
    that they show certificates). `workers` (default `CRM_REBATE_WORKERS`): chunks
    converted at once, each on a connection of its own; 1 inside a transaction, whose
    rows other connections could not see.
    """
    at = at or timezone.now()
    closes_on = closes_on or year_end(year)
    issued = closes_on + dt.timedelta(days=1)
    if at < local_midnight(issued):
        raise ValueError(f"Programme year {year} closes at the end of {closes_on}.")
    ppc, value, remainder = _rules()
    workers = 1 if connection.in_atomic_block else (workers or settings.CRM_REBATE_WORKERS)
    claim = {"year": year, "ppc": ppc, "value": value, "remainder": remainder, "at": at,
             "closes_on": closes_on}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(ADVISORY_LOCK_SQL, claim)
        if not cursor.fetchone()[0]:  # another call is converting the year right now
            run = RebateRun.objects.filter(year=year).first() or RebateRun(year=year)
            return _run_dict(run, created=False)
        try:
            with transaction.atomic():
                cursor.execute(CLAIM_SQL, claim)
            run = RebateRun.objects.get(year=year)
            if run.finished_at is not None:
                return _run_dict(run, created=False)
            # Lots past their last day at the year's end give up first.
            points_expire(today=run.closes_on + dt.timedelta(days=1))
            _convert(run, max(workers, 1))
        finally:
            cursor.execute(ADVISORY_UNLOCK_SQL, claim)
    run.refresh_from_db()
    return _run_dict(run, created=True)


def closed_year(today: dt.date) -> int:
    """The programme year that closed most recently on `today` (its end is before today)."""
    return today.year if year_end(today.year) < today else today.year - 1


def rebate_convert_closed_year(*, today: dt.date | None = None) -> dict:
    """Convert the programme year that closed most recently, unless done (the beat's job)."""
    today = today or timezone.localdate()
    year = closed_year(today)
    at = timezone.now() if today == timezone.localdate() else local_midnight(today)
    return rebate_convert(year, at=at)
