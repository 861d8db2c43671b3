"""Stage baskets.csv column by column: Arrow reads the plain lines, each rule runs once per
distinct value, and the COPY text of the good rows is joined in Arrow, not in a Python loop.

A column of 1.5 M scanned lines holds few distinct values (a few hundred quantities and
prices, a basket's time once per basket), so validating distinct values with the per-row
rules (`basket_rows`) costs a fraction of validating rows, and gives the same verdicts.
A row any of whose values fails is handed to the per-row reader, which writes its reject
with the reasons it always gave; so are quoted records and lines of the wrong width.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from apps.baskets.importing import values, vector_rules
from apps.baskets.importing.basket_rows import (
    COLUMNS,
    MAX_LENGTH,
    NULLS,
    RowStager,
    amount_text,
    discount_text,
    id_reason,
    product_of,
)
from apps.baskets.importing.chunks import Chunk
from apps.baskets.importing.csvread import quoted_record_text
from apps.baskets.importing.staging import copy_text
from apps.baskets.services import POS_BASKET_ID_PREFIX

STAGED = ["line", *COLUMNS]
EMPTY = pa.table(
    {name: pa.array([], pa.int64() if name == "line" else pa.string()) for name in STAGED}
)

# A value cache this large is dropped and started again (a file of years of baskets holds
# millions of distinct basket ids and times).
CACHE_MAX = 1_000_000


class ColumnRules:
    """Each column's rule applied to one value: its staged text, or None when refused."""

    def __init__(self, *, products: dict[str, int], local: ZoneInfo) -> None:
        self.products = products
        self.local = local
        self.rules: dict[str, Callable[[str], str | None]] = {
            "basket_id": self._id("basket_id"),
            "card_number": self._id("card_number"),
            "store": self._id("store"),
            "purchased_at": self._refused_as_none(
                lambda text: values.timestamp(text, local=self.local)
            ),
            "upc": self._upc,
            "quantity": self._refused_as_none(values.quantity),
            "amount": self._refused_as_none(amount_text),
            "discount": self._refused_as_none(discount_text),
        }
        self.caches: dict[str, dict[str, str | None]] = {c: {} for c in COLUMNS}
        upcs = pa.array(list(products), pa.string())
        product_ids = pa.array([str(i) for i in products.values()], pa.string())
        self.vectors = {
            "basket_id": partial(
                vector_rules.plain_ids,
                max_length=MAX_LENGTH["basket_id"],
                refused_prefix=POS_BASKET_ID_PREFIX,
            ),
            "card_number": partial(vector_rules.plain_ids, max_length=MAX_LENGTH["card_number"]),
            "store": partial(vector_rules.plain_ids, max_length=MAX_LENGTH["store"]),
            "purchased_at": partial(vector_rules.naive_times, local=local),
            "upc": partial(vector_rules.known_upcs, upcs=upcs, product_ids=product_ids),
        }

    def staged(self, column: str, raw: pa.Array) -> pa.Array:
        """The column's staged texts, row by row (null where the rule refuses the value)."""
        encoded = pc.dictionary_encode(raw)
        distinct = encoded.dictionary
        vector = self.vectors.get(column)
        if vector is None:
            texts = pa.array(self._by_value(column, distinct.to_pylist()), pa.string())
        else:
            texts, decided = vector(distinct)
            if not decided.all():
                rest = self._by_value(column, distinct.filter(~decided).to_pylist())
                texts = pc.replace_with_mask(texts, pa.array(~decided), pa.array(rest, pa.string()))
        return texts.take(encoded.indices)

    def _by_value(self, column: str, values_: list[str]) -> list[str | None]:
        """The per-value rule over values, through the column's cache."""
        rule, cache = self.rules[column], self.caches[column]
        if len(cache) > CACHE_MAX:
            cache.clear()
        texts = []
        for value in values_:
            text = cache.get(value, cache)
            if text is cache:
                text = cache[value] = rule(value)
            texts.append(text)
        return texts

    @staticmethod
    def _id(name: str) -> Callable[[str], str | None]:
        def rule(value: str) -> str | None:
            value = value.strip()
            return None if id_reason(name, value) is not None else copy_text(value)

        return rule

    def _upc(self, value: str) -> str | None:
        product_id = product_of(value, self.products)
        return None if product_id is None else str(product_id)

    @staticmethod
    def _refused_as_none(parse: Callable[[str], str]) -> Callable[[str], str | None]:
        def rule(value: str) -> str | None:
            try:
                return parse(value)
            except ValueError:
                return None

        return rule


