"""The POS API's components: field, request, answer and error schemas, shared answers.

Every limit and pattern is a constant of apps/checkout/validation.py, the one the server
checks with, so the schema cannot promise a limit the server does not hold.
"""

from __future__ import annotations

from decimal import Decimal

from apps.checkout import validation as v

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: list[str], properties: dict, **extra) -> dict:
    """A closed object: the server rejects (requests) or never sends (answers) other keys."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
        **extra,
    }


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _field_names(fields: tuple[str, ...], line_fields: tuple[str, ...]) -> str:
    """The keys of a 400 answer's `errors`: a field, `lines[3]`, `lines[3].upc` or (a sale)
    `certificates[0]`."""
    items = "certificates\\[[0-9]+\\]|" if "certificates" in fields else ""
    return f"^(body|{'|'.join(fields)}|{items}lines\\[[0-9]+\\](\\.({'|'.join(line_fields)}))?)$"


MONEY = r"[0-9]{1,10}\.[0-9]{2}"  # numeric(12,2)

SCHEMAS: dict = {
    "TransactionId": {
        "type": "string",
        "minLength": 1,
        "maxLength": v.TRANSACTION_ID_MAX,
        "pattern": v.PRINTABLE_PATTERN,
        "description": (
            "Printable ASCII, no spaces; unique per store (sales and returns share the ids). "
            f'At most {v.BASKET_ID_MAX} − len("POS:<store>:") characters, where a ":" or "%" '
            'of the store code counts three (it is written "%3A" or "%25"): '
            f"{v.TRANSACTION_ID_MAX} for a one-character store code, 56 for S01."
        ),
    },
    "StoreCode": {
        "type": "string",
        "minLength": 1,
        "maxLength": v.STORE_CODE_MAX,
        "pattern": v.NO_NUL_PATTERN,
        "description": "The code of the till token's store; another store is a 400.",
    },
    "DateTime": {
        "type": "string",
        "pattern": v.DATETIME_PATTERN,
        "description": (
            "ISO 8601 date-time; without an offset it is read in the site's time zone. "
            "An impossible date (February 30) is a 400."
        ),
        "examples": ["2026-03-05T10:00:00-06:00", "2026-03-05T10:00:00"],
    },
    "Upc": {
        "type": "string",
        "minLength": 1,
        "maxLength": v.UPC_MAX,
        "pattern": v.PRINTABLE_PATTERN,
    },
    "Quantity": {
        "description": "Greater than zero, at most 3 decimals (weighed goods).",
        "anyOf": [
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "exclusiveMaximum": int(v.MAX_QUANTITY),
                "multipleOf": Decimal("0.001"),
            },
            {"type": "string", "pattern": v.QUANTITY_PATTERN},
        ],
    },
    "UnitPrice": {
        "description": "Zero or more, at most 2 decimals; a string is preferred.",
        "anyOf": [
            {
                "type": "number",
                "minimum": 0,
                "exclusiveMaximum": int(v.MAX_PRICE),
                "multipleOf": Decimal("0.01"),
            },
            {"type": "string", "pattern": v.PRICE_PATTERN},
        ],
    },
    "CheckoutRequest": _object(
        ["transaction_id", "store", "purchased_at", "lines"],
        {
            "transaction_id": _ref("TransactionId"),
            "store": _ref("StoreCode"),
            "scanned": {
                "type": ["string", "null"],
                "maxLength": v.SCANNED_MAX,
                "pattern": v.NO_NUL_PATTERN,
                "description": (
                    "A list barcode or card number; empty, null or absent for an anonymous "
                    "basket. Unknown: recorded anonymous, with a warning."
                ),
            },
            "purchased_at": _ref("DateTime"),
            "points": {
                "type": "integer",
                "minimum": 1,
                "maximum": v.MAX_POINTS,
                "description": (
                    "Points the member pays with (1 point = CRM_POINT_VALUE_CENTS cents), "
                    "after the certificates; within their balance and what is left to pay, "
                    "or the whole request is refused (400, nothing recorded)."
                ),
            },
            "certificates": {
                "type": "array",
                "maxItems": v.MAX_CERTIFICATES,
                "uniqueItems": True,
                "items": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": v.CERTIFICATE_CODE_MAX,
                    "pattern": v.NO_NUL_PATTERN,
                },
                "description": (
                    "Codes of the member's rebate certificates handed over, each used whole "
                    "and once (no change). One that cannot be used refuses the request."
                ),
            },
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": v.MAX_LINES,
                "items": _object(
                    list(v.CHECKOUT_LINE_FIELDS),
                    {
                        "upc": _ref("Upc"),
                        "quantity": _ref("Quantity"),
                        "unit_price": _ref("UnitPrice"),
                    },
                ),
                "description": (
                    "A UPC not in the catalog is recorded with the transaction and flagged by "
                    f"a warning. The sum of unit_price × quantity must be below {v.MAX_TOTAL}."
                ),
            },
        },
    ),
    "ReturnRequest": _object(
        list(v.RETURN_FIELDS),
        {
            "transaction_id": _ref("TransactionId"),
            "store": _ref("StoreCode"),
            "original_transaction_id": _ref("TransactionId"),
            "returned_at": _ref("DateTime"),
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": v.MAX_LINES,
                "items": _object(
                    list(v.RETURN_LINE_FIELDS),
                    {"upc": _ref("Upc"), "quantity": _ref("Quantity")},
                ),
            },
        },
    ),
    "Money": {"type": "string", "pattern": f"^{MONEY}$", "examples": ["6.23", "0.00"]},
    "PositiveMoney": {
        "type": "string",
        "pattern": r"^([1-9][0-9]{0,9}\.[0-9]{2}|0\.([1-9][0-9]|0[1-9]))$",
    },
    "SignedMoney": {
        "type": "string",
        "pattern": f"^-?{MONEY}$",
        "description": (
            "Negative when the kept goods lose an offer worth more than what is returned."
        ),
    },
    "AnswerQuantity": {
        "type": "number",
        "exclusiveMinimum": 0,
        "exclusiveMaximum": int(v.MAX_QUANTITY),
        "multipleOf": Decimal("0.001"),
    },
    "Id": {"type": "integer", "minimum": 1},
    "Member": _object(
        ["card_number", "first_name"],
        {
            "card_number": {"type": "string", "minLength": 1, "maxLength": 32},
            "first_name": {"type": "string", "maxLength": 80},
        },
    ),
    "Redemption": _object(
        ["offer", "campaign", "upc", "discount", "bonus_points", "manufacturer_share"],
        {
            "offer": _ref("Id"),
            "campaign": _ref("Id"),
            "upc": _ref("Upc"),
            "discount": {
                **_ref("PositiveMoney"),
                "description": "What the offer gave: the amount off, or the bonus points' worth.",
            },
            "bonus_points": {
                "type": "integer",
                "minimum": 0,
                "description": "A bonus-points offer: the points it gave (0: an amount off).",
            },
            "manufacturer_share": _ref("Money"),
        },
    ),
    "Warnings": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "PointsEarned": _object(
        ["earned", "bonus", "balance"],
        {
            "earned": {
                "type": "integer",
                "minimum": 0,
                "description": "Points the sale earned, bonus points included (0 when "
                "replayed: it earned once).",
            },
            "bonus": {
                "type": "integer",
                "minimum": 0,
                "description": "Of them, the points of bonus-points offers.",
            },
            "balance": {"type": "integer", "description": "The member's balance after it."},
        },
    ),
    "PointsReversed": _object(
        ["reversed", "balance"],
        {
            "reversed": {
                "type": "integer",
                "minimum": 0,
                "description": "Points the returned goods had earned, taken back (with the "
                "bonus points of offers the kept goods no longer reach).",
            },
            "balance": {
                "type": "integer",
                "description": "The balance after it: negative when those points were spent "
                "(the member's next points settle it first).",
            },
        },
    ),
    "TendersTaken": _object(
        ["points", "points_value", "certificates", "to_pay"],
        {
            "points": {"type": "integer", "minimum": 0, "description": "Points spent."},
            "points_value": _ref("Money"),
            "certificates": {
                "type": "array",
                "items": _object(
                    ["code", "amount"],
                    {"code": {"type": "string", "minLength": 1}, "amount": _ref("PositiveMoney")},
                ),
            },
            "to_pay": {**_ref("Money"), "description": "The total less points and certificates."},
        },
    ),
    "TendersGivenBack": _object(
        ["cash", "points", "certificates"],
        {
            "cash": {**_ref("SignedMoney"), "description": "The refund paid in money."},
            "points": {
                "type": "integer",
                "minimum": 0,
                "description": "Spent points given back: the returned goods' share of them.",
            },
            "certificates": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Certificates given back (once the whole sale is returned).",
            },
        },
    ),
    "CheckoutAnswer": _object(
        [
            "transaction_id",
            "member",
            "list_barcode",
            "lines",
            "total",
            "discount_total",
            "redemptions",
            "tenders",
            "points",
            "warnings",
        ],
        {
            "transaction_id": _ref("TransactionId"),
            "member": {"oneOf": [_ref("Member"), {"type": "null"}]},
            "list_barcode": {"type": ["string", "null"], "minLength": 1, "maxLength": 24},
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": v.MAX_LINES,
                "items": _object(
                    ["upc", "quantity", "amount", "discount", "offer"],
                    {
                        "upc": _ref("Upc"),
                        "quantity": _ref("AnswerQuantity"),
                        "amount": _ref("Money"),
                        "discount": _ref("Money"),
                        "offer": {"oneOf": [_ref("Id"), {"type": "null"}]},
                    },
                ),
            },
            "total": _ref("Money"),
            "discount_total": _ref("Money"),
            "redemptions": {"type": "array", "maxItems": v.MAX_LINES, "items": _ref("Redemption")},
            "tenders": _ref("TendersTaken"),
            "points": {"oneOf": [_ref("PointsEarned"), {"type": "null"}]},
            "warnings": _ref("Warnings"),
        },
    ),
    "ReturnAnswer": _object(
        [
            "transaction_id",
            "original_transaction_id",
            "lines",
            "refund_total",
            "reversed",
            "tenders",
            "points",
            "warnings",
        ],
        {
            "transaction_id": _ref("TransactionId"),
            "original_transaction_id": _ref("TransactionId"),
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": v.MAX_LINES,
                "items": _object(
                    ["upc", "quantity", "refund"],
                    {
                        "upc": _ref("Upc"),
                        "quantity": _ref("AnswerQuantity"),
                        "refund": _ref("SignedMoney"),
                    },
                ),
            },
            "refund_total": _ref("SignedMoney"),
            "tenders": _ref("TendersGivenBack"),
            "reversed": {"type": "array", "maxItems": v.MAX_LINES, "items": _ref("Redemption")},
            "points": {"oneOf": [_ref("PointsReversed"), {"type": "null"}]},
            "warnings": _ref("Warnings"),
        },
    ),
    "Error": _object(["error"], {"error": {"type": "string", "minLength": 1}}),
}


def _errors_schema(fields: tuple[str, ...], line_fields: tuple[str, ...]) -> dict:
    return _object(
        ["errors"],
        {
            "errors": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": _field_names(fields, line_fields)},
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                },
                "description": "Every error at once, by field; nothing was recorded.",
                "examples": [{"lines[0].quantity": ["Must be greater than zero."]}],
            }
        },
    )


SCHEMAS["CheckoutErrors"] = _errors_schema(v.CHECKOUT_FIELDS, v.CHECKOUT_LINE_FIELDS)
SCHEMAS["ReturnErrors"] = _errors_schema(v.RETURN_FIELDS, v.RETURN_LINE_FIELDS)

RESPONSES = {
    "Unauthorized": _json(
        _ref("Error"),
        "No till token, or a wrong or revoked one. Checked before anything else.",
        {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
    ),
    "MethodNotAllowed": _json(
        _ref("Error"),
        "Any method but the documented one (after the token check on till endpoints).",
        {"Allow": {"required": True, "schema": {"type": "string"}}},
    ),
    "Conflict": _json(
        _ref("Error"),
        "The transaction id was already used with another body; or the basket id it needs "
        "(POS:<store>:<transaction_id>) belongs to a basket loaded from a file. Nothing was "
        "recorded, and the same request gets the same answer again.",
    ),
    "TooLarge": _json(_ref("Error"), f"The body is longer than {v.MAX_BODY_BYTES} bytes."),
    "UnsupportedMediaType": _json(_ref("Error"), "The Content-Type is not application/json."),
    # Answered by crm_site's handler500 (apps/accounts/errors.py) when PostgreSQL is lost.
    "Unavailable": _json(
        _ref("Error"),
        "The database is unavailable; nothing was recorded. Send the same request again "
        "after Retry-After seconds.",
        {"Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
    ),
}
