"""Reads for campaigns: the targeted audience with its holdout draw, and the cost preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection

from apps.campaigns.models import CELL_LABELS, Campaign
from apps.segments.affinity import TARGET_MIN_BASKETS, TARGET_MIN_LIFT
from apps.segments.selectors import LIVE_FIT_ID_SQL

# Members with cumulative_share at or under this make the top half of members' sales.
TOP_VALUE_CUMULATIVE_SHARE = 0.5
# Win back: the top fifth of members by past spend (the Pareto page's "top 20 %") whose
# P(active) in the live fit is under one half, i.e. more likely lapsed than still buying.
WIN_BACK_TOP_SHARE = 0.2
WIN_BACK_P_ALIVE = 0.5
# Affinity: rules into the category worth acting on (lift and baskets with both: why these
# two thresholds, in apps.segments.affinity.selectors).
AFFINITY_MIN_LIFT = TARGET_MIN_LIFT
AFFINITY_MIN_BASKETS = TARGET_MIN_BASKETS

# Does product p match offer o (within the campaign's category, which callers join on)?
# The one definition of the rule: the campaign preview, the reports' target brand type and
# the checkout (offer_matching_products_sql) all embed this expression, so no two of them
# can judge a product differently. Brands compare by PostgreSQL's upper(), one character for
# one: 'Straße' matches 'STRAßE' but not 'STRASSE' (Python's casefold() would say 'ss'),
# 'İzmir' does not match 'IZMIR', spaces count. Non-ASCII capitals ('ü' / 'Ü') follow the
# database's ctype: a UTF-8 one maps them, "C" does not; every path alike, being one query.
OFFER_MATCHES_PRODUCT = """(
    (o.applies_to = 'brand_type' AND p.brand_type = o.brand_type)
    OR (o.applies_to = 'brand' AND upper(p.brand) = upper(o.brand))
    OR (o.applies_to = 'upcs' AND p.upc = ANY(o.upcs))
)"""


def offer_matching_products_sql(*, offer_id: str, products: str = "%s") -> str:
    """Return SQL of the ids, among the product ids bound to `products` (a placeholder, by
    default one `%s`), the offer matches.

    `offer_id` is the SQL of the offer's id in the enclosing query (a column), so the
    checkout asks the rule in the statement that locks its list items: no statement more.
    """
    return f"""ARRAY(
    SELECT p.id FROM catalog_product p
    JOIN campaigns_offer o ON o.id = {offer_id}
    JOIN campaigns_campaign c ON c.id = o.campaign_id
    WHERE p.id = ANY({products}::bigint[]) AND p.category_id = c.category_id
      AND {OFFER_MATCHES_PRODUCT}
)"""


# The campaign's audience from the latest snapshot of its category: each active buyer in a
# targeted cell once (its 9-cell first, then "at risk", "win back", "top value": the
# narrower group first, so lapsed valuable members are won back, not treated as loyal top
# value), then the "affinity" non-buyers, and the holdout drawn per cell. The draw orders a
# cell's members by md5(seed:member id) and holds out the first round(n × share) of them: a
# fixed random permutation per (seed, cell), so the same campaign draws the same members on
# every run, on any machine, without storing anything. Campaigns without the two audiences
# added for issue 18 get exactly the cells and draw they had before.
#
# Win back: a buyer of the category in the top 20 % of members by spend to the live fit's
# history end (the member-value page's Pareto "top 20 %": members ranked by total spend,
# ties by id, the first floor(n / 5)) whose probability of still being active is under
# WIN_BACK_P_ALIVE. Unlike "at risk" it asks no regular rhythm: a valuable member who
# shopped big and rarely is worth winning back too. Only computed when targeted.
#
# Affinity (cross-sell and trial): active members outside the category's snapshot (no
# purchase of it in its 52 weeks) who are in the latest snapshot of a category whose rule
# into this one, in the latest bought-together rules (apps.segments.affinity), has a lift of
# at least AFFINITY_MIN_LIFT on at least AFFINITY_MIN_BASKETS baskets with both. Having no
# usage of the category, they get usage tier 1: the low tier's offer, the trial offer.
AUDIENCE_SQL = f"""
WITH snap AS (
    SELECT id FROM segments_segmentsnapshot
    WHERE category_id = %(category_id)s
    ORDER BY window_end DESC, computed_at DESC, id DESC LIMIT 1
), fit AS ({LIVE_FIT_ID_SQL}), valuable AS (
    SELECT member_id FROM (
        SELECT member_id,
               row_number() OVER (ORDER BY total_spend DESC, member_id) AS rn,
               count(*) OVER () AS n
        FROM segments_memberscore
        WHERE fit_id = (SELECT id FROM fit) AND 'win_back' = ANY(%(cells)s)
    ) ranked
    WHERE rn <= floor(n * %(win_back_top_share)s::numeric)
), buyers AS (
    SELECT sm.member_id, sm.usage_tier, sm.loyalty || '-' || sm.usage_tier AS nine_cell,
           coalesce(ms.churn_risk, false) AS at_risk,
           coalesce(ms.cumulative_share <= %(top_share)s, false) AS top_value,
           coalesce(ms.p_alive < %(win_back_p_alive)s, false)
               AND sm.member_id IN (SELECT member_id FROM valuable) AS win_back
    FROM segments_segmentmember sm
    JOIN snap ON sm.snapshot_id = snap.id
    JOIN members_member m ON m.id = sm.member_id AND m.status = 'active'
    LEFT JOIN segments_memberscore ms
        ON ms.member_id = sm.member_id AND ms.fit_id = (SELECT id FROM fit)
), rules AS (
    SELECT antecedent_id FROM segments_categoryaffinity
    WHERE consequent_id = %(category_id)s
      AND window_end = (SELECT max(window_end) FROM segments_categoryaffinity)
      AND lift >= %(affinity_lift)s AND baskets_with_both >= %(affinity_baskets)s
      AND 'affinity' = ANY(%(cells)s)
), rule_snaps AS (
    SELECT DISTINCT ON (s.category_id) s.id
    FROM segments_segmentsnapshot s JOIN rules r ON r.antecedent_id = s.category_id
    ORDER BY s.category_id, s.window_end DESC, s.computed_at DESC, s.id DESC
), affinity AS (
    SELECT DISTINCT sm.member_id
    FROM segments_segmentmember sm
    JOIN rule_snaps rs ON sm.snapshot_id = rs.id
    JOIN members_member m ON m.id = sm.member_id AND m.status = 'active'
    WHERE NOT EXISTS (
        SELECT 1 FROM segments_segmentmember own JOIN snap ON own.snapshot_id = snap.id
        WHERE own.member_id = sm.member_id
    )
), targeted AS (
    SELECT member_id, usage_tier,
           CASE WHEN nine_cell = ANY(%(cells)s) THEN nine_cell
                WHEN at_risk AND 'at_risk' = ANY(%(cells)s) THEN 'at_risk'
                WHEN win_back AND 'win_back' = ANY(%(cells)s) THEN 'win_back'
                WHEN top_value AND 'top_value' = ANY(%(cells)s) THEN 'top_value'
           END AS cell
    FROM buyers
    UNION ALL
    SELECT member_id, 1 AS usage_tier, 'affinity' AS cell FROM affinity
), audience AS (
    SELECT member_id, usage_tier, cell,
           row_number() OVER (
               PARTITION BY cell ORDER BY md5(%(seed)s::text || ':' || member_id::text)
           ) <= round(count(*) OVER (PARTITION BY cell) * %(holdout_pct)s::numeric / 100) AS holdout
    FROM targeted WHERE cell IS NOT NULL
)
"""

PREVIEW_SQL = (
    AUDIENCE_SQL
    + f""", offer_cost AS (
    SELECT o.usage_tier,
           CASE WHEN o.discount_kind = 'amount' THEN o.discount_value
                WHEN o.discount_kind = 'points'
                    THEN round(o.discount_value * %(cents_per_point)s / 100, 2)
                ELSE round(o.discount_value / 100 * o.min_quantity * (
                    SELECT avg(p.price) FROM catalog_product p
                    WHERE p.category_id = %(category_id)s AND {OFFER_MATCHES_PRODUCT}
                ), 2)
           END AS unit_cost
    FROM campaigns_offer o WHERE o.campaign_id = %(campaign_id)s
)
SELECT a.cell,
       count(*) AS members,
       count(*) FILTER (WHERE a.holdout) AS holdout,
       round(count(*) FILTER (WHERE NOT a.holdout) * %(rate)s::numeric / 100, 1)
           AS redemptions,
       round(
           coalesce(sum(oc.unit_cost) FILTER (WHERE NOT a.holdout), 0) * %(rate)s::numeric / 100, 2
       ) AS cost