def chunk_rows(
    chunk: Chunk, *, width: int, index: tuple[int, ...], rules: ColumnRules, rows: RowStager
) -> tuple[pa.Table, list[str]]:
    """Return the chunk's good plain rows (a table: `line`, then the staged columns) and the
    COPY lines of every other row (rejects, quoted records)."""
    others = [_record_line(rows, line, quoted, text) for line, quoted, text in chunk.others]
    if not len(chunk.plain_lines):
        return EMPTY, others
    names = [str(i) for i in range(width)]
    table = pa_csv.read_csv(
        io.BytesIO(chunk.plain),
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pa_csv.ParseOptions(
            quote_char=False, double_quote=False, newlines_in_values=False
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={names[i]: pa.string() for i in index},
            include_columns=[names[i] for i in index],
            strings_can_be_null=False,
        ),
    )
    if table.num_rows != len(chunk.plain_lines):
        raise AssertionError("the columnar reader and the line count disagree")
    staged = [pa.array(chunk.plain_lines)] + [
        rules.staged(column, table.column(names[i]).combine_chunks())
        for column, i in zip(COLUMNS, index, strict=True)
    ]
    good = _all_valid(staged[1:])
    if not pc.all(good).as_py():
        others.extend(_refused_plain_rows(chunk, good, rows))
        staged = [column.filter(good) for column in staged]
    return pa.Table.from_arrays(staged, names=STAGED), others


def copy_text_of(table: pa.Table) -> bytes:
    """The COPY text lines of staged good rows, back to back."""
    line = pc.cast(table.column("line"), pa.string())
    columns = [line, *(table.column(c) for c in COLUMNS)]
    return copy_text_of_columns(columns, tail="\t" + NULLS.removesuffix("\n"))


def copy_text_of_columns(columns: list, *, tail: str = "") -> bytes:
    """The COPY text of rows whose fields are these string columns (already escaped),
    each row followed by `tail` and a line end."""
    if not len(columns[0]):
        return b""
    rows = pc.binary_join_element_wise(*columns, "\t")
    joined = pc.binary_join_element_wise(rows, pa.scalar(tail + "\n"), "")
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    return _text_of(joined)


def _all_valid(staged: list[pa.Array]) -> pa.Array:
    good = pc.is_valid(staged[0])
    for column in staged[1:]:
        good = pc.and_(good, pc.is_valid(column))
    return good


def _refused_plain_rows(chunk: Chunk, good: pa.Array, rows: RowStager) -> list[str]:
    """The per-row reader's lines for the plain rows a column rule refused."""
    out = []
    for i in np.flatnonzero(~good.to_numpy(zero_copy_only=False)):
        start = chunk.plain_starts[i]
        text = chunk.plain[start : start + chunk.plain_lengths[i]].decode()
        out.append(rows.row(int(chunk.plain_lines[i]), text.split(",")))
    return out


def _record_line(rows: RowStager, line: int, quoted: bool, text: str) -> str:
    """The per-row reader's line for a record the columnar reader does not take."""
    if not quoted:
        return rows.row(line, text.split(","))
    parsed, error = quoted_record_text(text)
    if parsed is None:
        first = io.StringIO(text, newline="").readline()
        return rows.malformed(line, error, first)
    return rows.row(line, parsed)


def _text_of(joined: pa.Array) -> bytes:
    """The bytes of a string array's values, back to back (each ends with its newline)."""
    if not len(joined):
        return b""
    _, offsets, data = joined.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[joined.offset : joined.offset + len(joined) + 1]
    return memoryview(data)[int(bounds[0]) : int(bounds[-1])].tobytes()
