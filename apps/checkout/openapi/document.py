"""The POS API's OpenAPI 3.1 document: its operations, description, and the JSON served.

The components (schemas, shared answers) are in components.py.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache

from apps.checkout import validation as v
from apps.checkout.openapi.components import JSON, RESPONSES, SCHEMAS, _json, _ref


def _till_operation(
    *, operation_id: str, summary: str, description: str, request: str, answer: str, errors: str
) -> dict:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref(request)}}},
            "responses": {
                "200": _json(
                    _ref(answer),
                    "Recorded; or the stored answer again, byte for byte, for a repeat of the "
                    "same transaction id with the same body.",
                ),
                "400": _json(_ref(errors), "The body is not a valid request."),
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "409": {"$ref": "#/components/responses/Conflict"},
                "413": {"$ref": "#/components/responses/TooLarge"},
                "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                "503": {"$ref": "#/components/responses/Unavailable"},
            },
        }
    }


DESCRIPTION = f"""\
The tills' API. A till authenticates with its own bearer token (`manage.py \
create_till_token`); a token belongs to one store.

Each request is recorded exactly once per (store, transaction_id): a repeat with the same \
body (key order and whitespace aside) answers the stored answer; with another body, 409. \
Money in answers is a string with 2 decimals. Errors are JSON: `{{"errors": {{field: \
[messages]}}}}` for a 400, `{{"error": message}}` otherwise. Any other method than the \
documented one is a 405 (`components/responses/MethodNotAllowed`, with `Allow`); on the till \
endpoints the token is checked first. Bodies are at most {v.MAX_BODY_BYTES} bytes (413).
"""

SCHEMA: dict = {
    "openapi": "3.1.0",
    "info": {"title": "POS API", "version": "1.0.0", "description": DESCRIPTION},
    "security": [{"tillToken": []}],
    "paths": {
        "/api/pos/checkout": _till_operation(
            operation_id="checkout",
            summary="Record a till transaction and answer its list discounts.",
            description=(
                "A scanned list barcode or card number names the member and list; each of "
                "the list's offers applies at most once per transaction, up to the campaign's "
                "redemptions per member, within its budget, never to a holdout member."
            ),
            request="CheckoutRequest",
            answer="CheckoutAnswer",
            errors="CheckoutErrors",
        ),
        "/api/pos/return": _till_operation(
            operation_id="return",
            summary="Record a return of goods of an earlier sale of the same store.",
            description=(
                "Refunds what was paid for the returned units; an offer whose minimum "
                "quantity the kept goods no longer reach is reversed (its slot freed)."
            ),
            request="ReturnRequest",
            answer="ReturnAnswer",
            errors="ReturnErrors",
        ),
        "/api/pos/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description.",
                "security": [],
                "responses": {
                    "200": _json(
                        {"type": "object", "required": ["openapi", "info", "paths"]},
                        "The OpenAPI 3.1 document.",
                    )
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "tillToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A till token, shown once when it is created.",
            }
        },
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}


def _number(value: Decimal) -> float:
    # Only multipleOf steps are Decimals (0.01, 0.001): their float prints the same digits.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


@cache
def schema_json() -> str:
    """Return the schema as JSON text (readers parse it with decimals to check multipleOf)."""
    return json.dumps(SCHEMA, default=_number, indent=1, ensure_ascii=False)
