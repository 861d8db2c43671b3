"""An agreement's figures for a period: redemptions bought in it, its cap at the period's end.

A redemption belongs to the day its basket was bought (the till's time, in the site's time
zone), the day its agreement's validity was judged on; a reversal to the day the return was
recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from apps.agreements.models import ManufacturerAgreement
from apps.agreements.selectors.common import ZERO, _period_params, _rows

# Per campaign and product, and a total row (is_total). Period figures count redemptions
# bought in the period; cap_used counts every live share bought up to the period's end,
# which is what the checkout measured the cap against.
PERIOD_SUMMARY_SQL = """
WITH r AS (
    SELECT r.campaign_id, r.product_id, r.discount, r.manufacturer_share AS share,
           r.reversed_at IS NULL AS live, r.purchased_at >= %(start_at)s AS in_period
    FROM checkout_redemption r
    WHERE r.agreement_id = %(agreement_id)s AND r.purchased_at < %(end_at)s
), grouped AS (
    SELECT campaign_id, product_id, GROUPING(campaign_id, product_id) <> 0 AS is_total,
           count(*) FILTER (WHERE live AND in_period) AS redemptions,
           coalesce(sum(discount) FILTER (WHERE live AND in_period), 0) AS discount,
           coalesce(sum(share) FILTER (WHERE live AND in_period), 0) AS share,
           count(*) FILTER (WHERE live AND in_period AND share = 0) AS not_charged,
           coalesce(sum(discount) FILTER (WHERE live AND in_period AND share = 0), 0)
               AS not_charged_discount,
           count(*) FILTER (WHERE NOT live AND in_period) AS reversed,
           coalesce(sum(discount) FILTER (WHERE NOT live AND in_period), 0)
               AS reversed_discount,
           coalesce(sum(share) FILTER (WHERE live), 0) AS cap_used
    FROM r
    GROUP BY GROUPING SETS ((campaign_id, product_id), ())
)
SELECT g.*, c.name AS campaign, p.upc, p.name AS product, p.brand
FROM grouped g
LEFT JOIN campaigns_campaign c ON c.id = g.campaign_id
LEFT JOIN catalog_product p ON p.id = g.product_id
WHERE g.is_total OR g.redemptions + g.reversed > 0
ORDER BY g.is_total, c.name, p.brand, p.name, p.upc
"""


@dataclass
class PeriodSummary:
    """An agreement's redemptions bought in a period, and its cap at the period's end."""

    agreement: ManufacturerAgreement
    period_start: dt.date
    period_end: dt.date
    total: dict
    rows: list[dict] = field(default_factory=list)

    @property
    def cap_used(self) -> Decimal:
        return self.total["cap_used"]

    @property
    def cap_left(self) -> Decimal:
        return max(self.agreement.budget_cap - self.cap_used, ZERO)


def agreement_period_summary(
    *, agreement: ManufacturerAgreement, period_start: dt.date, period_end: dt.date
) -> PeriodSummary:
    """Return the period's redemptions (live and reversed), discount, share, cap used and left.

    A live redemption with share 0 was beyond the budget cap (or not covered by a share):
    it is counted as not charged, with its discount.
    """
    rows = _rows(PERIOD_SUMMARY_SQL, _period_params(agreement.pk, period_start, period_end))
    total = rows.pop()  # the () grouping set sorts last and exists even without rows
    return PeriodSummary(agreement, period_start, period_end, total, rows)
