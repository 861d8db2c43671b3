"""Set-based SQL of the report refresh: one statement per aggregate, parameters bound.

Every aggregate is replaced inside the refresh's transaction (DELETE then INSERT … SELECT),
so the pages read the old figures until the new ones commit, never a half-written set.
Local dates are in the chain's time zone (%(tz)s), as in the segments and lists SQL.

Per-member rows join on the member as well as their own keys (a list's items on
`(member_id, shopping_list_id)`, a member's baskets and lines on `owner_id`, equal to the
member on a member's rows): on a cluster those are the distribution columns, so each join
runs shard by shard (docs/scale.md).
"""

from apps.campaigns.selectors import OFFER_MATCHES_PRODUCT
from apps.segments.selectors import LIVE_FIT_ID_SQL, PARETO_CURVE_CTES

# --- Home stores -----------------------------------------------------------------------

DELETE_HOME_STORES = "DELETE FROM reports_homestore"

# The store where the member spent the most, all history; ties go to the lowest store id.
INSERT_HOME_STORES = """
INSERT INTO reports_homestore (member_id, store_id)
SELECT DISTINCT ON (member_id) member_id, store_id
FROM (
    SELECT owner_id AS member_id, store_id, sum(total_amount) AS spend
    FROM baskets_basket
    WHERE member_id IS NOT NULL
    GROUP BY owner_id, store_id
) per_store
ORDER BY member_id, spend DESC, store_id
"""

DELETE_MEMBER_BASE = "DELETE FROM reports_memberbase"

INSERT_MEMBER_BASE = """
INSERT INTO reports_memberbase (store_id, members, active, reachable)
SELECT h.store_id, count(*),
       count(*) FILTER (WHERE m.status = 'active'),
       count(*) FILTER (WHERE m.status = 'active' AND m.consent_list)
FROM members_member m
LEFT JOIN reports_homestore h ON h.member_id = m.id
GROUP BY h.store_id
"""

# --- Snapshots standing for each category and month --------------------------------------

# Per category and month of the snapshot's last covered day (window_end is exclusive), the
# latest computed snapshot, linked to the one of the category's previous month that has any.
_CHOSEN = """
WITH dated AS (
    SELECT id, category_id, window_end, computed_at,
           date_trunc('month', window_end - 1)::date AS month
    FROM segments_segmentsnapshot
), chosen AS (
    SELECT DISTINCT ON (category_id, month) id AS snapshot_id, category_id, month
    FROM dated
    ORDER BY category_id, month, window_end DESC, computed_at DESC, id DESC
), linked AS (
    SELECT snapshot_id, category_id, month,
           lag(snapshot_id) OVER (PARTITION BY category_id ORDER BY month) AS previous_id
    FROM chosen
)
"""

# Rows whose snapshot no longer stands for its month, or whose predecessor changed.
DELETE_STALE_REPORT_SNAPSHOTS = (
    _CHOSEN
    + """
DELETE FROM reports_reportsnapshot r
WHERE NOT EXISTS (
    SELECT 1 FROM linked l
    WHERE l.snapshot_id = r.snapshot_id AND l.previous_id IS NOT DISTINCT FROM r.previous_id
)
RETURNING r.id, r.month
"""
)

DELETE_CELLS_OF = "DELETE FROM reports_cellaggregate WHERE report_snapshot_id = ANY(%(ids)s)"
DELETE_MOVES_OF = "DELETE FROM reports_celltransition WHERE report_snapshot_id = ANY(%(ids)s)"

INSERT_NEW_REPORT_SNAPSHOTS = (
    _CHOSEN
    + """
INSERT INTO reports_reportsnapshot (snapshot_id, previous_id, category_id, month)
SELECT l.snapshot_id, l.previous_id, l.category_id, l.month
FROM linked l
WHERE NOT EXISTS (SELECT 1 FROM reports_reportsnapshot r WHERE r.snapshot_id = l.snapshot_id)
RETURNING id, month
"""
)

