"""Who is eligible for a period's list: one definition for list generation and the preview.

Eligible: an active member who consented to marketing and either spent at least
min_spend over the `weeks` before the period starts, or is in the audience of a win-back
campaign live in the period. A win-back audience is lapsed by definition: without that
clause its offers could reach no one, since the list is the only way an offer reaches the
till. Held-out members of the audience get a list too (without the offer), so that the
campaign's lift measures the offer, not the list. List generation makes a list for each
eligible member; the allocation preview serves the same members.
"""

from __future__ import annotations

import datetime as dt

from apps.campaigns.allocation.rules import Eligibility
from apps.core.clock import local_midnight

PERIOD_DAYS = 14  # a list period: the one definition (scoring and lists re-export it)

# Members of [lo, hi) eligible for the period, with their qualifying spend.
# `win_back_extra` also counts a win-back campaign that is not active yet (the preview's
# dry run of a draft or approved campaign). The win-back audience is a join, not a
# correlated EXISTS: Citus runs no correlated subquery over a sharded table from a query on
# the members' reference table (docs/scale.md).
ELIGIBLE_SQL = """
SELECT m.id AS member_id, coalesce(s.spend, 0) AS spend
FROM members_member m
LEFT JOIN (
    SELECT l.member_id, sum(l.amount) AS spend
    FROM baskets_basketline l
    WHERE l.member_id >= %(lo)s AND l.member_id < %(hi)s
      AND l.purchased_at >= %(spend_from)s AND l.purchased_at < %(spend_to)s
    GROUP BY l.member_id
) s ON s.member_id = m.id
LEFT JOIN (
    SELECT DISTINCT wa.member_id
    FROM campaigns_campaignaudience wa
    JOIN campaigns_campaign wc ON wc.id = wa.campaign_id
    WHERE wa.member_id >= %(lo)s AND wa.member_id < %(hi)s AND wc.goal = 'win_back'
      AND (wc.status = 'active' OR wc.id = %(win_back_extra)s::bigint)
      AND wc.valid_from < %(period_end)s AND wc.valid_until >= %(period_start)s
) w ON w.member_id = m.id
WHERE m.id >= %(lo)s AND m.id < %(hi)s
  AND m.status = 'active' AND m.consent_list
  AND (s.spend >= %(min_spend)s OR w.member_id IS NOT NULL)
"""


def eligibility_params(
    *, period_start: dt.date, eligibility: Eligibility, extra_campaign: int | None = None
) -> dict:
    """Return the parameters of ELIGIBLE_SQL but the id range."""
    return {
        "spend_from": local_midnight(period_start - dt.timedelta(weeks=eligibility.weeks)),
        "spend_to": local_midnight(period_start),
        "min_spend": eligibility.min_spend,
        "period_start": period_start,
        "period_end": period_start + dt.timedelta(days=PERIOD_DAYS),
        "win_back_extra": extra_campaign,
    }
