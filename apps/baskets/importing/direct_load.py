"""Load baskets.csv writing its lines straight into basketline (`direct_lines`).

The stage (`pos_stage`) keeps only what the reports need: rejected rows, the rows of baskets
loaded before that SQL must still judge (`loaded.HeldRows`, as on the staged path), and, at
the end, the rows of a new basket whose rows turned out to disagree or overflow. Those
baskets' lines, already written, are deleted again, and so are those of a basket a
concurrent import inserted first, with the cards and stores created only for them. The
baskets themselves are inserted at the end from their Arrow groups, with the ids their lines
already carry. All in the file's one transaction: a failure leaves nothing behind.

Large loads drop and rebuild the secondary indexes (`bulk_indexes`), decided as the rows
arrive: the first chunk of a large file already passes the threshold, before its COPY.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from psycopg.copy import QueuedLibpqWriter

from apps.baskets.importing.basket_columns import (
    ColumnRules,
    chunk_rows,
    copy_text_of,
    copy_text_of_columns,
)
from apps.baskets.importing.basket_groups import MAX_TOTAL, table_of_lines
from apps.baskets.importing.basket_rows import COLUMNS, RowStager, good_row_fields
from apps.baskets.importing.bulk_indexes import indexes_rebuilt_after, worth_rebuilding
from apps.baskets.importing.chunks import chunks, read_ahead
from apps.baskets.importing.direct_lines import DirectLines, owners
from apps.baskets.importing.loaded import HeldRows
from apps.baskets.importing.staging import CopyBuffer, Header, analyze_stage
from apps.baskets.services import (
    IMPORT_LINES_COPY_SQL,
    baskets_insert_grouped,
    lines_delete,
)
from apps.core.pgcopy import driver_cursor

GROUPS_STAGE_SQL = """
CREATE TEMP TABLE pos_stage_groups (
    basket_id text,
    card_least text, card_greatest text,
    store_least text, store_greatest text,
    time_least timestamptz, time_greatest timestamptz,
    amount_cents float8, discount_cents float8,
    line_count bigint,
    id bigint,          -- the id its lines carry; NULL for a basket loaded before
    member_id bigint, store_id bigint, owner_id bigint
) ON COMMIT DROP
"""
# One row per basket in the file, from its rows grouped in Arrow (`basket_groups`: least
# and greatest card, store and time, sums, a count) with the ids `group_ids` adds; `problem`
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
    SELECT basket_id, id, member_id, store_id, owner_id,
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
# Which of a basket's rows would be right is unknowable, so all of them are rejected.
PROBLEM_SQL = """
UPDATE pos_stage s
SET reason = b.problem
FROM pos_stage_baskets b
WHERE b.problem <> '' AND s.basket_id = b.basket_id AND s.reason IS NULL
"""
WHERE_COPY_SQL = "COPY pos_stage (line, basket_id) FROM STDIN"
REJECTED_NEW_SQL = """
SELECT basket_id, id FROM pos_stage_baskets WHERE problem <> '' AND id IS NOT NULL
"""
GOOD_NEW_SQL = """
SELECT count(*) FROM pos_stage_baskets WHERE problem = '' AND id IS NOT NULL
"""
GOOD_IDS_SQL = "SELECT id FROM pos_stage_baskets WHERE problem = '' AND id IS NOT NULL"
INSERTED_SQL = "SELECT id FROM baskets_basket WHERE id = ANY(%s)"
USED_MEMBERS_SQL = "SELECT DISTINCT member_id FROM baskets_basket WHERE member_id = ANY(%s)"
USED_STORES_SQL = "SELECT DISTINCT store_id FROM baskets_basket WHERE store_id = ANY(%s)"
DELETE_MEMBERS_SQL = "DELETE FROM members_member WHERE id = ANY(%s)"
DELETE_STORES_SQL = "DELETE FROM baskets_store WHERE id = ANY(%s)"


def write_rows(
    *,
    cursor,
    copies: Callable[[], AbstractContextManager[CopyBuffer]],
    stream,
    header: Header,
    products: dict,
    lines: DirectLines,
    bulk_lines: Callable[[int], None],
) -> int:
    """Validate every row; write new baskets' lines, stage rejects and loaded baskets' rows
    SQL must judge; return the number of rows read. `bulk_lines(n)` hears, before each
    chunk's COPY, how many lines have come so far."""
    index = tuple(header.index[c] for c in COLUMNS)
    width = len(header.names)
    local = ZoneInfo(settings.TIME_ZONE)
    rules = ColumnRules(products=products, local=local)
    row_stager = RowStager(width=width, index=index, products=products, local=local)
    held = HeldRows()
    read = 0
    for chunk, (good, others) in read_ahead(
        chunks(stream, width=width),
        lambda chunk: chunk_rows(chunk, width=width, index=index, rules=rules, rows=row_stager),
    ):
        read += len(chunk.plain_lines) + len(chunk.others)
        rejects = [line for line in others if good_row_fields(line) is None]
        if len(rejects) < len(others):  # good rows of the per-row reader join the plain ones
            good = pa.concat_tables([good, table_of_lines(others, good.schema)])
        new, old, loaded = lines.split(good)
        staged = held.hold(old, newly_loaded=len(loaded))
        data = lines.copy_data(new)
        bulk_lines(lines.written + new.num_rows)
        # The queued writer sends the stream from a thread of its own, so the groups are
        # made while the server ingests the lines.
        with ExitStack() as copying:
            if data:
                raw = driver_cursor(cursor)
                writer = QueuedLibpqWriter(raw)
                copying.enter_context(raw.copy(IMPORT_LINES_COPY_SQL, writer=writer)).write(data)
            lines.track(new)
            lines.groups.add(staged)
        with copies() as buffer:
            buffer.copy.write(copy_text_of(staged))
            buffer.lines.extend(rejects)
            buffer.flush()
    late = held.to_stage()
    lines.groups.add(late)
    with copies() as buffer:
        buffer.copy.write(copy_text_of(late))
        buffer.close()
    return read


