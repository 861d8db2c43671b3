"""The engine's row order (apps.segments.cells._order) against Python's tuple sort."""

from __future__ import annotations

import numpy as np
import pytest

from apps.segments.cells import _order


@pytest.mark.parametrize(
    "high",
    [
        3,  # small spans: packed into one int64
        2**40,  # spans whose product passes 2^62: the lexsort
    ],
)
def test_order_sorts_rows_as_tuples(high):
    rng = np.random.default_rng(7)
    keys = [rng.integers(-high, high, 500) for _ in range(3)]
    order = _order(*keys)
    rows = list(zip(*(k.tolist() for k in keys), strict=True))
    assert sorted(order.tolist()) == list(range(500))
    assert [rows[i] for i in order] == sorted(rows)


def test_order_of_nothing_is_empty():
    assert len(_order(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))) == 0