# Cells of the given report snapshots. National sales are spend × national share (the share
# is stored to 6 decimals: off by under a cent per $10,000 of a buyer's spend).
INSERT_CELLS = """
INSERT INTO reports_cellaggregate
    (report_snapshot_id, month, category_id, store_id, loyalty, usage_tier,
     members, sales, national_sales)
SELECT r.id, r.month, r.category_id, h.store_id, sm.loyalty, sm.usage_tier,
       count(*), sum(sm.category_spend), round(sum(sm.category_spend * sm.national_share), 2)
FROM reports_reportsnapshot r
JOIN segments_segmentmember sm ON sm.snapshot_id = r.snapshot_id
LEFT JOIN reports_homestore h ON h.member_id = sm.member_id
WHERE r.id = ANY(%(ids)s)
GROUP BY r.id, r.month, r.category_id, h.store_id, sm.loyalty, sm.usage_tier
"""

# Each buyer of either snapshot once: previous cell (or 'new') -> current cell (or 'lapsed').
INSERT_MOVES = """
WITH pairs AS (
    SELECT id, month, category_id, snapshot_id, previous_id
    FROM reports_reportsnapshot
    WHERE id = ANY(%(ids)s) AND previous_id IS NOT NULL
), cur AS (
    SELECT p.id AS rid, sm.member_id, sm.loyalty || '-' || sm.usage_tier AS cell
    FROM pairs p JOIN segments_segmentmember sm ON sm.snapshot_id = p.snapshot_id
), prev AS (
    SELECT p.id AS rid, sm.member_id, sm.loyalty || '-' || sm.usage_tier AS cell
    FROM pairs p JOIN segments_segmentmember sm ON sm.snapshot_id = p.previous_id
), moves AS (
    SELECT coalesce(cur.rid, prev.rid) AS rid,
           coalesce(cur.member_id, prev.member_id) AS member_id,
           coalesce(prev.cell, 'new') AS from_cell,
           coalesce(cur.cell, 'lapsed') AS to_cell
    FROM cur FULL JOIN prev ON prev.rid = cur.rid AND prev.member_id = cur.member_id
)
INSERT INTO reports_celltransition
    (report_snapshot_id, month, category_id, store_id, from_cell, to_cell, members)
SELECT p.id, p.month, p.category_id, h.store_id, m.from_cell, m.to_cell, count(*)
FROM moves m
JOIN pairs p ON p.id = m.rid
LEFT JOIN reports_homestore h ON h.member_id = m.member_id
GROUP BY p.id, p.month, p.category_id, h.store_id, m.from_cell, m.to_cell
"""

# All-categories rows of the months whose category rows changed, summed from those rows.
DELETE_CELL_ROLLUPS = """
DELETE FROM reports_cellaggregate WHERE category_id IS NULL AND month = ANY(%(months)s)
"""
INSERT_CELL_ROLLUPS = """
INSERT INTO reports_cellaggregate
    (report_snapshot_id, month, category_id, store_id, loyalty, usage_tier,
     members, sales, national_sales)
SELECT NULL, month, NULL, store_id, loyalty, usage_tier,
       sum(members), sum(sales), sum(national_sales)
FROM reports_cellaggregate
WHERE category_id IS NOT NULL AND month = ANY(%(months)s)
GROUP BY month, store_id, loyalty, usage_tier
"""
DELETE_MOVE_ROLLUPS = """
DELETE FROM reports_celltransition WHERE category_id IS NULL AND month = ANY(%(months)s)
"""
INSERT_MOVE_ROLLUPS = """
INSERT INTO reports_celltransition
    (report_snapshot_id, month, category_id, store_id, from_cell, to_cell, members)
SELECT NULL, month, NULL, store_id, from_cell, to_cell, sum(members)
FROM reports_celltransition
WHERE category_id IS NOT NULL AND month = ANY(%(months)s)
GROUP BY month, store_id, from_cell, to_cell
"""

# --- Member value (the live fit) --------------------------------------------------------

# The fit whose scores every page reads (segments decides which one is live).
LIVE_FIT = LIVE_FIT_ID_SQL

