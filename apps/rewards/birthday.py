"""The birthday gift: bonus points on the list of the period holding the member's birthday.

Granted when a period's lists are made (apps.lists calls `birthday_points_grant` with the
members of a chunk who hold a list), set-based: one statement finds the birthdays in the
period, one locks their balances in id order, one lapses their lots past their last day
(as every movement does), one writes the lots, settles what the member owes and moves the
balances. The key `birthday:<member>:<year>` gives it once a year however often the lists
are made again. A birth date is on file only with the member's consent, so only they get
one. A Feb 29 birthday is Feb 28 in other years.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.rewards.expiry import EXPIRE_SQL, USES_OF_ONE_MEMBER
from apps.rewards.ledger import new_lots_settle_sql, valid_until
from apps.rewards.models import PointsEntry

# The members' birthdays in [start, end) without their gift of that year yet. The gifts
# given are read first, by a key list (not a correlated NOT EXISTS: Citus runs none over
# the ledger's shards from a query on the members' reference table).
BIRTHDAYS = """
WITH birthdays AS MATERIALIZED (
SELECT m.id AS member_id, d.day,
       'birthday:' || m.id || ':' || extract(year FROM d.day)::int AS key
FROM members_member m
JOIN (
    SELECT s::date AS day FROM generate_series(%(start)s::date, %(end)s::date - 1, '1 day') s
) d
  ON extract(month FROM m.birth_date) = extract(month FROM d.day)
 AND (extract(day FROM m.birth_date) = extract(day FROM d.day)
      -- Feb 29 falls on Feb 28 when the day after it is Mar 1 (not a leap year)
      OR (extract(month FROM m.birth_date) = 2 AND extract(day FROM m.birth_date) = 29
          AND extract(day FROM d.day) = 28 AND extract(month FROM d.day + 1) = 3))
WHERE m.birth_date IS NOT NULL AND m.id = ANY(%(members)s)
), given AS MATERIALIZED (
    SELECT x.member_id, x.key FROM rewards_pointsentry x
    WHERE x.member_id = ANY(%(members)s) AND x.key IN (SELECT key FROM birthdays)
)
SELECT b.member_id, b.day FROM birthdays b
LEFT JOIN given g ON g.member_id = b.member_id AND g.key = b.key
WHERE g.key IS NULL
"""

# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
LOCK_SQL = """
WITH made AS (
    INSERT INTO rewards_pointsbalance (member_id, points, updated_at)
    SELECT unnest(%(members)s::bigint[]), 0, now()
    ON CONFLICT (member_id) DO NOTHING
), locked AS (
    UPDATE rewards_pointsbalance SET points = points WHERE member_id = ANY(%(members)s)
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""

_ONE_MEMBER = "(%(member)s::bigint IS NULL OR e.member_id = %(member)s::bigint)"
assert _ONE_MEMBER in EXPIRE_SQL  # the expiry's own statement, for these members only
assert USES_OF_ONE_MEMBER in EXPIRE_SQL  # the lots' uses: joined by member, as the lots
LAPSE_SQL = EXPIRE_SQL.replace(_ONE_MEMBER, "e.member_id = ANY(%(members)s)").replace(
    USES_OF_ONE_MEMBER, "TRUE"
)

# The gifts, what they settle of earlier debts (a member below zero owes points: the new
# lot covers the oldest owed entries first), the balances.
GRANT_SQL = f"""
WITH gifts AS (
    INSERT INTO rewards_pointsentry
        (member_id, kind, points, key, created_at, valid_until, reason)
    SELECT g.member_id, 'bonus', %(points)s, g.key, %(at)s, %(valid_until)s, 'Birthday gift'
    FROM unnest(%(members)s::bigint[], %(keys)s::text[]) g(member_id, key)
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points, valid_until
){new_lots_settle_sql("gifts")}
SELECT count(*) FROM gifts
"""


def birthday_points_grant(
    *, period_start: dt.date, period_end: dt.date, members: list[int], at: dt.datetime | None = None
) -> int:
    """Give `CRM_BIRTHDAY_POINTS` to each of `members` whose birthday is in [start, end).

    Once a year each (a period made again gives nothing twice). Returns the gifts written.
    Call it in a transaction: the members' balances stay locked until it ends.
    """
    points = settings.CRM_BIRTHDAY_POINTS
    if points <= 0 or not members:
        return 0
    at = at or timezone.now()
    params = {"start": period_start, "end": period_end, "members": list(members)}
    with connection.cursor() as cursor:
        cursor.execute(BIRTHDAYS, params)
        due = cursor.fetchall()
        if not due:
            return 0
        ids = sorted({member_id for member_id, _ in due})
        cursor.execute(LOCK_SQL, {"members": ids})
        cursor.fetchall()
        day = timezone.localdate(at)
        cursor.execute(
            LAPSE_SQL, {"members": ids, "today": day, "at": at, "since": None, "after_id": 0}
        )
        cursor.execute(
            GRANT_SQL,
            {
                "members": [member_id for member_id, _ in due],
                "keys": [f"birthday:{member_id}:{when.year}" for member_id, when in due],
                "points": points,
                "at": at,
                "valid_until": valid_until(day),
                "today": day,
            },
        )
        return cursor.fetchone()[0]


def birthday_in(birth_date: dt.date | None, start: dt.date, end: dt.date) -> dt.date | None:
    """The member's birthday in [start, end) (Feb 29 is Feb 28 in other years), or None."""
    if birth_date is None:
        return None
    for year in {start.year, (end - dt.timedelta(days=1)).year}:
        day = birth_date.day
        if birth_date.month == 2 and day == 29 and not calendar.isleap(year):
            day = 28
        when = dt.date(year, birth_date.month, day)
        if start <= when < end:
            return when
    return None


def birthday_gift(*, member_id: int, birth_date, period_start: dt.date, period_end: dt.date):
    """The points of the member's birthday gift of the period (None: no birthday or no gift).

    What the list says: "Happy birthday! 200 points are yours" (the gift's own points, so
    a list says the same after the setting changes).
    """
    when = birthday_in(birth_date, period_start, period_end)
    if when is None:
        return None
    key = f"birthday:{member_id}:{when.year}"
    return (
        PointsEntry.objects.filter(member_id=member_id, key=key)
        .values_list("points", flat=True)
        .first()
    )
