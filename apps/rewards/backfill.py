"""Points for the baskets a member bought before they earned at the till: the backfill.

Baskets loaded from till files (`import_pos`, the demo's year) and till sales recorded
before the programme started have no `earn` entry. `points_earn_backfill` writes the
entry each such sale would have earned at the till, exactly as `points_earn_for_sale`
would have: key `earn:<basket id>`, the rule in force on the basket's local day
(`TIME_ZONE`; the latest rule started by then, the later id on a tie), eligible spend = the
lines outside that rule's excluded categories, points = that spend times the rule's rate
rounded down (no entry for 0), created at the purchase time, spendable until the local
purchase day + `CRM_POINTS_EXPIRY_MONTHS` months - 1 day. A lot already past that day is
written too, as it would have been: the nightly expiry takes it, or the member's next
movement, which lapses such lots first (ledger.balance_locked); until then the kept balance
counts it, as it counts any lot between its last day and the night.

Set-based, for a range of member ids: one statement locks the range's balance rows (in
member order, as the expiry does, so a till movement of one of them waits and no two
chunks can deadlock); one INSERT ... SELECT writes every missing entry, oldest purchase
first (each member's lots get ids in time order), with its side effects in the same
statement: the debts it settles and the balances (missing rows inserted, points added).
ON CONFLICT (member_id, key) DO NOTHING makes it idempotent: a second run, or a till earning
the same basket meanwhile, writes nothing twice.

Only earning. A sale is a basket whose lines sum above zero; return baskets (negative
amounts) are skipped and nothing is reversed, because:
- till files hold no returns (the import refuses negative amounts), so an imported sale has
  none to take back;
- a till return is tied to its sale only by checkout's PosTransaction, downstream of
  rewards, so this module cannot tell which sale a return basket belongs to. A till sale
  from before the programme that was returned before the backfill therefore earns on all
  it sold; if it is returned again later, that return takes back what the goods returned
  so far (all of them, `points_reverse_for_return` sums every return of the sale) no
  longer earn.

A member whose balance is below zero before the backfill (a return took back points
already spent) owes what their uncovered negative entries miss (and only such a member
owes: a movement lapses the member's dead lots before it takes any, so a debt never sits
beside points). The till settles such a debt from the next points earned; the backfill
does the same, set-based: the owed entries, oldest first, are covered by the new lots
still spendable on `today` (earliest expiry first), one `LotUse` per overlap of the two
running sums. A new lot already expired covers nothing: those points can no longer be
spent, and the expiry takes them whole. What the new lots cannot cover stays owed, as at
the till.

Speed (bench/bench_rewards.py: 100,000 members' year, 4.8 M entries, 2 workers): 109-170 s
on a shared 2-core machine, against a goal of 30 s. Reading and summing the lines is
~15 s of it; the rest is the ledger's own cost per entry, 10 indexes and 5 deferred
foreign-key checks (one chunk of 1.2 M entries: 44-57 s as it is, 36-43 s without the
foreign keys, 26-27 s also without the five indexes no query reads). Time order is also
the cheaper one: in member order the same chunk took 78 s.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.rewards.ledger import new_lots_settle_sql

# The range's balance rows, locked in member order before anything is read (a member with
# no row yet has nothing to lock: a till movement creating it meanwhile conflicts with
# the balance upsert below, which then waits for it and adds to what it wrote).
# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
LOCK_SQL = """
WITH locked AS (
    UPDATE rewards_pointsbalance SET points = points
    WHERE member_id >= %(lo)s AND member_id < %(hi)s
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""

BACKFILL_SQL = f"""
WITH rules AS (
    -- Each rule's days: from its start to the next rule's (on a tie the later id wins:
    -- the earlier one's range is empty), as earning.rule_for picks them.
    SELECT id, points_per_dollar, starts_on,
           lead(starts_on) OVER (ORDER BY starts_on, id) AS ends_on
    FROM rewards_earningrule
), sums AS (
    -- Each basket's sums under the rule of its local day, from its lines alone: a line
    -- repeats its basket's member and time (baskets.models.BasketLine), so no join with
    -- the baskets is needed. In whole cents, exact with 2 decimals: a bigint sum keeps a
    -- smaller state per basket than a numeric one (the hash of a chunk's baskets is the
    -- statement's biggest memory).
    SELECT l.basket_id, l.member_id, l.purchased_at, r.id AS rule_id,
           sum(l.cents) AS total_cents,
           coalesce(sum(l.cents) FILTER (WHERE x.category_id IS NULL), 0) AS basis_cents
    FROM (
        SELECT basket_id, member_id, purchased_at, product_id,
               (amount * 100)::bigint AS cents,
               (purchased_at AT TIME ZONE %(tz)s)::date AS day
        FROM baskets_basketline
        WHERE member_id >= %(lo)s AND member_id < %(hi)s
        OFFSET 0  -- kept apart so that the day is worked out once a line
    ) l
    JOIN catalog_product p ON p.id = l.product_id
    JOIN rules r ON r.starts_on <= l.day AND (r.ends_on IS NULL OR l.day < r.ends_on)
    LEFT JOIN rewards_earningrule_excluded_categories x
        ON x.earningrule_id = r.id AND x.category_id = p.category_id
    GROUP BY l.basket_id, l.member_id, l.purchased_at, r.id
), sales AS (
    SELECT s.basket_id, s.member_id, s.purchased_at,
           (s.purchased_at AT TIME ZONE %(tz)s)::date AS day, r.id AS rule_id,
           r.points_per_dollar, (s.basis_cents::numeric / 100)::numeric(12, 2) AS basis
    FROM sums s
    JOIN rules r ON r.id = s.rule_id
    -- No NOT EXISTS against the ledger here: the key's ON CONFLICT below skips a basket
    -- already earned for, and a pre-check was planned as a nested loop of 1.2 M index
    -- probes a chunk (the sums' row count is badly underestimated), 9 s of 20.
    WHERE s.total_cents > 0
), earned AS (
    INSERT INTO rewards_pointsentry
        (member_id, kind, points, key, created_at, valid_until, basket_id, rule_id, basis,
         reason)
    SELECT member_id, 'earn', floor(basis * points_per_dollar)::integer, 'earn:' || basket_id,
           purchased_at, CASE WHEN %(year_end)s THEN (
               -- The end of the programme year holding the day (month-end clamps Feb 29).
               SELECT CASE WHEN day <= e THEN e ELSE (e + interval '1 year')::date END
               FROM (SELECT least(make_date(extract(year FROM day)::int, %(end_month)s, 1)
                                      + %(end_day)s - 1,
                                  (make_date(extract(year FROM day)::int, %(end_month)s, 1)
                                      + interval '1 month')::date - 1) AS e) y
           ) ELSE (day + make_interval(months => %(months)s))::date - 1 END, basket_id,
           rule_id, basis, ''
    FROM sales
    WHERE floor(basis * points_per_dollar) >= 1
    ORDER BY purchased_at, basket_id
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points, valid_until
){new_lots_settle_sql("earned")}
SELECT count(*), coalesce(sum(points), 0) FROM earned
"""


@transaction.atomic
def points_earn_backfill(*, lo: int, hi: int, today: dt.date | None = None) -> tuple[int, int]:
    """Write the `earn` entries the sales of members with ids in [lo, hi) lack; return
    (entries written, points).

    `today` (default: the local date) decides which new lots may settle a debt: those
    still spendable on it.
    """
    params = {
        "lo": lo,
        "hi": hi,
        "tz": settings.TIME_ZONE,
        "months": settings.CRM_POINTS_EXPIRY_MONTHS,
        "year_end": settings.CRM_POINTS_EXPIRE_AT == "year_end",
        "end_month": int(settings.CRM_PROGRAMME_YEAR_END.split("-")[0]),
        "end_day": int(settings.CRM_PROGRAMME_YEAR_END.split("-")[1]),
        "today": today or timezone.localdate(),
    }
    with connection.cursor() as cursor:
        # A chunk sums its baskets in one hash and sorts them by time: give it room (25,000
        # members' year, 1.2 M baskets: ~400 MB of hash, within work_mem x hash_mem_multiplier
        # 2 = 512 MB; at 128 MB the sums spilled to disk).
        # JIT compiling the statement costs more than it saves (0.6 s of 0.7 s for 500
        # members' year, bench_rewards), as for the dashboard's statements.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(LOCK_SQL, params)
        cursor.execute(BACKFILL_SQL, params)
        entries, points = cursor.fetchone()
    return entries, int(points)