DELETE_VALUES = "DELETE FROM reports_valueaggregate"
DELETE_HISTOGRAMS = "DELETE FROM reports_valuehistogram"
DELETE_PARETO = "DELETE FROM reports_paretopoint"

INSERT_VALUES = """
INSERT INTO reports_valueaggregate
    (fit_id, store_id, members, likely_active, at_risk, sales, clv, at_risk_sales, at_risk_clv)
SELECT ms.fit_id, h.store_id, count(*),
       count(*) FILTER (WHERE ms.p_alive >= 0.5),
       count(*) FILTER (WHERE ms.churn_risk),
       sum(ms.total_spend), sum(ms.clv),
       coalesce(sum(ms.total_spend) FILTER (WHERE ms.churn_risk), 0),
       coalesce(sum(ms.clv) FILTER (WHERE ms.churn_risk), 0)
FROM segments_memberscore ms
LEFT JOIN reports_homestore h ON h.member_id = ms.member_id
WHERE ms.fit_id = %(fit)s
GROUP BY ms.fit_id, h.store_id
"""

# P(active) in 20 bins of 0.05 (1.0 falls in the last). CLV in 20 equal bins from 0 to the
# 99th percentile rounded up to two significant digits, plus an open bin above it, so one
# big spender does not squash the chart. Bins are the chain's, so rows add across stores.
INSERT_HISTOGRAMS = """
WITH scores AS (
    SELECT ms.p_alive, ms.clv::float8 AS clv, h.store_id
    FROM segments_memberscore ms
    LEFT JOIN reports_homestore h ON h.member_id = ms.member_id
    WHERE ms.fit_id = %(fit)s
), p99 AS (
    SELECT greatest(percentile_cont(0.99) WITHIN GROUP (ORDER BY clv), 0.01) AS v FROM scores
), cap AS (
    SELECT ceil(v / 10 ^ (floor(log(v)) - 1)) * 10 ^ (floor(log(v)) - 1) AS top FROM p99
), binned AS (
    SELECT store_id, 'p_alive' AS measure,
           least(floor(p_alive * %(bins)s), %(bins)s - 1)::int AS bin,
           1.0 / %(bins)s AS width, NULL::float8 AS top
    FROM scores
    UNION ALL
    SELECT store_id, 'clv', least(floor(clv / (cap.top / %(bins)s)), %(bins)s)::int,
           cap.top / %(bins)s, cap.top
    FROM scores, cap
)
INSERT INTO reports_valuehistogram (fit_id, store_id, measure, bin, lower, upper, members)
SELECT %(fit)s, store_id, measure, bin, bin * width,
       CASE WHEN measure = 'clv' AND bin = %(bins)s THEN NULL ELSE (bin + 1) * width END,
       count(*)
FROM binned
GROUP BY store_id, measure, bin, width
"""

# The Pareto curves by segments' one definition (PARETO_CURVE_CTES: members ranked by spend
# to the calibration end, ties by id; point k holds the top floor(k·n/100)), per home store
# and for all members (curve -1), so the dashboard's chain curve is the member-value page's.
INSERT_PARETO = (
    """
WITH scored AS (
    SELECT h.store_id, ms.member_id, ms.total_spend
    FROM segments_memberscore ms
    LEFT JOIN reports_homestore h ON h.member_id = ms.member_id
    WHERE ms.fit_id = %(fit)s
), pareto_members AS (
    SELECT store_id AS curve, member_id, total_spend AS spend FROM scored
    UNION ALL
    SELECT -1, member_id, total_spend FROM scored
), """
    + PARETO_CURVE_CTES
    + """
INSERT INTO reports_paretopoint
    (fit_id, store_id, all_stores, point, members, member_share, sales_share)
SELECT %(fit)s, CASE WHEN curve = -1 THEN NULL ELSE curve END, coalesce(curve = -1, false),
       point, members, member_share, sales_share
FROM pareto_points
"""
)

# --- Lists ------------------------------------------------------------------------------

DELETE_REACH = "DELETE FROM reports_listreach"

