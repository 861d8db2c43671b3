"""Small-cell suppression: primary, complementary, and that nothing hidden can be recovered.

Two attackers, written here independently of the code under test, look at the published
entries of a table and its totals:
* `recover_by_subtraction` repeatedly solves any row or column (with its total) that has a
  single unknown left, as a reader with a calculator would;
* `determined_by_algebra` finds, with SciPy's null space of the table's equations, every
  hidden entry whose value the published ones pin down by any combination of totals.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from apps.portal.suppression import suppress


def _entries(counts, rows: bool, cols: bool, total: bool):
    """Return the table's entries (name → value) and its equations (parts, whole)."""
    counts = np.asarray(counts)
    r, c = counts.shape
    values = {("cell", i, j): int(counts[i, j]) for i in range(r) for j in range(c)}
    equations = []
    if rows:
        for i in range(r):
            values[("row", i)] = int(counts[i].sum())
            equations.append(([("cell", i, j) for j in range(c)], ("row", i)))
    if cols:
        for j in range(c):
            values[("col", j)] = int(counts[:, j].sum())
            equations.append(([("cell", i, j) for i in range(r)], ("col", j)))
    if total:
        values["total"] = int(counts.sum())
        if rows:
            equations.append(([("row", i) for i in range(r)], "total"))
        if cols:
            equations.append(([("col", j) for j in range(c)], "total"))
        if not rows and not cols:
            equations.append((list(values)[: r * c], "total"))
    return values, equations


def _hidden_names(result, shape, rows: bool, cols: bool, total: bool) -> set:
    r, c = shape
    hidden = {("cell", i, j) for i in range(r) for j in range(c) if result.cells[i, j]}
    if rows:
        hidden |= {("row", i) for i in range(r) if result.rows[i]}
    if cols:
        hidden |= {("col", j) for j in range(c) if result.cols[j]}
    if total and result.total:
        hidden.add("total")
    return hidden


def recover_by_subtraction(values: dict, equations, hidden: set) -> set:
    """Return the hidden entries a reader works out by subtracting within single lines."""
    known = {name: v for name, v in values.items() if name not in hidden}
    recovered = set()
    progress = True
    while progress:
        progress = False
        for parts, whole in equations:
            unknown = [n for n in [*parts, whole] if n not in known]
            if len(unknown) != 1:
                continue
            (name,) = unknown
            parts_sum = sum(known.get(p, 0) for p in parts if p != name)
            known[name] = known[whole] - parts_sum if name != whole else parts_sum
            recovered.add(name)
            progress = True
    return recovered & hidden


def determined_by_algebra(equations, hidden: set) -> set:
    """Return the hidden entries fixed by the equations: no null-space direction moves them."""
    unknowns = sorted(hidden, key=str)
    if not unknowns:
        return set()
    index = {name: n for n, name in enumerate(unknowns)}
    a = np.zeros((max(len(equations), 1), len(unknowns)))
    for row, (parts, whole) in enumerate(equations):
        for p in parts:
            if p in index:
                a[row, index[p]] += 1
        if whole in index:
            a[row, index[whole]] -= 1
    basis = null_space(a)
    return {name for name in unknowns if np.allclose(basis[index[name]], 0, atol=1e-9)}


# Worked examples ------------------------------------------------------------------------------


def test_primary_suppression_hides_1_to_k_minus_1_and_shows_zeros():
    result = suppress([[0], [3], [9], [10], [25]], k=10)
    assert result.cells[:, 0].tolist() == [False, True, True, False, False]


def test_one_hidden_cell_in_a_column_hides_the_next_smallest_too():
    # Column 2, 5, 7, 20 with its total 34: the 2 alone could be read as 34 − 5 − 7 − 20.
    result = suppress([[2], [7], [5], [20]], k=5, col_counts=[34])
    assert result.cells[:, 0].tolist() == [True, False, True, False]
    assert not result.cols[0]


def test_two_way_table_hand_worked():
    """Brand groups × two categories, k=5 (the sales table of tests/portal/test_report.py).

    yours    [ 6,  5 |  6]      national [4] is small: its row then hides 10 (the only
    national [ 4, 10 | 14]      other cell), its column hides 6 (smaller than 8), and
    store    [ 8,  0 |  8]      row "yours" then hides 5. The zero stays published.
             [15, 15 | 25]
    """
    result = suppress(
        [[6, 5], [4, 10], [8, 0]],
        k=5,
        row_counts=[6, 14, 8],
        col_counts=[15, 15],
        total_count=25,
    )
    assert result.cells.tolist() == [[True, True], [True, True], [False, False]]
    assert not result.rows.any() and not result.cols.any() and not result.total


