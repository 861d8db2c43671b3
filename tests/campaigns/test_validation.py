"""Funding rules checked on save: the agreement's status, dates, coverage and budget cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.campaigns.models import Campaign, Offer
from tests.campaigns.helpers import campaign_for
from tests.factories import AgreementFactory, CategoryFactory, ManufacturerFactory, ProductFactory


@pytest.fixture
def ketchup(db):
    category = CategoryFactory(name="Ketchup")
    heinz = ManufacturerFactory(code="RED", name="Red Tomato Co")
    other = ManufacturerFactory(code="OTH", name="Other Co")
    ProductFactory(upc="000000000001", category=category, brand="Red", manufacturer=heinz)
    ProductFactory(upc="000000000002", category=category, brand="Red Lite", manufacturer=heinz)
    ProductFactory(upc="000000000003", category=category, brand="Zing", manufacturer=other)
    return category


def agreement(category, **fields):
    a = AgreementFactory(
        manufacturer=ManufacturerFactory(code="RED"),
        status=fields.pop("status", "active"),
        manufacturer_share_pct=Decimal("50"),
        budget_cap=fields.pop("budget_cap", Decimal("1000")),
        valid_from=fields.pop("valid_from", dt.date(2026, 1, 1)),
        valid_until=fields.pop("valid_until", dt.date(2026, 12, 31)),
        **fields,
    )
    a.categories.add(category)
    return a


def campaign_errors(campaign: Campaign) -> list[str]:
    with pytest.raises(ValidationError) as info:
        campaign.full_clean()
    return info.value.message_dict.get("agreement", [])


def test_a_valid_agreement_passes(ketchup):
    campaign = Campaign(
        name="Red", goal="retain", category=ketchup, target_cells=["national-3"],
        valid_from=dt.date(2026, 3, 2), valid_until=dt.date(2026, 4, 26), budget=Decimal("2000"),
        agreement=agreement(ketchup),
    )  # fmt: skip
    campaign.full_clean()  # half of 2000 = 1000, exactly the cap


def test_agreement_must_be_active_and_cover_the_dates(ketchup):
    campaign = Campaign(
        name="Red", goal="retain", category=ketchup, target_cells=["national-3"],
        valid_from=dt.date(2026, 12, 1), valid_until=dt.date(2027, 1, 10), budget=Decimal("10"),
        agreement=agreement(ketchup, status="suspended"),
    )  # fmt: skip
    errors = campaign_errors(campaign)
    assert errors[0] == "The agreement is suspended, not active."
    assert errors[1].startswith("The agreement is valid 2026-01-01 to 2026-12-31")


def test_agreement_must_cover_the_category(ketchup):
    mustard = CategoryFactory(name="Mustard")
    campaign = campaign_for(
        mustard, ["store-1"], agreement=agreement(ketchup), budget=Decimal("100")
    )
    assert campaign_errors(campaign) == ["The agreement does not cover the campaign's category."]


def test_budget_share_must_fit_under_the_cap_with_other_campaigns(ketchup):
    funding = agreement(ketchup, budget_cap=Decimal("1000"))
    campaign_for(ketchup, ["national-3"], agreement=funding, budget=Decimal("1200"))  # 600
    second = Campaign(
        name="More", goal="retain", category=ketchup, target_cells=["national-2"],
        valid_from=dt.date(2026, 3, 2), valid_until=dt.date(2026, 4, 26),
        budget=Decimal("800.02"), agreement=funding,
    )  # fmt: skip
    # 400.01 on top of 600 committed: one cent over the 1000 cap.
    assert campaign_errors(second) == [
        "The manufacturer's share of this budget ($400.01) is more than the agreement's budget "
        "not yet committed: $400.00 of its $1,000.00 cap ($600.00 committed to campaigns). "
        "Used by redemptions so far: $0.00; not yet used: $1,000.00."
    ]
    second.budget = Decimal("800.00")
    second.full_clean()


def test_offer_on_products_the_agreement_does_not_cover_is_refused(ketchup):
    funding = agreement(ketchup, brands=["Red"])
    campaign = campaign_for(ketchup, ["national-3"], agreement=funding)
    national = Offer(
        campaign=campaign, usage_tier=3, applies_to="brand_type", brand_type="national",
        discount_kind="amount", discount_value=Decimal("1"), shopper_text="$1 off",
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        national.full_clean()
    assert info.value.message_dict["applies_to"][0].startswith(
        "The funding agreement does not cover these products: 000000000002, 000000000003."
    )
    red = Offer(
        campaign=campaign, usage_tier=3, applies_to="brand", brand="red",
        discount_kind="amount", discount_value=Decimal("1"), shopper_text="$1 off",
    )  # fmt: skip
    red.full_clean()
    upcs = Offer(
        campaign=campaign, usage_tier=2, applies_to="upcs", upcs=["000000000001", "999"],
        discount_kind="percent", discount_value=Decimal("20"), shopper_text="20% off",
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        upcs.full_clean()
    assert info.value.message_dict["upcs"] == ["Not in the campaign's category: 999."]
