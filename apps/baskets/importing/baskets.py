"""Import baskets.csv: one row per scanned line; baskets are built from their rows.

The hot path. Python validates each row (per-value caches make repeats nearly free) and
streams it to COPY; PostgreSQL then does the rest set-based: group rows into baskets,
reject baskets whose rows disagree (or whose totals overflow), skip baskets already
loaded, create unknown stores and cards, and insert baskets and their lines in one
statement. The totals and the insert are apps.baskets.services', the one writer of baskets,
which the checkout shares.
"""

from __future__ import annotations

import csv
from operator import itemgetter
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.baskets.importing import values
from apps.baskets.importing.bulk_indexes import indexes_rebuilt_after, worth_rebuilding
from apps.baskets.importing.result import FileResult
from apps.baskets.importing.staging import (
    COPY_BATCH_ROWS,
    DROP_STAGE_SQL,
    CopyBuffer,
    Header,
    copy_text,
    csv_line,
    is_id,
    quoted,
    quoted_record,
    reject_line,
)
from apps.baskets.services import (
    BASKET_TOTALS_SQL,
    POS_BASKET_ID_PREFIX,
    baskets_insert_staged,
    is_pos_basket_id,
)

COLUMNS = (
    "basket_id",
    "card_number",
    "store",
    "purchased_at",
    "upc",
    "quantity",
    "amount",
    "discount",
)
OPTIONAL: tuple[str, ...] = ()
# Data columns between `line` and `reason` in the staging table.
WIDTH = 8
MAX_LENGTH = {"basket_id": 64, "card_number": 32, "store": 32}

STAGE_SQL = """
CREATE TEMP TABLE pos_stage (
    line integer NOT NULL,
    basket_id text,
    card_number text,          -- '' for an anonymous shopper
    store text,
    purchased_at timestamptz,
    product_id bigint,
    quantity numeric(10, 3),
    amount numeric(12, 2),
    discount numeric(12, 2),
    reason text,               -- NULL for a good row
    raw text                   -- the row as CSV, for rejects only
) ON COMMIT DROP
"""
COPY_SQL = "COPY pos_stage FROM STDIN"
PRODUCTS_SQL = "SELECT upc, id FROM catalog_product"

