"""Writing the ledger: one movement, once, with its lots and the member's balance.

Every movement goes through `entry_record`, which:
1. locks the member's balance row (the member's lock: movements of one member happen one
   at a time, so two never consume the same points);
2. writes the entry, unless its key is recorded already (a replay changes nothing);
3. a positive entry is a lot, spendable `CRM_POINTS_EXPIRY_MONTHS`; when the balance is
   below zero it first settles what earlier movements still owe (see below);
4. a negative one consumes lots: the lot it names first (a reversal takes back the points
   of the sale it reverses), then the unexpired lots, earliest expiry first;
5. adds the points to the balance.

The rule when a negative movement finds too few points (a return after the points were
spent): it takes what there is and the balance goes below zero; the shortfall is owed, and
the next points earned settle it before they can be spent. The cashier sees the negative
balance. Points are never refused at a return: the goods come back either way.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.rewards.expiry import DUE, member_lots_lapse
from apps.rewards.models import LotUse

# The member's balance row, created if need be, locked: one statement. Its latest committed
# points come back even when it waited for another movement (ON CONFLICT DO UPDATE reads
# the row it locks). A CTE of apps.rewards.earning's EARN_LOCK_SQL too.
BALANCE_LOCK_SQL = """
INSERT INTO rewards_pointsbalance (member_id, points, updated_at) VALUES (%(member)s, 0, now())
ON CONFLICT (member_id) DO UPDATE SET member_id = EXCLUDED.member_id
RETURNING points
"""
# Does the member hold a lot past its last day that no expiry has taken yet? The expiry's
# own definition of a due lot (one statement of reading; the expiry runs only when it finds
# one).
LAPSED = f"EXISTS (SELECT 1 FROM ({DUE}) d WHERE d.remaining > 0)"
LAPSED_SQL = f"SELECT {LAPSED}"

# The entry, unless its key is recorded already, and its points added to the balance, in
# one statement (all on the member's shard on a cluster): nothing is written for a replay,
# which then changes nothing. The balance row is locked already (BALANCE_LOCK_SQL), by an
# earlier statement: so this one reads what the movement it waited for wrote. It asks
# LAPSED_SQL's question first (when %(check)s), and writes nothing when a lot has lapsed
# since the nightly expiry (`lapsed` true): the ledger lapses the lots, then runs it again
# unchecked. So the lapse still comes before the entry, and asking costs no statement of
# its own. Typed parameters: an INSERT … SELECT does not type them from its columns.
ENTRY_SQL = f"""
WITH lapsed AS MATERIALIZED (
    SELECT %(check)s AND {LAPSED} AS due
), entry AS (
    INSERT INTO rewards_pointsentry
        (member_id, kind, points, key, created_at, valid_until, basket_id, rule_id, basis,
         reverses_id, user_id, reason, multiplier)
    SELECT %(member)s::bigint, %(kind)s::varchar, %(points)s::integer, %(key)s::varchar,
           %(at)s::timestamptz, %(valid_until)s::date, %(basket_id)s::bigint,
           %(rule_id)s::bigint, %(basis)s::numeric, %(reverses_id)s::bigint,
           %(user_id)s::bigint, %(reason)s::varchar, %(multiplier)s::numeric
    FROM lapsed WHERE NOT lapsed.due
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points
), balance AS (
    UPDATE rewards_pointsbalance b SET points = b.points + entry.points, updated_at = now()
    FROM entry WHERE b.member_id = %(member)s AND b.member_id = entry.member_id
    RETURNING entry.id, b.points
)
SELECT lapsed.due, balance.id, balance.points FROM lapsed LEFT JOIN balance ON TRUE
"""

# A member's lots with points left, in the order a consumer takes them. Each lot's uses are
# summed through the lots' index (LATERAL): a grouped subquery of the member's uses has no
# index to read them by (lot uses are keyed by consumer and lot) and scanned the table. The
# member is named in the LATERAL too, not only joined: a cluster then sends the statement to
# the member's shard alone (with the join only, Citus asked every shard).
LOTS_SQL = """
SELECT e.id, e.points - coalesce(u.used, 0) AS remaining
FROM rewards_pointsentry e
LEFT JOIN LATERAL (
    SELECT sum(points) AS used FROM rewards_lotuse
    WHERE member_id = %(member)s AND lot_id = e.id
) u ON TRUE
WHERE e.member_id = %(member)s AND e.points > 0
  AND (e.id = %(prefer)s OR e.valid_until >= %(day)s)
  AND e.points - coalesce(u.used, 0) > 0
