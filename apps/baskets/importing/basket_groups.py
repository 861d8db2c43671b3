"""Group the staged rows into baskets in Arrow, chunk by chunk, instead of in PostgreSQL.

PostgreSQL grouped 1.5 M staged rows by basket id (text) in ~2 s. Arrow does it as the
rows are staged: each chunk is reduced to one row per basket (least and greatest card,
store and time, sums of cents, a count of lines), and the partial rows are reduced again
at the end. Least and greatest merge across chunks where a count of distinct values would
not, and a basket's rows disagree exactly when its least and greatest differ.

Only those per-basket figures go to PostgreSQL (`pos_stage_groups`, a COPY of one row per
basket, with the ids `direct_load` adds); its `BASKETS_SQL` turns them into
`pos_stage_baskets` with the same expressions as before for `already` and `problem`, so
reasons read as they did.

Values stay as staged (COPY text): ids with a backslash doubled, times as UTC text whose
order is time order. Cents are float64: exact below 2**53, and no basket within
numeric(12,2) comes near that (amounts are never negative).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from apps.baskets.importing.basket_columns import copy_text_of_columns
from apps.baskets.importing.basket_rows import good_row_fields

# Basket.total_amount and total_discount are numeric(12,2): each line may be valid and their
# sum still not fit (found by tests/fuzz). BASKETS_SQL tests the totals against MAX_TOTAL.
MAX_TOTAL = "9999999999.99"
MAX_TOTAL_CENTS = int(Decimal(MAX_TOTAL) * 100)

_KEYS = ("card_number", "store", "purchased_at")
_OUT = [
    "basket_id",
    "card_number_min",
    "card_number_max",
    "store_min",
    "store_max",
    "purchased_at_min",
    "purchased_at_max",
    "amount_sum",
    "discount_sum",
    "line_count",
]


class BasketGroups:
    """One row per basket of the rows staged so far."""

    def __init__(self) -> None:
        self.partial: list[pa.Table] = []
        self.cents: dict[str, float] = {}

    def add(self, staged: pa.Table, *, others: list[str] = ()) -> None:
        """Count in a chunk's staged good rows, and the good rows among `others` lines."""
        if others:
            staged = pa.concat_tables([staged, table_of_lines(others, staged.schema)])
        if not staged.num_rows:
            return
        table = pa.table(
            {
                "basket_id": staged.column("basket_id"),
                **{key: staged.column(key) for key in _KEYS},
                "amount": self._cents(staged.column("amount")),
                "discount": self._cents(staged.column("discount")),
                "line": staged.column("line"),
            }
        )
        grouped = table.group_by("basket_id").aggregate(
            [
                *((key, "min") for key in _KEYS),
                *((key, "max") for key in _KEYS),
                ("amount", "sum"),
                ("discount", "sum"),
                ("line", "count"),
            ]
        )
        self.partial.append(grouped.rename_columns(_renamed(grouped.column_names)))

    def copy_text(self, extra: Callable[[pa.Table], list[pa.Array]] | None = None) -> bytes:
        """The COPY text of pos_stage_groups: one row per basket; `extra` gives more
        columns (COPY text) from the merged groups."""
        merged = self.merged()
        if merged is None:
            return b""
        columns = [merged.column(name) for name in _OUT]
        columns[-3:] = [pc.cast(c, pa.string()) for c in columns[-3:]]
        if extra is not None:
            columns.extend(extra(merged))
        return copy_text_of_columns(columns)

    def problems(self) -> set[str]:
        """Baskets whose rows disagree on card, store or time, or whose totals overflow
        numeric(12,2): what BASKETS_SQL would call a problem."""
        merged = self.merged()
        if merged is None:
            return set()
        bad = pc.or_(
            pc.greater(merged.column("amount_sum"), MAX_TOTAL_CENTS),
            pc.greater(merged.column("discount_sum"), MAX_TOTAL_CENTS),
        )
        for key in _KEYS:
            least, greatest = merged.column(f"{key}_min"), merged.column(f"{key}_max")
            bad = pc.or_(bad, pc.not_equal(least, greatest))
        return set(merged.column("basket_id").filter(bad).to_pylist())

    def merged(self) -> pa.Table | None:
        """The partial rows reduced once more: one row per basket (None when no rows)."""
        if not self.partial:
            return None
        table = pa.concat_tables(self.partial)
        self.partial = []
        merged = table.group_by("basket_id").aggregate(
            [
                *((f"{key}_min", "min") for key in _KEYS),
                *((f"{key}_max", "max") for key in _KEYS),
                ("amount_sum", "sum"),
                ("discount_sum", "sum"),
                ("line_count", "sum"),
            ]
        )
        return merged.rename_columns(_renamed(merged.column_names))

    def _cents(self, money: pa.ChunkedArray) -> pa.Array:
        encoded = pc.dictionary_encode(money.combine_chunks())
        cents = []
        for text in encoded.dictionary.to_pylist():
            value = self.cents.get(text)
            if value is None:
                value = self.cents[text] = float(Decimal(text) * 100)
            cents.append(value)
        return pa.array(cents, pa.float64()).take(encoded.indices)


def _renamed(names: list[str]) -> list[str]:
    """Arrow names an aggregate `<column>_<function>`; a merged one `<column>_<fn>_<fn>`."""
    out = []
    for name in names:
        for doubled in ("_min_min", "_max_max", "_sum_sum"):
            name = name.removesuffix(doubled[:4]) if name.endswith(doubled) else name
        out.append("line_count" if name in ("line_count", "line_count_sum") else name)
    return out


def table_of_lines(lines: list[str], schema: pa.Schema) -> pa.Table:
    """The good rows among COPY lines of the per-row reader, as a staged table."""
    rows = [fields for line in lines if (fields := good_row_fields(line)) is not None]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    arrays = [
        pa.array([int(v) for v in column] if field.name == "line" else column, field.type)
        for column, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
