"""Parse and check a checkout request body: every field's error at once, never an exception."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

MAX_LINES = 1000
MAX_QUANTITY = Decimal("1000000")
MAX_PRICE = Decimal("100000000")
# Basket.basket_id is 64 characters: "POS:<store>:<transaction_id>".
BASKET_ID_MAX = 64


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


def basket_id_for(*, store_code: str, transaction_id: str) -> str:
    return f"POS:{store_code}:{transaction_id}"


def _decimal(value, *, places: int, positive: bool, maximum: Decimal) -> tuple[Decimal | None, str]:
    """Return (the value as a Decimal, "") or (None, why not)."""
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
    return number, ""


def parse_checkout(
    body: bytes, *, store_code: str
) -> tuple[CheckoutRequest | None, dict | None, dict[str, list[str]]]:
    """Return (the request, the body as plain JSON, {}) or (None, None, errors by field)."""
    try:
        raw = json.loads(body)
        exact = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return None, None, {"body": ["Malformed JSON."]}
    if not isinstance(exact, dict):
        return None, None, {"body": ["Must be a JSON object."]}

    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    transaction_id = exact.get("transaction_id")
    max_id = BASKET_ID_MAX - len(basket_id_for(store_code=store_code, transaction_id=""))
    if not isinstance(transaction_id, str) or not transaction_id.strip():
        err("transaction_id", "This field is required (a non-empty string).")
    elif len(transaction_id) > max_id:
        err("transaction_id", f"At most {max_id} characters.")

    store = exact.get("store")
    if not isinstance(store, str) or not store.strip():
        err("store", "This field is required (a store code).")
    elif store != store_code:
        err("store", f"This till's token belongs to store {store_code}.")

    scanned = exact.get("scanned")
    if scanned is None:
        scanned = ""
    if not isinstance(scanned, str):
        err("scanned", "Must be a string (a card number or list barcode), possibly empty.")
    elif len(scanned) > 64:
        err("scanned", "At most 64 characters.")

    purchased_at = None
    value = exact.get("purchased_at")
    if not isinstance(value, str) or not value.strip():
        err("purchased_at", "This field is required (an ISO 8601 date-time).")
    else:
        try:
            purchased_at = parse_datetime(value.strip())
        except ValueError:
            purchased_at = None
        if purchased_at is None:
            err("purchased_at", "Not an ISO 8601 date-time.")
        elif timezone.is_naive(purchased_at):
            purchased_at = timezone.make_aware(purchased_at)

    lines: list[CheckoutLine] = []
    raw_lines = exact.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        err("lines", "This field is required (a non-empty list of lines).")
    elif len(raw_lines) > MAX_LINES:
        err("lines", f"At most {MAX_LINES} lines.")
    else:
        for i, line in enumerate(raw_lines):
            prefix = f"lines[{i}]"
            if not isinstance(line, dict):
                err(prefix, "Must be an object with upc, quantity and unit_price.")
                continue
            upc = line.get("upc")
            if not isinstance(upc, str) or not upc.strip():
                err(f"{prefix}.upc", "This field is required (a string).")
            elif len(upc.strip()) > 14:
                err(f"{prefix}.upc", "At most 14 characters.")
            if "quantity" not in line:
                err(f"{prefix}.quantity", "This field is required.")
                quantity = None
            else:
                quantity, why = _decimal(
                    line["quantity"], places=3, positive=True, maximum=MAX_QUANTITY
                )
                if why:
                    err(f"{prefix}.quantity", why)
            if "unit_price" not in line:
                err(f"{prefix}.unit_price", "This field is required.")
                price = None
            else:
                price, why = _decimal(
                    line["unit_price"], places=2, positive=False, maximum=MAX_PRICE
                )
                if why:
                    err(f"{prefix}.unit_price", why)
            if isinstance(upc, str) and quantity is not None and price is not None:
                lines.append(CheckoutLine(upc=upc.strip(), quantity=quantity, unit_price=price))

    if errors:
        return None, None, errors
    return (
        CheckoutRequest(
            transaction_id=transaction_id,
            store=store,
            scanned=scanned.strip(),
            purchased_at=purchased_at,
            lines=tuple(lines),
        ),
        raw,
        {},
    )


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


def parse_return(
    body: bytes, *, store_code: str
) -> tuple[ReturnRequest | None, dict | None, dict[str, list[str]]]:
    """Return (the return, the body as plain JSON, {}) or (None, None, errors by field)."""
    try:
        raw = json.loads(body)
        exact = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return None, None, {"body": ["Malformed JSON."]}
    if not isinstance(exact, dict):
        return None, None, {"body": ["Must be a JSON object."]}
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    max_id = BASKET_ID_MAX - len(basket_id_for(store_code=store_code, transaction_id=""))
    for field in ("transaction_id", "original_transaction_id"):
        value = exact.get(field)
        if not isinstance(value, str) or not value.strip():
            err(field, "This field is required (a non-empty string).")
        elif len(value) > max_id:
            err(field, f"At most {max_id} characters.")
    store = exact.get("store")
    if not isinstance(store, str) or not store.strip():
        err("store", "This field is required (a store code).")
    elif store != store_code:
        err("store", f"This till's token belongs to store {store_code}.")
    returned_at = None
    value = exact.get("returned_at")
    if not isinstance(value, str) or not value.strip():
        err("returned_at", "This field is required (an ISO 8601 date-time).")
    else:
        try:
            returned_at = parse_datetime(value.strip())
        except ValueError:
            returned_at = None
        if returned_at is None:
            err("returned_at", "Not an ISO 8601 date-time.")
        elif timezone.is_naive(returned_at):
            returned_at = timezone.make_aware(returned_at)
    lines: list[ReturnLine] = []
    raw_lines = exact.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        err("lines", "This field is required (a non-empty list of lines).")
    elif len(raw_lines) > MAX_LINES:
        err("lines", f"At most {MAX_LINES} lines.")
    else:
        for i, line in enumerate(raw_lines):
            prefix = f"lines[{i}]"
            if not isinstance(line, dict):
                err(prefix, "Must be an object with upc and quantity.")
                continue
            upc = line.get("upc")
            if not isinstance(upc, str) or not upc.strip():
                err(f"{prefix}.upc", "This field is required (a string).")
            quantity = None
            if "quantity" not in line:
                err(f"{prefix}.quantity", "This field is required.")
            else:
                quantity, why = _decimal(
                    line["quantity"], places=3, positive=True, maximum=MAX_QUANTITY
                )
                if why:
                    err(f"{prefix}.quantity", why)
            if isinstance(upc, str) and upc.strip() and quantity is not None:
                lines.append(ReturnLine(upc=upc.strip(), quantity=quantity))
    if errors:
        return None, None, errors
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
