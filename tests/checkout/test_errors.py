"""Every error answer of the till endpoints is JSON, in the schema, and records nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction
from apps.checkout.validation import MAX_BODY_BYTES
from tests.checkout.conftest import HEINZ, MILK, OWN, URL, body, post

RETURN_URL = "/api/pos/return"
ENDPOINTS = [URL, RETURN_URL]
BAD_TEXT = ["Text must not hold NUL characters or unpaired surrogates."]
NOT_ISO = ["Not an ISO 8601 date-time."]
PRINTABLE = ["Only printable ASCII characters, no spaces."]
NOT_A_STRING = ["Must be a string (a card number or list barcode), possibly empty."]


def auth(chain) -> dict:
    return {"Authorization": f"Bearer {chain['secret']}"}


def assert_the_basket_was_recorded(chain) -> None:
    """Check that body()'s basket is in the database once, with its three lines.

    By hand: 2 Heinz at 3.49 = 6.98 less the list's $0.75 = 6.23; own brand 1.99 less 20 %
    (0.398 -> 0.40) = 1.59; 1.5 milk at 2.00 = 3.00. Total 10.82, discounts 1.15.
    """
    assert PosTransaction.objects.count() == 1
    basket = Basket.objects.get()
    when = dt.datetime(2026, 3, 5, 16, 0, tzinfo=dt.UTC)  # 10:00 at -06:00
    assert (basket.basket_id, basket.source, basket.member, basket.store) == (
        "POS:S01:T-1", "pos", chain["member"], chain["store"],
    )  # fmt: skip
    assert basket.purchased_at == when
    assert (basket.total_amount, basket.total_discount, basket.line_count) == (
        Decimal("10.82"), Decimal("1.15"), 3,
    )  # fmt: skip
    lines = sorted(
        BasketLine.objects.filter(basket=basket).values_list(
            "product__upc", "quantity", "amount", "discount", "member_id", "purchased_at"
        )
    )
    member_id = chain["member"].pk
    assert lines == [
        (HEINZ, Decimal("2.000"), Decimal("6.23"), Decimal("0.75"), member_id, when),
        (OWN, Decimal("1.000"), Decimal("1.59"), Decimal("0.40"), member_id, when),
        (MILK, Decimal("1.500"), Decimal("3.00"), Decimal("0.00"), member_id, when),
    ]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_other_methods_are_a_json_405_with_allow(chain, url, method):
    response = getattr(Client(), method)(url, headers=auth(chain))
    assert response.status_code == 405
    assert response.json() == {"error": "POST only."}
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_token_is_a_json_401_before_the_method(chain, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json() == {"error": "A valid till token is required."}
    assert response["WWW-Authenticate"] == 'Bearer realm="pos"'


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_json_is_a_415(chain, url, content_type):
    response = Client().post(
        url, data=json.dumps(body()), content_type=content_type, headers=auth(chain)
    )
    assert response.status_code == 415
    assert response.json() == {
        "error": "The request body must be JSON (Content-Type: application/json)."
    }
    assert not PosTransaction.objects.exists()


def test_json_with_a_charset_is_json(chain):
    response = Client().post(
        URL,
        data=json.dumps(body()),
        content_type="application/json; charset=utf-8",
        headers=auth(chain),
    )
    assert response.status_code == 200
    assert response.json()["total"] == "10.82"
    assert_the_basket_was_recorded(chain)


def _oversized() -> str:
    """A checkout body one byte over the limit (whitespace is still JSON)."""
    text = json.dumps(body())
    return text + " " * (MAX_BODY_BYTES + 1 - len(text))


@pytest.mark.parametrize("url", ENDPOINTS)
def test_an_oversized_body_is_a_json_413(chain, url):
    data = _oversized()
    assert len(data) == MAX_BODY_BYTES + 1
    response = (
        post(chain["secret"], data)
        if url == URL
        else Client().post(url, data=data, content_type="application/json", headers=auth(chain))
    )
    assert response.status_code == 413
    assert response.json() == {"error": f"The request body must be at most {MAX_BODY_BYTES} bytes."}
    assert not PosTransaction.objects.exists()


def test_a_body_at_the_limit_is_read(chain):
    text = json.dumps(body())
    response = post(chain["secret"], text + " " * (MAX_BODY_BYTES - len(text)))
    assert response.status_code == 200
    assert response.json()["total"] == "10.82"
    assert_the_basket_was_recorded(chain)


def test_djangos_own_body_limit_is_a_json_413_too(chain, settings):
    # Below our limit but above Django's: Django's RequestDataTooBig would be an HTML 400.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post(chain["secret"], body())
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {**body(), "scaned": "992603020000000017"},  # a typo must not drop the member
            {"body": ["Unknown field 'scaned'."]},
        ),
        (
            body(lines=[{"upc": HEINZ, "quantity": 2, "unit_price": "3.49", "price": "3.49"}]),
            {"lines[0]": ["Unknown field 'price'."]},
        ),
        (body(scanned="99\x00"), {"body": BAD_TEXT}),
        (
            '{"transaction_id": "T-1", "store": "S01", "purchased_at": "2026-03-05T10:00:00",'
            ' "lines": [{"upc": "\\ud800", "quantity": 1, "unit_price": "1.00"}]}',
            {"body": BAD_TEXT},
        ),
        (json.dumps(body()).replace('"3.49"', "NaN"), {"body": ["Malformed JSON."]}),
        ("[" * 100_000 + "]" * 100_000, {"body": ["Malformed JSON."]}),
        (body(transaction_id="T 1"), {"transaction_id": PRINTABLE}),
        (body(purchased_at="2026-02-30T10:00:00"), {"purchased_at": NOT_ISO}),
        (body(purchased_at="2026-03-05"), {"purchased_at": NOT_ISO}),
        (body(purchased_at=" 2026-03-05T10:00"), {"purchased_at": NOT_ISO}),
        (body(scanned=7), {"scanned": NOT_A_STRING}),
        (body(scanned="9" * 65), {"scanned": ["At most 64 characters."]}),
        (body(lines=[]), {"lines": ["This field is required (a non-empty list of lines)."]}),
        (
            body(lines=[{"upc": "1", "quantity": 1, "unit_price": "1.00"}] * 1001),
            {"lines": ["At most 1000 lines."]},
        ),
        (
            body(lines=[
                {"upc": " 000000000011", "quantity": " 1", "unit_price": "1e2"},
                {"upc": "123456789012345", "quantity": "01.5", "unit_price": "3.490"},
                {"upc": HEINZ, "quantity": "1.0005", "unit_price": 100000000},
                {"upc": HEINZ, "quantity": 1000000, "unit_price": 0.001},
            ]),
            {
                "lines[0].upc": PRINTABLE,
                "lines[0].quantity": [
                    "Write it as a plain decimal number, like 12.5 (no spaces or exponent)."
                ],
                "lines[0].unit_price": [
                    "Write it as a plain decimal number, like 12.5 (no spaces or exponent)."
                ],
                "lines[1].upc": ["At most 14 characters."],
                "lines[1].quantity": [
                    "Write it as a plain decimal number, like 12.5 (no spaces or exponent)."
                ],
                "lines[1].unit_price": [
                    "Write it as a plain decimal number, like 12.5 (no spaces or exponent)."
                ],
                "lines[2].quantity": ["At most 3 decimal places."],
                "lines[2].unit_price": ["Must be less than 100000000."],
                "lines[3].quantity": ["Must be less than 1000000."],
                "lines[3].unit_price": ["At most 2 decimal places."],
            },
        ),
        (
            # 99,999,999.99 × 101 = 10,099,999,998.99: more than numeric(12,2) holds.
            body(lines=[{"upc": HEINZ, "quantity": 101, "unit_price": "99999999.99"}]),
            {"lines": ["The basket's total must be less than 10000000000."]},
        ),
    ],
)  # fmt: skip
def test_more_bad_input_is_400_with_each_fields_error(chain, payload, errors):
    response = post(chain["secret"], payload)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not PosTransaction.objects.exists()


def test_a_number_in_exponent_form_is_a_number(chain):
    data = json.dumps(body(lines=[{"upc": HEINZ, "quantity": 2, "unit_price": "3.49"}]))
    response = post(chain["secret"], data.replace('"quantity": 2', '"quantity": 2E0'))
    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 2


def test_a_zero_price_is_never_negative_zero(chain):
    response = post(
        chain["secret"], body(lines=[{"upc": HEINZ, "quantity": 1, "unit_price": -0.0}])
    )
    assert response.status_code == 200
    assert response.json()["total"] == "0.00"


def test_a_lost_database_is_a_json_503_in_the_schema(chain, monkeypatch):
    import psycopg
    from django.db import OperationalError

    from apps.checkout import views

    def lost(**kwargs):
        error = OperationalError("connection refused")
        error.__cause__ = psycopg.OperationalError("connection failed: Connection refused")
        raise error

    monkeypatch.setattr(views, "checkout_record", lost)
    client = Client(raise_request_exception=False)
    response = client.post(URL, data=body(), content_type="application/json", headers=auth(chain))
    assert response.status_code == 503  # and the autouse check found it in the schema
    assert response["Retry-After"].isdigit()
