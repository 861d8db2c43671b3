"""Rows of baskets loaded before: held back from the COPY, and checked whole at the end.

A re-import (the same till file sent again, or a file overlapping the last one) is mostly
baskets already loaded, which the import skips whole. Staging their rows only for
PostgreSQL to group and skip them was most of a re-import's time. So the rows of a basket
known to be loaded are held back in memory. At the end, a held basket whose rows would be
rejected anyway (rows that disagree on card, store or time, or totals past numeric(12,2))
is staged after all, and so is one with rows the per-row reader staged: SQL then rejects
or skips it with the reasons it always gave. Every other held row is counted as already
loaded without reaching PostgreSQL.

Memory is bounded: past HELD_MAX rows or KNOWN_MAX basket ids, the held rows are staged and
holding stops for the rest of the file, which then costs what it did before.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from apps.baskets.importing.basket_columns import EMPTY
from apps.baskets.importing.basket_groups import BasketGroups
from apps.baskets.importing.basket_rows import good_row_fields

LOADED_SQL = "SELECT basket_id FROM baskets_basket WHERE basket_id = ANY(%s)"
HELD_MAX = 4_000_000
KNOWN_MAX = 2_000_000


class HeldRows:
    """Hold back the good rows of baskets loaded before; stage what still needs SQL."""

    def __init__(self, *, cursor) -> None:
        self.cursor = cursor
        self.loaded: dict[str, bool] = {}  # staged basket id → loaded before the import?
        self.held: list[pa.Table] = []
        self.held_rows = 0
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
        mask = pc.is_in(baskets, value_set=pa.array(loaded, pa.string()))
        self.held.append(good.filter(mask))
        self.held_rows += self.held[-1].num_rows
        rest = good.filter(pc.invert(mask))
        if self.held_rows > HELD_MAX or len(self.loaded) > KNOWN_MAX:
            self.holding = False
            rest = pa.concat_tables([*self.held, rest])
            self.held = []
        return rest

    def to_stage(self) -> pa.Table:
        """The held rows SQL must still see: baskets with a problem or rows staged elsewhere."""
        if not self.held:
            return EMPTY
        held = pa.concat_tables(self.held)
        self.held = []
        groups = BasketGroups()
        groups.add(held)
        wanted = groups.problems() | self.staged_elsewhere
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
        self.cursor.execute(LOADED_SQL, [list(plain)])
        for (basket_id,) in self.cursor.fetchall():
            self.loaded[plain[basket_id]] = True
