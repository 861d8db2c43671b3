"""Small-cell suppression for the manufacturer portal: primary and complementary.

A table is an r × c grid of cells, each resting on some number of distinct members, with
optional published margins: row totals, column totals and a grand total. Every published
total is a linear equation (the cells of its line add up to it), so hiding a small cell is
not enough: a reader could subtract the others from the total.

* Primary suppression hides every cell or total resting on 1 to k − 1 members. Zeros are
  shown: they rest on nobody (and a hidden entry is thus known to be at least 1).
* Complementary suppression then hides more until no hidden entry can be recovered from
  the published ones. First the classic line rule: a row or column (with its total) that
  holds exactly one hidden entry gets its next smallest entry hidden too (cells before
  totals, fewest members first). When every line holds zero or at least two hidden entries,
  a hidden entry can still be pinned down by combining lines (e.g. a cell bridging two
  otherwise separate groups of hidden cells); a rank test over the table's equations finds
  those, and the smallest entry of such a cell's row is hidden too. Repeat until stable.

Structural cells are cells that cannot hold anyone (e.g. "not segmented" × a usage tier):
known to be empty, they are published as such and protect nothing; so do zero entries.

Tables here are cells × categories, never members: a few dozen entries at most, so the
rank tests over a ≤ 30 × 40 matrix cost a few milliseconds a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Suppression:
    """Which entries are hidden: cells (r × c), row totals (r), column totals (c), total."""

    cells: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    total: bool


class _Layout:
    """Entries numbered cells (row-major), then row totals, column totals, grand total."""

    def __init__(self, r: int, c: int, rows: bool, cols: bool, total: bool):
        self.r, self.c = r, c
        self.size = r * c + r + c + 1
        self.present = np.zeros(self.size, dtype=bool)
        self.present[: r * c] = True
        self.present[r * c : r * c + r] = rows
        self.present[r * c + r : r * c + r + c] = cols
        self.present[-1] = total
        # Each published total gives one equation: +1 on its parts, −1 on itself.
        self.lines: list[tuple[np.ndarray, int]] = []
        cell = np.arange(r * c).reshape(r, c)
        if rows:
            self.lines += [(cell[i], self.row(i)) for i in range(r)]
        if cols:
            self.lines += [(cell[:, j], self.col(j)) for j in range(c)]
        if total:
            if rows:
                self.lines.append((np.array([self.row(i) for i in range(r)]), self.grand))
            if cols:
                self.lines.append((np.array([self.col(j) for j in range(c)]), self.grand))
            if not rows and not cols:
                self.lines.append((cell.ravel(), self.grand))

    def row(self, i: int) -> int:
        return self.r * self.c + i

    def col(self, j: int) -> int:
        return self.r * self.c + self.r + j

    @property
    def grand(self) -> int:
        return self.size - 1

    def matrix(self) -> np.ndarray:
        a = np.zeros((len(self.lines), self.size))
        for n, (parts, whole) in enumerate(self.lines):
            a[n, parts] = 1
            a[n, whole] = -1
        return a


def suppress(
    counts,
    *,
    k: int,
    row_counts=None,
    col_counts=None,
    total_count: int | None = None,
    structural=None,
) -> Suppression:
    """Return which entries to hide so that none rests on fewer than k members, nor can be
    recovered from the published entries by subtraction (or any combination of totals).

    counts: members behind each cell (r × c); row_counts / col_counts / total_count: members
    behind each published total, None when that margin is not published; structural: cells
    that cannot hold anyone (published as empty, never hidden).
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("counts must be a 2-D table")
    if k < 1:
        raise ValueError("k must be at least 1")
    r, c = counts.shape
    layout = _Layout(r, c, row_counts is not None, col_counts is not None, total_count is not None)
    n = np.zeros(layout.size, dtype=np.int64)
    n[: r * c] = counts.ravel()
    if row_counts is not None:
        n[r * c : r * c + r] = np.asarray(row_counts, dtype=np.int64)
    if col_counts is not None:
        n[r * c + r : r * c + r + c] = np.asarray(col_counts, dtype=np.int64)
    if total_count is not None:
        n[-1] = total_count

    known = ~layout.present  # unpublished margins are neither shown nor hidden: skip them
    if structural is not None:
        structural = np.asarray(structural, dtype=bool)
        if counts[structural].any():
            raise ValueError("a structural cell cannot hold members")
        known[: r * c] |= structural.ravel()
    # A zero rests on nobody and discloses no one: published, like the CMS cell-size rule
    # ("1 to 10" hidden, 0 shown). Hiding zeros too would make every structurally empty
    # margin force a real one into hiding.
    known |= layout.present & (n == 0)
    hidden = ~known & (n < k)  # primary suppression
    is_total = np.arange(layout.size) >= r * c
    a = layout.matrix() if layout.lines else None
    while True:
        lone = _line_with_one_hidden(layout, hidden, known)
        if lone is not None:
            entries, victim = lone
        else:
            victim = _determined_entry(a, hidden, known) if a is not None else None
            if victim is None:
                break
            entries = _lines_of(layout, victim)
        candidates = [e for e in entries if not hidden[e] and not known[e]]
        if not candidates:  # every neighbour already hidden: widen to the whole table
            candidates = [int(e) for e in np.flatnonzero(~hidden & ~known)]
        if not candidates:
            break
        # Cells before totals (a hidden total helps no one), then fewest members.
        pick = min(candidates, key=lambda e: (is_total[e], n[e], e))
        hidden[pick] = True

    return Suppression(
        cells=hidden[: r * c].reshape(r, c),
        rows=hidden[r * c : r * c + r] if row_counts is not None else np.zeros(r, dtype=bool),
        cols=hidden[r * c + r : r * c + r + c] if col_counts is not None else np.zeros(c, bool),
        total=bool(hidden[-1]) if total_count is not None else False,
    )


def _line_with_one_hidden(layout: _Layout, hidden, known):
    """Return (entries of the line, its lone hidden entry) for the first such line, or None."""
    for parts, whole in layout.lines:
        entries = [*parts.tolist(), whole]
        unknown = [e for e in entries if hidden[e]]
        if len(unknown) == 1:
            return entries, unknown[0]
    return None


def _lines_of(layout: _Layout, entry: int) -> list[int]:
    """Return the entries sharing a line with `entry`, its first line's first."""
    out: list[int] = []
    for parts, whole in layout.lines:
        entries = [*parts.tolist(), whole]
        if entry in entries:
            out += [e for e in entries if e not in out]
    return out


def _determined_entry(a: np.ndarray, hidden, known) -> int | None:
    """Return the first hidden entry whose value the published entries pin down, or None.

    With the published entries moved to the right-hand side, the hidden ones x satisfy
    A_h x = b. x_e is determined exactly when the unit vector e lies in the row space of
    A_h, i.e. appending it as a row does not raise the rank.
    """
    idx = np.flatnonzero(hidden)
    if idx.size == 0:
        return None
    sub = a[:, idx]
    base = np.linalg.matrix_rank(sub) if sub.size else 0
    for pos, entry in enumerate(idx):
        unit = np.zeros((1, idx.size))
        unit[0, pos] = 1
        if np.linalg.matrix_rank(np.vstack([sub, unit])) == base:
            return int(entry)
    return None
