"""Who pays for the offers applied: campaign budgets, manufacturer shares and their caps.

Locks, always in this order so that concurrent checkouts cannot deadlock: the list's offer
items (offers.offers_match), then the campaigns' running totals (CampaignTotal: their
budget), then the agreements' (AgreementTotal: their cap), each by id. The lock is the
total's own row, taken by an upsert that returns it (`TOTALS_LOCK_SQL`): a row locked by
the statement that reads it is read as committed by whoever held it before, so one
statement locks and reads (locking the campaign row and reading its total needed two, and
two more for the agreement). The new totals are written under the same locks, with the
redemptions (sale.py). Returns subtract what they reverse from the same rows, in the same
order (`totals_subtract`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from apps.agreements.models import AgreementStatus
from apps.checkout.models import Redemption
from apps.checkout.services.amounts import ZERO, money
from apps.checkout.services.offers import AgreementRef, ProductRef, SaleLine

# Lock the given campaigns' and agreements' running totals, by id, and read them, in one
# statement; a row missing is made (nothing spent yet). ON CONFLICT DO UPDATE locks the row
# and returns its latest committed value, as the balance lock of the points ledger does.
# One statement, not one a table: the agreements' ids are known before any lock (each
# campaign names its agreement). The lock order holds inside it by a data dependency, not
# by the order of the CTEs (PostgreSQL does not promise one): the agreements' upsert reads
# the campaigns' count before its first row, so every campaign row (by id) is locked before
# the first agreement row (by id), as the two statements did. Each row comes back tagged:
# 'c' campaign, 'a' agreement. Both tables are the coordinator's on a cluster
# (apps/cluster/layout.py).
TOTALS_LOCK_SQL = """
WITH campaigns AS (
    INSERT INTO checkout_campaigntotal AS t (campaign_id, spent)
    SELECT k, 0 FROM unnest(%(campaigns)s::bigint[]) AS k ORDER BY k
    ON CONFLICT (campaign_id) DO UPDATE SET spent = t.spent
    RETURNING campaign_id, spent
), agreements AS (
    INSERT INTO checkout_agreementtotal AS t (agreement_id, charged)
    SELECT k, 0 FROM unnest(%(agreements)s::bigint[]) AS k
    WHERE (SELECT count(*) FROM campaigns) >= 0
    ORDER BY k
    ON CONFLICT (agreement_id) DO UPDATE SET charged = t.charged
    RETURNING agreement_id, charged
)
SELECT 'c', campaign_id, spent FROM campaigns
UNION ALL
SELECT 'a', agreement_id, charged FROM agreements
"""
# The new totals, as CTEs of the statement that inserts the redemptions (sale.py): the
# rows exist and are locked (above). Parameters: campaign ids and totals, agreement ids and
# totals, as arrays.
TOTALS_SET_CTES = """
campaign_totals AS (
    UPDATE checkout_campaigntotal t SET spent = v.spent
    FROM unnest(%(campaigns)s::bigint[], %(spent)s::numeric[]) AS v (id, spent)
    WHERE t.campaign_id = v.id
), agreement_totals AS (
    UPDATE checkout_agreementtotal t SET charged = v.charged
    FROM unnest(%(agreements)s::bigint[], %(charged)s::numeric[]) AS v (id, charged)
    WHERE t.agreement_id = v.id
)"""


@dataclass(slots=True)
class Totals:
    """Running totals changed by a sale, to be written under the locks that read them."""

    spent: dict[int, Decimal] = field(default_factory=dict)
    charged: dict[int, Decimal] = field(default_factory=dict)

    def params(self) -> dict:
        return {
            "campaigns": list(self.spent), "spent": list(self.spent.values()),
            "agreements": list(self.charged), "charged": list(self.charged.values()),
        }  # fmt: skip


def _agreement_covers(agreement: AgreementRef, product: ProductRef, day: dt.date) -> bool:
    if agreement.status != AgreementStatus.ACTIVE:
        return False
    if not agreement.valid_from <= day <= agreement.valid_until:
        return False
    if product.manufacturer_id != agreement.manufacturer_id:
        return False
    brands = {b.casefold() for b in agreement.brands}
    return not brands or product.brand.casefold() in brands


def _totals_locked(
    campaigns: set[int], agreements: set[int]
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Lock and read the campaigns' and the agreements' running totals (TOTALS_LOCK_SQL)."""
    spent: dict[int, Decimal] = {}
    charged: dict[int, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            TOTALS_LOCK_SQL, {"campaigns": sorted(campaigns), "agreements": sorted(agreements)}
        )
        for kind, pk, total in cursor.fetchall():
            (spent if kind == "c" else charged)[pk] = total
    return spent, charged


