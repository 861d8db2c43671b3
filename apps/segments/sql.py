"""Set-based SQL for category snapshots. Parameters are always bound, never formatted in."""

# The member lines of the snapshots' categories in the window, for apps.segments.cells
# (which groups them by buyer and day): one row per product, its category, whether it is
# a national brand, and its lines as one bytea of 24-byte records (member, time, cents:
# big-endian int8s from `int8send` and `timestamptz_send`), which apps.segments.copying
# reads with one `np.frombuffer`. Why so (issue 22):
# - not a row per line: psycopg hands a COPY over one message per row, ~5 µs a row in
#   Python, more than the query;
# - not one row of `array_agg`s (6 Dec): `array_send` calls each element's send function
#   and sizes each element, array by array, and category and brand went once per line;
#   this read took 15–25 % less (docs/decisions.md, "Category snapshots").
# One aggregate of the three fields, not one per field: a line's fields stay together
# whatever order an aggregate (or Citus' merge of the shards' partial ones) takes rows in.
# The time goes out as it is stored (microseconds since 2000-01-01 UTC) and the local
# days' midnights below date it: `AT TIME ZONE` on every line was half the query.
COPY_SNAPSHOT_LINES = """
COPY (
    SELECT p.category_id, p.brand_type = 'national',
           string_agg(
               int8send(l.member_id) || timestamptz_send(l.purchased_at)
               || int8send((l.amount * 100)::bigint),
               ''::bytea
           )
    FROM baskets_basketline l
    JOIN catalog_product p ON p.id = l.product_id
    WHERE p.category_id = ANY(%(category_ids)s::bigint[])
      AND l.member_id IS NOT NULL
      AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
    GROUP BY p.id
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

# The buyers' rows, as apps.segments.copying.buyers_write sends them (binary, one shape
# per loyalty word and per cycle or none; the id from its identity).
COPY_BUYERS = """
COPY segments_segmentmember
    (snapshot_id, member_id, category_spend, national_share, loyalty, usage_tier,
     occasions, cycle_days, next_purchase_on)
FROM STDIN (FORMAT binary)
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
