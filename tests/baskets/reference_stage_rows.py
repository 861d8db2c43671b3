"""The per-row reader of baskets.csv as it was before the columnar one (issue 22): the oracle
of tests/baskets/test_import_chunks.py. Kept as it ran, so that the columnar reader is held
to the staged rows, line numbers and reasons the importer always gave. Not product code.
"""

# ruff: noqa

from __future__ import annotations

import csv
from operator import itemgetter
from typing import IO
from zoneinfo import ZoneInfo

from apps.baskets.importing import values
from apps.baskets.importing.basket_rows import COLUMNS, MAX_LENGTH, WIDTH
from apps.baskets.importing.staging import (
    COPY_BATCH_ROWS,
    Header,
    copy_text,
    csv_line,
    is_id,
    quoted,
    quoted_record,
    reject_line,
)
from apps.baskets.services import POS_BASKET_ID_PREFIX, is_pos_basket_id


def _head(
    basket_id: str, card: str, store: str, when: str, *, local: ZoneInfo, times: dict
) -> tuple[str | None, list[str]]:
    """Validate the basket columns of a row; return their COPY text, or reasons."""
    reasons: list[str] = []
    fields = {"basket_id": basket_id.strip(), "card_number": card.strip(), "store": store.strip()}
    for name, value in fields.items():
        if not value:
            if name != "card_number":
                reasons.append(f"missing {name}")
        elif len(value) > MAX_LENGTH[name]:
            reasons.append(f"{name} longer than {MAX_LENGTH[name]} characters")
        elif not is_id(value):
            reasons.append(f"bad {name} {quoted(value)}")
        elif name == "basket_id" and is_pos_basket_id(value):
            reasons.append(
                f"basket_id {quoted(value)} starts with {POS_BASKET_ID_PREFIX!r}, which is kept "
                "for baskets the tills send through the POS API: give it another id"
            )
    utc = times.get(when)
    if utc is None:
        try:
            utc = times[when] = values.timestamp(when, local=local)
        except ValueError as exc:
            reasons.append(str(exc))
    if reasons:
        return None, reasons
    text = "\t".join(copy_text(v) for v in fields.values())
    return f"{text}\t{utc}", reasons


def _line_reasons(
    upc: str, qty: str, amount: str, discount: str, *, products: dict[str, int]
) -> tuple[tuple[int, str, str, str] | None, list[str]]:
    """Validate the line columns of a row the fast path could not take."""
    reasons: list[str] = []
    product_id = products.get(upc.strip())
    if product_id is None:
        reasons.append(f"unknown upc {quoted(upc.strip())}" if upc.strip() else "missing upc")
    parsed = []
    for parse, text in (
        (values.quantity, qty),
        (lambda t: values.money(t, field="amount") if t.strip() else _missing("amount"), amount),
        (lambda t: values.money(t, field="discount") if t.strip() else "0", discount),
    ):
        try:
            parsed.append(parse(text))
        except ValueError as exc:
            reasons.append(str(exc))
    if reasons:
        return None, reasons
    return (product_id, *parsed), reasons


def _missing(field: str) -> str:
    raise ValueError(f"missing {field}")


def reference_stage_rows(
    *, buffer, stream: IO[str], header: Header, products: dict, time_zone: str
) -> int:
    """Validate every row and stream it into pos_stage; return the number of rows read.

    The loop is the import's hot path, so it is written out by hand: plain lines are
    split without the csv module, values already seen are looked up, not re-parsed.
    """
    local = ZoneInfo(time_zone)
    pick = itemgetter(*(header.index[c] for c in COLUMNS))
    width = len(header.names)
    out = buffer.lines
    append = out.append
    times: dict[str, str] = {}
    # Values known good, as staged. They repeat a lot: "1", "0.00", shelf prices.
    quantities: dict[str, str] = {}
    amounts: dict[str, str] = {}
    discounts: dict[str, str] = {}
    last = None
    head: str | None = None
    head_reasons: list[str] = []
    rows = 0
    line = 1
    for text in stream:
        line += 1
        if '"' in text:
            start = line
            try:
                row, extra = quoted_record(text, stream)
            except csv.Error as exc:
                line += exc.extra  # type: ignore[attr-defined]
                rows += 1
                append(reject_line(start, WIDTH, [f"malformed CSV: {exc}"], text))
                continue
            line += extra
        else:
            text = text.rstrip("\r\n")
            if not text:
                continue
            row = text.split(",")
            start = line
        rows += 1
        if len(row) != width:
            reason = f"wrong number of fields: expected {width}, found {len(row)}"
            append(reject_line(start, WIDTH, [reason], csv_line(row)))
            continue
        basket_id, card, store, when, upc, qty, amount, discount = pick(row)
        # A basket's rows usually come together: validate its columns once.
        key = (basket_id, card, store, when)
        if key != last:
            last = key
            head, head_reasons = _head(basket_id, card, store, when, local=local, times=times)
        product_id = products.get(upc)
        qty_text = quantities.get(qty)
        amount_text = amounts.get(amount)
        discount_text = discounts.get(discount)
        if (
            head is None
            or product_id is None
            or qty_text is None
            or amount_text is None
            or discount_text is None
        ):
            parsed, reasons = _line_reasons(upc, qty, amount, discount, products=products)
            if head is not None and parsed is not None:
                product_id, qty_text, amount_text, discount_text = parsed
                quantities[qty] = qty_text
                amounts[amount] = amount_text
                discounts[discount] = discount_text
            else:
                append(reject_line(start, WIDTH, head_reasons + reasons, csv_line(row)))
                continue
        append(
            f"{start}\t{head}\t{product_id}\t{qty_text}\t{amount_text}\t{discount_text}\t\\N\t\\N\n"
        )
        if len(out) >= COPY_BATCH_ROWS:
            buffer.flush()
            if len(times) > 1_000_000:
                times.clear()
            if len(amounts) > 1_000_000:
                amounts.clear()
    buffer.close()
    return rows
