"""POS API failures the fuzzers found, pinned as plain tests.

Each was a strict xfail until fixed; the reason string says what was wrong and how it was
fixed.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.baskets.models import Basket
from apps.checkout.models import PosTransaction
from tests.fuzz.conftest import HEINZ

OFFSET_BEYOND_POSTGRES = (
    "An offset beyond ±15:59 (ISO 8601 and the schema's DATETIME_PATTERN allow up to ±23:59) "
    "is passed on to PostgreSQL, whose timestamptz refuses it: DataError, a 500. Fix: in "
    "apps/checkout/validation.py `_datetime`, return the parsed time converted to UTC "
    "(`parsed.astimezone(dt.UTC)`); the local purchase date is taken with localdate() anyway."
)


def post(secret: str, path: str, body: dict):
    return Client(raise_request_exception=False).post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.mark.parametrize("offset", ["-20:44", "+16:00", "+2359"])
def test_a_sale_with_a_far_offset_is_recorded(pos, offset):
    body = {
        "transaction_id": "T-1",
        "store": "S01",
        "purchased_at": f"2026-03-05T10:00:00{offset}",
        "lines": [{"upc": HEINZ, "quantity": 1, "unit_price": "3.49"}],
    }

    response = post(pos["secret"], "/api/pos/checkout", body)

    assert response.status_code == 200
    assert Basket.objects.filter(basket_id="POS:S01:T-1").exists()


def test_a_return_with_a_far_offset_is_recorded(pos):
    sale = {
        "transaction_id": "T-1",
        "store": "S01",
        "purchased_at": "2026-03-05T10:00:00",
        "lines": [{"upc": HEINZ, "quantity": 2, "unit_price": "3.49"}],
    }
    assert post(pos["secret"], "/api/pos/checkout", sale).status_code == 200
    back = {
        "transaction_id": "R-1",
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T10:00:00+18:00",
        "lines": [{"upc": HEINZ, "quantity": 1}],
    }

    response = post(pos["secret"], "/api/pos/return", back)

    assert response.status_code == 200
    assert PosTransaction.objects.filter(kind="return").count() == 1
