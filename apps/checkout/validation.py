"""Parse and check POS request bodies: every field's error at once, never an exception.

The limits and patterns here are also the OpenAPI schema's (apps/checkout/openapi/ builds
it from them), so what the schema promises and what the server accepts cannot drift apart.
Patterns are written for both Python's `re` and ECMA-262 (JSON Schema's dialect): ASCII
classes, no lookarounds. The server matches them with `re.fullmatch`, stricter than a
JSON Schema `pattern` about a trailing newline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.baskets.services import POS_BASKET_ID_PREFIX, pos_basket_id

MAX_BODY_BYTES = 1024 * 1024  # a body of MAX_LINES lines is about 80 kB
MAX_LINES = 1000
MAX_QUANTITY = Decimal("1000000")
MAX_PRICE = Decimal("100000000")
# Basket.total_amount and BasketLine.amount are numeric(12,2).
MAX_TOTAL = Decimal("10000000000")
# Basket.basket_id is 64 characters: "POS:<store>:<transaction_id>", the store code escaped.
BASKET_ID_MAX = 64
# Till baskets' ids begin with this; the file import refuses basket ids that do, so that an
# imported basket cannot take the id a till transaction will need.
BASKET_ID_PREFIX = POS_BASKET_ID_PREFIX
STORE_CODE_MAX = 32  # Store.code
# The longest id any store allows: the store code has at least one character.
TRANSACTION_ID_MAX = BASKET_ID_MAX - len(f"{BASKET_ID_PREFIX}x:")
SCANNED_MAX = 64
UPC_MAX = 14  # Product.upc

# An id or UPC: printable ASCII without spaces.
PRINTABLE_PATTERN = r"^[!-~]+$"
# Free text (a store code, a scan): anything but NUL, which PostgreSQL text cannot hold.
NO_NUL_PATTERN = r"^[^\u0000]*$"
# ISO 8601 date-time, offset optional (then the site's time zone), years 1970-2999.
DATETIME_PATTERN = (
    r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$"
)
# A quantity as a string: > 0, < 1000000, at most 3 decimals, no leading zeros.
QUANTITY_PATTERN = r"^([1-9][0-9]{0,5}(\.[0-9]{1,3})?|0\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
# A unit price as a string: >= 0, < 100000000, at most 2 decimals, no leading zeros.
PRICE_PATTERN = r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$"

CHECKOUT_FIELDS = (
    "transaction_id", "store", "scanned", "purchased_at", "lines", "points", "certificates",
)  # fmt: skip
MAX_POINTS = 100_000_000
MAX_CERTIFICATES = 20
CERTIFICATE_CODE_MAX = 20  # RebateCertificate.code
CHECKOUT_LINE_FIELDS = ("upc", "quantity", "unit_price")
RETURN_FIELDS = ("transaction_id", "store", "original_transaction_id", "returned_at", "lines")
RETURN_LINE_FIELDS = ("upc", "quantity")


@dataclass(frozen=True)
class CheckoutLine:
    upc: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class CheckoutRequest:
    transaction_id: str
    store: str
    scanned: str
    purchased_at: dt.datetime
    lines: tuple[CheckoutLine, ...]
    # Tenders: points the member pays with, and rebate certificates handed over.
    points: int = 0
    certificates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnLine:
    upc: str
    quantity: Decimal


@dataclass(frozen=True)
class ReturnRequest:
    transaction_id: str
    store: str
    original_transaction_id: str
    returned_at: dt.datetime
    lines: tuple[ReturnLine, ...]


def basket_id_for(*, store_code: str, transaction_id: str) -> str:
    """Return the basket id of a till transaction (apps.baskets.services.pos_basket_id)."""
    return pos_basket_id(store_code=store_code, transaction_id=transaction_id)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


_BAD_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _bad_text(value) -> bool:
    """True when some string (key or value) holds NUL or an unpaired surrogate.

    PostgreSQL text and jsonb cannot store either: the request would fail with a 500.
    """
    if isinstance(value, str):
        return _BAD_TEXT.search(value) is not None
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    return False


def _load(body: bytes) -> tuple[dict | None, dict | None, dict[str, list[str]]]:
    """Return (the body as plain JSON, with exact decimals, {}) or (None, None, errors)."""
    try:
        # NaN and Infinity are not JSON, though Python's parser takes them.
        raw = json.loads(body, parse_constant=_no_constant)
        exact = json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
        bad_text = _bad_text(exact)
    except (ValueError, RecursionError):
        return None, None, {"body": ["Malformed JSON."]}
    if not isinstance(exact, dict):
        return None, None, {"body": ["Must be a JSON object."]}
    if bad_text:
        return None, None, {"body": ["Text must not hold NUL characters or unpaired surrogates."]}
    return raw, exact, {}


def _unknown_keys(obj: dict, allowed: tuple[str, ...]) -> list[str]:
    return [f"Unknown field {key!r}." for key in obj if key not in allowed]


def _decimal(
    value, *, places: int, positive: bool, maximum: Decimal, pattern: str
) -> tuple[Decimal | None, str]:
    """Return (the value as a Decimal, "") or (None, why not).

    A JSON number is taken as it is written (parsed as Decimal, never through float); a
    string must be a plain decimal (`pattern`), so that the schema can say what is accepted.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None, "Must be a number."
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None, "Must be a number."
    if not number.is_finite():
        return None, "Must be a number."
    if positive and number <= 0:
        return None, "Must be greater than zero."
    if number < 0:
        return None, "Must not be negative."
    if number >= maximum:
        return None, f"Must be less than {maximum}."
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return None, f"At most {places} decimal places."
    if isinstance(value, str) and not re.fullmatch(pattern, value):
        return None, "Write it as a plain decimal number, like 12.5 (no spaces or exponent)."
    return abs(number) if number == 0 else number, ""  # no "-0.00" in amounts


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _id(exact: dict, field: str, *, store_code: str, errors: _Errors) -> None:
    max_id = BASKET_ID_MAX - len(basket_id_for(store_code=store_code, transaction_id=""))
    value = exact.get(field)
    if not isinstance(value, str) or not value.strip():
        errors.add(field, "This field is required (a non-empty string).")
        return
    if max_id < 1:
        errors.add(
            field,
            f"This till's store code {store_code!r} is too long to make a basket id from "
            '(":" and "%" count three characters each): ask the office to shorten it.',
        )
    elif len(value) > max_id:
        errors.add(field, f"At most {max_id} characters.")
    if not re.fullmatch(PRINTABLE_PATTERN, value):
        errors.add(field, "Only printable ASCII characters, no spaces.")


