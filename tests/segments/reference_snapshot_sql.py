"""The category snapshot as one SQL statement: the product's implementation until issue 22.

Kept as an independent oracle: tests/segments/test_snapshot_engine.py holds the NumPy
engine (apps/segments/cells.py) to exactly these rows on random histories. One change: the
national share is held to [0, 1] here as in the engine; the statement as it was failed the
whole snapshot ("numeric field overflow") when a buyer's returns of one kind of brand left
the share outside it, which the random histories reach.
"""

from __future__ import annotations

from django.conf import settings

from apps.core.clock import local_midnight

# One statement computes every buyer's cell and purchase cycle for the snapshots given in
# %(snapshots)s (pairs of category id and snapshot id), and inserts the rows.
#
# * Spend and national share are exact numerics; "share >= 0.80" is tested as
#   national >= 0.80 * spend so no division rounding can move a buyer across the line.
# * Usage tier is ntile(3) over buyers by spend ascending, ties by card number in byte order.
# * Purchase occasions are distinct local dates; the cycle is the median gap (percentile_cont)
#   when there are at least 3 occasions, and the next purchase is the last occasion plus the
#   cycle rounded half up.
INSERT_SNAPSHOT_ROWS = """
WITH targets AS (
    SELECT t.category_id, t.snapshot_id
    FROM unnest(%(category_ids)s::bigint[], %(snapshot_ids)s::bigint[])
         AS t(category_id, snapshot_id)
),
lines AS (
    SELECT tg.snapshot_id, l.member_id, l.amount, p.brand_type,
           (l.purchased_at AT TIME ZONE %(tz)s)::date AS day
    FROM baskets_basketline l
    JOIN catalog_product p ON p.id = l.product_id
    JOIN targets tg ON tg.category_id = p.category_id
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
),
days AS (
    SELECT snapshot_id, member_id, day,
           sum(amount) AS spend,
           coalesce(sum(amount) FILTER (WHERE brand_type = 'national'), 0) AS national
    FROM lines
    GROUP BY snapshot_id, member_id, day
),
gaps AS (
    SELECT snapshot_id, member_id, day, spend, national,
           day - lag(day) OVER (PARTITION BY snapshot_id, member_id ORDER BY day) AS gap
    FROM days
),
buyers AS (
    -- Everything per buyer in one aggregation: no self-join for the planner to misjudge.
    SELECT snapshot_id, member_id,
           sum(spend) AS spend, sum(national) AS national,
           count(*) AS occasions, max(day) AS last_day,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_gap
    FROM gaps
    GROUP BY snapshot_id, member_id
    HAVING sum(spend) > 0
),
ranked AS (
    SELECT b.*,
           ntile(3) OVER (
               PARTITION BY b.snapshot_id
               ORDER BY b.spend, m.card_number COLLATE "C"
           ) AS usage_tier
    FROM buyers b
    JOIN members_member m ON m.id = b.member_id
)
INSERT INTO segments_segmentmember
    (snapshot_id, member_id, category_spend, national_share, loyalty, usage_tier,
     occasions, cycle_days, next_purchase_on)
SELECT r.snapshot_id, r.member_id, r.spend,
       round(least(greatest(r.national / r.spend, 0), 1), 6),
       CASE WHEN r.national >= %(national_threshold)s * r.spend THEN 'national'
            WHEN r.national <= %(store_threshold)s * r.spend THEN 'store'
            ELSE 'swinger' END,
       r.usage_tier,
       r.occasions,
       CASE WHEN r.occasions >= 3 THEN round(r.median_gap::numeric, 2) END,
       CASE WHEN r.occasions >= 3
            THEN r.last_day + floor(r.median_gap + 0.5)::int END
FROM ranked r
"""


def reference_rows_insert(cursor, *, snapshot, national_threshold, store_threshold) -> None:
    """Run the statement for one snapshot's category and window, into that snapshot."""
    cursor.execute(
        INSERT_SNAPSHOT_ROWS,
        {
            "category_ids": [snapshot.category_id],
            "snapshot_ids": [snapshot.pk],
            "tz": settings.TIME_ZONE,
            "start": local_midnight(snapshot.window_start),
            "end": local_midnight(snapshot.window_end),
            "national_threshold": national_threshold,
            "store_threshold": store_threshold,
        },
    )
