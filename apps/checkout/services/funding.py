"""Who pays for the offers applied: campaign budgets, manufacturer shares and their caps.

Locks, always in this order so that concurrent checkouts cannot deadlock: the list's offer
items (offers.offers_match), then the campaigns (their budget), then the agreements (their
cap), each by id. Budget and cap are checked against the running totals (CampaignTotal,
AgreementTotal), not a sum over all redemptions, and the new totals are written under the
same locks. Returns take the same locks to subtract what they reverse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F

from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.campaigns.models import Campaign
from apps.catalog.models import Product
from apps.checkout.models import AgreementTotal, CampaignTotal, Redemption
from apps.checkout.services.amounts import ZERO, money
from apps.checkout.services.offers import SaleLine


def _agreement_covers(agreement: ManufacturerAgreement, product: Product, day: dt.date) -> bool:
    if agreement.status != AgreementStatus.ACTIVE:
        return False
    if not agreement.valid_from <= day <= agreement.valid_until:
        return False
    if product.manufacturer_id != agreement.manufacturer_id:
        return False
    brands = {b.casefold() for b in agreement.brands}
    return not brands or product.brand.casefold() in brands


def _campaigns_locked(matched: list[SaleLine]) -> tuple[dict[int, Campaign], dict[int, Decimal]]:
    """Lock the matched offers' campaigns by id; return them and their spend so far."""
    campaign_ids = sorted({line.offer.item.offer.campaign_id for line in matched})
    campaigns = {
        c.pk: c
        for c in Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk")
    }
    # Running totals, read under the row locks (they are written only under them).
    spent = dict(
        CampaignTotal.objects.filter(campaign_id__in=campaign_ids).values_list(
            "campaign_id", "spent"
        )
    )
    return campaigns, spent


def _agreements_locked(
    campaigns: dict[int, Campaign],
) -> tuple[dict[int, ManufacturerAgreement], dict[int, Decimal]]:
    """Lock the campaigns' agreements by id; return them and what they were charged so far."""
    agreement_ids = sorted({c.agreement_id for c in campaigns.values() if c.agreement_id})
    agreements = {
        a.pk: a
        for a in ManufacturerAgreement.objects.select_for_update()
        .filter(pk__in=agreement_ids)
        .order_by("pk")
    }
    charged = dict(
        AgreementTotal.objects.filter(agreement_id__in=agreement_ids).values_list(
            "agreement_id", "charged"
        )
    )
    return agreements, charged


def offers_fund(*, matched: list[SaleLine], day: dt.date) -> list[str]:
    """Fund the matched lines' offers; take back those past their campaign's budget.

    Sets each offer's agreement and manufacturer share (capped at what is left of the
    agreement's budget cap: beyond it the discount is the chain's) and stores the new
    running totals. Returns a warning for each offer taken back.
    """
    if not matched:
        return []
    campaigns, spent = _campaigns_locked(matched)
    agreements, charged = _agreements_locked(campaigns)
    spent_before, charged_before = dict(spent), dict(charged)
    warnings = []
    for line in matched:
        offer = line.offer
        campaign = campaigns[offer.item.offer.campaign_id]
        used = spent.get(campaign.pk) or ZERO
        if used + offer.discount > campaign.budget:
            warnings.append(
                f"Campaign {campaign.name!r} has used up its budget: offer not applied."
            )
            line.offer = None
            continue
        spent[campaign.pk] = used + offer.discount
        agreement = agreements.get(campaign.agreement_id)
        if agreement is not None and _agreement_covers(agreement, line.product, day):
            used_share = charged.get(agreement.pk) or ZERO
            share = money(offer.discount * agreement.manufacturer_share_pct / 100)
            # Beyond the cap the discount is ours: charge at most what is left.
            offer.share = max(ZERO, min(share, agreement.budget_cap - used_share))
            offer.agreement = agreement
            charged[agreement.pk] = used_share + offer.share
    _totals_save(
        campaigns={k: v for k, v in spent.items() if v != spent_before.get(k)},
        agreements={k: v for k, v in charged.items() if v != charged_before.get(k)},
    )
    return warnings


def _totals_save(*, campaigns: dict[int, Decimal], agreements: dict[int, Decimal]) -> None:
    """Store new running totals; the caller holds the campaign and agreement row locks."""
    if campaigns:
        CampaignTotal.objects.bulk_create(
            [CampaignTotal(campaign_id=pk, spent=v) for pk, v in sorted(campaigns.items())],
            update_conflicts=True,
            unique_fields=["campaign"],
            update_fields=["spent"],
        )
    if agreements:
        AgreementTotal.objects.bulk_create(
            [AgreementTotal(agreement_id=pk, charged=v) for pk, v in sorted(agreements.items())],
            update_conflicts=True,
            unique_fields=["agreement"],
            update_fields=["charged"],
        )


def totals_subtract(reversed_: list[Redemption]) -> None:
    """Take reversed redemptions out of the running totals, under the same row locks as a
    checkout (campaigns, then agreements, each by id), so no checkout reads a stale total."""
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
    list(Campaign.objects.select_for_update().filter(pk__in=by_campaign).order_by("pk"))
    list(
        ManufacturerAgreement.objects.select_for_update().filter(pk__in=by_agreement).order_by("pk")
    )
    for pk, amount in sorted(by_campaign.items()):
        CampaignTotal.objects.filter(campaign_id=pk).update(spent=F("spent") - amount)
    for pk, amount in sorted(by_agreement.items()):
        AgreementTotal.objects.filter(agreement_id=pk).update(charged=F("charged") - amount)
