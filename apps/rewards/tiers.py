"""Status tiers: each member's trailing 12-month spend puts them in a tier (nightly).

`tiers_recompute(today)` is set-based: one statement over every member computes each one's
spend in the 365 days before `today` (local days; `today` itself is not in it, so every run
of a day reads the same closed window), places it in the highest tier whose threshold it
reaches, writes a `TierChange` for every member whose tier changed (the first tier
included) and upserts `MemberTier`. A row is written only when something in it changed,
so a second run on the same day writes nothing.

Spend is sales less returns: the sum of the member's baskets' `total_amount` (what they
paid after discounts; a return's basket carries the sale's member and negative amounts,
its refunds, on the day of the return). A spend below the lowest threshold (a net return)
counts as the lowest tier.

Who gets a row: a member with a basket in the window, or who already holds a tier. A
member who never shopped in the window and never held a tier has none: they are in the
lowest tier implicitly (multiplier 1, as `earning` reads it), and 100 k rows of nothing
are not written. A member whose spend falls to nothing keeps their row and drops to the
lowest tier, with its change recorded.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from apps.core.clock import local_midnight

WINDOW_DAYS = 365
# Serializes two recomputes (a beat run and a manual one): the second waits, then finds
# nothing to change.
LOCK_KEY = 0x7469657273  # "tiers"

RECOMPUTE_SQL = """
WITH tiers AS (
    -- Each tier's spend range [min_spend, next tier's); the lowest also takes anything
    -- below its threshold.
    SELECT id, min_spend, lead(min_spend) OVER (ORDER BY min_spend) AS below,
           min_spend = min(min_spend) OVER () AS lowest
    FROM rewards_tier
), spend AS (
    SELECT member_id, sum(total_amount) AS spend
    FROM baskets_basket
    WHERE member_id IS NOT NULL AND purchased_at >= %(start)s AND purchased_at < %(end)s
    GROUP BY member_id
), placed AS (
    SELECT coalesce(s.member_id, mt.member_id) AS member_id,
           coalesce(s.spend, 0) AS spend,
           t.id AS tier_id, t.min_spend,
           mt.tier_id AS old_tier_id, old.min_spend AS old_min_spend, mt.since AS old_since
    FROM spend s
    FULL JOIN rewards_membertier mt ON mt.member_id = s.member_id
    JOIN tiers t ON (coalesce(s.spend, 0) >= t.min_spend OR t.lowest)
                AND (t.below IS NULL OR coalesce(s.spend, 0) < t.below)
    LEFT JOIN rewards_tier old ON old.id = mt.tier_id
), changes AS (
    -- A second change on the same day (a late import re-run) replaces that day's row and
    -- keeps the tier the day started from.
    INSERT INTO rewards_tierchange (member_id, tier_id, previous_id, day, spend)
    SELECT member_id, tier_id, old_tier_id, %(today)s, spend FROM placed
    WHERE old_tier_id IS DISTINCT FROM tier_id
    ON CONFLICT (member_id, day) DO UPDATE SET tier_id = EXCLUDED.tier_id, spend = EXCLUDED.spend
    RETURNING 1
), written AS (
    INSERT INTO rewards_membertier AS mt (member_id, tier_id, spend, since, computed_on)
    SELECT member_id, tier_id, spend,
           CASE WHEN old_tier_id = tier_id THEN old_since ELSE %(today)s END, %(today)s
    FROM placed
    ON CONFLICT (member_id) DO UPDATE
        SET tier_id = EXCLUDED.tier_id, spend = EXCLUDED.spend, since = EXCLUDED.since,
            computed_on = EXCLUDED.computed_on
        WHERE (mt.tier_id, mt.spend, mt.since, mt.computed_on)
            IS DISTINCT FROM (EXCLUDED.tier_id, EXCLUDED.spend, EXCLUDED.since,
                              EXCLUDED.computed_on)
    RETURNING 1
)
SELECT (SELECT count(*) FROM placed),
       (SELECT count(*) FROM written),
       (SELECT count(*) FROM changes),
       (SELECT count(*) FROM placed WHERE old_tier_id IS NULL),
       (SELECT count(*) FROM placed WHERE min_spend > old_min_spend),
       (SELECT count(*) FROM placed WHERE min_spend < old_min_spend)
"""


def spend_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The trailing window a tier is computed on: the 365 local days before `today`."""
    return local_midnight(today - dt.timedelta(days=WINDOW_DAYS)), local_midnight(today)


@transaction.atomic
def tiers_recompute(today: dt.date | None = None) -> dict:
    """Put every member in the tier their spend of the 365 days before `today` reaches.

    Returns counts: members placed, rows written (new or changed), tier changes recorded,
    of which first tiers, moves up and moves down. Nothing to do without tiers.
    """
    today = today or timezone.localdate()
    start, end = spend_window(today)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(RECOMPUTE_SQL, {"start": start, "end": end, "today": today})
        members, written, changes, first, up, down = cursor.fetchone()
    return {
        "day": today.isoformat(),
        "members": members,
        "written": written,
        "changes": changes,
        "first": first,
        "up": up,
        "down": down,
    }
