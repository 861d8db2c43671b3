"""POST /api/pos/return: refunds, reversed offers, history, exactly-once, bad input."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from apps.baskets.models import Basket, BasketLine
from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.checkout.models import PosTransaction, Redemption
from apps.lists.models import ListItem
from tests.checkout.conftest import HEINZ, MILK, OWN, body, post

RETURN_URL = "/api/pos/return"


def give_back(secret: str | None, data) -> object:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    payload = data if isinstance(data, str) else json.dumps(data)
    return Client().post(RETURN_URL, data=payload, content_type="application/json", headers=headers)


def ret(**changes) -> dict:
    data = {
        "transaction_id": "R-1",
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T11:00:00-06:00",
        "lines": [{"upc": HEINZ, "quantity": 1}],
    }
    data.update(changes)
    return data


@pytest.fixture
def sale(chain):
    assert post(chain["secret"], body()).status_code == 200
    return chain


def test_return_needs_a_token(sale):
    assert give_back(None, ret()).status_code == 401


def test_returning_below_the_minimum_reverses_the_offer(sale):
    response = give_back(sale["secret"], ret())
    assert response.status_code == 200, response.content
    answer = response.json()
    # Paid 6.23 for 2 Heinz with $0.75 off for buying 2. Back 1: its share 3.115, less the
    # discount the kept one no longer earns (0.375): 2.74. Net paid 3.49, the full price.
    assert answer == {
        "transaction_id": "R-1",
        "original_transaction_id": "T-1",
        "lines": [{"upc": HEINZ, "quantity": 1, "refund": "2.74"}],
        "refund_total": "2.74",
        "reversed": [
            {"offer": sale["heinz_offer"].pk, "campaign": sale["trial"].pk, "upc": HEINZ,
             "discount": "0.75", "bonus_points": 0, "manufacturer_share": "0.38"},
        ],
        # Paid in money only: the refund is all money.
        "tenders": {"cash": "2.74", "points": 0, "certificates": []},
        # The sale paid 10.82: 10 points. Kept 10.82 - 2.74 = 8.08 earns 8: 2 go back.
        "points": {"reversed": 2, "balance": 8},
        "warnings": [],
    }  # fmt: skip
    heinz = Redemption.objects.get(list_item=sale["heinz_item"])
    assert heinz.reversed_at is not None
    assert Redemption.objects.filter(reversed_at__isnull=True).count() == 1
    basket = Basket.objects.get(basket_id="POS:S01:R-1")
    assert basket.member == sale["member"] and basket.total_amount == Decimal("-2.74")
    line = BasketLine.objects.get(basket=basket)
    assert (line.product.upc, line.quantity, line.amount) == (
        HEINZ, Decimal("-1.000"), Decimal("-2.74"),
    )  # fmt: skip


def test_partial_return_keeping_the_minimum_keeps_the_offer(sale):
    answer = give_back(sale["secret"], ret(lines=[{"upc": MILK, "quantity": 0.5}])).json()
    assert answer["lines"] == [{"upc": MILK, "quantity": 0.5, "refund": "1.00"}]
    assert answer["reversed"] == []
    assert Redemption.objects.filter(reversed_at__isnull=True).count() == 2


def test_returning_everything_refunds_what_was_paid(sale):
    lines = [{"upc": HEINZ, "quantity": 2}, {"upc": OWN, "quantity": 1}]
    answer = give_back(sale["secret"], ret(lines=lines)).json()
    assert answer["refund_total"] == "7.82"  # 6.23 + 1.59
    assert len(answer["reversed"]) == 2


def test_return_is_exactly_once_and_limited_to_what_was_bought(sale):
    first = give_back(sale["secret"], ret())
    again = give_back(sale["secret"], ret())
    assert first.content == again.content
    assert give_back(sale["secret"], ret(lines=[{"upc": HEINZ, "quantity": 3}])).status_code == 409
    response = give_back(
        sale["secret"], ret(transaction_id="R-2", lines=[{"upc": HEINZ, "quantity": 2}])
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"lines[0].quantity": ["At most 1 left to return."]}}
    assert PosTransaction.objects.filter(kind="return").count() == 1


def test_a_reversed_offer_can_be_redeemed_again(sale):
    give_back(sale["secret"], ret())
    answer = post(sale["secret"], body(transaction_id="T-2")).json()
    assert [r["upc"] for r in answer["redemptions"]] == [HEINZ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ("nope", {"body": ["Malformed JSON."]}),
        (
            ret(original_transaction_id="T-404"),
            {"original_transaction_id": ["No such sale in this store."]},
        ),
        (
            ret(lines=[{"upc": "777", "quantity": 1}]),
            {"lines[0].upc": ["Not in the original sale."]},
        ),
        (
            ret(returned_at="", lines=[{"upc": HEINZ, "quantity": 0}]),
            {
                "returned_at": ["This field is required (an ISO 8601 date-time)."],
                "lines[0].quantity": ["Must be greater than zero."],
            },
        ),
    ],
)
def test_bad_return_is_400_and_records_nothing(sale, data, errors):
    response = give_back(sale["secret"], data)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not PosTransaction.objects.filter(kind="return").exists()
    assert Redemption.objects.filter(reversed_at__isnull=True).count() == 2


def test_a_later_return_after_a_reversal_refunds_the_full_price(sale):
    # The first return reverses the $0.75 offer and takes back its share on the kept
    # Heinz: the kept one then cost its full 3.49, which its own return must give back.
    first = give_back(sale["secret"], ret()).json()
    second = give_back(sale["secret"], ret(transaction_id="R-2")).json()
    assert first["refund_total"] == "2.74" and second["refund_total"] == "3.49"
    assert second["reversed"] == []
    assert Decimal(first["refund_total"]) + Decimal(second["refund_total"]) == Decimal("6.23")


@pytest.fixture
def two_offers_on_heinz(chain):
    """A second offer matching Heinz on the list: $0.50 off any national brand, from 1."""
    national = Campaign.objects.create(
        name="National ketchup", goal="retain", category=chain["trial"].category,
        target_cells=["national-3"], budget=Decimal("1000"), status=CampaignStatus.ACTIVE,
        valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2026, 4, 30),
    )  # fmt: skip
    offer = Offer.objects.create(
        campaign=national, usage_tier=3, applies_to="brand_type", brand_type="national",
        discount_kind="amount", discount_value=Decimal("0.50"), min_quantity=1,
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=chain["list"], kind="offer", campaign=national, offer=offer,
        description="Ketchup: any national brand", discount=Decimal("0.50"), min_quantity=1,
        valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    # Heinz on two lines: 2 take the $0.75 offer (from 2), 1 the $0.50 one.
    lines = [{"upc": HEINZ, "quantity": 2, "unit_price": "3.49"},
             {"upc": HEINZ, "quantity": 1, "unit_price": "3.49"}]  # fmt: skip
    answer = post(chain["secret"], body(lines=lines)).json()
    assert sorted(r["discount"] for r in answer["redemptions"]) == ["0.50", "0.75"]
    assert answer["total"] == "9.22"  # 10.47 - 1.25
    return chain


def test_returning_all_of_a_upc_reverses_every_offer_on_it(two_offers_on_heinz):
    chain = two_offers_on_heinz
    answer = give_back(chain["secret"], ret(lines=[{"upc": HEINZ, "quantity": 3}])).json()
    assert answer["refund_total"] == "9.22"
    assert sorted(r["discount"] for r in answer["reversed"]) == ["0.50", "0.75"]
    assert not Redemption.objects.filter(reversed_at__isnull=True).exists()


def test_kept_goods_keep_the_offers_they_still_reach(two_offers_on_heinz):
    chain = two_offers_on_heinz
    # Back 2 of 3, 1 kept: it reaches the $0.50 offer (from 1), not the $0.75 (from 2).
    # Each unit carries 1.25 / 3 of discount: refund 2 × (3.49 − 0.41667) = 6.14667, less
    # the reversed 0.75's share on the kept unit (0.25): 5.89667.
    first = give_back(chain["secret"], ret(lines=[{"upc": HEINZ, "quantity": 2}])).json()
    assert first["refund_total"] == "5.90"
    assert [r["discount"] for r in first["reversed"]] == ["0.75"]
    # The last one: 3.49 less the live 0.50's share (0.16667), and that offer is reversed.
    last = give_back(
        chain["secret"], ret(transaction_id="R-2", lines=[{"upc": HEINZ, "quantity": 1}])
    ).json()
    assert last["refund_total"] == "3.32"
    assert [r["discount"] for r in last["reversed"]] == ["0.50"]
    assert Decimal(first["refund_total"]) + Decimal(last["refund_total"]) == Decimal("9.22")