INSERT_REACH = """
WITH offers AS (
    SELECT member_id, shopping_list_id, count(*) AS n
    FROM lists_listitem WHERE kind = 'offer'
    GROUP BY member_id, shopping_list_id
), redeemed AS (
    SELECT li.member_id, li.shopping_list_id, count(*) AS n
    FROM checkout_redemption r
    JOIN lists_listitem li ON li.member_id = r.member_id AND li.id = r.list_item_id
    WHERE r.reversed_at IS NULL
    GROUP BY li.member_id, li.shopping_list_id
)
INSERT INTO reports_listreach
    (period_start, store_id, lists, with_offers, offers, redeemed_lists, redemptions)
SELECT sl.period_start, h.store_id, count(*),
       count(o.n), coalesce(sum(o.n), 0), count(r.n), coalesce(sum(r.n), 0)
FROM lists_shoppinglist sl
LEFT JOIN reports_homestore h ON h.member_id = sl.member_id
LEFT JOIN offers o ON o.member_id = sl.member_id AND o.shopping_list_id = sl.id
LEFT JOIN redeemed r ON r.member_id = sl.member_id AND r.shopping_list_id = sl.id
GROUP BY sl.period_start, h.store_id
"""

# --- Campaigns ----------------------------------------------------------------------------

DELETE_CAMPAIGN_CELLS = "DELETE FROM reports_campaigncellaggregate"

# Per audience row: reached = the (treated) member had the campaign's offer on a list;
# redemptions are the live ones (a return's reversal takes one back).
INSERT_CAMPAIGN_CELLS = """
WITH reached AS (
    SELECT DISTINCT li.campaign_id, sl.member_id
    FROM lists_listitem li
    JOIN lists_shoppinglist sl ON sl.member_id = li.member_id AND sl.id = li.shopping_list_id
    WHERE li.kind = 'offer' AND li.campaign_id IS NOT NULL
), redeemed AS (
    SELECT campaign_id, member_id, count(*) AS n, sum(discount) AS discount,
           sum(manufacturer_share) AS share
    FROM checkout_redemption WHERE reversed_at IS NULL
    GROUP BY campaign_id, member_id
)
INSERT INTO reports_campaigncellaggregate
    (campaign_id, category_id, store_id, cell, usage_tier, audience, holdout, reached,
     redeemers, redemptions, discount, manufacturer_share)
SELECT a.campaign_id, c.category_id, h.store_id, a.cell, a.usage_tier, count(*),
       count(*) FILTER (WHERE a.holdout),
       count(rc.member_id) FILTER (WHERE NOT a.holdout),
       count(rd.member_id), coalesce(sum(rd.n), 0),
       coalesce(sum(rd.discount), 0), coalesce(sum(rd.share), 0)
FROM campaigns_campaignaudience a
JOIN campaigns_campaign c ON c.id = a.campaign_id
LEFT JOIN reports_homestore h ON h.member_id = a.member_id
LEFT JOIN reached rc ON rc.campaign_id = a.campaign_id AND rc.member_id = a.member_id
LEFT JOIN redeemed rd ON rd.campaign_id = a.campaign_id AND rd.member_id = a.member_id
GROUP BY a.campaign_id, c.category_id, h.store_id, a.cell, a.usage_tier
"""

DELETE_REDEMPTION_MONTHS = "DELETE FROM reports_redemptionmonth"

INSERT_REDEMPTION_MONTHS = """
INSERT INTO reports_redemptionmonth
    (month, campaign_id, category_id, store_id, redemptions, discount, manufacturer_share)
SELECT date_trunc('month', r.purchased_at AT TIME ZONE %(tz)s)::date, r.campaign_id,
       c.category_id, h.store_id, count(*), sum(r.discount), sum(r.manufacturer_share)
FROM checkout_redemption r
JOIN campaigns_campaign c ON c.id = r.campaign_id
LEFT JOIN reports_homestore h ON h.member_id = r.member_id
WHERE r.reversed_at IS NULL
GROUP BY 1, r.campaign_id, c.category_id, h.store_id
"""

