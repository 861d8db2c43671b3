"""The demo programme's agreements and campaigns: offers per usage tier, budgets, funding.

Each campaign goes through the campaign page's own form and services, so the demo's
campaigns obey every rule a user's would.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.campaigns.forms import CampaignForm, OfferFormSet
from apps.campaigns.models import SHOPPER_TEXT_MAX, Campaign, CampaignStatus, Goal
from apps.campaigns.services import campaign_activate, campaign_approve, campaign_save
from apps.catalog.models import Category, Manufacturer
from apps.demo.plan import TEST_GOAL, TEST_HOLDOUT_PCT, TEST_UNITS, Dates, Pick

HOLDOUT_PCT = "10"

TARGETS = {
    Goal.TRIAL: ["store-3", "store-2", "store-1", "swinger-3", "swinger-2", "swinger-1"],
    Goal.RETAIN: ["national-3", "national-2", "national-1"],
    Goal.CONVERT: ["national-3", "national-2", "national-1", "swinger-3", "swinger-2"],
}


def _quarters(amount: Decimal) -> Decimal:
    """Round to a quarter dollar, at least $0.25: amounts a flyer can print."""
    return max(Decimal("0.25"), (amount * 4).quantize(Decimal(1), ROUND_HALF_UP) / 4)


def campaign_offers(pick: Pick, goal: str) -> list[dict]:
    """The offer per usage tier, deeper for heavier buyers (tier 3 = high usage)."""
    if goal == Goal.TRIAL:
        # Percent off maker 1's brand: a trial should cost the buyer little.
        return [
            {"usage_tier": tier, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "percent", "discount_value": pct, "min_quantity": 1,
             "shopper_text": _shopper_text(f"{pct}% off", f"{pick.brand} {pick.category}")}
            for tier, pct in ((3, "30"), (2, "20"), (1, "15"))
        ]  # fmt: skip
    if goal == Goal.RETAIN:
        # Amounts off maker 2's brand; heavy buyers get the biggest one on two units.
        price = pick.average_price
        offers = [
            {"usage_tier": 3, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.5")),
             "min_quantity": 2},
            {"usage_tier": 2, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.2")),
             "min_quantity": 1},
            {"usage_tier": 1, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.12")),
             "min_quantity": 1},
        ]  # fmt: skip
        for offer in offers:
            buy = f" when you buy {offer['min_quantity']}" if offer["min_quantity"] > 1 else ""
            offer["shopper_text"] = _shopper_text(
                f"${offer['discount_value']:.2f} off", f"{pick.brand} {pick.category}{buy}"
            )
        return offers
    # The measured test: percent off two units of the store brand.
    return [
        {"usage_tier": tier, "applies_to": "brand_type", "brand_type": "store",
         "discount_kind": "percent", "discount_value": pct, "min_quantity": TEST_UNITS,
         "shopper_text": _shopper_text(f"{pct}% off two", f"{pick.brand} {pick.category}")}
        for tier, pct in ((3, "35"), (2, "25"), (1, "15"))
    ]  # fmt: skip


def _shopper_text(discount: str, what: str) -> str:
    """What the shopper reads on the list ("30% off Field Hound Dog Chews"), one line."""
    return f"{discount} {what}"[:SHOPPER_TEXT_MAX]


def campaign_budget(pick: Pick, offers: list[dict]) -> Decimal:
    """A budget for each list holder of the audience redeeming the deepest offer once.

    In $50 steps, at least $100: halfway through, a campaign has used part of it.
    """
    deepest = max(
        Decimal(o["discount_value"])
        if o["discount_kind"] == "amount"
        else pick.average_price * Decimal(o["discount_value"]) / 100
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
    *, pick, goal, offers, budget, agreement, dates, user, holdout_seed
) -> Campaign:
    """Create, approve (which stores the audience and holdout) and activate a campaign.

    Goes through the campaign form and offer formset, as the campaign page does, so the
    demo's campaigns obey every rule a user's would.
    """
    names = {
        Goal.TRIAL: f"Try {pick.brand} {pick.category}",
        Goal.RETAIN: f"Stay with {pick.brand} {pick.category}",
        Goal.CONVERT: f"{pick.brand} {pick.category}: switch and save",
    }
    name = names[goal]
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None:
        data = {
            "name": name,
            "goal": goal,
            "category": pick.category_id,
            "target_cells": TARGETS[goal],
            "valid_from": dates.previous.isoformat(),
            "valid_until": dates.campaigns_until.isoformat(),
            "redemptions_per_member": 1,
            "budget": str(budget),
            "holdout_pct": TEST_HOLDOUT_PCT if goal == TEST_GOAL else HOLDOUT_PCT,
            "agreement": agreement.pk if agreement else "",
            "redemption_rate_pct": "15",
            "offers-TOTAL_FORMS": str(len(offers)),
            "offers-INITIAL_FORMS": "0",
            "offers-MIN_NUM_FORMS": "0",
            "offers-MAX_NUM_FORMS": "1000",
        }
        for i, offer in enumerate(offers):
            for key, value in offer.items():
                data[f"offers-{i}-{key}"] = str(value)
        form = CampaignForm(data, today=dates.today)
        formset = OfferFormSet(data, instance=form.instance, prefix="offers")
        if not (form.is_valid() and formset.is_valid()):
            raise ValueError(f"Demo campaign {name!r}: {form.errors} {formset.errors}")
        campaign = campaign_save(form=form, offers=formset, user=user)
        # A fixed seed: the same demo data draws the same holdout on every machine.
        Campaign.objects.filter(pk=campaign.pk).update(holdout_seed=holdout_seed)
    if campaign.status == CampaignStatus.DRAFT:
        campaign = campaign_approve(campaign_id=campaign.pk, user=user, today=dates.today)
    if campaign.status == CampaignStatus.APPROVED:
        campaign = campaign_activate(campaign_id=campaign.pk, user=user, today=dates.today)
    return campaign
