"""Import baskets.csv: one row per scanned line; baskets are built from their rows.

The hot path. Arrow reads the file's plain lines and each rule runs once per distinct
value (`basket_columns`); other rows go through the per-row reader (`basket_rows`). The
good rows of new baskets are COPYed straight into basketline with their basket's reserved
id, member, store and owner (`direct_lines`); only rejects, and rows of baskets loaded
before that SQL must still judge (`loaded`), reach the stage. At the end (`direct_load`)
the baskets are grouped, judged (rows that disagree, totals that overflow) and inserted set-
based, and the lines of a basket rejected at the end are deleted. The writes are
apps.baskets.services', the one writer of baskets, which the checkout shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.baskets.importing.basket_columns import ColumnRules, chunk_rows, copy_text_of
from apps.baskets.importing.basket_rows import COLUMNS, WIDTH, RowStager
from apps.baskets.importing.bulk_constraints import foreign_keys_checked_after
from apps.baskets.importing.bulk_indexes import indexes_rebuilt_after
from apps.baskets.importing.chunks import chunks, read_ahead
from apps.baskets.importing.direct_lines import DirectLines
from apps.baskets.importing.direct_load import LineIndexes, insert_baskets, write_rows
from apps.baskets.importing.result import FileResult
from apps.baskets.importing.staging import DROP_STAGE_SQL, CopyBuffer, Header, analyze_stage

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


def stage_rows(
    *,
    copies: Callable[[], AbstractContextManager[CopyBuffer]],
    stream: IO[str],
    header: Header,
    products: dict,
) -> int:
    """Validate every row and stream it, good or rejected, into COPY; return the rows read.

    The reader's whole output as staged text, the form the oracle test
    (tests/baskets/test_import_chunks.py) compares with the per-row reader's. `load` reads
    with the same `chunk_rows` and writes the good rows through `direct_load.write_rows`.
    """
    index = tuple(header.index[c] for c in COLUMNS)
    width = len(header.names)
    local = ZoneInfo(settings.TIME_ZONE)
    rules = ColumnRules(products=products, local=local)
    rows = RowStager(width=width, index=index, products=products, local=local)
    read = 0
    for chunk, (good, others) in read_ahead(
        chunks(stream, width=width),
        lambda chunk: chunk_rows(chunk, width=width, index=index, rules=rules, rows=rows),
    ):
        read += len(chunk.plain_lines) + len(chunk.others)
        with copies() as buffer:
            buffer.copy.write(copy_text_of(good))
            buffer.lines.extend(others)
            buffer.flush()
    return read


def load(
    *, cursor, path: Path, stream: IO[str], header: Header, buffer_factory, result: FileResult
) -> None:
    """Write the file's new baskets' lines as they are read, then insert the baskets."""
    cursor.execute(PRODUCTS_SQL)
    products = dict(cursor.fetchall())
    cursor.execute(DROP_STAGE_SQL)
    cursor.execute(STAGE_SQL)

    @contextmanager
    def copies() -> Iterator[CopyBuffer]:
        with cursor.copy(COPY_SQL) as copy:
            yield buffer_factory(copy)

    lines = DirectLines(cursor=cursor)
    with ExitStack() as stack:
        line_indexes = LineIndexes(cursor=cursor, stack=stack)
        result.rows_read = write_rows(
            cursor=cursor,
            copies=copies,
            stream=stream,
            header=header,
            products=products,
            lines=lines,
            bulk_lines=line_indexes,
        )
        analyze_stage(cursor, "pos_stage")
        cursor.execute(DROP_BASKETS_SQL)
        if line_indexes.enabled:
            stack.enter_context(indexes_rebuilt_after(cursor=cursor, table="baskets_basket"))
            # Entered last, so left first: the keys are checked (one anti-join each)
            # before the indexes are built.
            stack.enter_context(foreign_keys_checked_after(cursor=cursor, table="baskets_basket"))
        result.loaded = insert_baskets(cursor=cursor, lines=lines)
    if line_indexes.enabled:
        # Fresh statistics for the queries that follow; autovacuum sets the visibility map
        # (index-only scans) on its own soon after an insert this size.
        cursor.execute("ANALYZE baskets_basketline, baskets_basket")
