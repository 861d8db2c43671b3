"""Label the offers given in ended periods: did the member redeem it in the period?

A redemption counts when it is live (not reversed by a return), of the same member and
campaign, and made from an item of the member's list for the allocation's period: the till
redeems only offers on the member's current list, so the list's period is the period the
offer was given for. Held-out members never get the offer: their rows stay NULL (lift
against them is the campaign report's, from baskets). Rows of periods not ended yet stay
NULL too, so a redemption still to come is never read as a miss.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from apps.campaigns.allocation import PERIOD_DAYS

# The redeemed (member, campaign, period) triples are read first, then joined: no subquery
# correlated with the allocation row, which a cluster could not run across shards (every
# join here is on the member, the distribution column, docs/scale.md).
LABEL_SQL = """
WITH redeemed AS MATERIALIZED (
    SELECT DISTINCT r.member_id, r.campaign_id, l.period_start
    FROM checkout_redemption r
    JOIN lists_listitem i ON i.member_id = r.member_id AND i.id = r.list_item_id
    JOIN lists_shoppinglist l ON l.member_id = i.member_id AND l.id = i.shopping_list_id
    WHERE r.reversed_at IS NULL AND l.period_start <= %(last_ended_start)s
)
UPDATE campaigns_allocation a
SET redeemed = s.redeemed
FROM (
    SELECT g.member_id, g.id, d.member_id IS NOT NULL AS redeemed
    FROM campaigns_allocation g
    LEFT JOIN redeemed d
        ON d.member_id = g.member_id AND d.campaign_id = g.campaign_id
       AND d.period_start = g.period_start
    WHERE g.outcome = 'given' AND g.period_start <= %(last_ended_start)s
) s
WHERE a.member_id = s.member_id AND a.id = s.id AND a.redeemed IS DISTINCT FROM s.redeemed
"""


def offer_outcomes_refresh(*, today: dt.date) -> int:
    """Label every given offer of the periods ended by `today`; return the rows changed.

    A period [start, start + 14 days) has ended when start + 14 <= today. Rerunning is
    cheap and idempotent: only rows whose label changes (a first label, or a return that
    reversed the redemption since) are written.
    """
    params = {"last_ended_start": today - dt.timedelta(days=PERIOD_DAYS)}
    with connection.cursor() as cursor:
        cursor.execute(LABEL_SQL, params)
        return cursor.rowcount
