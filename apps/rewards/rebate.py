"""The year-end rebate: each member's points of the programme year become certificates.

Set-based, as the nightly expiry: a handful of statements over all members, none per
member. As of the programme year's end (`CRM_PROGRAMME_YEAR_END`, "12-31"):
1. the run's row is claimed (`RebateRun.year` is unique: a second run, or a racing one,
   finds it and returns it, changing nothing);
2. lots past their last day on the year's end expire (`points_expire` for the day after);
3. the members concerned are locked in id order (their balance rows, as every movement
   does), so a till movement of one of them waits for the conversion or is waited for;
4. one statement converts: per member, the points of the year = what is left of their lots
   earned before the year closed and still valid, at most their balance (a debt is not
   converted). n = points // `CRM_REBATE_POINTS_PER_CERTIFICATE` certificates; one `convert`
   entry of -n × ppc (key `rebate:<year>:<member>`) takes them from the lots earliest last
   day first (lot uses computed with running sums over the lots); n certificates; with
   `CRM_REBATE_REMAINDER` "expire", one `expire` entry (key `rebate-rest:<year>:<member>`)
   takes the rest of the year's points, from the lots that follow; balances move.
Points earned after the year closed (a run late by a few days) stay: they belong to the
next year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.core.clock import local_midnight
from apps.rewards.expiry import points_expire
from apps.rewards.models import RebateRun

CLAIM_SQL = """
INSERT INTO rewards_rebaterun
    (year, points_per_certificate, certificate_value, remainder, ran_at, members, certificates)
VALUES (%(year)s, %(ppc)s::int, %(value)s, %(remainder)s, %(at)s, 0, 0)
ON CONFLICT (year) DO NOTHING
RETURNING id
"""

# The members who may have points to convert (carry: a certificate's worth at least; expire:
# any), locked in id order like the expiry's lock.
LOCK_SQL = """
SELECT member_id FROM rewards_pointsbalance WHERE points >= %(least)s
ORDER BY member_id
FOR UPDATE
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
    SELECT lot_id, sum(points) AS used FROM rewards_lotuse GROUP BY lot_id
) u ON u.lot_id = e.id
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
    ON CONFLICT (key) DO NOTHING
    RETURNING id, member_id, kind, points
), uses AS (
    -- Each move takes the points [start, start + points) of the member's lots in order.
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points)
    SELECT e.id, l.id,
           least(l.before + l.remaining, m.start + m.points) - greatest(l.before, m.start)
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


def _run_dict(run: RebateRun, *, created: bool, converted: int = 0, expired: int = 0) -> dict:
    return {
        "year": run.year,
        "run": run.pk,
        "created": created,
        "members": run.members,
        "certificates": run.certificates,
        "points_converted": converted,
        "points_expired": expired,
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


@transaction.atomic
def rebate_convert(
    year: int, *, at: dt.datetime | None = None, closes_on: dt.date | None = None
) -> dict:
    """Convert the points of programme year `year` into certificates, once.

    Returns the run as a dict (`created` False: the year was converted before, nothing
    changed). Refuses (ValueError) a year that has not closed by `at` (default now).
    `closes_on`: the year's last day when not `CRM_PROGRAMME_YEAR_END`'s (the demo closes
    its year just before its lists, so that they show certificates).
    """
    at = at or timezone.now()
    closes_on = closes_on or year_end(year)
    issued = closes_on + dt.timedelta(days=1)
    close = local_midnight(issued)
    if at < close:
        raise ValueError(f"Programme year {year} closes at the end of {closes_on}.")
    ppc, value, remainder = _rules()
    params = {
        "year": year,
        "ppc": ppc,
        "value": value,
        "remainder": remainder,
        "at": at,
        "issued": issued,
        "close": close,
        "valid_until": issued + dt.timedelta(days=settings.CRM_REBATE_VALID_DAYS - 1),
        "expire_rest": remainder == "expire",
    }
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, params)
        row = cursor.fetchone()
        if row is None:  # converted already (or a racing run has just committed it)
            return _run_dict(RebateRun.objects.get(year=year), created=False)
        params["run"] = row[0]
    points_expire(today=issued)  # lots past their last day at the year's end give up first
    with connection.cursor() as cursor:
        # One statement over every member: no JIT compile (seconds, for nothing here), and
        # room to sort and hash the year's lots in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute(LOCK_SQL, {"least": ppc if remainder == "carry" else 1})
        params["members"] = [member_id for (member_id,) in cursor.fetchall()]
        cursor.execute(CONVERT_SQL, params)
        members, certificates, converted, expired = cursor.fetchone()
    RebateRun.objects.filter(pk=params["run"]).update(members=members, certificates=certificates)
    run = RebateRun.objects.get(pk=params["run"])
    return _run_dict(run, created=True, converted=int(converted), expired=int(expired))


def closed_year(today: dt.date) -> int:
    """The programme year that closed most recently on `today` (its end is before today)."""
    return today.year if year_end(today.year) < today else today.year - 1


def rebate_convert_closed_year(*, today: dt.date | None = None) -> dict:
    """Convert the programme year that closed most recently, unless done (the beat's job)."""
    today = today or timezone.localdate()
    year = closed_year(today)
    at = timezone.now() if today == timezone.localdate() else local_midnight(today)
    return rebate_convert(year, at=at)
