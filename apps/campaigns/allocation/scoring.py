"""Phase one of allocation: score every candidate offer of a chunk of members, in SQL.

A candidate is a (member, campaign) pair: the member is in the campaign's stored audience
(held out or not: held-out members are scored too, so that lift compares like with like),
eligible for the period's list, due in the category by the period's end (timing by their
purchase cycle), and the campaign is live in the period and has an offer for the member's
usage tier. One INSERT … SELECT per chunk computes each pair's features from
the baskets, the segments' purchase-timing probabilities and past allocations, applies the
logistic model, and stores the pair in the period's working set (`Candidate`, outcome
`candidate`). A pair scored once for a period is never scored again (`ON CONFLICT DO
NOTHING`): a chunk run twice, or a campaign activated mid-period, adds only the pairs that
are new.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

from apps.campaigns.allocation.eligibility import PERIOD_DAYS
from apps.campaigns.allocation.rules import (
    BUY_PROBABILITY_KNOWN,
    BUY_PROBABILITY_NEW,
    FEATURES,
    PAST_RATE_PRIOR,
    PAST_RATE_WEIGHT,
    PRIOR,
    PRIOR_INTERCEPT,
)
from apps.campaigns.models import OfferModel
from apps.campaigns.selectors import OFFER_MATCHES_PRODUCT
from apps.core.clock import local_midnight

HISTORY_WEEKS = 52

INSERT_ELIGIBLE_SQL = """
INSERT INTO campaigns_eligiblemember (period_start, member_id)
SELECT %(start)s, unnest(%(members)s::bigint[])
ON CONFLICT ON CONSTRAINT eligible_one_per_period DO NOTHING
"""

SCORE_SQL = f"""
WITH latest AS MATERIALIZED (
    SELECT DISTINCT ON (category_id) id, category_id FROM segments_segmentsnapshot
    ORDER BY category_id, window_end DESC, computed_at DESC, id DESC
), not_due AS MATERIALIZED (
    -- The chunk's members whose next purchase in a category falls after the period (by
    -- its latest snapshot), read once for the chunk rather than probed per candidate.
    SELECT sm.member_id, latest.category_id
    FROM segments_segmentmember sm JOIN latest ON latest.id = sm.snapshot_id
    WHERE sm.member_id = ANY(%(members)s::bigint[]) AND sm.next_purchase_on >= %(end)s
), lasting AS MATERIALIZED (
    -- Pairs of the period already given or held out: decided for good (their working-set
    -- rows are there unless a crash emptied the working set).
    SELECT member_id, campaign_id FROM campaigns_allocation
    WHERE member_id = ANY(%(members)s::bigint[]) AND period_start = %(start)s
), cand AS (
    SELECT a.member_id, a.campaign_id, a.cell, a.usage_tier, a.holdout, o.id AS offer_id,
           c.category_id
    FROM campaigns_campaignaudience a
    JOIN campaigns_campaign c ON c.id = a.campaign_id
    JOIN campaigns_offer o ON o.campaign_id = c.id AND o.usage_tier = a.usage_tier
    WHERE a.member_id = ANY(%(members)s::bigint[])
      AND (c.status = 'active' OR c.id = %(extra_campaign)s::bigint)
      AND c.valid_from < %(end)s AND c.valid_until >= %(start)s
      -- Timing by the member's purchase cycle: the offer waits for the list whose period
      -- holds their next purchase in the category (or a later one if that day passed);
      -- no known cycle: the first list. How due they are also weighs in the score.
      AND NOT EXISTS (
          SELECT 1 FROM lasting x WHERE x.member_id = a.member_id AND x.campaign_id = c.id
      )
      AND NOT EXISTS (
          SELECT 1 FROM not_due n
          WHERE n.member_id = a.member_id AND n.category_id = c.category_id
      )
), terms AS (
    -- Per offer: what one redemption costs (the amount off, bonus points at their worth, or
    -- its percent of min_quantity units at the average price of the products it covers),
    -- the sale it rings up, and the funding agreement's share.
    SELECT o.id AS offer_id,
           CASE WHEN o.discount_kind = 'amount' THEN o.discount_value
                WHEN o.discount_kind = 'points'
                    THEN round(o.discount_value * %(cents_per_point)s / 100, 2)
                ELSE round(o.discount_value / 100 * o.min_quantity * pr.price, 2) END AS unit_cost,
           pr.price * o.min_quantity AS sale,
           coalesce(ag.manufacturer_share_pct, 0) AS share_pct
    FROM campaigns_offer o
    JOIN campaigns_campaign c ON c.id = o.campaign_id
    LEFT JOIN agreements_manufactureragreement ag ON ag.id = c.agreement_id
    CROSS JOIN LATERAL (
        SELECT avg(p.price) AS price FROM catalog_product p
        WHERE p.category_id = c.category_id AND p.price > 0 AND {OFFER_MATCHES_PRODUCT}
    ) pr
    WHERE o.id IN (SELECT offer_id FROM cand) AND pr.price IS NOT NULL
), bought AS (
    SELECT DISTINCT l.member_id, l.product_id
    FROM baskets_basketline l
    WHERE l.member_id = ANY(%(members)s::bigint[])
      AND l.purchased_at >= %(since)s AND l.purchased_at < %(until)s
), bought_category AS (
    SELECT DISTINCT b.member_id, p.category_id
    FROM bought b JOIN catalog_product p ON p.id = b.product_id
), bought_target AS (
    SELECT DISTINCT cand.member_id, cand.offer_id
    FROM cand
    JOIN bought b ON b.member_id = cand.member_id
    JOIN catalog_product p ON p.id = b.product_id AND p.category_id = cand.category_id
    JOIN campaigns_offer o ON o.id = cand.offer_id
    WHERE {OFFER_MATCHES_PRODUCT}
), probabilities AS MATERIALIZED (
    SELECT member_id, category_id, probability FROM segments_buyprobability
    WHERE period_start = %(start)s AND member_id = ANY(%(members)s::bigint[])
), history AS (
    SELECT h.member_id, count(*) AS given, count(*) FILTER (WHERE h.redeemed) AS redeemed
    FROM campaigns_allocation h
    WHERE h.member_id = ANY(%(members)s::bigint[]) AND h.outcome = 'given'
      AND h.redeemed IS NOT NULL AND h.period_start < %(start)s
    GROUP BY h.member_id
), features AS (
    SELECT cand.*, t.unit_cost, t.sale, t.share_pct,
           bt.member_id IS NOT NULL AS bought_target,
           bc.member_id IS NULL AS discovery,
           coalesce(bp.probability,
                    CASE WHEN bc.member_id IS NULL THEN %(buy_new)s ELSE %(buy_known)s END)
               AS buy_probability,
           (coalesce(h.redeemed, 0) + %(rate_prior)s * %(rate_weight)s)
               / (coalesce(h.given, 0) + %(rate_weight)s) AS past_rate,
           least(1.0, t.unit_cost / nullif(t.sale, 0))::float8 AS depth
    FROM cand
    JOIN terms t ON t.offer_id = cand.offer_id
    LEFT JOIN bought_target bt ON bt.member_id = cand.member_id AND bt.offer_id = cand.offer_id
    LEFT JOIN bought_category bc
        ON bc.member_id = cand.member_id AND bc.category_id = cand.category_id
    LEFT JOIN probabilities bp
        ON bp.member_id = cand.member_id AND bp.category_id = cand.category_id
    LEFT JOIN history h ON h.member_id = cand.member_id
), scored AS (
    SELECT f.*, 1 / (1 + exp(-(
        %(b0)s + %(b_bought_target)s * f.bought_target::int
        + %(b_discovery)s * f.discovery::int
        + %(b_buy_probability)s * f.buy_probability
        + %(b_usage_tier)s * (f.usage_tier - 2)
        + %(b_past_rate)s * f.past_rate
        + %(b_depth)s * coalesce(f.depth, 0)
    ))) AS probability
    FROM features f
)
INSERT INTO campaigns_candidate
    (period_start, member_id, campaign_id, offer_id, category_id, cell, holdout,
     bought_target, discovery, buy_probability, usage_tier, past_rate, depth, probability,
     unit_cost, manufacturer_cost, value, outcome, scored_at)
