"""Fuzz imported basket ids against the ids tills need: no 500, no two pairs on one id.

Each example opens stores whose codes hold ":" and "%" (each with a till), imports a
baskets.csv whose ids are built to collide with the tills' ("POS:<store>:<id>", written
the old, unescaped way, and the escaped way), adds such baskets as if an import had loaded
them before the prefix was reserved, then sends sales and returns from every till with
transaction ids that hold ":" and "%" too. An oracle written here predicts each answer:
- the import rejects every id beginning "POS:" (with its reason) and loads the others;
- a till's basket id is "POS:" + the store code with "%" → "%25" and ":" → "%3A" + ":" + id;
- a request whose id is held by another basket is a 409 in JSON, the same bytes again on a
  retry, and writes nothing; otherwise a new id is a 200 writing its basket under that id,
  and a repeat is the stored answer (same body) or the body conflict (another body);
- no two (store, transaction id) pairs ever share a basket.
Every example runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, BasketSource, Store
from apps.checkout.models import PosTransaction, Redemption
from apps.checkout.services import till_token_create
from tests.fuzz.conftest import MILK
from tests.fuzz.profiles import fuzz_settings

pytestmark = pytest.mark.django_db

CHECKOUT, RETURN = "/api/pos/checkout", "/api/pos/return"
CONFLICT = "This transaction id was already used with a different body."
RESERVED = "starts with 'POS:', which is kept for baskets the tills send through the POS API"
# Codes and ids built from a few pieces, so that they run into each other.
STORE_CODES = ["S01", "S01:X", "S01%3AX", "S01:X:1", "A", "A:B", "%", "S01%"]
ID_PIECES = ["1", "X", ":", "%", "3A", "SQUAT-", "25"]
LOADED_AT = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)


def till_basket_id(store: str, transaction_id: str) -> str:
    """The oracle's basket id of a till transaction (escape "%" first, then ":")."""
    return f"POS:{store.replace('%', '%25').replace(':', '%3A')}:{transaction_id}"


def old_basket_id(store: str, transaction_id: str) -> str:
    """The id before escaping: what a squatting import or old data looks like."""
    return f"POS:{store}:{transaction_id}"


transaction_ids = st.lists(st.sampled_from(ID_PIECES), min_size=1, max_size=4).map("".join)


def splits(basket_id: str, stores: list[str]) -> list[tuple[str, str]]:
    """The (store, id) pairs a "POS:" id could be read as, cut at any of its colons."""
    rest = basket_id.removeprefix("POS:")
    cuts = [i for i, c in enumerate(rest) if c == ":"]
    pairs = [(rest[:i], rest[i + 1 :]) for i in cuts]
    return [(store, tid) for store, tid in pairs if store in stores and tid]


@st.composite
def cases(draw):
    stores = draw(st.lists(st.sampled_from(STORE_CODES), min_size=1, max_size=3, unique=True))
    pairs = st.tuples(st.sampled_from(stores), transaction_ids)
    squat_ids = st.one_of(
        pairs.map(lambda p: old_basket_id(*p)),
        pairs.map(lambda p: till_basket_id(*p)),
        st.lists(st.sampled_from(["POS:", *ID_PIECES, "S01"]), min_size=1, max_size=5).map("".join),
    )
    imported = draw(st.lists(squat_ids, max_size=4, unique=True))
    legacy = draw(st.lists(squat_ids, min_size=1, max_size=3, unique=True))
    # Requests mostly use the pairs the squatting ids can be read as, so that they collide.
    near = [
        st.sampled_from(found)
        for found in (
            sorted({pair for i in legacy for pair in splits(i, stores)}),
            sorted({pair for i in imported for pair in splits(i, stores)}),
        )
        if found
    ]
    request_pairs = st.one_of(*near[:1], *near, pairs)
    requests = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["sale", "sale", "return", "again"]),
                request_pairs,
                st.sampled_from(["1", "2"]),  # units of milk sold, or a changed body
            ),
            min_size=1,
            max_size=8,
        )
    )
    return {"stores": stores, "imported": imported, "legacy": legacy, "requests": requests}


def counts() -> dict[str, int]:
    return {
        "baskets": Basket.objects.count(),
        "lines": BasketLine.objects.count(),
        "transactions": PosTransaction.objects.count(),
        "redemptions": Redemption.objects.count(),
        "stores": Store.objects.count(),
    }


