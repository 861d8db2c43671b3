"""Set-based SQL of list generation: one statement per item kind for a chunk of members.

Every statement after the first works only on the lists the first one created in the same
transaction (`list_ids`), so a chunk run twice, or racing itself, adds nothing.

A member's basket lines are joined on both `owner_id` and `member_id`, which are equal on a
member's lines: the first is the cluster's distribution column (the join stays on the
member's shard, docs/scale.md), the second leads PostgreSQL's index `line_member_history`.
"""

from __future__ import annotations

from apps.campaigns.allocation import ELIGIBLE_SQL

# Eligible members of the id range get a list (ELIGIBLE_SQL: the one definition, shared
# with the allocation preview). The barcode number is '99' + YYMMDD of the period
# start + the member id on 10 digits: unique per (member, period) and all digits, so that
# Code128 packs it two digits a symbol (charset C).
INSERT_LISTS = f"""
WITH eligible AS ({ELIGIBLE_SQL})
INSERT INTO lists_shoppinglist
    (member_id, period_start, period_end, barcode, spend, job_id, created_at, version)
SELECT e.member_id, %(start)s, %(end)s,
       '99' || to_char(%(start)s::date, 'YYMMDD') || lpad(e.member_id::text, 10, '0'),
       e.spend, %(job_id)s, now(), 1
FROM eligible e
ON CONFLICT ON CONSTRAINT list_one_per_member_period DO NOTHING
RETURNING id
"""

# The members of the id range who hold a list for the period (new or made before): their
# candidate offers are scored, so a generation run again scores campaigns activated since.
LIST_HOLDERS = """
SELECT member_id FROM lists_shoppinglist
WHERE period_start = %(start)s AND member_id >= %(lo)s AND member_id < %(hi)s
"""

# The offers allocation gave for the period (apps.campaigns.allocation), each printed once
# on the member's list. The item's body is the offer's text for shoppers, never the
# campaign's internal name; it is valid until the campaign or the period ends. Its heading
# (category: what the offer covers) is in the member's language (apps/lists/wording.py).
INSERT_OFFERS = """
INSERT INTO lists_listitem
    (shopping_list_id, member_id, kind, campaign_id, offer_id, product_id, description, body,
     regular_price, discount, discount_pct, bonus_points, min_quantity, valid_until)
SELECT sl.id, sl.member_id, 'offer', c.id, o.id, single.id,
       replace(replace(words.w ->> 'offer', '%%(category)s', cat.name), '%%(what)s',
           CASE o.applies_to
           WHEN 'brand_type' THEN CASE o.brand_type WHEN 'store' THEN words.w ->> 'own_brand'
                                                    ELSE words.w ->> 'national_brands' END
           WHEN 'brand' THEN o.brand
           ELSE coalesce(single.name, array_to_string(o.upcs, ', ')) END),
       o.shopper_text, single.price,
       CASE WHEN o.discount_kind = 'amount' THEN o.discount_value END,
       CASE WHEN o.discount_kind = 'percent' THEN o.discount_value END,
       CASE WHEN o.discount_kind = 'points' THEN o.discount_value::integer END,
       o.min_quantity, least(c.valid_until, %(end)s::date - 1)
FROM campaigns_allocation al
JOIN lists_shoppinglist sl ON sl.member_id = al.member_id AND sl.period_start = al.period_start
JOIN campaigns_campaign c ON c.id = al.campaign_id
JOIN campaigns_offer o ON o.id = al.offer_id
JOIN catalog_category cat ON cat.id = c.category_id
JOIN members_member m ON m.id = sl.member_id
CROSS JOIN LATERAL (
    SELECT coalesce(%(words)s::jsonb -> m.language, %(words)s::jsonb -> 'en') AS w
) words
LEFT JOIN catalog_product single
    ON o.applies_to = 'upcs' AND cardinality(o.upcs) = 1 AND single.upc = o.upcs[1]
LEFT JOIN lists_listitem done
    ON done.member_id = sl.member_id AND done.shopping_list_id = sl.id AND done.offer_id = o.id
WHERE al.period_start = %(start)s AND al.outcome = 'given' AND done.id IS NULL
RETURNING shopping_list_id
"""

# Lists printed before that got offers now become a new version; the others are marked
# printed (their first version).
MARK_VERSIONS = """
UPDATE lists_shoppinglist
SET version = version + CASE WHEN offers_printed_at IS NOT NULL THEN 1 ELSE 0 END,
    offers_printed_at = now()
WHERE period_start = %(start)s
  AND (offers_printed_at IS NULL OR id = ANY(%(changed)s::bigint[]))
"""

