"""Fuzz the POS API's writes: no 500, and all or nothing.

Each example sends a short sequence of requests (sales and returns, valid-ish and broken:
wrong types, bad numbers, unknown UPCs and cards, repeated transaction ids, bodies that are
not JSON or not objects, other content types and tokens). After each answer:
- a 4xx wrote nothing: no new Basket, BasketLine, PosTransaction, Redemption, Member or
  Store row, and no redemption reversed;
- a 200 for a new transaction id wrote exactly one PosTransaction and one basket whose lines
  are the request's known lines (quantity, and amount + discount = unit price × quantity,
  rounded half-up to the cent, computed here), and as many redemptions as the answer lists;
- a 200 for a transaction id already used is the stored answer again, and wrote nothing.
Every answer is also checked against the OpenAPI schema (the answer only: the request check of
tests/checkout/schema_check.py raises on numbers like 1e400, a jsonschema limit).
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from apps.baskets.models import Basket, BasketLine, Store
from apps.checkout.models import PosTransaction, Redemption
from apps.members.models import Member
from tests.checkout.schema_check import OPENAPI, exchange_of
from tests.fuzz.conftest import BARCODE, CARD, HEINZ, MILK, OWN
from tests.fuzz.known import known_pos_failure
from tests.fuzz.profiles import fuzz_settings

pytestmark = pytest.mark.django_db

CHECKOUT, RETURN = "/api/pos/checkout", "/api/pos/return"
CENT = Decimal("0.01")
IDS = ["T-1", "T-2", "T-3"]


class Raw(str):
    """A JSON number written exactly as given ("1.250", "1e400", "-0")."""


def dumps(value) -> str:
    """JSON text of the value, with Raw numbers written as they are."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def number_value(value) -> Decimal | None:
    """The number a JSON value stands for, if it is one the API could accept."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


good_quantities = st.one_of(
    st.integers(1, 5),
    st.sampled_from([Raw("1.5"), Raw("2.000"), Raw("0.001"), "3", "0.25", Raw("999999.999")]),
)
bad_quantities = st.sampled_from(
    [0, -1, Raw("-0"), Raw("1.2345"), Raw("1e3"), Raw("1e400"), Raw("1e-400"), "1e3", " 1",
     "abc", "", None, True, [1], {"q": 1}, 10**30, "١", Raw("1000000")]
)  # fmt: skip
good_prices = st.one_of(
    st.sampled_from(["3.49", "1.99", "0", "0.5", Raw("2.00"), 2, "99999999.99"]),
    st.integers(0, 10**6).map(lambda n: f"{Decimal(n) / 100:.2f}"),
)
bad_prices = st.sampled_from(
    ["-0.01", "1.999", Raw("1.999"), "1e2", "", None, False, "3,49", "inf", Raw("1e400"),
     "100000000", Raw("-1"), "NaN", "\u0000"]
)  # fmt: skip
upcs = st.one_of(
    st.sampled_from([HEINZ, OWN, MILK]),
    st.sampled_from(["123456789012", "", " ", "x y", "0" * 15, None, 5, "\u00e9", "\ud800"]),
)


valid_upcs = st.sampled_from([HEINZ, HEINZ, OWN, MILK, "123456789012"])
valid_times = st.sampled_from(
    ["2026-03-05T10:00:00", "2026-03-05T10:00:00-06:00", "2026-03-05 10:00", "2026-03-05T23:30:00Z",
     "2026-03-20T10:00:00", "2025-01-01T00:00:00", "2026-03-05T10:00:00+15:59",
     "1970-01-01T00:00:00+15:00", "2999-12-31T23:59:59-15:00", "2026-03-15T23:59:59.999999"]
)  # fmt: skip
bad_times = st.sampled_from(
    ["2026-02-30T10:00:00", "2026-03-05", "yesterday", "", None, 12, "9999-12-31T23:59:59",
     "2026-03-05T10:00:00 ", "2026-03-05T24:00:00"]
)  # fmt: skip
valid_ids = st.one_of(
    st.sampled_from(IDS), st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1)
).filter(lambda t: len(t) <= 56)
bad_ids = st.sampled_from(["", " ", "T 1", "x" * 57, None, 7, "T\u00e9", "T\u0000"])

valid_line = st.fixed_dictionaries(
    {"upc": valid_upcs, "quantity": good_quantities, "unit_price": good_prices}
)
BAD_VALUES = {
    "transaction_id": bad_ids,
    "store": st.sampled_from(["S02", "", 1, "S01\u0000", None]),
    "scanned": st.sampled_from([17, "9" * 65, ["x"], "\u0000"]),
    "purchased_at": bad_times,
    "lines": st.sampled_from([[], "lines", [1], [None], None, [{}]]),
    "upc": upcs,
    "quantity": bad_quantities,
    "unit_price": bad_prices,
}


@st.composite
def sales(draw):
    """A valid sale, or one with one or a few faults."""
    body = {
        "transaction_id": draw(valid_ids),
        "store": "S01",
        "scanned": draw(st.sampled_from([CARD, BARCODE, "", None, "unknown"])),
        "purchased_at": draw(valid_times),
        "lines": draw(st.lists(valid_line, min_size=1, max_size=4)),
    }
    if body["scanned"] is None and draw(st.booleans()):
        del body["scanned"]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        fault = draw(st.sampled_from([*BAD_VALUES, "missing", "extra"]))
        if fault in ("upc", "quantity", "unit_price") and isinstance(body["lines"], list):
            line = draw(st.sampled_from(body["lines"]))
            if isinstance(line, dict):
                line[fault] = draw(BAD_VALUES[fault])
        elif fault == "missing":
            body.pop(draw(st.sampled_from(sorted(body))))
        elif fault == "extra":
            body["till"] = "Lane 1"
        elif fault in BAD_VALUES:
            body[fault] = draw(BAD_VALUES[fault])
    return CHECKOUT, body


times = st.one_of(valid_times, bad_times)


@st.composite
def returns(draw):
    """A return of units of one of the sales (T-1, T-2, T-3), often valid."""
    body = {
        "transaction_id": draw(st.sampled_from(["R-1", "R-2", "R-1", "T-1", ""])),
        "store": draw(st.sampled_from(["S01"] * 5 + ["S02"])),
        "original_transaction_id": draw(st.sampled_from([*IDS, "R-1", "nope"])),
        "returned_at": draw(st.one_of(valid_times, valid_times, bad_times)),
        "lines": draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "upc": st.one_of(st.sampled_from([HEINZ, OWN, MILK]), upcs),
                            "quantity": st.one_of(
                                st.sampled_from([1, 1, 2, "0.5"]), good_quantities, bad_quantities
                            ),
                        }
                    ),
                    min_size=1,
                    max_size=3,
                ),
                st.sampled_from([[], None]),
            )
        ),
    }
    return RETURN, body


broken = st.tuples(
    st.sampled_from([CHECKOUT, RETURN]),
    st.one_of(
        st.sampled_from(
            [b"", b"{", b"[]", b"null", b'"x"', b"[" * 5000 + b"]" * 5000, b'{"a": NaN}',
             b'{"transaction_id": "\\ud800"}', b'{"lines": [1e400]}', b"\xff\xfe", b"{}"]
        ),
        st.binary(max_size=64),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
            lambda children: st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3),
            max_leaves=8,
        ),
    ),
)  # fmt: skip
auth_and_type = st.tuples(
    st.sampled_from(["good"] * 19 + ["wrong"]),
    st.sampled_from(["application/json"] * 18 + ["text/plain", "application/json; charset=utf-8"]),
)


@st.composite
def sequences(draw):
    """A few requests: sales, returns of earlier sales, repeats of earlier requests, junk."""
    steps: list = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["sale"] * 4 + ["return"] * 2 + ["again", "broken"]))
        sold = [body for path, body in (s[0] for s in steps) if path == CHECKOUT]
        sold = [
            b
            for b in sold
            if isinstance(b, dict)
            and isinstance(b.get("lines"), list)
            and b["lines"]
            and all(isinstance(line, dict) for line in b["lines"])
        ]
        if kind == "again" and steps:
            (path, body), _, _ = draw(st.sampled_from(steps))
            if isinstance(body, dict) and draw(st.booleans()):
                body = {**body, "scanned": "changed"}  # the same id with another body: 409
            request = (path, body)
        elif kind == "return" and sold and draw(st.booleans()):
            sale = draw(st.sampled_from(sold))
            line = draw(st.sampled_from(sale["lines"]))
            _, request = draw(returns())
            request = (RETURN, {
                **request,
                "original_transaction_id": sale.get("transaction_id"),
                "lines": [{"upc": line.get("upc"), "quantity": draw(
                    st.sampled_from([1, "0.5", line.get("quantity"), 2]))}],
            })  # fmt: skip
        elif kind == "return":
            request = draw(returns())
        elif kind == "broken":
            request = draw(broken)
        else:
            request = draw(sales())
        steps.append((request, *draw(auth_and_type)))
    return steps


def counts() -> dict[str, int]:
    return {
        "baskets": Basket.objects.count(),
        "lines": BasketLine.objects.count(),
        "transactions": PosTransaction.objects.count(),
        "redemptions": Redemption.objects.count(),
        "reversed": Redemption.objects.filter(reversed_at__isnull=False).count(),
        "members": Member.objects.count(),
        "stores": Store.objects.count(),
    }


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_new_sale(body: dict, answer: dict, pos_transaction: PosTransaction) -> None:
    """The recorded basket holds exactly the request's known lines, priced as sent."""
    known = {HEINZ, OWN, MILK}
    asked = [line for line in body["lines"] if line["upc"] in known]
    basket = pos_transaction.basket
    assert basket.basket_id == f"POS:S01:{body['transaction_id']}"
    got = Counter(
        (upc, quantity, amount + discount)
        for upc, quantity, amount, discount in basket.lines.values_list(
            "product__upc", "quantity", "amount", "discount"
        )
    )
    expected = Counter(
        (line["upc"], number_value(line["quantity"]),
         money(number_value(line["unit_price"]) * number_value(line["quantity"])))
        for line in asked
    )  # fmt: skip
    assert got == expected
    assert basket.line_count == len(asked)
    assert basket.total_amount == sum(basket.lines.values_list("amount", flat=True))
    answered = Counter(
        (line["upc"], Decimal(line["amount"]), Decimal(line["discount"]))
        for line in answer["lines"]
        if line["upc"] in known
    )
    stored = Counter(basket.lines.values_list("product__upc", "amount", "discount"))
    assert answered == stored
    unknown = [line for line in body["lines"] if line["upc"] not in known]
    assert pos_transaction.unknown_lines == json.loads(dumps(unknown))


