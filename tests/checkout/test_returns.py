"""POST /api/pos/return: refunds, reversed offers, history, exactly-once, bad input."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction, Redemption
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
             "discount": "0.75", "manufacturer_share": "0.38"},
        ],
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