SELECT %(start)s, s.member_id, s.campaign_id, s.offer_id, s.category_id, s.cell, s.holdout,
       s.bought_target, s.discovery, s.buy_probability, s.usage_tier, s.past_rate,
       coalesce(s.depth, 0), s.probability, s.unit_cost,
       round(s.unit_cost * s.share_pct / 100, 2),
       -- Expected value: the chance of redemption times the sale it rings up, net of the
       -- chain's own share of the discount (at least a cent, so the chance still ranks).
       s.probability * greatest(s.sale - s.unit_cost * (1 - s.share_pct / 100), 0.01),
       'candidate', now()
FROM scored s
ON CONFLICT (member_id, campaign_id, period_start) DO NOTHING
"""


def offer_model_coefficients() -> tuple[float, dict[str, float]]:
    """Return the newest fitted model's intercept and coefficients, or the prior's."""
    model = OfferModel.objects.order_by("-fitted_at", "-id").first()
    if model is None:
        return PRIOR_INTERCEPT, dict(PRIOR)
    return model.intercept, {name: float(model.coefficients.get(name, 0)) for name in FEATURES}


def score_params(*, period_start: dt.date, members: list[int], extra_campaign: int | None) -> dict:
    intercept, coefficients = offer_model_coefficients()
    return {
        "start": period_start,
        "end": period_start + dt.timedelta(days=PERIOD_DAYS),
        "since": local_midnight(period_start - dt.timedelta(weeks=HISTORY_WEEKS)),
        "until": local_midnight(period_start),
        "members": members,
        "extra_campaign": extra_campaign,
        "buy_new": BUY_PROBABILITY_NEW,
        "buy_known": BUY_PROBABILITY_KNOWN,
        "rate_prior": PAST_RATE_PRIOR,
        "rate_weight": PAST_RATE_WEIGHT,
        "b0": intercept,
        **{f"b_{name}": coefficients[name] for name in FEATURES},
        "cents_per_point": settings.CRM_POINT_VALUE_CENTS,
    }


def allocation_score(
    *, period_start: dt.date, members: list[int], extra_campaign: int | None = None
) -> int:
    """Record the members as eligible for the period and score their new candidates.

    `extra_campaign` scores a campaign that is not active yet as if it were (the preview's
    dry run). Returns the number of candidates scored. Call it in a transaction.
    """
    if not members:
        return 0
    params = score_params(period_start=period_start, members=members, extra_campaign=extra_campaign)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ELIGIBLE_SQL, params)
        cursor.execute(SCORE_SQL, params)
        return cursor.rowcount
