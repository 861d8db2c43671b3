"""`campaign_save` takes typed values and checks the rules itself: whoever calls it (the
campaign page, the demo) gets the same campaigns, and bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.campaigns.drafts import CampaignDraft, OfferChanges, OfferDraft
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.campaigns.services import campaign_save
from tests.campaigns.helpers import campaign_for, from_today, offer_for
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ketchup():
    category = CategoryFactory(name="Ketchup")
    ProductFactory(category=category, brand_type="store", brand="Our Own", price=Decimal("2.49"))
    return category


def _draft(category, **fields) -> CampaignDraft:
    values = {
        "name": "Heavy national buyers to Our Own",
        "goal": "convert",
        "category_id": category.pk,
        "target_cells": ("national-3", "national-2"),
        "valid_from": from_today(1),
        "valid_until": from_today(56),
        "budget": Decimal("3000.00"),
        "redemptions_per_member": 2,
    }
    return CampaignDraft(**(values | fields))


def _offer(tier: int, **fields) -> OfferDraft:
    values = {
        "usage_tier": tier,
        "applies_to": "brand_type",
        "brand_type": "store",
        "discount_kind": "amount",
        "discount_value": Decimal("1.50"),
        "shopper_text": "$1.50 off Our Own ketchup",
    }
    return OfferDraft(**(values | fields))


def test_a_draft_with_its_offers_is_saved_and_attributed(ketchup, marketing_user):
    changes = OfferChanges(save=(_offer(3), _offer(2, discount_kind="percent",
                                                   discount_value=Decimal("15"))))  # fmt: skip
    campaign = campaign_save(
        campaign_id=None, draft=_draft(ketchup), offers=changes, user=marketing_user
    )
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.status, campaign.created_by) == (
        "Heavy national buyers to Our Own", CampaignStatus.DRAFT, marketing_user,
    )  # fmt: skip
    assert campaign.target_cells == ["national-3", "national-2"]
    assert (campaign.budget, campaign.holdout_pct, campaign.redemptions_per_member) == (
        Decimal("3000.00"), Decimal("10.00"), 2,
    )  # fmt: skip
    assert sorted(campaign.offers.values_list("usage_tier", "discount_kind", "discount_value")) == [
        (2, "percent", Decimal("15.00")),
        (3, "amount", Decimal("1.50")),
    ]
    assert campaign.history.get().history_user == marketing_user
    assert {h.history_user for h in Offer.history.all()} == {marketing_user}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": from_today(-1)}, "This campaign's dates ended on"),
        ({"valid_from": from_today(60)}, "Must be on or after the start date."),
        ({"target_cells": ()}, "This field cannot be blank."),
        ({"holdout_pct": Decimal("120")}, "less than or equal to 100"),
    ],
)
def test_a_campaign_that_breaks_a_rule_is_refused_whole(ketchup, marketing_user, fields, message):
    with pytest.raises(ValidationError, match=message):
        campaign_save(
            campaign_id=None,
            draft=_draft(ketchup, **fields),
            offers=OfferChanges(save=(_offer(3),)),
            user=marketing_user,
        )
    assert not Campaign.objects.exists() and not Offer.objects.exists()


def test_an_offer_that_breaks_a_rule_is_refused_and_says_which(ketchup, marketing_user):
    national = _offer(2, brand_type="national", shopper_text="$1.50 off national ketchup")
    changes = OfferChanges(save=(_offer(3), national))
    with pytest.raises(ValidationError, match="The medium usage offer: The offer matches no"):
        campaign_save(campaign_id=None, draft=_draft(ketchup), offers=changes, user=marketing_user)
    assert not Campaign.objects.exists() and not Offer.objects.exists()


def test_two_offers_for_one_tier_are_refused(ketchup, marketing_user):
    campaign = campaign_for(ketchup, ["national-3"], valid_from=from_today(1),
                            valid_until=from_today(30))  # fmt: skip
    kept = offer_for(campaign, 3)
    with pytest.raises(ValidationError, match="Each usage tier can have only one offer."):
        campaign_save(
            campaign_id=campaign.pk, draft=_draft(ketchup, name="Renamed"),
            offers=OfferChanges(save=(_offer(3),)), user=marketing_user,
        )  # fmt: skip
    campaign.refresh_from_db()
    assert campaign.name == "Switch to store ketchup"
    assert list(campaign.offers.values_list("pk", flat=True)) == [kept.pk]


def test_an_offer_deleted_frees_its_tier_for_a_new_one_in_the_same_save(ketchup, marketing_user):
    campaign = campaign_for(ketchup, ["national-3"], valid_from=from_today(1),
                            valid_until=from_today(30))  # fmt: skip
    old = offer_for(campaign, 3)
    campaign_save(
        campaign_id=campaign.pk, draft=_draft(ketchup),
        offers=OfferChanges(save=(_offer(3, discount_value=Decimal("0.75")),), delete=(old.pk,)),
        user=marketing_user,
    )  # fmt: skip
    (offer,) = campaign.offers.all()
    assert offer.pk != old.pk and offer.discount_value == Decimal("0.75")


def test_an_offer_of_another_campaign_is_refused(ketchup, marketing_user):
    mine = campaign_for(ketchup, ["national-3"], valid_from=from_today(1),
                        valid_until=from_today(30))  # fmt: skip
    other = campaign_for(ketchup, ["national-2"], name="Other", valid_from=from_today(1),
                         valid_until=from_today(30))  # fmt: skip
    theirs = offer_for(other, 2)
    with pytest.raises(ValidationError, match="no longer there"):
        campaign_save(
            campaign_id=mine.pk, draft=_draft(ketchup),
            offers=OfferChanges(delete=(theirs.pk,)), user=marketing_user,
        )  # fmt: skip
    assert Offer.objects.filter(pk=theirs.pk).exists()
    mine.refresh_from_db()
    assert mine.name == "Switch to store ketchup"


def test_only_a_draft_can_be_changed(ketchup, marketing_user):
    campaign = campaign_for(ketchup, ["national-3"], status=CampaignStatus.APPROVED,
                            valid_from=from_today(1), valid_until=from_today(30))  # fmt: skip
    with pytest.raises(ValidationError, match="Only a draft campaign can be edited."):
        campaign_save(campaign_id=campaign.pk, draft=_draft(ketchup), user=marketing_user)
    campaign.refresh_from_db()
    assert campaign.name == "Switch to store ketchup"


def test_the_demo_saves_as_of_its_own_day(ketchup, marketing_user):
    # Dates over by the real clock but not by the demo's day are accepted for it.
    day = dt.date(2026, 3, 1)
    draft = _draft(ketchup, valid_from=dt.date(2026, 2, 20), valid_until=dt.date(2026, 3, 10))
    campaign = campaign_save(campaign_id=None, draft=draft, user=marketing_user, today=day)
    assert Campaign.objects.get().pk == campaign.pk