def group_ids(lines: DirectLines) -> Callable[[pa.Table], list[pa.Array]]:
    """The extra columns of pos_stage_groups: each basket's id, member, store and owner."""
    resolver = lines.resolver

    def extra(merged: pa.Table) -> list[pa.Array]:
        members = resolver.members.ids_of(merged.column("card_number_min"))
        stores = resolver.stores.ids_of(merged.column("store_min"))
        times = merged.column("purchased_at_min")
        owner = owners(member_ids=members, store_ids=stores, times=times)
        ids = [resolver.baskets.ids_of(merged.column("basket_id")), members, stores, owner]
        return [pc.fill_null(pc.cast(i, pa.string()), "\\N") for i in ids]

    return extra


def insert_baskets(*, cursor, lines: DirectLines) -> int:
    """Insert the new good baskets, delete the lines no basket took; return lines loaded."""
    cursor.execute(GROUPS_STAGE_SQL)
    with cursor.copy("COPY pos_stage_groups FROM STDIN") as copy:
        copy.write(lines.groups.copy_text(extra=group_ids(lines)))
    cursor.execute(BASKETS_SQL)
    analyze_stage(cursor, "pos_stage_baskets")
    cursor.execute(REJECTED_NEW_SQL)
    rejected = cursor.fetchall()
    orphans = [pk for _, pk in rejected]
    if rejected:
        where = lines.rows_of([basket_id for basket_id, _ in rejected])
        with cursor.copy(WHERE_COPY_SQL) as copy:
            copy.write(copy_text_of_where(where))
    cursor.execute(PROBLEM_SQL)
    cursor.execute(GOOD_NEW_SQL)
    expected = cursor.fetchone()[0]
    if baskets_insert_grouped(cursor=cursor) < expected:  # a concurrent import's (rare)
        cursor.execute(GOOD_IDS_SQL)
        good = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(INSERTED_SQL, [good])
        inserted = {pk for (pk,) in cursor.fetchall()}
        orphans += [pk for pk in good if pk not in inserted]
    deleted = 0
    if orphans:
        deleted = lines_delete(cursor=cursor, basket_ids=orphans)
        _drop_unused(cursor, lines.resolver.created_members, USED_MEMBERS_SQL, DELETE_MEMBERS_SQL)
        _drop_unused(cursor, lines.resolver.created_stores, USED_STORES_SQL, DELETE_STORES_SQL)
    return lines.written - deleted


def _drop_unused(cursor, created: list[int], used_sql: str, delete_sql: str) -> None:
    """Remove the cards (stores) this import created that no inserted basket names."""
    if not created:
        return
    cursor.execute(used_sql, [created])
    used = {pk for (pk,) in cursor.fetchall()}
    unused = [pk for pk in created if pk not in used]
    if unused:
        cursor.execute(delete_sql, [unused])


def copy_text_of_where(where: pa.Table) -> bytes:
    """COPY text of (line, basket_id) rows."""
    return copy_text_of_columns(
        [pc.cast(where.column("line"), pa.string()), where.column("basket_id")]
    )


class LineIndexes:
    """Drop basketline's secondary indexes once the lines written make it worth it."""

    def __init__(self, *, cursor, stack: ExitStack) -> None:
        self.cursor = cursor
        self.stack = stack
        self.enabled = False

    def __call__(self, incoming: int) -> None:
        if self.enabled or not incoming:
            return
        if worth_rebuilding(cursor=self.cursor, table="baskets_basketline", incoming_rows=incoming):
            self.stack.enter_context(
                indexes_rebuilt_after(cursor=self.cursor, table="baskets_basketline")
            )
            self.enabled = True
