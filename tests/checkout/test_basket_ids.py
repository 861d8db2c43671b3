"""Till basket ids: one per (store, transaction id), never an imported basket's, never a 500.

A till's basket is `POS:<store>:<transaction id>`, the store code's ":" and "%" escaped, so
that store "S01:X" with transaction "1" and store "S01" with transaction "X:1" get two ids.
The file import refuses basket ids beginning "POS:"; a basket loaded before that (or any
other holder of the id) makes the transaction a 409 in JSON that a retry gets again, byte
for byte, with nothing recorded.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, BasketSource
from apps.checkout.models import CampaignTotal, PosTransaction, Redemption
from apps.checkout.services import till_token_create
from apps.checkout.validation import basket_id_for, parse_checkout
from tests.checkout.conftest import CARD, HEINZ, MILK, body, post
from tests.factories import BasketFactory, StoreFactory

RETURN_URL = "/api/pos/return"
SQUATTED = (
    "Basket id 'POS:S01:SQUAT-1', which this transaction needs, belongs to a basket loaded "
    "from a till file, so nothing was recorded. Sending it again gives this same answer: ask "
    "the office to rename or remove that basket, or use another transaction id."
)


def give_back(secret: str, data: dict):
    return Client().post(
        RETURN_URL,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def snapshot() -> dict:
    """Every row the checkout and return write, to compare before and after a refusal."""
    return {
        "baskets": sorted(Basket.objects.values_list("basket_id", "source", "total_amount")),
        "lines": sorted(BasketLine.objects.values_list("basket__basket_id", "quantity", "amount")),
        "transactions": sorted(PosTransaction.objects.values_list("transaction_id", "kind")),
        "redemptions": sorted(
            Redemption.objects.values_list("pk", "reversed_at", "discount", "slot")
        ),
        "spent": sorted(CampaignTotal.objects.values_list("campaign_id", "spent")),
    }


def squat(chain, basket_id: str = "POS:S01:SQUAT-1") -> Basket:
    """An imported basket holding a till's id: loaded before the import reserved the prefix."""
    return BasketFactory(
        basket_id=basket_id, store=chain["store"], member=None, source=BasketSource.IMPORT
    )


def test_a_sale_whose_basket_id_an_imported_basket_holds_is_a_409_and_a_retry_the_same(chain):
    squat(chain)
    before = snapshot()

    first = post(chain["secret"], body(transaction_id="SQUAT-1"))
    again = post(chain["secret"], body(transaction_id="SQUAT-1"))

    assert first.status_code == again.status_code == 409
    assert first["Content-Type"] == "application/json"
    assert first.json() == {"error": SQUATTED}
    assert again.content == first.content
    assert snapshot() == before  # no transaction, basket, line, redemption or spend


def test_once_the_imported_basket_is_gone_the_retry_is_recorded(chain):
    squatter = squat(chain)
    assert post(chain["secret"], body(transaction_id="SQUAT-1")).status_code == 409
    squatter.delete()

    response = post(chain["secret"], body(transaction_id="SQUAT-1"))

    assert response.status_code == 200
    # The offers were not used up by the refused attempt: both apply now.
    assert response.json()["discount_total"] == "1.15"
    basket = Basket.objects.get(basket_id="POS:S01:SQUAT-1")
    assert (basket.source, basket.total_amount) == ("pos", Decimal("10.82"))


def test_a_return_whose_basket_id_is_taken_is_a_409_and_reverses_nothing(chain):
    assert post(chain["secret"], body()).status_code == 200
    squat(chain)
    before = snapshot()
    back = {
        "transaction_id": "SQUAT-1",
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T11:00:00-06:00",
        "lines": [{"upc": HEINZ, "quantity": 1}],  # would reverse the Heinz offer
    }

    first = give_back(chain["secret"], back)
    again = give_back(chain["secret"], back)

    assert first.status_code == again.status_code == 409
    assert first.json() == {"error": SQUATTED}
    assert again.content == first.content
    assert snapshot() == before
    assert Redemption.objects.filter(reversed_at__isnull=True).count() == 2


def test_a_till_basket_in_the_way_is_named_without_calling_it_imported(chain):
    BasketFactory(basket_id="POS:S01:T-9", store=chain["store"], source=BasketSource.POS)

    response = post(chain["secret"], body(transaction_id="T-9"))

    assert response.status_code == 409
    assert response.json()["error"].startswith(
        "Basket id 'POS:S01:T-9', which this transaction needs, belongs to a basket already "
        "there, so nothing was recorded."
    )