def import_baskets(ids: list[str], directory: Path) -> None:
    """Import one basket per id; check that exactly the reserved ones are rejected."""
    rows = [f"{basket_id},,S01,2026-03-01T09:30:00,{MILK},1,2.00,0.00" for basket_id in ids]
    (directory / "baskets.csv").write_text(
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    before = set(Basket.objects.values_list("basket_id", flat=True))
    (result,) = pos_import_dir(directory=directory).files
    reserved = [i for i in ids if i.startswith("POS:")]
    assert result.rejected == len(reserved)
    assert all(RESERVED in r.reason for r in result.first_rejects)
    loaded = set(Basket.objects.values_list("basket_id", flat=True)) - before
    assert loaded == {i for i in ids if not i.startswith("POS:")} - before


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


@fuzz_settings(40)
@given(case=cases())
def test_imported_ids_never_clash_with_a_till_into_a_500(pos, case):
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
            stores = {code: Store.objects.get_or_create(code=code)[0] for code in case["stores"]}
            secrets = {
                code: till_token_create(store=s, name="Lane")[1] for code, s in stores.items()
            }
            import_baskets(case["imported"], Path(tmp))
            for basket_id in case["legacy"]:
                Basket.objects.get_or_create(
                    basket_id=basket_id,
                    defaults={"store": stores[case["stores"][0]], "purchased_at": LOADED_AT,
                              "source": BasketSource.IMPORT},
                )  # fmt: skip
            held = set(Basket.objects.values_list("basket_id", flat=True))
            recorded: dict[tuple[str, str], tuple[str, dict]] = {}  # (store, id) → (path, body)
            sales: dict[str, list[str]] = {}  # store → its recorded sales' ids
            owner: dict[str, tuple[str, str]] = {}  # till basket id → its (store, id)

            for kind, (store, transaction_id), units in case["requests"]:
                if kind == "again" and recorded:
                    (store, transaction_id), (path, body) = sorted(recorded.items())[0]
                    if units == "2":
                        body = {**body, "lines": [{**body["lines"][0], "quantity": 9}]}
                elif kind == "return" and sales.get(store):
                    path, body = RETURN, {
                        "transaction_id": transaction_id, "store": store,
                        "original_transaction_id": sales[store][0],
                        "returned_at": "2026-03-06T10:00:00",
                        "lines": [{"upc": MILK, "quantity": "0.001"}],
                    }  # fmt: skip
                else:
                    path, body = CHECKOUT, {
                        "transaction_id": transaction_id, "store": store, "scanned": "",
                        "purchased_at": "2026-03-05T10:00:00",
                        "lines": [{"upc": MILK, "quantity": units, "unit_price": "2.00"}],
                    }  # fmt: skip
                before = counts()
                send = {
                    "path": path,
                    "data": json.dumps(body),
                    "content_type": "application/json",
                    "headers": {"Authorization": f"Bearer {secrets[store]}"},
                }

                response = Client(raise_request_exception=False).post(**send)

                assert response.status_code < 500, response.content[:300]
                assert response["Content-Type"] == "application/json"
                basket_id = till_basket_id(store, transaction_id)
                seen = recorded.get((store, transaction_id))
                if seen is not None:
                    if seen[1] == body:
                        event("replay")
                        assert response.status_code == 200
                        stored = PosTransaction.objects.get(
                            store__code=store, transaction_id=transaction_id
                        )
                        assert response.json() == stored.response
                    else:
                        event("409 body conflict")
                        assert (response.status_code, response.json()) == (409, {"error": CONFLICT})
                    assert counts() == before
                elif basket_id in held:
                    event("409 basket id taken")
                    assert response.status_code == 409
                    assert response.json()["error"].startswith(f"Basket id {basket_id!r}, which ")
                    assert counts() == before
                    retry = Client(raise_request_exception=False).post(**send)
                    assert (retry.status_code, retry.content) == (409, response.content)
                    assert counts() == before
                else:
                    event(f"200 new {'return' if path == RETURN else 'sale'}")
                    assert response.status_code == 200, response.content[:300]
                    assert counts()["baskets"] == before["baskets"] + 1
                    new = PosTransaction.objects.get(
                        store__code=store, transaction_id=transaction_id
                    )
                    assert new.basket.basket_id == basket_id
                    assert owner.setdefault(basket_id, (store, transaction_id)) == (
                        store,
                        transaction_id,
                    )
                    held.add(basket_id)
                    recorded[(store, transaction_id)] = (path, body)
                    if path == CHECKOUT:
                        sales.setdefault(store, []).append(transaction_id)
            raise Rollback
    except Rollback:
        pass
