"""The one statement that computes every category pair's association rules."""

# Returned goods are lines with a negative quantity (apps.checkout.services.returns): they
# were not bought, together or otherwise, so only lines with a positive quantity count.
# All baskets count, with or without a card: buying habits are the chain's, not the members'.
COMPUTE_SQL = """
WITH basket_categories AS (
    SELECT DISTINCT l.basket_id, p.category_id
    FROM baskets_basketline l
    JOIN catalog_product p ON p.id = l.product_id
    WHERE l.purchased_at >= %(start)s AND l.purchased_at < %(end)s AND l.quantity > 0
), totals AS (
    SELECT count(DISTINCT basket_id) AS baskets FROM basket_categories
), per_category AS (
    SELECT category_id, count(*) AS baskets FROM basket_categories GROUP BY category_id
), pairs AS (
    SELECT a.category_id AS low, b.category_id AS high, count(*) AS both_baskets
    FROM basket_categories a
    JOIN basket_categories b ON b.basket_id = a.basket_id AND b.category_id > a.category_id
    GROUP BY a.category_id, b.category_id
    HAVING count(*) >= %(min_baskets)s
), rules AS (
    SELECT d.antecedent, d.consequent, pr.both_baskets
    FROM pairs pr
    CROSS JOIN LATERAL (VALUES (pr.low, pr.high), (pr.high, pr.low)) AS d(antecedent, consequent)
)
INSERT INTO segments_categoryaffinity
    (computed_at, window_start, window_end, antecedent_id, consequent_id, baskets_with_both,
     antecedent_baskets, baskets, support, confidence, lift)
SELECT now(), %(window_start)s, %(window_end)s, r.antecedent, r.consequent, r.both_baskets,
       ca.baskets, t.baskets,
       r.both_baskets::float8 / t.baskets,
       r.both_baskets::float8 / ca.baskets,
       r.both_baskets::float8 * t.baskets / (ca.baskets::float8 * cc.baskets)
FROM rules r
CROSS JOIN totals t
JOIN per_category ca ON ca.category_id = r.antecedent
JOIN per_category cc ON cc.category_id = r.consequent
ON CONFLICT ON CONSTRAINT category_affinity_unique DO UPDATE SET
    computed_at = EXCLUDED.computed_at,
    window_start = EXCLUDED.window_start,
    baskets_with_both = EXCLUDED.baskets_with_both,
    antecedent_baskets = EXCLUDED.antecedent_baskets,
    baskets = EXCLUDED.baskets,
    support = EXCLUDED.support,
    confidence = EXCLUDED.confidence,
    lift = EXCLUDED.lift
"""