def check_new_return(body: dict, answer: dict, pos_transaction: PosTransaction) -> None:
    """The return's basket holds the returned units, negative."""
    basket = pos_transaction.basket
    got = Counter(basket.lines.values_list("product__upc", "quantity"))
    expected = Counter((line["upc"], -number_value(line["quantity"])) for line in body["lines"])
    assert got == expected


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


@fuzz_settings(50)
@given(sequence=sequences())
def test_no_500_and_no_partial_write(pos, sequence):
    tokens = {"good": pos["secret"], "wrong": "not-a-token", "none": None}
    try:
        with transaction.atomic():
            for (path, body), token, content_type in sequence:
                if known_pos_failure(body):
                    continue
                payload = body if isinstance(body, bytes) else dumps(body)
                transaction_id = body.get("transaction_id") if isinstance(body, dict) else None
                seen = (
                    isinstance(transaction_id, str)
                    and PosTransaction.objects.filter(
                        store__code="S01", transaction_id=transaction_id
                    ).first()
                )
                before = counts()
                headers = {"Authorization": f"Bearer {tokens[token]}"} if tokens[token] else {}

                response = Client().post(
                    path, data=payload, content_type=content_type, headers=headers
                )

                event(f"{path} → {response.status_code}")
                assert response.status_code < 500
                exchange = exchange_of(response.wsgi_request, response)
                assert not OPENAPI.unmarshal_response(exchange, exchange.response).errors
                after = counts()
                if response.status_code != 200:
                    assert after == before, response.content[:300]
                    continue
                answer = response.json()
                event(f"{path} → 200 {'again' if seen else 'new'}")
                if seen:
                    assert after == before
                    assert answer == seen.response
                    continue
                new = PosTransaction.objects.get(store__code="S01", transaction_id=transaction_id)
                delta = {key: after[key] - before[key] for key in after}
                if path == CHECKOUT:
                    lines_known = sum(line["upc"] in {HEINZ, OWN, MILK} for line in body["lines"])
                    assert delta == {
                        "baskets": 1, "lines": lines_known, "transactions": 1,
                        "redemptions": len(answer["redemptions"]), "reversed": 0,
                        "members": 0, "stores": 0,
                    }  # fmt: skip
                    check_new_sale(body, answer, new)
                else:
                    assert delta == {
                        "baskets": 1, "lines": len(body["lines"]), "transactions": 1,
                        "redemptions": 0, "reversed": len(answer["reversed"]),
                        "members": 0, "stores": 0,
                    }  # fmt: skip
                    check_new_return(body, answer, new)
            raise Rollback
    except Rollback:
        pass