def test_store_codes_holding_a_colon_get_ids_of_their_own(chain):
    _, s01x = till_token_create(store=StoreFactory(code="S01:X"), name="Lane 2")
    lines = [{"upc": MILK, "quantity": 1, "unit_price": "2.00"}]

    first = post(s01x, body(transaction_id="1", store="S01:X", scanned="", lines=lines))
    second = post(chain["secret"], body(transaction_id="X:1", scanned="", lines=lines))

    assert (first.status_code, second.status_code) == (200, 200)
    assert sorted(Basket.objects.values_list("basket_id", "store__code")) == [
        ("POS:S01%3AX:1", "S01:X"),
        ("POS:S01:X:1", "S01"),
    ]


def test_the_escape_character_is_escaped_too(chain):
    # Unescaped "%", store "A%3AB" would take store "A:B"'s id "POS:A%3AB:1".
    _, percent = till_token_create(store=StoreFactory(code="A%3AB"), name="Lane 1")
    _, colon = till_token_create(store=StoreFactory(code="A:B"), name="Lane 1")
    lines = [{"upc": MILK, "quantity": 1, "unit_price": "2.00"}]

    for secret, store in ((percent, "A%3AB"), (colon, "A:B")):
        sale = body(transaction_id="1", store=store, scanned="", lines=lines)
        assert post(secret, sale).status_code == 200

    assert sorted(Basket.objects.values_list("basket_id", flat=True)) == [
        "POS:A%253AB:1",
        "POS:A%3AB:1",
    ]


@pytest.mark.parametrize(
    ("store", "longest"),
    [("S01", 56), ("S01:X", 52), ("a%b", 54), ("x" * 32, 27)],  # 64 − len("POS:<escaped>:")
)
def test_the_longest_transaction_id_depends_on_the_escaped_store_code(store, longest):
    def errors(transaction_id: str) -> dict:
        sale = body(transaction_id=transaction_id, store=store)
        return parse_checkout(json.dumps(sale).encode(), store_code=store)[2]

    assert errors("x" * longest) == {}
    assert errors("x" * (longest + 1)) == {"transaction_id": [f"At most {longest} characters."]}


def test_a_store_code_with_no_room_left_for_an_id_is_a_clear_400(db):
    store = ":" * 20  # escaped, 60 characters: "POS:" + 60 + ":" is 65
    sale = body(transaction_id="T-1", store=store)

    _, _, errors = parse_checkout(json.dumps(sale).encode(), store_code=store)

    assert errors == {
        "transaction_id": [
            f"This till's store code {store!r} is too long to make a basket id from "
            '(":" and "%" count three characters each): ask the office to shorten it.'
        ]
    }


def unescape_pair(basket_id: str) -> tuple[str, str]:
    """Read (store code, transaction id) back from a till basket id, written here by hand:
    the store part ends at the first ":" after the prefix; %3A and %25 are ":" and "%"."""
    assert basket_id.startswith("POS:")
    store, _, transaction_id = basket_id[4:].partition(":")
    return store.replace("%3A", ":").replace("%25", "%"), transaction_id


@settings(max_examples=400, deadline=None)
@given(
    store=st.text(st.sampled_from("S01:%3A5X"), min_size=1, max_size=32),
    transaction_id=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1),
)
@example(store="S01:X", transaction_id="1")
@example(store="S01", transaction_id="X:1")
@example(store="A%3AB", transaction_id="1")
@example(store="A:B", transaction_id="1")
def test_a_basket_id_names_one_store_and_transaction(store, transaction_id):
    """One-to-one: the pair can be read back, so no two pairs share an id."""
    basket_id = basket_id_for(store_code=store, transaction_id=transaction_id)
    assert unescape_pair(basket_id) == (store, transaction_id)


def test_the_import_refuses_a_basket_id_with_the_tills_prefix(chain, tmp_path: Path):
    (tmp_path / "baskets.csv").write_text(
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        f"POS:S01:SQUAT-1,{CARD},S01,2026-03-01T09:30:00,{HEINZ},1,3.49,0.00\n"
        f"pos-S01-1,{CARD},S01,2026-03-01T09:30:00,{HEINZ},1,3.49,0.00\n",
        encoding="utf-8",
    )

    result = pos_import_dir(directory=tmp_path)

    baskets = next(f for f in result.files if f.file_name == "baskets.csv")
    assert (baskets.loaded, baskets.rejected) == (1, 1)
    assert [(r.line, r.reason) for r in baskets.first_rejects] == [
        (
            2,
            "basket_id 'POS:S01:SQUAT-1' starts with 'POS:', which is kept for baskets the "
            "tills send through the POS API: give it another id",
        )
    ]
    assert list(Basket.objects.values_list("basket_id", flat=True)) == ["pos-S01-1"]
    # The till's transaction is then recorded under its id.
    assert post(chain["secret"], body(transaction_id="SQUAT-1")).status_code == 200
    assert Basket.objects.filter(basket_id="POS:S01:SQUAT-1", source="pos").exists()