def test_small_total_is_hidden_and_protected_in_its_margin():
    # Row 1 rests on 3 members in all: its total is hidden, and so must be another row
    # total, or the grand total would give it away.
    result = suppress(
        [[1, 2], [30, 40], [20, 25]],
        k=5,
        row_counts=[3, 70, 45],
        col_counts=[51, 67],
        total_count=118,
    )
    assert result.rows.tolist() == [True, False, True]
    assert result.cells[0].all()
    values, equations = _entries([[1, 2], [30, 40], [20, 25]], True, True, True)
    hidden = _hidden_names(result, (3, 2), True, True, True)
    assert not recover_by_subtraction(values, equations, hidden)
    assert not determined_by_algebra(equations, hidden)


def test_structural_cells_are_never_hidden_and_protect_nothing():
    # Row "not segmented" can only sit in the "no tier" column; its 3 members are hidden,
    # and the structural cells around it cannot serve as complements.
    counts = [[20, 30, 0], [0, 0, 3]]
    structural = [[False, False, True], [True, True, False]]
    result = suppress(
        counts,
        k=5,
        row_counts=[50, 3],
        col_counts=[20, 30, 3],
        total_count=53,
        structural=structural,
    )
    assert not result.cells[0, 2] and not result.cells[1, 0] and not result.cells[1, 1]
    assert result.cells[1, 2] and result.rows[1] and result.cols[2]
    values, equations = _entries(counts, True, True, True)
    hidden = _hidden_names(result, (2, 3), True, True, True)
    assert not recover_by_subtraction(values, equations, hidden)
    assert not determined_by_algebra(equations, hidden)


def test_cell_pinned_down_by_combining_lines_is_protected():
    """Two 2×2 blocks of small cells joined by one small cell (a bridge): every row and
    column holds 0 or at least 2 hidden cells, yet rows 0+1 minus columns 0+1 give the
    bridge cell (1, 2) exactly. The rank test must hide more."""
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    counts = np.full((4, 4), 20)
    for i, j in small:
        counts[i, j] = 2
    values, equations = _entries(counts, True, True, True)
    only_primary = {("cell", i, j) for i, j in small}
    assert ("cell", 1, 2) in determined_by_algebra(equations, only_primary)  # the trap is real
    assert not recover_by_subtraction(values, equations, only_primary)  # lines alone miss it

    result = suppress(
        counts,
        k=5,
        row_counts=counts.sum(axis=1),
        col_counts=counts.sum(axis=0),
        total_count=int(counts.sum()),
    )
    hidden = _hidden_names(result, (4, 4), True, True, True)
    assert only_primary <= hidden
    assert not determined_by_algebra(equations, hidden)


def test_k_must_be_positive_and_structural_cells_empty():
    with pytest.raises(ValueError):
        suppress([[1]], k=0)
    with pytest.raises(ValueError):
        suppress([[1]], k=5, structural=[[True]])


# Properties -----------------------------------------------------------------------------------


@st.composite
def tables(draw):
    k = draw(st.integers(min_value=5, max_value=12))
    r = draw(st.integers(min_value=1, max_value=5))
    c = draw(st.integers(min_value=1, max_value=5))
    # Mostly small counts, so that tables have many cells to protect.
    counts = np.array(
        draw(
            st.lists(
                st.lists(st.integers(min_value=0, max_value=3 * k), min_size=c, max_size=c),
                min_size=r,
                max_size=r,
            )
        )
    )
    structural = np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=c, max_size=c), min_size=r, max_size=r))
    ) & draw(st.booleans())
    counts[structural] = 0
    rows, cols, total = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    return k, counts, structural, rows, cols, total


@settings(max_examples=300, deadline=None)
@given(tables())
def test_nothing_small_is_published_and_nothing_hidden_can_be_recovered(table):
    k, counts, structural, rows, cols, total = table
    result = suppress(
        counts,
        k=k,
        row_counts=counts.sum(axis=1) if rows else None,
        col_counts=counts.sum(axis=0) if cols else None,
        total_count=int(counts.sum()) if total else None,
        structural=structural,
    )
    values, equations = _entries(counts, rows, cols, total)
    hidden = _hidden_names(result, counts.shape, rows, cols, total)

    # Primary: every published entry rests on no one or on at least k members.
    for name, n in values.items():
        if name not in hidden:
            assert n == 0 or n >= k, (name, n)
    # Zeros and structural cells are shown, never hidden.
    assert not any(values[name] == 0 for name in hidden)
    assert not (result.cells & structural).any()
    # Complementary: no hidden entry comes back by subtraction, nor by any combination.
    assert not recover_by_subtraction(values, equations, hidden)
    assert not determined_by_algebra(equations, hidden)
