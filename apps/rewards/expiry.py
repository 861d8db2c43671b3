"""The nightly expiry: every lot whose last day has passed gives up what is left of it.

Set-based: one statement writes an `expire` entry per such lot (points: minus what the lot
has left), the lot uses that record it, and the balances. The members concerned are locked
first, in id order, so a till movement of the same member waits (or is waited for) and no
point is both spent and expired. Running it twice, or for a day already done, changes
nothing: an expiry's key is its lot, and an expired lot has nothing left.

Each nightly run is recorded (`ExpiryRun`), and the next looks only at lots that can have
lapsed since: a last day on or after the previous run's day, or an entry written after it
began. The night's work is then the night's lots, not the whole history of lots. A lot
that slips between (written with a past last day by a transaction that began before the
previous run and committed after it) is still never spent: the ledger lapses a member's
past-due lots before each movement, and the liability counts no lapsed lot as owed.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.rewards.models import ExpiryRun

# Lots whose last day is before `today` with points left and no expiry yet (of one member
# when %(member)s is set: the ledger lapses a member's lots before each movement). The member
# is named in the LATERAL too, so that on a cluster a movement's check goes to the member's
# shard alone (joined only, Citus asked every shard).
USES_OF_ONE_MEMBER = "(%(member)s::bigint IS NULL OR member_id = %(member)s::bigint)"
DUE = f"""
SELECT e.id, e.member_id, e.points - coalesce(u.used, 0) AS remaining
FROM rewards_pointsentry e
LEFT JOIN LATERAL (
    SELECT sum(points) AS used FROM rewards_lotuse
        WHERE {USES_OF_ONE_MEMBER}
          AND member_id = e.member_id AND lot_id = e.id
) u ON TRUE
WHERE e.points > 0 AND e.valid_until < %(today)s
  AND (%(member)s::bigint IS NULL OR e.member_id = %(member)s::bigint)
  AND (%(since)s::date IS NULL OR e.valid_until >= %(since)s::date
       OR e.id > %(after_id)s::bigint)
"""

# The due lots are found first (MATERIALIZED), then their members locked: left to itself
# the planner walked the ledger by member to merge with the balances.
# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
LOCK_SQL = f"""
WITH due AS MATERIALIZED ({DUE}), locked AS (
    UPDATE rewards_pointsbalance b SET points = b.points
    WHERE b.member_id IN (SELECT member_id FROM due)
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""

EXPIRE_SQL = f"""
WITH due AS MATERIALIZED ({DUE}), expired AS (
    INSERT INTO rewards_pointsentry (member_id, kind, points, key, created_at, reason)
    SELECT member_id, 'expire', -remaining, 'expire:' || id, %(at)s, ''
    FROM due WHERE remaining > 0
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points, key
), uses AS (
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points, member_id)
    SELECT id, substr(key, 8)::bigint, -points, member_id FROM expired
), balances AS (
    UPDATE rewards_pointsbalance b SET points = b.points + d.delta, updated_at = now()
    FROM (SELECT member_id, sum(points) AS delta FROM expired GROUP BY member_id) d
    WHERE b.member_id = d.member_id
)
SELECT count(*), coalesce(-sum(points), 0) FROM expired
"""


@transaction.atomic
def points_expire(*, today: dt.date | None = None) -> tuple[int, int]:
    """Expire every lot whose last day is before `today`; return (lots, points) expired."""
    today = today or timezone.localdate()
    at = timezone.now()
    previous = ExpiryRun.objects.filter(day__lte=today).order_by("-day").first()
    params = {
        "today": today,
        "at": at,
        "member": None,
        "since": previous.day if previous else None,
        "after_id": previous.last_entry_id if previous else 0,
    }
    with connection.cursor() as cursor:
        # Compiling the statement costs more than it saves, as for the backfill.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT coalesce(max(id), 0) FROM rewards_pointsentry")
        last_entry_id = cursor.fetchone()[0]
        cursor.execute(LOCK_SQL, params)
        cursor.execute(EXPIRE_SQL, params)
        lots, points = cursor.fetchone()
    run, created = ExpiryRun.objects.get_or_create(
        day=today,
        defaults={"ran_at": at, "last_entry_id": last_entry_id, "lots": lots, "points": points},
    )
    if not created:  # a second run of the day adds what it found
        ExpiryRun.objects.filter(pk=run.pk).update(
            ran_at=at,
            last_entry_id=last_entry_id,
            lots=F("lots") + lots,
            points=F("points") + points,
        )
    return lots, int(points)


def member_lots_lapse(*, member_id: int, today: dt.date, at: dt.datetime) -> int:
    """Expire the member's lots past their last day now, not at night; return the points.

    The ledger calls it with the member's balance locked, before each movement: points past
    their last day then never count in a balance that a spend is checked against, and a debt
    is never hidden behind them. Call it in a transaction.
    """
    params = {"today": today, "at": at, "member": member_id, "since": None, "after_id": 0}
    with connection.cursor() as cursor:
        cursor.execute(EXPIRE_SQL, params)
        return int(cursor.fetchone()[1])
