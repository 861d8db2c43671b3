"""The demo programme's agreements and campaigns: offers per usage tier, budgets, funding.

Each campaign is saved, approved and activated through the campaign services, which check
the rules the campaign page's are checked by, so the demo's campaigns obey every one.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from apps.accounts.models import User
from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.campaigns.drafts import CampaignDraft, OfferChanges, OfferDraft
from apps.campaigns.models import (
    SHOPPER_TEXT_MAX,
    AppliesTo,
    Campaign,
    CampaignStatus,
    DiscountKind,
    Goal,
)
from apps.campaigns.services import campaign_activate, campaign_approve, campaign_save
from apps.catalog.models import BrandType, Category, Manufacturer
from apps.demo.plan import TEST_GOAL, TEST_HOLDOUT_PCT, TEST_UNITS, Dates, Pick

HOLDOUT_PCT = Decimal("10")

TARGETS = {
    Goal.TRIAL: ["store-3", "store-2", "store-1", "swinger-3", "swinger-2", "swinger-1"],
    Goal.RETAIN: ["national-3", "national-2", "national-1"],
    Goal.CONVERT: ["national-3", "national-2", "national-1", "swinger-3", "swinger-2"],
}


def _quarters(amount: Decimal) -> Decimal:
    """Round to a quarter dollar, at least $0.25: amounts a flyer can print."""
    return max(Decimal("0.25"), (amount * 4).quantize(Decimal(1), ROUND_HALF_UP) / 4)


def campaign_offers(pick: Pick, goal: str) -> tuple[OfferDraft, ...]:
    """The offer per usage tier, deeper for heavier buyers (tier 3 = high usage)."""
    what = f"{pick.brand} {pick.category}"
    if goal == Goal.TRIAL:
        # Percent off maker 1's brand: a trial should cost the buyer little.
        return tuple(
            OfferDraft(
                usage_tier=tier, applies_to=AppliesTo.BRAND, brand=pick.brand,
                discount_kind=DiscountKind.PERCENT, discount_value=Decimal(pct),
                shopper_text=_shopper_text(f"{pct}% off", what),
            )
            for tier, pct in ((3, "30"), (2, "20"), (1, "15"))
        )  # fmt: skip
    if goal == Goal.RETAIN:
        # Amounts off maker 2's brand; heavy buyers get the biggest one on two units.
        price = pick.average_price
        offers = []
        for tier, share, units in ((3, "0.5", 2), (2, "0.2", 1), (1, "0.12", 1)):
            amount = _quarters(price * Decimal(share))
            buy = f" when you buy {units}" if units > 1 else ""
            offers.append(
                OfferDraft(
                    usage_tier=tier, applies_to=AppliesTo.BRAND, brand=pick.brand,
                    discount_kind=DiscountKind.AMOUNT, discount_value=amount,
                    min_quantity=units,
                    shopper_text=_shopper_text(f"${amount:.2f} off", f"{what}{buy}"),
                )
            )  # fmt: skip
        return tuple(offers)
    # The measured test: percent off two units of the store brand.
    return tuple(
        OfferDraft(
            usage_tier=tier, applies_to=AppliesTo.BRAND_TYPE, brand_type=BrandType.STORE,
            discount_kind=DiscountKind.PERCENT, discount_value=Decimal(pct),
            min_quantity=TEST_UNITS, shopper_text=_shopper_text(f"{pct}% off two", what),
        )
        for tier, pct in ((3, "35"), (2, "25"), (1, "15"))
    )  # fmt: skip


def _shopper_text(discount: str, what: str) -> str:
    """What the shopper reads on the list ("30% off Field Hound Dog Chews"), one line."""
    return f"{discount} {what}"[:SHOPPER_TEXT_MAX]


def campaign_budget(pick: Pick, offers: tuple[OfferDraft, ...]) -> Decimal:
    """A budget for each list holder of the audience redeeming the deepest offer once.

    In $50 steps, at least $100: halfway through, a campaign has used part of it.
    """
    deepest = max(
        o.discount_value
        if o.discount_kind == DiscountKind.AMOUNT
        else pick.average_price * o.discount_value / 100
        for o in offers
    )
    estimate = Decimal(pick.with_lists) * deepest
    return max(Decimal(100), (estimate / 50).quantize(Decimal(1), ROUND_CEILING) * 50)


def agreement_ensure(
    *, pick: Pick, dates: Dates, share_pct: Decimal, budget: Decimal
) -> ManufacturerAgreement:
    """The maker's co-op deal: its share of discounts on its brand, capped, for a year."""
    manufacturer = Manufacturer.objects.get(pk=pick.manufacturer_id)
    name = f"{pick.brand} co-op {dates.agreements_from.year}"
    found = ManufacturerAgreement.objects.filter(manufacturer=manufacturer, name=name).first()
    if found is not None:
        return found
    # Room for this campaign's share and half as much again for the next one.
    cap = (budget * share_pct / 100 * Decimal("1.5") / 100).quantize(Decimal(1), ROUND_CEILING)
    agreement = ManufacturerAgreement(
        manufacturer=manufacturer,
        name=name,
        brands=[pick.brand],
        manufacturer_share_pct=share_pct,
        budget_cap=cap * 100,
        valid_from=dates.agreements_from,
        valid_until=dates.agreements_until,
        status=AgreementStatus.ACTIVE,
        reporting_included=True,
    )
    agreement.full_clean()
    agreement.save()
    # Every category the brand is sold in, so later campaigns of the maker fit the deal.
    agreement.categories.set(
        Category.objects.filter(
            products__manufacturer=manufacturer, products__brand=pick.brand
        ).distinct()
    )
    return agreement


def campaign_ensure(
    *,
    pick: Pick,
    goal: str,
    offers: tuple[OfferDraft, ...],
    budget: Decimal,
    agreement: ManufacturerAgreement | None,
    dates: Dates,
    user: User,
    holdout_seed: int,
) -> Campaign:
    """Create, approve (which stores the audience and holdout) and activate a campaign.

    Through the campaign services, as the campaign page saves them, so the demo's
    campaigns obey every rule a user's would (as of the demo's day).
    """
    names = {
        Goal.TRIAL: f"Try {pick.brand} {pick.category}",
        Goal.RETAIN: f"Stay with {pick.brand} {pick.category}",
        Goal.CONVERT: f"{pick.brand} {pick.category}: switch and save",
    }
    name = names[goal]
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None:
        draft = CampaignDraft(
            name=name,
            goal=goal,
            category_id=pick.category_id,
            target_cells=tuple(TARGETS[goal]),
            valid_from=dates.previous,
            valid_until=dates.campaigns_until,
            budget=budget,
            holdout_pct=TEST_HOLDOUT_PCT if goal == TEST_GOAL else HOLDOUT_PCT,
            agreement_id=agreement.pk if agreement else None,
            redemption_rate_pct=Decimal("15"),
        )
        campaign = campaign_save(
            campaign_id=None,
            draft=draft,
            offers=OfferChanges(save=offers),
            user=user,
            today=dates.today,
        )
        # A fixed seed: the same demo data draws the same holdout on every machine.
        Campaign.objects.filter(pk=campaign.pk).update(holdout_seed=holdout_seed)
    if campaign.status == CampaignStatus.DRAFT:
        campaign = campaign_approve(campaign_id=campaign.pk, user=user, today=dates.today)
    if campaign.status == CampaignStatus.APPROVED:
        campaign = campaign_activate(campaign_id=campaign.pk, user=user, today=dates.today)
    return campaign
