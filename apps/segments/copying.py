"""Move a snapshot's lines out of PostgreSQL and its buyer rows back in, as binary COPY.

PostgreSQL's binary COPY format: an 11-byte signature, flags, a header extension, then per
row a field count and each field's length and bytes, then a -1 trailer. With fixed-width
values, NumPy reads and writes it with no per-row Python:

- out, the lines come as a row per product (`_rows`, a little Python per product): its
  lines as one bytea of fixed-size records (`LINE`), so all the products' lines are one
  `np.frombuffer` of their byteas joined; the ids of the buyers in card order come as one
  array (`_arrays`), whose elements have one stride;
- in, the buyer rows go straight into segmentmember (`buyers_write`), numerics and all in
  their binary form: each numeric with a fixed number of base-10000 digits (PostgreSQL
  strips the zero ones), so a row's size depends only on its loyalty word and on whether
  it has a cycle; each of those six shapes is one structured array.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from apps.core.clock import local_midnight
from apps.core.pgcopy import SIGNATURE, TRAILER, fill_numeric, numeric_fields
from apps.segments import sql
from apps.segments.cells import Buyers, Lines
from apps.segments.models import Loyalty

EPOCH = dt.date(2000, 1, 1)  # binary dates and timestamps count from here


# One line in a product's bytea (sql.COPY_SNAPSHOT_LINES); the time in µs since EPOCH.
LINE = np.dtype([("member", ">i8"), ("time", ">i8"), ("cents", ">i8")])

LOYALTY_BY_CODE = [Loyalty.NATIONAL.value, Loyalty.STORE.value, Loyalty.SWINGER.value]


def _int(data: bytes, at: int, size: int = 4) -> int:
    return int.from_bytes(data[at : at + size], "big", signed=True)


def _start(data: bytes) -> int:
    """Where a binary COPY stream's first row begins."""
    if not data.startswith(SIGNATURE) or not data.endswith(TRAILER):
        raise ValueError("not a binary COPY stream")
    return 19 + _int(data, 15)


def _rows(data: bytes, width: int) -> list[list[memoryview | None]]:
    """Each row of a binary COPY stream as its fields' bytes (None for NULL).

    Python per row and per field: for streams of a few rows of large fields (a row per
    product, not per line).
    """
    view, at = memoryview(data), _start(data)
    rows = []
    while (count := _int(data, at, 2)) != -1:
        if count != width:
            raise ValueError("binary COPY row holds other fields than expected")
        at += 2
        row = []
        for _ in range(width):
            size, at = _int(data, at), at + 4
            row.append(None if size == -1 else view[at : at + size])
            at += max(size, 0)
        rows.append(row)
    if at + 2 != len(data):
        raise ValueError("binary COPY stream continues after its trailer")
    return rows


