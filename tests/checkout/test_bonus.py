"""Bonus-points offers at the till: given once with the sale, taken back by a return.

Ada's list (tests.checkout.conftest) gains a bonus offer: 200 points for buying at least
one Dairyland milk. The sale buys 1.5 milk at $2.00, so it applies; the basket's $10.82
earn 10 points besides. 200 points are worth $2.00 at 1 cent a point: that is what the
campaign pays, while the milk's price stays whole.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.campaigns.validation import offer_errors
from apps.catalog.models import Product
from apps.checkout.models import CampaignTotal, Redemption
from apps.lists.models import ListItem
from apps.rewards.models import EntryKind, PointsBalance, PointsEntry
from apps.rewards.verify import ledger_problems
from tests.checkout.conftest import MILK, body, post
from tests.checkout.test_returns import give_back, ret


@pytest.fixture
def bonus(chain):
    dairy = Product.objects.get(upc=MILK).category
    campaign = Campaign.objects.create(
        name="Milk points", goal="retain", category=dairy, target_cells=["national-3"],
        budget=Decimal("100"), status=CampaignStatus.ACTIVE,
        valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2026, 4, 30),
    )  # fmt: skip
    offer = Offer.objects.create(
        campaign=campaign, usage_tier=3, applies_to="brand", brand="Dairyland",
        discount_kind="points", discount_value=Decimal(200), min_quantity=1,
        shopper_text="200 bonus points with Dairyland milk",
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=chain["list"], kind="offer", campaign=campaign, offer=offer,
        description="Milk: Dairyland", bonus_points=200, valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    return {**chain, "milk_campaign": campaign, "milk_offer": offer}


def test_a_bonus_offer_gives_its_points_and_takes_nothing_off(bonus):
    answer = post(bonus["secret"], body()).json()
    milk = next(line for line in answer["lines"] if line["upc"] == MILK)
    assert milk == {
        "upc": MILK, "quantity": 1.5, "amount": "3.00", "discount": "0.00",
        "offer": bonus["milk_offer"].pk,
    }  # fmt: skip
    assert answer["total"] == "10.82"
    assert {
        "offer": bonus["milk_offer"].pk, "campaign": bonus["milk_campaign"].pk, "upc": MILK,
        "discount": "2.00", "bonus_points": 200, "manufacturer_share": "0.00",
    } in answer["redemptions"]  # fmt: skip
    assert answer["points"] == {"earned": 210, "bonus": 200, "balance": 210}
    lot = PointsEntry.objects.get(kind=EntryKind.BONUS)
    assert lot.points == 200
    assert CampaignTotal.objects.get(campaign=bonus["milk_campaign"]).spent == Decimal("2.00")


def test_a_replayed_sale_gives_the_bonus_once(bonus):
    first = post(bonus["secret"], body()).json()
    assert post(bonus["secret"], body()).json() == first
    assert PointsEntry.objects.filter(kind=EntryKind.BONUS).count() == 1
    assert PointsBalance.objects.get(member=bonus["member"]).points == 210


def test_a_return_below_the_minimum_takes_the_bonus_back(bonus):
    """Back: 1 of 1.5 milk, refund $2.00 (no discount was taken off it). Kept 0.5 < 1:
    the bonus offer is undone, its 200 points go back, and the kept $8.82 earn 8 of the
    10 points: 202 reversed, 8 left."""
    assert post(bonus["secret"], body()).status_code == 200
    response = give_back(bonus["secret"], ret(lines=[{"upc": MILK, "quantity": 1}]))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["refund_total"] == "2.00"
    assert [r["bonus_points"] for r in answer["reversed"]] == [200]
    assert answer["points"] == {"reversed": 202, "balance": 8}
    assert Redemption.objects.get(offer=bonus["milk_offer"]).reversed_at is not None
    assert CampaignTotal.objects.get(campaign=bonus["milk_campaign"]).spent == Decimal("0.00")
    assert ledger_problems() == {}


def test_a_return_that_keeps_the_minimum_keeps_the_bonus(bonus):
    assert post(bonus["secret"], body()).status_code == 200
    answer = give_back(bonus["secret"], ret(lines=[{"upc": MILK, "quantity": 0.5}])).json()
    assert answer["reversed"] == []
    # Kept 10.82 − 1.00 = 9.82 earns 9: 1 point back, the bonus stays.
    assert answer["points"] == {"reversed": 1, "balance": 209}


@pytest.mark.parametrize("value", ["1.5", "0", "100001"])
def test_bonus_points_are_a_whole_number(bonus, value):
    offer = bonus["milk_offer"]
    offer.discount_value = Decimal(value)
    assert "discount_value" in offer_errors(offer)