ORDER BY e.id = %(prefer)s DESC, e.valid_until, e.id
"""

# A member's negative movements not fully covered by lots yet, oldest first (each one's uses
# through the primary key, which starts with the consumer).
OWED_SQL = """
SELECT e.id, -e.points - coalesce(u.covered, 0) AS owed
FROM rewards_pointsentry e
LEFT JOIN LATERAL (
    SELECT sum(points) AS covered FROM rewards_lotuse
    WHERE member_id = %(member)s AND consumer_id = e.id
) u ON TRUE
WHERE e.member_id = %(member)s AND e.points < 0 AND -e.points - coalesce(u.covered, 0) > 0
ORDER BY e.id
"""


def new_lots_settle_sql(new_lots: str) -> str:
    """The CTEs that finish a set-based write of lots: `, owed AS (...) ... balances AS (...)`.

    `new_lots` names the statement's CTE of the lots it has just written (id, member_id,
    points, valid_until: an INSERT ... RETURNING). As `entry_record` does one lot at a time,
    a member below zero has their oldest owed entries covered from the new lots still
    spendable on %(today)s, earliest last day first (debt [start, start + owed) meets lot
    [start, start + points): the overlap is taken), and each balance adds its lots (the row
    made if need be). The backfill, the opening balances and the birthday gift end so.
    """
    return f"""
, owed AS (
    -- Members below zero: their negative entries not fully covered yet (OWED_SQL).
    SELECT e.id, e.member_id, -e.points - coalesce(u.covered, 0) AS owed
    FROM rewards_pointsbalance bal
    JOIN rewards_pointsentry e ON e.member_id = bal.member_id AND e.points < 0
    LEFT JOIN LATERAL (
        SELECT sum(points) AS covered FROM rewards_lotuse
        WHERE member_id = e.member_id AND consumer_id = e.id
    ) u ON TRUE
    WHERE bal.points < 0 AND bal.member_id IN (SELECT member_id FROM {new_lots})
      AND -e.points - coalesce(u.covered, 0) > 0
), debts AS (
    SELECT id, member_id, owed,
           sum(owed) OVER (PARTITION BY member_id ORDER BY id) - owed AS start_at
    FROM owed
), lots AS (
    SELECT id, member_id, points,
           sum(points) OVER (PARTITION BY member_id ORDER BY valid_until, id) - points
               AS start_at
    FROM {new_lots}
    WHERE valid_until >= %(today)s AND member_id IN (SELECT member_id FROM owed)
), settled AS (
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points, member_id)
    SELECT d.id, l.id,
           least(d.start_at + d.owed, l.start_at + l.points) - greatest(d.start_at, l.start_at),
           d.member_id
    FROM debts d
    JOIN lots l ON l.member_id = d.member_id
        AND l.start_at < d.start_at + d.owed AND d.start_at < l.start_at + l.points
), balances AS (
    INSERT INTO rewards_pointsbalance AS bal (member_id, points, updated_at)
    SELECT member_id, sum(points), now() FROM {new_lots} GROUP BY member_id ORDER BY member_id
    ON CONFLICT (member_id) DO UPDATE
        SET points = bal.points + EXCLUDED.points, updated_at = EXCLUDED.updated_at
)"""


@dataclass(frozen=True)
class Movement:
    member_id: int
    kind: str
    points: int
    key: str
    at: dt.datetime | None = None  # default: now
    basket_id: int | None = None
    rule_id: int | None = None
    basis: Decimal | None = None
    reverses_id: int | None = None
    user_id: int | None = None
    reason: str = ""
    prefer_lot: int | None = None
    multiplier: Decimal | None = None  # an earn's tier multiplier (its reversal repeats it)
    # A lot's last day when not the usual one (points given back keep the day they had).
    valid_until: dt.date | None = None


def programme_year_end(day: dt.date) -> dt.date:
    """The last day of the programme year holding `day` (`CRM_PROGRAMME_YEAR_END`, "12-31";
    a Feb 29 end is Feb 28 in other years)."""
    month, day_of_month = (int(part) for part in settings.CRM_PROGRAMME_YEAR_END.split("-"))

    def end_in(year: int) -> dt.date:
        if month == 2 and day_of_month == 29 and not calendar.isleap(year):
            return dt.date(year, 2, 28)
        return dt.date(year, month, day_of_month)

    end = end_in(day.year)
    return end if day <= end else end_in(day.year + 1)


def valid_until(day: dt.date) -> dt.date:
    """The last day the points of a lot earned on `day` can be spent.

    By default (`CRM_POINTS_EXPIRE_AT` "months") they expire `CRM_POINTS_EXPIRY_MONTHS`
    later: earned Mar 5, 12 months, spendable until Mar 4. With "year_end" they last until
    the end of the programme year they were earned in.
    """
    if settings.CRM_POINTS_EXPIRE_AT == "year_end":
        return programme_year_end(day)
    return day + relativedelta(months=settings.CRM_POINTS_EXPIRY_MONTHS) - dt.timedelta(days=1)


def _balance_lock(member_id: int) -> int:
    """Lock the member's balance row (created if need be) and return its points."""
    with connection.cursor() as cursor:
        cursor.execute(BALANCE_LOCK_SQL, {"member": member_id})
        return cursor.fetchone()[0]