DROP_BASKETS_SQL = "DROP TABLE IF EXISTS pos_stage_baskets"
# Basket.total_amount and total_discount are numeric(12,2): each line may be valid and their
# sum still not fit (found by tests/fuzz).
MAX_TOTAL = "9999999999.99"
# One row per basket in the file, from its good rows; `problem` ('' when none) is why all
# its rows are rejected. Comparisons in the "C" collation: byte order is all that equality
# needs, and it is much cheaper than a linguistic one.
#
# `already`: loaded before. A join to the baskets the file names, not a correlated EXISTS:
# Citus runs no correlated subquery over a distributed table from a query on a local one;
# it runs the IN list first and sends it to every shard (docs/scale.md).
BASKETS_SQL = f"""
CREATE TEMP TABLE pos_stage_baskets ON COMMIT DROP AS
WITH loaded AS MATERIALIZED (
    SELECT DISTINCT basket_id FROM baskets_basket
    WHERE basket_id IN (SELECT basket_id FROM pos_stage WHERE reason IS NULL)
)
SELECT g.*,
       loaded.basket_id IS NOT NULL AS already,
       CASE
           WHEN g.disagree <> ''
           THEN 'rows of basket ' || quote_literal(g.basket_id) || ' disagree on ' || g.disagree
           WHEN g.total_amount > {MAX_TOTAL} OR g.total_discount > {MAX_TOTAL}
           THEN 'basket ' || quote_literal(g.basket_id) || ' totals more than {MAX_TOTAL}'
           ELSE ''
       END AS problem
FROM (
    SELECT basket_id,
           min(card_number COLLATE "C") COLLATE "default" AS card_number,
           min(store COLLATE "C") COLLATE "default" AS store,
           min(purchased_at) AS purchased_at,
           {BASKET_TOTALS_SQL},
           concat_ws(', ',
               CASE WHEN min(card_number COLLATE "C") <> max(card_number COLLATE "C")
                    THEN 'card_number' END,
               CASE WHEN min(store COLLATE "C") <> max(store COLLATE "C") THEN 'store' END,
               CASE WHEN min(purchased_at) <> max(purchased_at) THEN 'purchased_at' END
           ) AS disagree
    FROM pos_stage
    WHERE reason IS NULL
    GROUP BY basket_id
) g
LEFT JOIN loaded ON loaded.basket_id = g.basket_id
"""
PROBLEM_COUNT_SQL = "SELECT count(*) FROM pos_stage_baskets WHERE problem <> ''"
# Which of a basket's rows would be right is unknowable, so all of them are rejected.
PROBLEM_SQL = """
UPDATE pos_stage s
SET reason = b.problem
FROM pos_stage_baskets b
WHERE b.problem <> '' AND s.basket_id = b.basket_id AND s.reason IS NULL
"""
# Cards are handed out at the till before the member's form is filed; stores open. The
# anti-join is a LEFT JOIN … IS NULL: Citus refuses an INSERT … SELECT from the stage with a
# correlated NOT EXISTS on a reference table (docs/scale.md).
NEW_STORES_SQL = """
INSERT INTO baskets_store (code, name, city)
SELECT DISTINCT b.store, '', ''
FROM pos_stage_baskets b
LEFT JOIN baskets_store s ON s.code = b.store
WHERE b.problem = '' AND NOT b.already AND s.id IS NULL
ON CONFLICT (code) DO NOTHING
"""
# A card seen before its form is filed consents to nothing (the columns' database default):
# no form, no consent, whatever the chain's import default (CRM_IMPORT_CONSENT_DEFAULT,
# for members.csv's rows). The form's members.csv row, when it comes, sets the consents.
NEW_MEMBERS_SQL = """
INSERT INTO members_member (
    card_number, first_name, last_name, email, phone, postal_code,
    status, created_at, updated_at
)
SELECT DISTINCT b.card_number, '', '', '', '', '', 'active', now(), now()
FROM pos_stage_baskets b
LEFT JOIN members_member m ON m.card_number = b.card_number
WHERE b.card_number <> '' AND b.problem = '' AND NOT b.already AND m.id IS NULL
ON CONFLICT (card_number) DO NOTHING
"""
NEW_LINES_SQL = """
SELECT coalesce(sum(line_count), 0) FROM pos_stage_baskets WHERE problem = '' AND NOT already
"""


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


def stage_rows(*, buffer: CopyBuffer, stream: IO[str], header: Header, products: dict) -> int:
    """Validate every row and stream it into pos_stage; return the number of rows read.

    The loop is the import's hot path, so it is written out by hand: plain lines are
    split without the csv module, values already seen are looked up, not re-parsed.
    """
    local = ZoneInfo(settings.TIME_ZONE)
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


def load(
    *, cursor, path: Path, stream: IO[str], header: Header, buffer_factory, result: FileResult
) -> None:
    """Stage the file's rows, then insert its new baskets and lines set-based."""
    cursor.execute(PRODUCTS_SQL)
    products = dict(cursor.fetchall())
    cursor.execute(DROP_STAGE_SQL)
    cursor.execute(STAGE_SQL)
    with cursor.copy(COPY_SQL) as copy:
        result.rows_read = stage_rows(
            buffer=buffer_factory(copy), stream=stream, header=header, products=products
        )
    cursor.execute("ANALYZE pos_stage")
    cursor.execute(DROP_BASKETS_SQL)
    cursor.execute(BASKETS_SQL)
    cursor.execute("ANALYZE pos_stage_baskets")
    cursor.execute(PROBLEM_COUNT_SQL)
    if cursor.fetchone()[0]:
        cursor.execute(PROBLEM_SQL)
    cursor.execute(NEW_STORES_SQL)
    cursor.execute(NEW_MEMBERS_SQL)
    cursor.execute(NEW_LINES_SQL)
    bulk = worth_rebuilding(
        cursor=cursor, table="baskets_basketline", incoming_rows=cursor.fetchone()[0]
    )
    with (
        indexes_rebuilt_after(cursor=cursor, table="baskets_basketline", enabled=bulk),
        indexes_rebuilt_after(cursor=cursor, table="baskets_basket", enabled=bulk),
    ):
        result.loaded = baskets_insert_staged(cursor=cursor)
    if bulk:
        # Fresh statistics for the queries that follow; autovacuum sets the visibility map
        # (index-only scans) on its own soon after an insert this size.
        cursor.execute("ANALYZE baskets_basketline, baskets_basket")
