"""Rows of baskets loaded before: held back from the COPY, and checked whole at the end.

A re-import (the same till file sent again, or a file overlapping the last one) is mostly
baskets already loaded, which the import skips whole. Staging their rows only for
PostgreSQL to group and skip them was most of a re-import's time. So the rows of a basket
known to be loaded (`key_ids` finds those while it reserves ids for new baskets) are held
back in memory. At the end, a held basket whose rows would be rejected anyway (rows that
disagree on card, store or time, or totals past numeric(12,2)) is staged after all: SQL
then rejects it with the reasons it always gave. Every other held row is counted as
already loaded without reaching PostgreSQL.

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
    """Hold back the good rows of baskets loaded before; stage what still needs SQL.

    The caller knows which baskets are loaded (`key_ids`' resolver finds them as it
    reserves ids for the new ones), so this only keeps the rows and bounds their memory:
    past HELD_MAX rows or KNOWN_MAX loaded basket ids, holding stops.
    """

    def __init__(self) -> None:
        self.held: list[pa.Table] = []
        self.held_rows = 0
        self.known = 0  # loaded basket ids heard of so far
        self.held_baskets = HeldBaskets()
        self.holding = True

    def hold(self, rows: pa.Table, *, newly_loaded: int) -> pa.Table:
        """Hold `rows` (all of baskets loaded before; `newly_loaded` of those baskets were
        first found loaded with them) and return the rows to stage now: none while holding,
        every row held so far when holding stops."""
        self.known += newly_loaded
        if not self.holding or not rows.num_rows:
            return rows
        self.held.append(rows)
        self.held_rows += rows.num_rows
        if self.held_rows > HELD_MAX or self.known > KNOWN_MAX:
            self.holding = False
            rest = pa.concat_tables(self.held)
            self.held = []
            self.held_baskets = HeldBaskets()
            return rest
        self.held_baskets.add(rows)
        return rows.slice(0, 0)

    def to_stage(self) -> pa.Table:
        """The held rows SQL must still see: those of baskets whose rows disagree or
        overflow, so that SQL rejects them with the reasons it always gives."""
        if not self.held:
            return EMPTY
        held = pa.concat_tables(self.held)
        self.held = []
        wanted = self.held_baskets.problems(held)
        if not wanted:
            return EMPTY
        return held.filter(pc.is_in(held.column("basket_id"), value_set=pa.array(list(wanted))))