def balance_locked(
    member_id: int, *, at: dt.datetime | None = None, locked: int | None = None
) -> int:
    """Lock the member's balance row (created if need be) until the transaction ends, lapse
    their lots past their last day on `at`'s day (default now), and return the balance.

    So the balance a movement sees counts only points that can still be spent: a spend is
    checked against them, and what is owed shows as a balance below zero. `locked`: the
    balance a caller's own statement locked and read already (BALANCE_LOCK_SQL in it).
    """
    at = at or timezone.now()
    balance = _balance_lock(member_id) if locked is None else locked
    with connection.cursor() as cursor:
        # Its own statement, after the lock: one that waited for the lock reads with the
        # snapshot it began with, and would miss the lots the movement it waited for wrote.
        cursor.execute(
            LAPSED_SQL,
            {"member": member_id, "today": timezone.localdate(at), "since": None, "after_id": 0},
        )
        if cursor.fetchone()[0]:  # rare: a lot lapsed since the nightly expiry
            balance -= member_lots_lapse(member_id=member_id, today=timezone.localdate(at), at=at)
    return balance


def _rows(sql: str, params: dict) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def entry_record(movement: Movement, *, locked: int | None = None) -> tuple[int | None, int]:
    """Record the movement once; return (its entry id, or None if already recorded; the
    balance after). `locked`: the balance, when the caller's statement locked it already
    (balance_locked).

    Call it in a transaction (the balance lock lasts until it ends). Two statements for a
    lot when nothing is owed and no lot lapsed: the lock, then the entry with the new
    balance, which asks first whether a lot lapsed (ENTRY_SQL; when one did, the lapse and
    the entry again); when the balance was below zero, what is owed and its settling; a
    negative movement adds its lots' reading and their uses. The lots are read after the
    entry and balance are written: they read neither.
    """
    at = movement.at or timezone.now()
    day = timezone.localdate(at)
    balance = _balance_lock(movement.member_id) if locked is None else locked
    params = {
        "check": True,
        "member": movement.member_id,
        "today": day,
        "since": None,
        "after_id": 0,
        "kind": movement.kind,
        "points": movement.points,
        "key": movement.key,
        "at": at,
        "valid_until": (movement.valid_until or valid_until(day)) if movement.points > 0 else None,
        "basket_id": movement.basket_id,
        "rule_id": movement.rule_id,
        "basis": movement.basis,
        "reverses_id": movement.reverses_id,
        "user_id": movement.user_id,
        "reason": movement.reason,
        "multiplier": movement.multiplier,
    }
    with connection.cursor() as cursor:
        cursor.execute(ENTRY_SQL, params)
        lapsed, *row = cursor.fetchone()
        if lapsed:  # rare: a lot lapsed since the nightly expiry; nothing was written
            balance -= member_lots_lapse(member_id=movement.member_id, today=day, at=at)
            cursor.execute(ENTRY_SQL, {**params, "check": False})
            lapsed, *row = cursor.fetchone()
    if row[0] is None:  # recorded already: a replay changes nothing
        return None, balance
    entry_id, balance_after = row
    if movement.points > 0:
        if balance < 0:
            _settle_owed(entry_id, member_id=movement.member_id, points=movement.points)
    else:
        _consume(entry_id, member_id=movement.member_id, points=-movement.points, day=day,
                 prefer=movement.prefer_lot)  # fmt: skip
    return entry_id, balance_after


def _consume(entry_id: int, *, member_id: int, points: int, day: dt.date, prefer: int | None):
    """Take the entry's points from the member's lots; what is missing stays owed."""
    needed = points
    uses = []
    for lot_id, remaining in _rows(
        LOTS_SQL, {"member": member_id, "prefer": prefer or 0, "day": day}
    ):
        if needed == 0:
            break
        taken = min(needed, remaining)
        uses.append(LotUse(consumer_id=entry_id, lot_id=lot_id, points=taken, member_id=member_id))
        needed -= taken
    LotUse.objects.bulk_create(uses)


def _settle_owed(lot_id: int, *, member_id: int, points: int) -> None:
    """Cover what earlier movements still owe from the new lot, oldest first."""
    left = points
    uses = []
    for consumer_id, owed in _rows(OWED_SQL, {"member": member_id}):
        if left == 0:
            break
        taken = min(left, owed)
        uses.append(
            LotUse(consumer_id=consumer_id, lot_id=lot_id, points=taken, member_id=member_id)
        )
        left -= taken
    LotUse.objects.bulk_create(uses)