FROM audience a LEFT JOIN offer_cost oc ON oc.usage_tier = a.usage_tier
GROUP BY a.cell
"""
)


@dataclass
class PreviewRow:
    cell: str
    label: str
    members: int
    holdout: int
    redemptions: Decimal
    cost: Decimal

    @property
    def treated(self) -> int:
        return self.members - self.holdout


@dataclass
class Preview:
    rate_pct: Decimal
    rows: list[PreviewRow] = field(default_factory=list)
    members: int = 0
    holdout: int = 0
    redemptions: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    manufacturer_share: Decimal = Decimal(0)
    store_share: Decimal = Decimal(0)
    budget: Decimal = Decimal(0)

    @property
    def over_budget(self) -> bool:
        return self.cost > self.budget


def audience_params(campaign: Campaign) -> dict:
    return {
        "campaign_id": campaign.pk,
        "category_id": campaign.category_id,
        "cells": list(campaign.target_cells),
        "seed": campaign.holdout_seed,
        "holdout_pct": campaign.holdout_pct,
        "top_share": TOP_VALUE_CUMULATIVE_SHARE,
        "win_back_top_share": WIN_BACK_TOP_SHARE,
        "win_back_p_alive": WIN_BACK_P_ALIVE,
        "affinity_lift": AFFINITY_MIN_LIFT,
        "affinity_baskets": AFFINITY_MIN_BASKETS,
    }


def campaign_preview(*, campaign: Campaign, rate_pct: Decimal | None = None) -> Preview:
    """Return members, holdout, expected redemptions and cost per targeted cell (one query).

    Cost per redemption is the tier's amount off, or its percent of min_quantity units at
    the average regular price of the products it applies to. The manufacturer pays the
    agreement's share of the cost, the store the rest.
    """
    rate = campaign.redemption_rate_pct if rate_pct is None else rate_pct
    with connection.cursor() as cursor:
        cursor.execute(
            PREVIEW_SQL,
            {
                **audience_params(campaign),
                "rate": rate,
                "cents_per_point": settings.CRM_POINT_VALUE_CENTS,
            },
        )
        fetched = cursor.fetchall()
    order = {cell: i for i, cell in enumerate(campaign.target_cells)}
    rows = sorted(
        (
            PreviewRow(cell, CELL_LABELS.get(cell, cell), members, holdout, redemptions, cost)
            for cell, members, holdout, redemptions, cost in fetched
        ),
        key=lambda row: order.get(row.cell, 99),
    )
    preview = Preview(rate_pct=rate, rows=rows, budget=campaign.budget)
    preview.members = sum(r.members for r in rows)
    preview.holdout = sum(r.holdout for r in rows)
    preview.redemptions = sum((r.redemptions for r in rows), Decimal(0))
    preview.cost = sum((r.cost for r in rows), Decimal(0))
    if campaign.agreement is not None:
        share = campaign.agreement.manufacturer_share_pct / 100
        preview.manufacturer_share = (preview.cost * share).quantize(Decimal("0.01"))
    preview.store_share = preview.cost - preview.manufacturer_share
    return preview
