"""POST /api/pos/checkout: auth, amounts, exactly-once, warnings and bad input."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.baskets.models import Basket, BasketLine
from apps.campaigns.models import CampaignAudience
from apps.checkout.models import PosTransaction, Redemption
from apps.core.citus import is_citus
from tests.checkout.conftest import HEINZ, MILK, OWN, URL, body, post

EXPECTED = {
    "transaction_id": "T-1",
    "member": {"card_number": "400000000017", "first_name": "Ada"},
    "list_barcode": "992603020000000017",
    "lines": [
        # 2 × 3.49 = 6.98, less the list's $0.75 (min quantity 2 met).
        {"upc": HEINZ, "quantity": 2, "amount": "6.23", "discount": "0.75", "offer": None},
        # 20 % of 1.99 = 0.398 → 0.40.
        {"upc": OWN, "quantity": 1, "amount": "1.59", "discount": "0.40", "offer": None},
        {"upc": MILK, "quantity": 1.5, "amount": "3.00", "discount": "0.00", "offer": None},
    ],
    "total": "10.82",
    "discount_total": "1.15",
    "redemptions": [
        # Acme funds 50 % of the Heinz discount: 0.375 → 0.38. The own brand is unfunded.
        {"offer": None, "campaign": None, "upc": HEINZ, "discount": "0.75",
         "bonus_points": 0, "manufacturer_share": "0.38"},
        {"offer": None, "campaign": None, "upc": OWN, "discount": "0.40",
         "bonus_points": 0, "manufacturer_share": "0.00"},
    ],
    # No points or certificates handed over: all 10.82 to pay.
    "tenders": {"points": 0, "points_value": "0.00", "certificates": [], "to_pay": "10.82"},
    # $10.82 paid, at the default rule's 1 point a dollar, rounded down.
    "points": {"earned": 10, "bonus": 0, "balance": 10},
    "warnings": [],
}  # fmt: skip


def expected(chain) -> dict:
    answer = copy.deepcopy(EXPECTED)
    answer["lines"][0]["offer"] = chain["heinz_offer"].pk
    answer["lines"][1]["offer"] = chain["own_offer"].pk
    answer["redemptions"][0].update(offer=chain["heinz_offer"].pk, campaign=chain["trial"].pk)
    answer["redemptions"][1].update(offer=chain["own_offer"].pk, campaign=chain["switch"].pk)
    return answer


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer nope", "Basic abc"])
def test_missing_or_wrong_token_is_401(chain, client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.post(URL, data=body(), content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Basket.objects.exists()


def test_revoked_token_is_401(chain):
    chain["till"].revoked_at = timezone.now()
    chain["till"].save()
    assert post(chain["secret"], body()).status_code == 401
    assert not PosTransaction.objects.exists()


def test_token_is_stored_hashed(chain):
    assert chain["secret"] not in chain["till"].token_hash
    assert len(chain["till"].token_hash) == 64


def test_get_with_a_token_is_405(chain, client):
    response = client.get(URL, headers={"Authorization": f"Bearer {chain['secret']}"})
    assert response.status_code == 405


def test_happy_path_amounts_discounts_and_history(chain):
    response = post(chain["secret"], body())
    assert response.status_code == 200, response.content
    assert response.json() == expected(chain)

    basket = Basket.objects.get()
    assert basket.basket_id == "POS:S01:T-1"
    assert basket.source == "pos"
    assert basket.member == chain["member"]
    assert basket.store == chain["store"]
    assert (basket.total_amount, basket.total_discount, basket.line_count) == (
        Decimal("10.82"), Decimal("1.15"), 3,
    )  # fmt: skip
    lines = sorted(
        BasketLine.objects.filter(basket=basket).values_list(
            "product__upc", "quantity", "amount", "discount", "member_id", "purchased_at"
        )
    )
    when = basket.purchased_at
    member_id = chain["member"].pk
    assert lines == [
        (HEINZ, Decimal("2.000"), Decimal("6.23"), Decimal("0.75"), member_id, when),
        (OWN, Decimal("1.000"), Decimal("1.59"), Decimal("0.40"), member_id, when),
        (MILK, Decimal("1.500"), Decimal("3.00"), Decimal("0.00"), member_id, when),
    ]
    redemptions = {
        r.list_item_id: (r.discount, r.manufacturer_share, r.agreement_id, r.member_id)
        for r in Redemption.objects.all()
    }
    assert redemptions[chain["heinz_item"].pk] == (
        Decimal("0.75"), Decimal("0.38"), chain["agreement"].pk, member_id,
    )  # fmt: skip
    assert len(redemptions) == 2


def test_card_number_uses_the_members_current_list(chain):
    response = post(chain["secret"], body(scanned="400000000017"))
    assert response.json() == expected(chain)


def test_repeat_returns_the_same_answer_and_records_once(chain):
    first = post(chain["secret"], body())
    # Same content, other key order and whitespace: still the same transaction.
    reordered = (
        f'{{"lines": {json.dumps(body()["lines"])}, "purchased_at": "2026-03-05T10:00:00-06:00",'
        ' "scanned": "992603020000000017", "store": "S01",   "transaction_id": "T-1"}'
    )
    second = post(chain["secret"], body())
    third = post(chain["secret"], reordered)
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.content == second.content == third.content
    assert Basket.objects.count() == 1
    assert BasketLine.objects.count() == 3
    assert Redemption.objects.count() == 2
    assert PosTransaction.objects.count() == 1


def test_same_id_with_another_body_is_409(chain):
    assert post(chain["secret"], body()).status_code == 200
    changed = body()
    changed["lines"][0]["quantity"] = 3
    response = post(chain["secret"], changed)
    assert response.status_code == 409
    assert "different body" in response.json()["error"]
    assert Basket.objects.count() == 1
    assert BasketLine.objects.get(product__upc=HEINZ).quantity == 2


def test_same_id_in_another_store_is_another_transaction(chain):
    from apps.checkout.services import till_token_create
    from tests.factories import StoreFactory

    _, other = till_token_create(store=StoreFactory(code="S02"), name="Lane 9")
    assert post(chain["secret"], body()).status_code == 200
    response = post(other, body(store="S02"))
    assert response.status_code == 200
    # The offers were used in S01: none left for the second basket.
    assert response.json()["redemptions"] == []
    assert set(Basket.objects.values_list("basket_id", flat=True)) == {
        "POS:S01:T-1",
        "POS:S02:T-1",
    }


def test_an_offer_is_redeemed_once_across_transactions(chain):
    assert len(post(chain["secret"], body()).json()["redemptions"]) == 2
    again = post(chain["secret"], body(transaction_id="T-2")).json()
    assert again["redemptions"] == []
    assert again["discount_total"] == "0.00"
    assert again["total"] == "11.97"  # 6.98 + 1.99 + 3.00
    assert Redemption.objects.count() == 2
    assert Basket.objects.count() == 2


def test_a_reversed_redemption_frees_the_offer(chain):
    post(chain["secret"], body())
    Redemption.objects.filter(list_item=chain["heinz_item"]).update(reversed_at=timezone.now())
    again = post(chain["secret"], body(transaction_id="T-2")).json()
    assert [r["upc"] for r in again["redemptions"]] == [HEINZ]


def test_minimum_quantity_and_validity(chain):
    one_heinz = body()
    one_heinz["lines"][0]["quantity"] = 1
    answer = post(chain["secret"], one_heinz).json()
    assert [r["upc"] for r in answer["redemptions"]] == [OWN]
    # After the item's valid_until (Mar 15) nothing applies.
    late = post(chain["secret"], body(transaction_id="T-2", purchased_at="2026-03-16T09:00:00"))
    assert late.json()["redemptions"] == []


def test_holdout_member_gets_no_offer(chain):
    CampaignAudience.objects.create(
        campaign=chain["trial"], member=chain["member"], cell="national-3", usage_tier=3,
        holdout=True,
    )  # fmt: skip
    answer = post(chain["secret"], body()).json()
    assert [r["upc"] for r in answer["redemptions"]] == [OWN]


def test_inactive_campaign_gets_no_offer(chain):
    chain["trial"].status = "ended"
    chain["trial"].save()
    answer = post(chain["secret"], body()).json()
    assert [r["upc"] for r in answer["redemptions"]] == [OWN]


def test_campaign_budget_exhausted(chain):
    chain["trial"].budget = Decimal("0.50")
    chain["trial"].save()
    answer = post(chain["secret"], body()).json()
    assert [r["upc"] for r in answer["redemptions"]] == [OWN]
    assert any("budget" in w for w in answer["warnings"])


def test_agreement_cap_limits_the_manufacturer_share(chain):
    agreement = chain["agreement"]
    agreement.budget_cap = Decimal("0.20")
    agreement.save()
    answer = post(chain["secret"], body()).json()
    heinz = answer["redemptions"][0]
    # The discount is still given; only 0.20 of its 0.38 share is charged to Acme.
    assert (heinz["discount"], heinz["manufacturer_share"]) == ("0.75", "0.20")


def test_unknown_card_is_an_anonymous_basket_with_a_warning(chain):
    response = post(chain["secret"], body(scanned="999"))
    answer = response.json()
    assert response.status_code == 200
    assert answer["member"] is None and answer["list_barcode"] is None
    assert answer["redemptions"] == []
    assert answer["warnings"] == ["Unknown card or list '999': recorded as an anonymous basket."]
    basket = Basket.objects.get()
    assert basket.member is None
    assert basket.total_amount == Decimal("11.97")


def test_empty_scan_is_anonymous_without_warning(chain):
    answer = post(chain["secret"], body(scanned="")).json()
    assert answer["member"] is None and answer["warnings"] == []


def test_unknown_upc_is_kept_and_flagged(chain):
    data = body()
    data["lines"].append({"upc": "777", "quantity": 1, "unit_price": "5.00"})
    answer = post(chain["secret"], data).json()
    assert answer["lines"][-1] == {
        "upc": "777", "quantity": 1, "amount": "5.00", "discount": "0.00", "offer": None,
    }  # fmt: skip
    assert answer["total"] == "15.82"
    assert len(answer["warnings"]) == 1 and "unknown UPC 777" in answer["warnings"][0]
    pos = PosTransaction.objects.get()
    assert pos.unknown_lines == [{"upc": "777", "quantity": 1, "unit_price": "5.00"}]
    assert pos.request == data
    assert pos.basket.line_count == 3


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ("{not json", {"body": ["Malformed JSON."]}),
        ("[1, 2]", {"body": ["Must be a JSON object."]}),
        (
            "{}",
            {
                "transaction_id": ["This field is required (a non-empty string)."],
                "store": ["This field is required (a store code)."],
                "purchased_at": ["This field is required (an ISO 8601 date-time)."],
                "lines": ["This field is required (a non-empty list of lines)."],
            },
        ),
        (
            body(
                store="S99",
                purchased_at="yesterday",
                lines=[
                    {"upc": HEINZ, "quantity": 0, "unit_price": "abc"},
                    {"upc": "", "quantity": -1, "unit_price": "1.999"},
                    {"upc": OWN, "quantity": True, "unit_price": "-1"},
                    {"quantity": 1},
                    "x",
                ],
            ),
            {
                "store": ["This till's token belongs to store S01."],
                "purchased_at": ["Not an ISO 8601 date-time."],
                "lines[0].quantity": ["Must be greater than zero."],
                "lines[0].unit_price": ["Must be a number."],
                "lines[1].upc": ["This field is required (a string)."],
                "lines[1].quantity": ["Must be greater than zero."],
                "lines[1].unit_price": ["At most 2 decimal places."],
                "lines[2].quantity": ["Must be a number."],
                "lines[2].unit_price": ["Must not be negative."],
                "lines[3].upc": ["This field is required (a string)."],
                "lines[3].unit_price": ["This field is required."],
                "lines[4]": ["Must be an object with upc, quantity and unit_price."],
            },
        ),
        (body(transaction_id="x" * 60), {"transaction_id": ["At most 56 characters."]}),
    ],
)
def test_bad_input_is_400_with_each_fields_error(chain, payload, errors):
    response = post(chain["secret"], payload)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not PosTransaction.objects.exists()
    assert not Basket.objects.exists()


def test_numeric_price_is_exact(chain):
    data = body()
    data["lines"] = [{"upc": MILK, "quantity": 3, "unit_price": 0.1}]
    assert post(chain["secret"], data).json()["total"] == "0.30"


@pytest.mark.parametrize("copies", [1, 10])
def test_a_checkout_takes_the_same_statements_whatever_its_size(
    chain, django_assert_num_queries, copies
):
    # Token; the savepoint and the claim (one INSERT … ON CONFLICT DO NOTHING); the list,
    # its member and the lines' products; list items (locked, with campaigns, agreements,
    # matching products and holdout); their slots; the campaigns' and the agreements'
    # running totals (locked and read, one statement); basket and lines (one statement);
    # redemptions and new totals (one statement); the points: the member's balance locked
    # with the earning rule and tier multiplier, then the entry and the new balance unless
    # a lot lapsed (2); the answer; the release of the savepoint (a COMMIT outside tests):
    # 13.
    # On a cluster one more: whether another owner's basket holds the basket's id. Each kind
    # of till transaction, statement by statement: tests/checkout/test_statements.py.
    data = body(transaction_id=f"T-{copies}")
    data["lines"] = data["lines"] * copies
    with django_assert_num_queries(13 + is_citus(connection)):
        assert post(chain["secret"], data).status_code == 200
