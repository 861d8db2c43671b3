"""Column rules over a whole array of distinct values, for the values whose verdict is plain.

Each function returns the staged texts and a mask of the values it *decided*: those are
exactly what the per-value rule (`basket_rows`, `values`) would stage. Every other value,
refused or merely unusual (unicode, surrounding spaces, an offset, a day the clocks change),
is left to that rule, which stays the one authority on reasons. So these functions need
only be right about the common case, and the fuzz test holds them to the per-row reader.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Printable ASCII, no space at either end: `strip()` leaves it alone, `is_id` accepts it,
# and only a backslash needs escaping for COPY.
PLAIN_ID = r"^[!-~](?:[ -~]*[!-~])?$"
# A local date and time of day to the minute or second, the form tills write.
NAIVE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"
# Days near the ends of the calendar go to the per-value rule (its range errors).
FIRST_YEAR, LAST_YEAR = 2, 9998


def decided_mask(mask: pa.Array) -> np.ndarray:
    """A boolean array as NumPy, nulls counted as not decided."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def plain_ids(distinct: pa.Array, *, max_length: int, refused_prefix: str | None = None):
    """Ids of printable ASCII within the length; `refused_prefix` ids are left undecided."""
    ok = pc.and_(
        pc.match_substring_regex(distinct, PLAIN_ID),
        pc.less_equal(pc.utf8_length(distinct), max_length),
    )
    if refused_prefix is not None:
        ok = pc.and_(ok, pc.invert(pc.starts_with(distinct, refused_prefix)))
    return pc.replace_substring(distinct, "\\", "\\\\"), decided_mask(ok)


def naive_times(distinct: pa.Array, *, local: ZoneInfo):
    """Store-local times, as UTC text, on days whose offset from UTC holds all day."""
    ok = pc.match_substring_regex(distinct, NAIVE_TIME)
    days = pc.dictionary_encode(pc.utf8_slice_codeunits(distinct, 0, 10))
    shifts = pa.array(
        [_utc_shift(day, local) for day in days.dictionary.to_pylist()], pa.int64()
    ).take(days.indices)
    text = pc.replace_substring(distinct, "T", " ")
    text = pc.if_else(
        pc.equal(pc.utf8_length(text), 16), pc.binary_join_element_wise(text, ":00", ""), text
    )
    seconds = pc.cast(
        pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True), pa.int64()
    )
    utc = pc.cast(pc.add(seconds, shifts), pa.timestamp("s"))
    staged = pc.binary_join_element_wise(pc.strftime(utc, format="%Y-%m-%d %H:%M:%S"), "+00:00", "")
    return staged, decided_mask(pc.and_(ok, pc.is_valid(staged)))


def _utc_shift(day: str, local: ZoneInfo) -> int | None:
    """Seconds to add to a local time of the day to reach UTC, or None when the offset
    changes in the day (or the text is no date): those times go to the per-value rule."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return None
    if not FIRST_YEAR <= date.year <= LAST_YEAR or len(day) != 10:
        return None
    start = dt.datetime.combine(date, dt.time(), tzinfo=local).utcoffset()
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=local).utcoffset()
    if start != end:
        return None
    return -int(start.total_seconds())


def known_upcs(distinct: pa.Array, *, upcs: pa.Array, product_ids: pa.Array):
    """UPCs written exactly as the catalogue holds them."""
    found = pc.index_in(distinct, value_set=upcs)
    return product_ids.take(found), decided_mask(pc.is_valid(found))