def _store(exact: dict, *, store_code: str, errors: _Errors) -> str | None:
    store = exact.get("store")
    if not isinstance(store, str) or not store.strip():
        errors.add("store", "This field is required (a store code).")
        return None
    if store != store_code:
        errors.add("store", f"This till's token belongs to store {store_code}.")
    return store


def _datetime(exact: dict, field: str, *, errors: _Errors) -> dt.datetime | None:
    value = exact.get(field)
    if not isinstance(value, str) or not value.strip():
        errors.add(field, "This field is required (an ISO 8601 date-time).")
        return None
    try:
        parsed = parse_datetime(value) if re.fullmatch(DATETIME_PATTERN, value) else None
    except ValueError:  # a well-formed but impossible date, like February 30
        parsed = None
    if parsed is None:
        errors.add(field, "Not an ISO 8601 date-time.")
        return None
    if timezone.is_naive(parsed):
        return timezone.make_aware(parsed)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (up to ±23:59).
    return parsed.astimezone(dt.UTC)


def _upc(line: dict, prefix: str, *, errors: _Errors) -> str | None:
    upc = line.get("upc")
    if not isinstance(upc, str) or not upc.strip():
        errors.add(f"{prefix}.upc", "This field is required (a string).")
        return None
    if len(upc) > UPC_MAX:
        errors.add(f"{prefix}.upc", f"At most {UPC_MAX} characters.")
    if not re.fullmatch(PRINTABLE_PATTERN, upc):
        errors.add(f"{prefix}.upc", "Only printable ASCII characters, no spaces.")
    return upc


def _number_field(line: dict, field: str, prefix: str, *, errors: _Errors, **rules):
    if field not in line:
        errors.add(f"{prefix}.{field}", "This field is required.")
        return None
    number, why = _decimal(line[field], **rules)
    if why:
        errors.add(f"{prefix}.{field}", why)
    return number


QUANTITY_RULES = {
    "places": 3,
    "positive": True,
    "maximum": MAX_QUANTITY,
    "pattern": QUANTITY_PATTERN,
}
PRICE_RULES = {"places": 2, "positive": False, "maximum": MAX_PRICE, "pattern": PRICE_PATTERN}


def _lines(exact: dict, *, errors: _Errors, allowed: tuple[str, ...], parse_line: Callable):
    raw_lines = exact.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("lines", "This field is required (a non-empty list of lines).")
        return []
    if len(raw_lines) > MAX_LINES:
        errors.add("lines", f"At most {MAX_LINES} lines.")
        return []
    lines = []
    for i, line in enumerate(raw_lines):
        prefix = f"lines[{i}]"
        if not isinstance(line, dict):
            names = f"{', '.join(allowed[:-1])} and {allowed[-1]}"
            errors.add(prefix, f"Must be an object with {names}.")
            continue
        for message in _unknown_keys(line, allowed):
            errors.add(prefix, message)
        parsed = parse_line(line, prefix)
        if parsed is not None:
            lines.append(parsed)
    return lines


