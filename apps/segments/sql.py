"""Set-based SQL for category snapshots. Parameters are always bound, never formatted in."""

# The member lines of the snapshots' categories in the window, for apps.segments.cells
# (which groups them by buyer and day): one row of five arrays, one element per line.
# One row, because a COPY of one row per line cost ~6 µs a line in the client's per-message
# handling, more than the query. Fixed-width elements and no NULLs, so
# apps.segments.copying reads each binary array as a NumPy array. The time goes out as it
# is stored (binary: microseconds since 2000-01-01 UTC) and the local days' midnights
# below date it: `AT TIME ZONE` on every line was half the query's time. Amounts in cents.
COPY_SNAPSHOT_LINES = """
COPY (
    SELECT array_agg(p.category_id), array_agg(l.member_id), array_agg(l.purchased_at),
           array_agg((l.amount * 100)::bigint), array_agg(p.brand_type = 'national')
    FROM baskets_basketline l
    JOIN catalog_product p ON p.id = l.product_id
    WHERE p.category_id = ANY(%(category_ids)s::bigint[])
      AND l.member_id IS NOT NULL
      AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
) TO STDOUT (FORMAT binary)
"""

# Where each local day of [first, last] begins, by PostgreSQL's own time-zone rules, in
# microseconds since 2000-01-01 UTC (the binary timestamps' origin).
LOCAL_MIDNIGHTS = """
SELECT ((extract(epoch FROM d::timestamp AT TIME ZONE %(tz)s) - 946684800) * 1000000)::bigint
FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
ORDER BY d
"""

# The buyers in the order of their card numbers' bytes (`ntile`'s tie-break), as one array.
BUYERS_BY_CARD = """
COPY (
    SELECT array_agg(id ORDER BY card_number COLLATE "C")
    FROM members_member WHERE id = ANY(%(ids)s::bigint[])
) TO STDOUT (FORMAT binary)
"""

# The buyers' rows as apps.segments.cells computes them, in integers; INSERT_FROM_STAGE
# turns them into the table's numerics exactly (cents / 100, micro-shares / 10^6, twice
# the median / 2) and the loyalty code into its value (%(loyalties)s, in code order).
CREATE_STAGE = """
DROP TABLE IF EXISTS segment_stage;
CREATE TEMP TABLE segment_stage (
    snapshot_id bigint NOT NULL, member_id bigint NOT NULL, spend_cents bigint NOT NULL,
    share_micro bigint NOT NULL, loyalty smallint NOT NULL, usage_tier smallint NOT NULL,
    occasions integer NOT NULL, median2 integer NOT NULL, last_day date NOT NULL
) ON COMMIT DROP
"""
COPY_STAGE = "COPY segment_stage FROM STDIN (FORMAT binary)"
INSERT_FROM_STAGE = """
INSERT INTO segments_segmentmember
    (snapshot_id, member_id, category_spend, national_share, loyalty, usage_tier,
     occasions, cycle_days, next_purchase_on)
SELECT snapshot_id, member_id, spend_cents / 100.0, share_micro / 1000000.0,
       (%(loyalties)s::text[])[loyalty + 1], usage_tier, occasions,
       CASE WHEN occasions >= 3 THEN median2 / 2.0 END,
       CASE WHEN occasions >= 3 THEN last_day + (median2 + 1) / 2 END
FROM segment_stage
"""

COUNT_BUYERS = """
UPDATE segments_segmentsnapshot s
SET buyers = sub.n
FROM (
    SELECT snapshot_id, count(*) AS n
    FROM segments_segmentmember
    WHERE snapshot_id = ANY(%(snapshot_ids)s)
    GROUP BY snapshot_id
) sub
WHERE s.id = sub.snapshot_id
"""
