"""Columns between PostgreSQL and NumPy through binary COPY, without a Python loop per row.

Heavy set work that SQL expresses badly (a greedy choice with running budgets, say) is done
in NumPy on whole columns; these two functions move the columns. PostgreSQL's binary COPY
format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4) gives every
row of fixed-width, non-null columns the same layout: a 2-byte field count, then per field
a 4-byte length and the value, big-endian. NumPy reads and writes that as a structured
array in one step: 5 million rows move in well under a second, where fetching tuples
through the driver takes tens of seconds.

Only fixed-width, non-null types: int2/int4/int8, float4/float8 and bool. Cast in SQL
(`x::int8`, `coalesce(y, 0)::float8`) so the query's columns are exactly these.
"""

from __future__ import annotations

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags, no extension
TRAILER = b"\xff\xff"
WIDTHS = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "float4": ">f4",
    "float8": ">f8",
    "bool": "?",
}


def driver_cursor(cursor):
    """The driver's cursor under Django's wrapper (whose debug variant drops COPY's params
    and psycopg's `writer=`)."""
    return getattr(cursor, "cursor", cursor)


def _row_dtype(columns: dict[str, str]) -> np.dtype:
    fields = [("_n", ">i2")]
    for name, kind in columns.items():
        fields += [(f"_len_{name}", ">i4"), (name, WIDTHS[kind])]
    return np.dtype(fields)


def read_columns(cursor, sql: str, params, columns: dict[str, str]) -> dict[str, np.ndarray]:
    """Run `sql` (a SELECT of exactly `columns`, in order, none null) and return its columns.

    `columns` maps each column's name to its PostgreSQL type name (see WIDTHS). The arrays
    come back in native byte order.
    """
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT binary)"
    data = bytearray()
    with driver_cursor(cursor).copy(copy_sql, params) as copy:
        for block in copy:
            data += block
    if not data.startswith(SIGNATURE):
        raise ValueError("not a binary COPY stream")
    extension = int.from_bytes(data[15:19], "big")
    body = memoryview(data)[19 + extension : len(data) - len(TRAILER)]
    dtype = _row_dtype(columns)
    if len(body) % dtype.itemsize:
        raise ValueError("a column is null or not of its declared width")
    rows = np.frombuffer(body, dtype=dtype)
    if len(rows) and not (rows["_n"] == len(columns)).all():
        raise ValueError("the query's columns are not the declared ones")
    return {name: rows[name].astype(rows[name].dtype.newbyteorder("=")) for name in columns}


def write_columns(cursor, table: str, columns: dict[str, tuple[str, np.ndarray]]) -> int:
    """COPY the arrays into `table` (a table or temporary table with these columns).

    `columns` maps each column's name to (PostgreSQL type name, array); all arrays have the
    same length. Returns the number of rows written.
    """
    names = list(columns)
    dtype = _row_dtype({name: kind for name, (kind, _) in columns.items()})
    count = len(next(iter(columns.values()))[1]) if columns else 0
    rows = np.empty(count, dtype=dtype)
    rows["_n"] = len(names)
    for name, (_, values) in columns.items():
        rows[f"_len_{name}"] = dtype[name].itemsize
        rows[name] = values
    column_list = ", ".join(names)
    with driver_cursor(cursor).copy(
        f"COPY {table} ({column_list}) FROM STDIN (FORMAT binary)"
    ) as copy:
        copy.write(HEADER + rows.tobytes() + TRAILER)
    return count


# numeric's binary form: digit count, weight (of the first digit, in powers of 10000), sign,
# display scale, then the digits (base 10000, most significant first). PostgreSQL strips
# leading and trailing zero digits on input, so a column's values can all be written with
# the same number of digits: one fixed-width field.
NUMERIC_POSITIVE = 0
NUMERIC_NEGATIVE = 0x4000
NUMERIC_BASE = 10_000


def numeric_fields(whole_digits: int, scale: int) -> list[tuple[str, str]]:
    """The fields of a numeric with `whole_digits` base-10000 digits before the point and
    enough after it for `scale` decimal places."""
    digits = whole_digits + (scale + 3) // 4
    return [("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">i2"), ("dscale", ">i2")] + [
        (f"d{i}", ">i2") for i in range(digits)
    ]


def fill_numeric(target: np.ndarray, units: np.ndarray, *, scale: int) -> None:
    """Write integers `units` (the value × 10^scale) as numerics into `target`, a
    structured array of `numeric_fields`."""
    names = [name for name in target.dtype.names if name[1:].isdigit()]
    fraction_digits = (scale + 3) // 4
    magnitude = np.abs(units)
    whole, fraction = np.divmod(magnitude, 10**scale)
    fraction = fraction * 10 ** (4 * fraction_digits - scale)  # to whole base-10000 digits
    target["ndigits"] = len(names)
    target["weight"] = len(names) - fraction_digits - 1
    target["sign"] = np.where(units < 0, NUMERIC_NEGATIVE, NUMERIC_POSITIVE)
    target["dscale"] = scale
    for name in reversed(names[len(names) - fraction_digits :]):
        fraction, target[name] = np.divmod(fraction, NUMERIC_BASE)
    for name in reversed(names[: len(names) - fraction_digits]):
        whole, target[name] = np.divmod(whole, NUMERIC_BASE)
    if len(whole) and whole.max() > 0:
        raise ValueError("a value has more digits than its numeric column holds")
