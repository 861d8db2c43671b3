"""Who is eligible for a period's list: one definition for list generation and the preview.

Eligible: an active member who consented to marketing and spent at least min_spend over
the `weeks` before the period starts. List generation makes a list for each; the
allocation preview, for a period whose lists are not made yet, serves the same members.
"""

from __future__ import annotations

import datetime as dt

from apps.campaigns.allocation.rules import Eligibility
from apps.core.clock import local_midnight

# Members of [lo, hi) eligible for the period, with their qualifying spend.
ELIGIBLE_SQL = """
SELECT m.id AS member_id, s.spend
FROM members_member m
JOIN (
    SELECT l.member_id, sum(l.amount) AS spend
    FROM baskets_basketline l
    WHERE l.member_id >= %(lo)s AND l.member_id < %(hi)s
      AND l.purchased_at >= %(spend_from)s AND l.purchased_at < %(spend_to)s
    GROUP BY l.member_id
) s ON s.member_id = m.id
WHERE m.id >= %(lo)s AND m.id < %(hi)s
  AND m.status = 'active' AND m.marketing_consent
  AND s.spend >= %(min_spend)s
"""


def eligibility_params(*, period_start: dt.date, eligibility: Eligibility) -> dict:
    """Return the parameters of ELIGIBLE_SQL but the id range."""
    return {
        "spend_from": local_midnight(period_start - dt.timedelta(weeks=eligibility.weeks)),
        "spend_to": local_midnight(period_start),
        "min_spend": eligibility.min_spend,
    }