def _points(exact: dict, *, errors: _Errors) -> int:
    value = exact.get("points")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POINTS:
        errors.add("points", f"Must be a whole number of points from 1 to {MAX_POINTS:,}.")
        return 0
    return value


def _certificates(exact: dict, *, errors: _Errors) -> tuple[str, ...]:
    value = exact.get("certificates")
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_CERTIFICATES:
        errors.add("certificates", f"Must be a list of at most {MAX_CERTIFICATES} codes.")
        return ()
    codes = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or not code.strip() or len(code) > CERTIFICATE_CODE_MAX:
            errors.add(
                f"certificates[{i}]",
                f"Must be a certificate code of 1 to {CERTIFICATE_CODE_MAX} characters.",
            )
        elif code.strip() in codes:
            errors.add(f"certificates[{i}]", "This certificate is listed twice.")
        else:
            codes.append(code.strip())
    return tuple(codes)


def parse_checkout(
    body: bytes, *, store_code: str
) -> tuple[CheckoutRequest | None, dict | None, dict[str, list[str]]]:
    """Return (the request, the body as plain JSON, {}) or (None, None, errors by field)."""
    raw, exact, problems = _load(body)
    if problems:
        return None, None, problems
    errors = _Errors()
    for message in _unknown_keys(exact, CHECKOUT_FIELDS):
        errors.add("body", message)
    _id(exact, "transaction_id", store_code=store_code, errors=errors)
    store = _store(exact, store_code=store_code, errors=errors)
    scanned = exact.get("scanned")
    if scanned is None:
        scanned = ""
    if not isinstance(scanned, str):
        errors.add("scanned", "Must be a string (a card number or list barcode), possibly empty.")
    elif len(scanned) > SCANNED_MAX:
        errors.add("scanned", f"At most {SCANNED_MAX} characters.")
    purchased_at = _datetime(exact, "purchased_at", errors=errors)
    points = _points(exact, errors=errors)
    certificates = _certificates(exact, errors=errors)

    def parse_line(line: dict, prefix: str) -> CheckoutLine | None:
        upc = _upc(line, prefix, errors=errors)
        quantity = _number_field(line, "quantity", prefix, errors=errors, **QUANTITY_RULES)
        price = _number_field(line, "unit_price", prefix, errors=errors, **PRICE_RULES)
        if upc is None or quantity is None or price is None:
            return None
        return CheckoutLine(upc=upc, quantity=quantity, unit_price=price)

    lines = _lines(exact, errors=errors, allowed=CHECKOUT_LINE_FIELDS, parse_line=parse_line)
    if not errors and sum(line.unit_price * line.quantity for line in lines) >= MAX_TOTAL:
        errors.add("lines", f"The basket's total must be less than {MAX_TOTAL}.")
    if errors:
        return None, None, dict(errors)
    return (
        CheckoutRequest(
            transaction_id=exact["transaction_id"],
            store=store,
            scanned=scanned.strip(),
            purchased_at=purchased_at,
            lines=tuple(lines),
            points=points,
            certificates=certificates,
        ),
        raw,
        {},
    )


def parse_return(
    body: bytes, *, store_code: str
) -> tuple[ReturnRequest | None, dict | None, dict[str, list[str]]]:
    """Return (the return, the body as plain JSON, {}) or (None, None, errors by field)."""
    raw, exact, problems = _load(body)
    if problems:
        return None, None, problems
    errors = _Errors()
    for message in _unknown_keys(exact, RETURN_FIELDS):
        errors.add("body", message)
    for field in ("transaction_id", "original_transaction_id"):
        _id(exact, field, store_code=store_code, errors=errors)
    store = _store(exact, store_code=store_code, errors=errors)
    returned_at = _datetime(exact, "returned_at", errors=errors)

    def parse_line(line: dict, prefix: str) -> ReturnLine | None:
        upc = _upc(line, prefix, errors=errors)
        quantity = _number_field(line, "quantity", prefix, errors=errors, **QUANTITY_RULES)
        if upc is None or quantity is None:
            return None
        return ReturnLine(upc=upc, quantity=quantity)

    lines = _lines(exact, errors=errors, allowed=RETURN_LINE_FIELDS, parse_line=parse_line)
    if errors:
        return None, None, dict(errors)
    return (
        ReturnRequest(
            transaction_id=exact["transaction_id"],
            store=store,
            original_transaction_id=exact["original_transaction_id"],
            returned_at=returned_at,
            lines=tuple(lines),
        ),
        raw,
        {},
    )