def _arrays(data: bytes, fields: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Parse a binary COPY of one row of one-dimensional arrays without NULL elements.

    Each array: dimensions, a has-NULLs flag, the element type, its length and lower
    bound, then per element a 4-byte size and the value: a fixed stride for fixed-width
    types. An empty aggregate is a NULL field (size -1): an empty array. Anything else
    is refused.
    """
    at = _start(data)
    if _int(data, at, 2) != len(fields):
        raise ValueError("binary COPY row holds other fields than expected")
    at += 2
    arrays = {}
    for name, kind in fields:
        native = np.dtype(kind).newbyteorder("=")
        size, at = _int(data, at), at + 4
        if size == -1:
            arrays[name] = np.zeros(0, dtype=native)
            continue
        dimensions, has_nulls, length = _int(data, at), _int(data, at + 4), _int(data, at + 12)
        if dimensions != 1 or has_nulls:
            raise ValueError(f"{name}: not a one-dimensional array without NULLs")
        element = np.dtype([("size", ">i4"), ("value", kind)])
        items = np.frombuffer(data, dtype=element, count=length, offset=at + 20)
        widths_ok = (items["size"] == element.itemsize - 4).all()
        if length * element.itemsize != size - 20 or not widths_ok:
            raise ValueError(f"{name}: elements are not of the expected width")
        arrays[name] = items["value"].astype(native)
        at += size
    return arrays


def local_midnights(cursor, *, first: dt.date, last: dt.date, tz: str) -> np.ndarray:
    """Where each local day from `first` to `last` begins, as PostgreSQL places it in `tz`
    (µs since 2000-01-01 UTC)."""
    cursor.execute(sql.LOCAL_MIDNIGHTS, {"tz": tz, "first": first, "last": last})
    return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def local_days(times: np.ndarray, *, midnights: np.ndarray, first: dt.date) -> np.ndarray:
    """The local date of each time (µs since 2000-01-01 UTC), as days since 2000-01-01.

    `midnights` are those of the days from `first` on (`local_midnights`), the last one
    the window's end: every time must fall before it, on one of the days before. A time's
    date is the last local midnight at or before it.
    """
    index = np.searchsorted(midnights, times, side="right") - 1
    if len(times) and (index.min() < 0 or index.max() >= len(midnights) - 1):
        raise ValueError("a time falls outside the local days asked for")
    return (first - EPOCH).days + index


def lines_read(cursor, *, category_ids: list[int], first: dt.date, midnights: np.ndarray) -> Lines:
    """The member lines of these categories on the local days from `first` up to the last
    of `midnights` (`local_midnights` of the window, its end included), one element each."""
    params = {
        "category_ids": category_ids,
        "start": local_midnight(first),
        "end": local_midnight(first + dt.timedelta(days=len(midnights) - 1)),
    }
    rows = _rows(_copy_out(cursor, sql.COPY_SNAPSHOT_LINES, params), 3)
    if any(len(lines) % LINE.itemsize for _, _, lines in rows):
        raise ValueError("a product's lines are not whole records")
    counts = np.array([len(lines) // LINE.itemsize for _, _, lines in rows], dtype=np.int64)
    every = np.frombuffer(b"".join(lines for _, _, lines in rows), dtype=LINE)
    category = np.array([_int(category, 0, 8) for category, _, _ in rows], dtype=np.int64)
    national = np.array([bool(national[0]) for _, national, _ in rows], dtype=bool)
    return Lines(
        category=np.repeat(category, counts),
        member=every["member"].astype(np.int64),
        day=local_days(every["time"].astype(np.int64), midnights=midnights, first=first),
        cents=every["cents"].astype(np.int64),
        national=np.repeat(national, counts),
    )


def _copy_out(cursor, statement: str, params: dict) -> bytes:
    # psycopg's own cursor: it binds a COPY's parameters (client-side, quoted as literals);
    # Django's debug wrapper passes the statement alone.
    with cursor.cursor.copy(statement, params) as copy:
        return b"".join(copy)


def card_order(cursor, *, member_ids: np.ndarray) -> np.ndarray:
    """These members' ids ordered by card number in byte order."""
    ids = "{" + ",".join(map(str, member_ids.tolist())) + "}"  # one literal, not n params
    data = _copy_out(cursor, sql.BUYERS_BY_CARD, {"ids": ids})
    return _arrays(data, [("id", ">i8")])["id"]


# numeric(12,2), numeric(7,6), numeric(8,2): 10, 1 and 6 digits before the point.
SPEND = numeric_fields(3, 2)
SHARE = numeric_fields(1, 6)
CYCLE = numeric_fields(2, 2)


def _row_shape(loyalty: str, with_cycle: bool) -> np.dtype:
    """One segmentmember row in binary COPY (the columns of `sql.COPY_BUYERS`): each
    field's size, then its value unless it is NULL (size -1)."""
    fields = [
        ("snapshot_id", ">i8"),
        ("member_id", ">i8"),
        ("spend", SPEND),
        ("share", SHARE),
        ("loyalty", f"S{len(loyalty)}"),
        ("usage_tier", ">i2"),
        ("occasions", ">i4"),
        ("cycle", CYCLE if with_cycle else None),
        ("next_on", ">i4" if with_cycle else None),
    ]
    parts = [("fields", ">i2")]
    for name, kind in fields:
        parts.append((f"{name}_size", ">i4"))
        if kind is not None:
            parts.append((name, kind))
    return np.dtype(parts)


def _shape_rows(buyers: Buyers, snapshot_id: np.ndarray, *, loyalty: int, with_cycle: bool):
    word = LOYALTY_BY_CODE[loyalty]
    chosen = (buyers.loyalty == loyalty) & ((buyers.occasions >= 3) == with_cycle)
    shape = _row_shape(word, with_cycle)
    rows = np.zeros(int(chosen.sum()), dtype=shape)
    rows["fields"] = 9
    for name in shape.names:
        if name.endswith("_size") and name[: -len("_size")] in shape.names:
            rows[name] = shape[name[: -len("_size")]].itemsize
    rows["snapshot_id"] = snapshot_id[chosen]
    rows["member_id"] = buyers.member[chosen]
    fill_numeric(rows["spend"], buyers.spend_cents[chosen], scale=2)
    fill_numeric(rows["share"], buyers.share_micro[chosen], scale=6)
    rows["loyalty"] = word.encode()
    rows["usage_tier"] = buyers.usage_tier[chosen]
    rows["occasions"] = buyers.occasions[chosen]
    if with_cycle:
        median2, last_day = buyers.median2[chosen], buyers.last_day[chosen]
        fill_numeric(rows["cycle"], median2 * 50, scale=2)  # median2 / 2 in hundredths
        rows["next_on"] = last_day + (median2 + 1) // 2  # the cycle rounded half up
    else:
        rows["cycle_size"] = rows["next_on_size"] = -1  # NULL
    return rows.tobytes()


def buyers_write(cursor, *, buyers: Buyers, snapshot_of: dict[int, int]) -> None:
    """Insert the buyers as segmentmember rows of their category's snapshot, by one binary
    COPY: a cycle and next purchase only with 3 occasions or more (else NULL)."""
    if not len(buyers):
        return
    categories = np.array(sorted(snapshot_of), dtype=np.int64)
    snapshots = np.array([snapshot_of[c] for c in categories], dtype=np.int64)
    snapshot_id = snapshots[np.searchsorted(categories, buyers.category)]
    with cursor.copy(sql.COPY_BUYERS) as copy:
        copy.write(SIGNATURE + bytes(8))
        for loyalty in range(len(LOYALTY_BY_CODE)):
            for with_cycle in (False, True):
                copy.write(_shape_rows(buyers, snapshot_id, loyalty=loyalty, with_cycle=with_cycle))
        copy.write(TRAILER)