# Due items: in each category the member is more likely than not to buy in the period
# (the purchase-timing model's probability, apps.segments.timing, at least due_probability),
# the product they bought most of in the 52 weeks before it.
INSERT_DUE = """
WITH due AS (
    SELECT sl.id AS list_id, sl.member_id, bp.category_id
    FROM lists_shoppinglist sl
    JOIN segments_buyprobability bp
        ON bp.period_start = sl.period_start AND bp.member_id = sl.member_id
    WHERE sl.id = ANY(%(list_ids)s) AND bp.probability >= %(due_probability)s
), top AS (
    SELECT DISTINCT ON (d.list_id, d.category_id) d.list_id, d.member_id, l.product_id
    FROM due d
    JOIN baskets_basketline l
        ON l.owner_id = d.member_id AND l.member_id = d.member_id
       AND l.purchased_at >= (%(start)s::date - 364)::timestamp AT TIME ZONE %(tz)s
       AND l.purchased_at < %(start)s::timestamp AT TIME ZONE %(tz)s
    JOIN catalog_product p ON p.id = l.product_id AND p.category_id = d.category_id
    GROUP BY d.list_id, d.member_id, d.category_id, l.product_id
    ORDER BY d.list_id, d.category_id, sum(l.quantity) DESC, count(*) DESC, l.product_id
)
INSERT INTO lists_listitem
    (shopping_list_id, member_id, kind, product_id, description, body, regular_price,
     min_quantity, valid_until)
SELECT t.list_id, t.member_id, 'due', p.id, p.name, '', p.price, 1, %(end)s::date - 1
FROM top t JOIN catalog_product p ON p.id = t.product_id
"""

# Reward: reward_rate of the qualifying spend, rounded down to whole reward_step coupons,
# at most reward_cap (5%, $5, $40: $200 → $10, $600 → $30, $800 and up → $40); worded in the
# member's language (apps/lists/wording.py).
INSERT_REWARDS = """
INSERT INTO lists_listitem
    (shopping_list_id, member_id, kind, description, body, discount, min_quantity, valid_until)
SELECT sl.id, sl.member_id, 'reward',
       replace(words.w ->> 'reward', '%%(amount)s', '$' || r.amount::int),
       replace(replace(
           CASE WHEN n.coupons = 1 THEN words.w ->> 'coupons_one'
                ELSE words.w ->> 'coupons_other' END,
           '%%(count)s', n.coupons::text), '%%(step)s', '$' || %(reward_step)s::int),
       r.amount, 1, %(end)s::date - 1
FROM lists_shoppinglist sl
JOIN members_member m ON m.id = sl.member_id
CROSS JOIN LATERAL (
    SELECT coalesce(%(words)s::jsonb -> m.language, %(words)s::jsonb -> 'en') AS w
) words
CROSS JOIN LATERAL (
    SELECT least(%(reward_cap)s::numeric,
                 floor(sl.spend * %(reward_rate)s::numeric / %(reward_step)s::numeric)
                     * %(reward_step)s::numeric) AS amount
) r
CROSS JOIN LATERAL (SELECT (r.amount / %(reward_step)s)::int AS coupons) n
WHERE sl.id = ANY(%(list_ids)s) AND r.amount > 0
"""

# Content: up to content_per_list active tips/recipes of the departments the member spent
# most in over the qualifying weeks. Seasonal ones (months set) only in their months, taken
# at the middle of the period (%(month)s), so a December list gets no summer tip.
INSERT_CONTENT = """
WITH dept AS (
    SELECT sl.id AS list_id, sl.member_id, cat.department, sum(l.amount) AS spend
    FROM lists_shoppinglist sl
    JOIN baskets_basketline l
        ON l.owner_id = sl.member_id AND l.member_id = sl.member_id
       AND l.purchased_at >= %(spend_from)s AND l.purchased_at < %(spend_to)s
    JOIN catalog_product p ON p.id = l.product_id
    JOIN catalog_category cat ON cat.id = p.category_id
    WHERE sl.id = ANY(%(list_ids)s)
      AND cat.department IN (
          SELECT department FROM lists_listcontent
          WHERE active AND (cardinality(months) = 0 OR %(month)s::smallint = ANY(months))
      )
    GROUP BY sl.id, sl.member_id, cat.department
), picked AS (
    SELECT d.list_id, d.member_id, lc.id AS content_id, lc.title, lc.body,
           row_number() OVER (
               PARTITION BY d.list_id ORDER BY d.spend DESC, md5(d.list_id::text || lc.id::text)
           ) AS n
    FROM dept d
    JOIN lists_listcontent lc
        ON lc.department = d.department AND lc.active
       AND (cardinality(lc.months) = 0 OR %(month)s::smallint = ANY(lc.months))
)
INSERT INTO lists_listitem
    (shopping_list_id, member_id, kind, content_id, description, body, min_quantity)
SELECT list_id, member_id, 'content', content_id, title, body, 1
FROM picked WHERE n <= %(content_per_list)s
"""
