"""The OpenAPI schema: a valid document, served publicly, and a check that can fail."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from openapi_spec_validator import validate

from apps.checkout.openapi import schema_json
from tests.checkout import schema_check
from tests.checkout.conftest import URL, body, post
from tests.checkout.schema_check import Exchange, SchemaMismatch, check_exchange

OPENAPI_URL = "/api/pos/openapi.json"


def test_the_schema_is_a_valid_openapi_31_document():
    for document in (json.loads(schema_json()), json.loads(schema_json(), parse_float=Decimal)):
        validate(document)  # raises on an invalid document
    assert json.loads(schema_json())["openapi"] == "3.1.0"


def test_the_schema_is_served_to_anyone(db):
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content.decode() == schema_json()


def test_posting_to_the_schema_is_a_json_405(db):
    response = Client().post(OPENAPI_URL, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"error": "GET only."}
    assert response["Allow"] == "GET, HEAD"


def test_every_answer_in_these_tests_is_checked(chain):
    before = schema_check.checked["exchanges"]
    post(chain["secret"], body())
    Client().get(URL)
    assert schema_check.checked["exchanges"] == before + 2


def _exchange(answer: dict | bytes, *, status: int = 200, request: dict | None = None):
    data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    return Exchange(
        method="POST",
        path=URL,
        body=json.dumps(request or body()).encode(),
        content_type="application/json",
        headers={"Authorization": "Bearer x", "Content-Type": "application/json"},
        status_code=status,
        data=data,
        response_headers={"Content-Type": "application/json"},
    )


def _tamper(answer: dict, change: str) -> dict:
    answer = json.loads(json.dumps(answer))
    match change:
        case "total as a number":
            answer["total"] = 10.82
        case "money with 1 decimal":
            answer["lines"][0]["amount"] = "6.2"
        case "an extra key":
            answer["till"] = "Lane 1"
        case "no warnings":
            del answer["warnings"]
        case "member with an extra key":
            answer["member"]["points"] = 3
        case "quantity as a string":
            answer["lines"][0]["quantity"] = "2"
        case "offer id 0":
            answer["redemptions"][0]["offer"] = 0
        case "zero discount redemption":
            answer["redemptions"][0]["discount"] = "0.00"
        case "no lines":
            answer["lines"] = []
    return answer


CHANGES = [
    "total as a number",
    "money with 1 decimal",
    "an extra key",
    "no warnings",
    "member with an extra key",
    "quantity as a string",
    "offer id 0",
    "zero discount redemption",
    "no lines",
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_wrong_answer_fails_the_check(chain, change):
    answer = post(chain["secret"], body()).json()
    check_exchange(_exchange(answer))  # the real answer passes
    with pytest.raises(SchemaMismatch, match="does not describe"):
        check_exchange(_exchange(_tamper(answer, change)))


def test_an_undocumented_status_or_html_error_fails_the_check():
    with pytest.raises(SchemaMismatch):
        check_exchange(_exchange(b"<h1>Bad Request (400)</h1>", status=400))
    with pytest.raises(SchemaMismatch):
        check_exchange(_exchange({"error": "teapot"}, status=418))
    with pytest.raises(SchemaMismatch):  # 400 answers carry "errors", not "error"
        check_exchange(_exchange({"error": "bad"}, status=400))


def test_accepting_a_request_the_schema_rejects_fails_the_check(chain):
    answer = post(chain["secret"], body()).json()
    bad = body(lines=[{"upc": "000000000011", "quantity": 0, "unit_price": "3.49"}])
    with pytest.raises(SchemaMismatch, match="request the schema rejects"):
        check_exchange(_exchange(answer, request=bad))


def test_an_other_method_must_answer_a_json_405_with_allow():
    exchange = _exchange({"error": "POST only."}, status=405)
    exchange.method = "get"
    with pytest.raises(SchemaMismatch, match="Allow"):
        check_exchange(exchange)
    exchange.response_headers["Allow"] = "POST"
    check_exchange(exchange)
