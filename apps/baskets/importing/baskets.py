"""Import baskets.csv: one row per scanned line; baskets are built from their rows.

The hot path. Arrow reads the file's plain lines and each rule runs once per distinct
value (`basket_columns`); other rows go through the per-row reader (`basket_rows`); both
stream to COPY. PostgreSQL then does the rest set-based: group rows into baskets,
reject baskets whose rows disagree (or whose totals overflow), skip baskets already
loaded, create unknown stores and cards, and insert baskets and their lines in one
statement. The totals and the insert are apps.baskets.services', the one writer of baskets,
which the checkout shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.baskets.importing.basket_columns import ColumnRules, chunk_rows, copy_text_of
from apps.baskets.importing.basket_groups import (
    COPY_GROUPS_SQL,
    GROUPS_STAGE_SQL,
    MAX_TOTAL,
    BasketGroups,
)
from apps.baskets.importing.basket_rows import COLUMNS, WIDTH, RowStager
from apps.baskets.importing.bulk_constraints import foreign_keys_checked_after
from apps.baskets.importing.bulk_indexes import indexes_rebuilt_after, worth_rebuilding
from apps.baskets.importing.chunks import chunks, read_ahead
from apps.baskets.importing.loaded import HeldRows
from apps.baskets.importing.result import FileResult
from apps.baskets.importing.staging import DROP_STAGE_SQL, CopyBuffer, Header, analyze_stage
from apps.baskets.services import baskets_insert_staged

__all__ = ["COLUMNS", "OPTIONAL", "WIDTH", "load", "stage_rows"]

OPTIONAL: tuple[str, ...] = ()

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

# Both tables of a load's baskets (also dropped after each file: see runner).
DROP_BASKETS_SQL = "DROP TABLE IF EXISTS pos_stage_baskets, pos_stage_groups"
# One row per basket in the file, from its staged good rows grouped in Arrow
# (`basket_groups`: least and greatest card, store and time, sums, a count); `problem`
# ('' when none) is why all its rows are rejected.
#
# `already`: loaded before. A join to the baskets the file names, not a correlated EXISTS:
# Citus runs no correlated subquery over a distributed table from a query on a local one;
# it runs the IN list first and sends it to every shard (docs/scale.md).
BASKETS_SQL = f"""
CREATE TEMP TABLE pos_stage_baskets ON COMMIT DROP AS
WITH loaded AS MATERIALIZED (
    SELECT DISTINCT basket_id FROM baskets_basket
    WHERE basket_id IN (SELECT basket_id FROM pos_stage_groups)
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
           card_least AS card_number,
           store_least AS store,
           time_least AS purchased_at,
           round(amount_cents::numeric / 100, 2) AS total_amount,
           round(discount_cents::numeric / 100, 2) AS total_discount,
           line_count,
           concat_ws(', ',
               CASE WHEN card_least <> card_greatest THEN 'card_number' END,
               CASE WHEN store_least <> store_greatest THEN 'store' END,
               CASE WHEN time_least <> time_greatest THEN 'purchased_at' END
           ) AS disagree
    FROM pos_stage_groups
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


def stage_rows(
    *,
    copies: Callable[[], AbstractContextManager[CopyBuffer]],
    stream: IO[str],
    header: Header,
    products: dict,
    cursor=None,
    groups: BasketGroups | None = None,
) -> int:
    """Validate every row and stream it into pos_stage; return the number of rows read.

    Chunk by chunk, the next one read in a thread while this one is sent: the plain lines
    column by column (`basket_columns`), every other row through the per-row reader
    (`basket_rows`), one COPY per chunk (`copies()` opens one) for both. Given a cursor, the
    rows of baskets loaded before are held back (`loaded`), looked up between COPYs, and
    only those SQL must still judge reach the stage.
    """
    index = tuple(header.index[c] for c in COLUMNS)
    width = len(header.names)
    local = ZoneInfo(settings.TIME_ZONE)
    rules = ColumnRules(products=products, local=local)
    rows = RowStager(width=width, index=index, products=products, local=local)
    held = HeldRows(cursor=cursor) if cursor is not None else None
    groups = groups if groups is not None else BasketGroups()
    read = 0
    for chunk, (good, others) in read_ahead(
        chunks(stream, width=width),
        lambda chunk: chunk_rows(chunk, width=width, index=index, rules=rules, rows=rows),
    ):
        read += len(chunk.plain_lines) + len(chunk.others)
        if held is not None:
            good = held.new_baskets(good, others=others)
        groups.add(good, others=others)
        with copies() as buffer:
            buffer.copy.write(copy_text_of(good))
            buffer.lines.extend(others)
            buffer.flush()
    if held is not None:
        late = held.to_stage()
        groups.add(late)
        with copies() as buffer:
            buffer.copy.write(copy_text_of(late))
            buffer.close()
    return read


def load(
    *, cursor, path: Path, stream: IO[str], header: Header, buffer_factory, result: FileResult
) -> None:
    """Stage the file's rows, then insert its new baskets and lines set-based."""
    cursor.execute(PRODUCTS_SQL)
    products = dict(cursor.fetchall())
    cursor.execute(DROP_STAGE_SQL)
    cursor.execute(STAGE_SQL)

    @contextmanager
    def copies() -> Iterator[CopyBuffer]:
        with cursor.copy(COPY_SQL) as copy:
            yield buffer_factory(copy)

    groups = BasketGroups()
    result.rows_read = stage_rows(
        copies=copies,
        stream=stream,
        header=header,
        products=products,
        cursor=cursor,
        groups=groups,
    )
    analyze_stage(cursor, "pos_stage")
    cursor.execute(DROP_BASKETS_SQL)
    cursor.execute(GROUPS_STAGE_SQL)
    with cursor.copy(COPY_GROUPS_SQL) as copy:
        copy.write(groups.copy_text())
    cursor.execute(BASKETS_SQL)
    analyze_stage(cursor, "pos_stage_baskets")
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
        # Innermost: the keys are checked (one anti-join each) before the indexes are built.
        foreign_keys_checked_after(cursor=cursor, table="baskets_basket", enabled=bulk),
    ):
        result.loaded = baskets_insert_staged(cursor=cursor)
    if bulk:
        # Fresh statistics for the queries that follow; autovacuum sets the visibility map
        # (index-only scans) on its own soon after an insert this size.
        cursor.execute("ANALYZE baskets_basketline, baskets_basket")
