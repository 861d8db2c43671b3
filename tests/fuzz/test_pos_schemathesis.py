"""Schemathesis against the POS API's served OpenAPI schema, through the WSGI application.

Requests are generated from the schema (valid ones and, in negative mode, ones it rejects),
half of the checkout bodies steered onto the till's store and the real catalog so that
they get past validation, and sent with the till's bearer token. Every answer must be no
server error, have a documented status, and match the documented body.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import event
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from apps.baskets.models import Basket, BasketSource
from apps.checkout.models import PosTransaction
from apps.checkout.openapi import schema_json
from tests.fuzz.conftest import BARCODE, CARD, HEINZ, MILK, OWN
from tests.fuzz.known import known_pos_failure
from tests.fuzz.profiles import fuzz_settings

SCHEMA_URL = "/api/pos/openapi.json"
SQUATTED = "SQUAT-1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


class InTransactionWSGI:
    """Django's WSGI handler, kept inside the test's transaction like Django's test client.

    A bare WSGIHandler closes "old" connections when a request starts and ends, which
    inside a test transaction would roll it back; the response is read out while that is off.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


def flatmap_body(context, body):
    """Steer most bodies past validation: the till's store, real UPCs, cards and sales.

    Left alone, nearly every schema-valid body is refused for the store (only the token's
    store is accepted) or a total beyond the limit, and no return names a real sale. Only
    schema-valid bodies are steered (into other valid ones): a negative case stays as
    schemathesis made it, or `negative_data_rejection` would judge a repaired body.
    """
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list):
        return st.just(body)
    if not schema_valid(context.operation.path, body):
        return st.just(body)
    if context.operation.path == "/api/pos/checkout":
        return st.tuples(st.sampled_from(["none", "head", "all", "squat"]), checkout_steering).map(
            lambda choice: steer_checkout(body, choice[0], *choice[1])
        )
    return st.tuples(st.booleans(), st.integers(0, 10**6)).map(
        lambda choice: steer_return(body, *choice)
    )


def schema_valid(path: str, body: dict) -> bool:
    """Whether the body is a valid request of the operation (numbers read as decimals)."""
    name = {"/api/pos/checkout": "CheckoutRequest", "/api/pos/return": "ReturnRequest"}[path]
    try:
        exact = json.loads(json.dumps(body), parse_float=Decimal)
        return VALIDATORS[name].is_valid(exact)
    except (ValueError, ArithmeticError):  # NaN, or a multipleOf beyond decimal precision
        return False


checkout_steering = st.tuples(
    st.sampled_from([CARD, BARCODE, "", None, "999"]),
    st.lists(
        st.tuples(
            st.sampled_from([HEINZ, OWN, MILK]),
            st.sampled_from([1, 2, "1.5", 0.25, "3"]),
            st.sampled_from(["3.49", "1.99", 2, "0", 0.5]),
        ),
        min_size=1,
        max_size=4,
    ),
)


def steer_checkout(body: dict, how: str, scanned, lines: list) -> dict:
    if how == "none":
        return body
    if how == "squat":  # the id whose basket an import took (fixture `squatter`): a 409
        return {**steer_checkout(body, "all", scanned, lines), "transaction_id": SQUATTED}
    steered = {**body, "store": "S01", "scanned": scanned}
    when = steered.get("purchased_at")
    if isinstance(when, str) and len(when) >= 19:
        steered["purchased_at"] = "2026-03-05T10:00:00" + when[19:]
    if how == "all":
        steered["lines"] = [{"upc": u, "quantity": q, "unit_price": p} for u, q, p in lines]
    return steered


def steer_return(body: dict, steer: bool, pick: int) -> dict:
    """Name a sale this test recorded, and return one unit of its first line."""
    sales = list(
        PosTransaction.objects.filter(kind="sale").order_by("pk").values_list("request", flat=True)
    )
    if not steer or not sales:
        return body
    sale = sales[pick % len(sales)]
    line = sale["lines"][0]
    return {
        **body,
        "store": "S01",
        "original_transaction_id": sale["transaction_id"],
        "lines": [{"upc": line["upc"], "quantity": 1}],
    }


# The document the server serves (`GET /api/pos/openapi.json`), as text: the test below
# checks that the served bytes are these. Loaded when the module is, for parametrize.
SERVED = schema_json()
schema = schemathesis.openapi.from_dict(json.loads(SERVED))
_EXACT = json.loads(SERVED, parse_float=Decimal)
VALIDATORS = {
    name: Draft202012Validator({"$ref": f"#/components/schemas/{name}", **_EXACT})
    for name in ("CheckoutRequest", "ReturnRequest")
}
schema.app = InTransactionWSGI()
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    with_security_parameters=False,
)
schema.hook(flatmap_body)


def filter_body(context, body) -> bool:
    return known_pos_failure(body) is None


schema.hook(filter_body)


@pytest.fixture
def wsgi_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host


def test_the_fuzzed_schema_is_the_served_one(db, wsgi_host):
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response.content.decode() == SERVED


@pytest.fixture
def sales(pos) -> None:
    """Two sales for the returns to name."""
    for number, scanned in enumerate([CARD, ""]):
        body = {
            "transaction_id": f"SALE-{number}",
            "store": "S01",
            "scanned": scanned,
            "purchased_at": "2026-03-05T10:00:00",
            "lines": [
                {"upc": HEINZ, "quantity": 2, "unit_price": "3.49"},
                {"upc": OWN, "quantity": 1, "unit_price": "1.99"},
            ],
        }
        response = Client().post(
            "/api/pos/checkout",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {pos['secret']}"},
        )
        assert response.status_code == 200


@pytest.fixture
def squatter(pos) -> None:
    """A basket loaded from a file under the id till S01's transaction SQUAT-1 needs (before
    the import refused the POS: prefix): that transaction is a 409, never a 500."""
    Basket.objects.create(
        basket_id=f"POS:S01:{SQUATTED}",
        store=pos["store"],
        purchased_at=dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC),
        source=BasketSource.IMPORT,
    )


@schema.parametrize()
@fuzz_settings(60)
def test_pos_api_answers_as_documented(case, pos, sales, squatter, wsgi_host):
    headers = {"Authorization": f"Bearer {pos['secret']}"}
    if case.operation.path == SCHEMA_URL:
        headers = {}
    response = case.call(headers=headers)
    event(f"{case.operation.path} → {response.status_code}")
    case.validate_response(response, checks=CHECKS, headers=headers)
    if response.status_code == 200 and case.operation.path != SCHEMA_URL:
        assert json.loads(response.content)["transaction_id"] == case.body["transaction_id"]