def offers_fund(*, matched: list[SaleLine], day: dt.date) -> tuple[list[str], Totals]:
    """Fund the matched lines' offers; take back those past their campaign's budget.

    Sets each offer's agreement and manufacturer share (capped at what is left of the
    agreement's budget cap: beyond it the discount is the chain's). Returns a warning for
    each offer taken back, and the new running totals for sale.py to store.
    """
    if not matched:
        return [], Totals()
    campaigns = {line.offer.item.campaign.pk: line.offer.item.campaign for line in matched}
    agreements = {c.agreement.pk: c.agreement for c in campaigns.values() if c.agreement}
    spent, charged = _totals_locked(set(campaigns), set(agreements))
    spent_before, charged_before = dict(spent), dict(charged)
    warnings = []
    for line in matched:
        offer = line.offer
        campaign = offer.item.campaign
        used = spent.get(campaign.pk) or ZERO
        if used + offer.discount > campaign.budget:
            warnings.append(
                f"Campaign {campaign.name!r} has used up its budget: offer not applied."
            )
            line.offer = None
            continue
        spent[campaign.pk] = used + offer.discount
        agreement = campaign.agreement
        if agreement is not None and _agreement_covers(agreement, line.product, day):
            used_share = charged.get(agreement.pk) or ZERO
            share = money(offer.discount * agreement.manufacturer_share_pct / 100)
            # Beyond the cap the discount is ours: charge at most what is left.
            offer.share = max(ZERO, min(share, agreement.budget_cap - used_share))
            offer.agreement_id = agreement.pk
            charged[agreement.pk] = used_share + offer.share
    totals = Totals(
        spent={k: v for k, v in sorted(spent.items()) if v != spent_before.get(k)},
        charged={k: v for k, v in sorted(charged.items()) if v != charged_before.get(k)},
    )
    return warnings, totals


# A return's reversals, taken out of one total row (its update locks it).
_SUBTRACT_SQL = {
    "campaign": "UPDATE checkout_campaigntotal SET spent = spent - %s WHERE campaign_id = %s",
    "agreement": (
        "UPDATE checkout_agreementtotal SET charged = charged - %s WHERE agreement_id = %s"
    ),
}


def totals_subtract(reversed_: list[Redemption]) -> None:
    """Take reversed redemptions out of the running totals, row by row in a checkout's lock
    order (campaigns, then agreements, each by id), so no checkout reads a stale total."""
    if not reversed_:
        return
    by_campaign: dict[int, Decimal] = {}
    by_agreement: dict[int, Decimal] = {}
    for r in reversed_:
        by_campaign[r.campaign_id] = by_campaign.get(r.campaign_id, ZERO) + r.discount
        if r.agreement_id is not None:
            by_agreement[r.agreement_id] = (
                by_agreement.get(r.agreement_id, ZERO) + r.manufacturer_share
            )
    with connection.cursor() as cursor:
        for kind, amounts in (("campaign", by_campaign), ("agreement", by_agreement)):
            for pk, amount in sorted(amounts.items()):
                cursor.execute(_SUBTRACT_SQL[kind], [amount, pk])