DELETE_LIFT = "DELETE FROM reports_liftaggregate"

# Campaigns that ran (active or ended), over their local days [valid_from, valid_until].
# Per audience member: category sales at regular price (amount paid + discount), whether
# they bought the target brand type in the category, whether they shopped at all. The
# target brand type is that of the offer of the member's usage tier (a brand or UPC offer:
# the brand type of most of the products it matches), else of the campaign's first offer.
INSERT_LIFT = f"""
WITH camp AS (
    SELECT c.id, c.category_id,
           c.valid_from::timestamp AT TIME ZONE %(tz)s AS from_ts,
           (c.valid_until + 1)::timestamp AT TIME ZONE %(tz)s AS to_ts
    FROM campaigns_campaign c
    WHERE c.status IN ('active', 'ended')
), target AS MATERIALIZED (
    SELECT o.campaign_id, o.usage_tier,
           CASE WHEN o.applies_to = 'brand_type' THEN o.brand_type
                ELSE mode() WITHIN GROUP (ORDER BY p.brand_type) END AS brand_type
    FROM campaigns_offer o
    JOIN camp c ON c.id = o.campaign_id
    LEFT JOIN catalog_product p
        ON o.applies_to <> 'brand_type' AND p.category_id = c.category_id
       AND {OFFER_MATCHES_PRODUCT}
    GROUP BY o.campaign_id, o.usage_tier, o.applies_to, o.brand_type
), fallback AS MATERIALIZED (
    SELECT DISTINCT ON (campaign_id) campaign_id, brand_type
    FROM target ORDER BY campaign_id, usage_tier DESC
), members AS (
    SELECT a.campaign_id, c.category_id, a.member_id, a.holdout, c.from_ts, c.to_ts,
           coalesce(t.brand_type, f.brand_type) AS target_type
    FROM campaigns_campaignaudience a
    JOIN camp c ON c.id = a.campaign_id
    LEFT JOIN target t ON t.campaign_id = a.campaign_id AND t.usage_tier = a.usage_tier
    LEFT JOIN fallback f ON f.campaign_id = a.campaign_id
), bought AS (
    SELECT m.campaign_id, m.member_id,
           sum(l.amount + l.discount) AS spend,
           bool_or(p.brand_type = m.target_type) AS converted
    FROM members m
    JOIN catalog_product p ON p.category_id = m.category_id
    JOIN baskets_basketline l
        ON l.product_id = p.id AND l.owner_id = m.member_id AND l.member_id = m.member_id
       AND l.purchased_at >= m.from_ts AND l.purchased_at < m.to_ts
    GROUP BY m.campaign_id, m.member_id
), visited AS (
    SELECT DISTINCT m.campaign_id, m.member_id
    FROM members m
    JOIN baskets_basket bk
        ON bk.owner_id = m.member_id AND bk.member_id = m.member_id
       AND bk.purchased_at >= m.from_ts AND bk.purchased_at < m.to_ts
), per_member AS (
    SELECT m.campaign_id, m.category_id, m.member_id, m.holdout,
           coalesce(b.spend, 0) AS spend, coalesce(b.converted, false) AS converted,
           v.member_id IS NOT NULL AS returned
    FROM members m
    LEFT JOIN bought b ON b.campaign_id = m.campaign_id AND b.member_id = m.member_id
    LEFT JOIN visited v ON v.campaign_id = m.campaign_id AND v.member_id = m.member_id
)
INSERT INTO reports_liftaggregate
    (campaign_id, category_id, store_id, holdout, members, spend_sum, spend_sq_sum,
     converted, returned)
SELECT pm.campaign_id, pm.category_id, h.store_id, pm.holdout, count(*),
       sum(pm.spend), sum(pm.spend * pm.spend),
       count(*) FILTER (WHERE pm.converted), count(*) FILTER (WHERE pm.returned)
FROM per_member pm
LEFT JOIN reports_homestore h ON h.member_id = pm.member_id
GROUP BY pm.campaign_id, pm.category_id, h.store_id, pm.holdout
"""
