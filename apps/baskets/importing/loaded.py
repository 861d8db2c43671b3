"""Rows of baskets loaded before: held back from the COPY, and checked whole at the end.

A re-import (the same till file sent again, or a file overlapping the last one) is mostly
baskets already loaded, which the import skips whole. Staging their rows only for
PostgreSQL to group and skip them was most of a re-import's time. So the rows of a basket
known to be loaded are held back in memory. At the end, a held basket whose rows would be
rejected anyway (rows that disagree on card, store or time, or totals past numeric(12,2))
is staged after all, and so is one with rows the per-row reader staged: SQL then rejects
or skips it with the reasons it always gave. Every other held row is counted as already
loaded without reaching PostgreSQL.

The held rows' baskets are summed up chunk by chunk as they are held (`HeldBaskets`, on the
COPYing thread while the reading thread parses the next chunk), so the end only merges
one row per basket and chunk. Grouping every held row at the end, with least and greatest
card, store and time and exact sums, was ~0.9 s of a 1.5 M-line re-import after the last
chunk, with nothing to overlap it.

Memory is bounded: past HELD_MAX rows or KNOWN_MAX basket ids, the held rows are staged and
holding stops for the rest of the file, which then costs what it did before.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from apps.baskets.importing.basket_columns import EMPTY
from apps.baskets.importing.basket_groups import MAX_TOTAL_CENTS, BasketGroups
from apps.baskets.importing.basket_rows import good_row_fields

# The ids go as one text, split in the server: a quarter of the client's CPU of a list of
# 25 k strings adapted one by one (measured), on the thread that must keep up with parsing.
# No id held here holds a line end: they come from plain lines, which a line end ends.
LOADED_SQL = (
    "SELECT basket_id FROM baskets_basket WHERE basket_id = ANY(string_to_array(%s, E'\\n'))"
)
HELD_MAX = 4_000_000
KNOWN_MAX = 2_000_000
_AGREE = ["basket_id", "card_number", "store", "purchased_at"]
# The largest whole number of units a basket's total may reach (numeric(12,2)).
_MAX_UNITS = MAX_TOTAL_CENTS // 100


class HeldBaskets:
    """Which held baskets SQL would call a problem, gathered chunk by chunk.

    Rows of a basket disagree exactly when the basket has more than one distinct
    (card, store, time), so each chunk keeps its distinct (basket, card, store, time) with
    a count of lines: cheaper than least and greatest of three text columns. Totals need no
    sum when they cannot overflow: a staged amount or discount (`values.money`: digits, a
    point, an optional minus) of n characters is below 10**n, so a basket of k lines totals
    below k * 10**n. Only baskets past that bound are summed exactly (`BasketGroups`).
    """

    def __init__(self) -> None:
        self.distinct: list[pa.Table] = []
        self.longest = 0  # characters of the longest amount or discount held

    def add(self, held: pa.Table) -> None:
        self.distinct.append(held.group_by(_AGREE).aggregate([("line", "count")]))
        for column in ("amount", "discount"):
            longest = pc.max(pc.utf8_length(held.column(column))).as_py()
            self.longest = max(self.longest, longest or 0)

    def problems(self, held: pa.Table) -> set[str]:
        """The baskets among `held` (all the held rows) whose rows disagree or overflow."""
        if not self.distinct:
            return set()
        combos = pa.concat_tables(self.distinct).group_by(_AGREE).aggregate([("line_count", "sum")])
        baskets = combos.group_by("basket_id").aggregate(
            [("card_number", "count"), ("line_count_sum", "sum")]
        )
        ids = baskets.column("basket_id")
        disagree = ids.filter(pc.greater(baskets.column("card_number_count"), 1))
        most_lines = _MAX_UNITS // 10**self.longest
        unsure = ids.filter(pc.greater(baskets.column("line_count_sum_sum"), most_lines))
        found = set(disagree.to_pylist())
        if len(unsure):
            exact = BasketGroups()
            exact.add(held.filter(pc.is_in(held.column("basket_id"), value_set=unsure)))
            found |= exact.problems()
        return found


class HeldRows:
    """Hold back the good rows of baskets loaded before; stage what still needs SQL."""

    def __init__(self, *, cursor) -> None:
        self.cursor = cursor
        self.loaded: dict[str, bool] = {}  # staged basket id → loaded before the import?
        self.held: list[pa.Table] = []
        self.held_rows = 0
        self.held_baskets = HeldBaskets()
        self.staged_elsewhere: set[str] = set()
        self.holding = True

    def new_baskets(self, good: pa.Table, *, others: list[str]) -> pa.Table:
        """Return the rows to stage now; hold the rest."""
        for line in others:
            fields = good_row_fields(line)
            if fields is not None:  # a good row of the per-row reader: its basket is field 2
                self.staged_elsewhere.add(fields[1])
        if not self.holding or not good.num_rows:
            return good
        baskets = good.column("basket_id")
        distinct = pc.unique(baskets).to_pylist()
        self._look_up([b for b in distinct if b not in self.loaded])
        loaded = [b for b in distinct if self.loaded[b]]
        if not loaded:
            return good
        if len(loaded) == len(distinct):  # a plain re-import: hold the chunk whole, uncopied
            self.held.append(good)
            rest = good.slice(0, 0)
        else:
            mask = pc.is_in(baskets, value_set=pa.array(loaded, pa.string()))
            self.held.append(good.filter(mask))
            rest = good.filter(pc.invert(mask))
        self.held_rows += self.held[-1].num_rows
        if self.held_rows > HELD_MAX or len(self.loaded) > KNOWN_MAX:
            self.holding = False
            rest = pa.concat_tables([*self.held, rest])
            self.held = []
            self.held_baskets = HeldBaskets()
        else:
            self.held_baskets.add(self.held[-1])
        return rest

    def to_stage(self) -> pa.Table:
        """The held rows SQL must still see: baskets with a problem or rows staged elsewhere."""
        if not self.held:
            return EMPTY
        held = pa.concat_tables(self.held)
        self.held = []
        wanted = self.held_baskets.problems(held) | self.staged_elsewhere
        if not wanted:
            return EMPTY
        return held.filter(pc.is_in(held.column("basket_id"), value_set=pa.array(list(wanted))))

    def _look_up(self, ids: list[str]) -> None:
        """Which of these staged basket ids are loaded already."""
        for staged in ids:
            self.loaded[staged] = False
        if not ids:
            return
        # Staged ids escape a backslash for COPY; the ids a column rule passes hold no
        # other character COPY escapes.
        plain = {staged.replace("\\\\", "\\"): staged for staged in ids}
        self.cursor.execute(LOADED_SQL, ["\n".join(plain)])
        for (basket_id,) in self.cursor.fetchall():
            self.loaded[plain[basket_id]] = True
