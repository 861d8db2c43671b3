"""Write the good rows of new baskets straight into baskets_basketline, chunk by chunk.

Staging every line in a TEMP table and copying it again with `INSERT … SELECT` (a hash join
of 1.5 M rows on the basket id's text) was the biggest part of a first load. Instead each
chunk's rows get their basket's id, reserved ahead from the baskets' sequence, their member
and store ids (unknown cards and stores created as first seen, `key_ids`) and their owner
(`owners`, computed here column-wise), and go to `basketline` in one binary COPY
(`services.IMPORT_LINES_COPY_SQL`, `binary_lines`), while the reading
thread parses the next chunk.

What is known only at the end stays set-based there (`direct_load`): the baskets are inserted
from their Arrow groups, and the lines of a basket whose rows disagree or overflow, or that a
concurrent import inserted first, are deleted again (rare). Rows of baskets loaded before
never reach the COPY: they are held back (`loaded.HeldRows`) as on the staged path.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from apps.baskets.importing.basket_groups import BasketGroups
from apps.baskets.importing.binary_lines import binary_lines
from apps.baskets.importing.key_ids import Resolver
from apps.baskets.owners import DAYS_PER_STORE, EPOCH


def utc_days(times: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Days since 1970-01-01 of staged UTC times (`values.timestamp`'s ISO text, whose first
    ten characters are the UTC date), once per distinct date."""
    dates = pc.dictionary_encode(pc.utf8_slice_codeunits(times, 0, 10))
    if isinstance(dates, pa.ChunkedArray):
        dates = dates.combine_chunks()
    days = [(dt.date.fromisoformat(d) - EPOCH).days for d in dates.dictionary.to_pylist()]
    return pa.array(days, pa.int64()).take(dates.indices)


def owners(
    *, member_ids: pa.Array, store_ids: pa.Array, times: pa.Array | pa.ChunkedArray
) -> pa.Array:
    """`owners.basket_owner` column-wise: the member, or -(store * DAYS_PER_STORE + day)."""
    store_days = pc.add(pc.multiply(store_ids.cast(pa.int64()), DAYS_PER_STORE), utc_days(times))
    return pc.coalesce(member_ids.cast(pa.int64()), pc.negate(store_days))


class DirectLines:
    """The lines of a file's new baskets, written as they come; what the end needs to judge."""

    def __init__(self, *, cursor) -> None:
        self.resolver = Resolver(cursor=cursor)
        self.groups = BasketGroups()
        self.where: list[pa.Table] = []  # (line, basket_id) of every row written
        self.written = 0

    def split(self, good: pa.Table) -> tuple[pa.Table, pa.Table, pa.Array]:
        """(rows of new baskets with their reserved `basket_pk`, rows of baskets loaded
        before, the basket ids found loaded in this call)."""
        if not good.num_rows:
            return good.append_column("basket_pk", pa.array([], pa.int64())), good, EMPTY_IDS
        pks, loaded = self.resolver.basket_ids(good.column("basket_id"))
        new = pc.is_valid(pks)
        if pc.all(new).as_py():
            return good.append_column("basket_pk", pks), good.slice(0, 0), loaded
        if not pc.any(new).as_py():  # a re-import's chunk: held whole, not copied
            none = good.slice(0, 0).append_column("basket_pk", pa.array([], pa.int64()))
            return none, good, loaded
        rows = good.filter(new).append_column("basket_pk", pks.filter(new))
        return rows, good.filter(pc.invert(new)), loaded

    def copy_data(self, rows: pa.Table) -> bytes:
        """The binary COPY stream of these rows' lines (`split`'s first table; `binary_lines`),
        empty when there are none."""
        if not rows.num_rows:
            return b""
        members = self.resolver.member_ids(rows.column("card_number"))
        stores = self.resolver.store_ids(rows.column("store"))
        times = rows.column("purchased_at")
        return binary_lines(
            basket_pks=rows.column("basket_pk"),
            product_ids=rows.column("upc"),  # the staged product id
            member_ids=_combined(members),
            owner_ids=owners(member_ids=members, store_ids=stores, times=times),
            times=times,
            quantity=rows.column("quantity"),
            amount=rows.column("amount"),
            discount=rows.column("discount"),
        )

    def track(self, rows: pa.Table) -> None:
        """Count in rows written (`split`'s first table): their baskets' groups, and where
        they are in the file. Arrow only: it runs while the server ingests their COPY."""
        if not rows.num_rows:
            return
        self.groups.add(rows)
        self.where.append(rows.select(["line", "basket_id"]))
        self.written += rows.num_rows

    def rows_of(self, basket_ids: list[str]) -> pa.Table:
        """(line, basket_id) of the written rows of these (staged) basket ids."""
        if not basket_ids or not self.where:
            return pa.table({"line": pa.array([], pa.int64()), "basket_id": EMPTY_IDS})
        where = pa.concat_tables(self.where)
        wanted = pc.is_in(where.column("basket_id"), value_set=pa.array(basket_ids, pa.string()))
        return where.filter(wanted)


EMPTY_IDS = pa.array([], pa.string())


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
