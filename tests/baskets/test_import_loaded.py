"""A re-import holds back the rows of baskets loaded before, and still rejects what it must.

`apps/baskets/importing/loaded.py` keeps those rows from the stage unless SQL must judge
them: a loaded basket whose rows in this file disagree, or whose totals overflow, is
rejected as it always was; one with a quoted row as well is still judged whole. Expected
reasons and counts are written out by hand from docs/import.md's rules.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from apps.baskets.importing import loaded, pos_import_dir
from apps.baskets.models import Basket, BasketLine
from tests.baskets.test_import import PRODUCTS, by_name, write

pytestmark = pytest.mark.django_db

HEADER = "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
FIRST = (
    HEADER
    + "OLD1,1001,S01,2026-03-01 09:30,000000000001,1,3.49,0\n"
    + "OLD2,1002,S01,2026-03-01 10:30,000000000002,1,1.99,0\n"
    + "OLD3,1002,S02,2026-03-01 11:30,000000000003,1,0.94,0\n"
    + "OLD4,,S02,2026-03-01 12:30,000000000001,1,3.49,0\n"
)
# Sent again, with a new basket, and three loaded ones that now go wrong:
# OLD1's rows disagree on the card; OLD2's total overflows numeric(12,2); OLD3 has a quoted
# row (read by the per-row reader) on another store. OLD4 comes again as it was.
AGAIN = (
    HEADER
    + "OLD1,1001,S01,2026-03-01 09:30,000000000001,1,3.49,0\n"  # line 2
    + "OLD1,1003,S01,2026-03-01 09:30,000000000002,1,1.99,0\n"  # line 3
    + "OLD2,1002,S01,2026-03-01 10:30,000000000002,1,9999999999.99,0\n"  # line 4
    + "OLD2,1002,S01,2026-03-01 10:30,000000000002,1,0.01,0\n"  # line 5
    + "OLD3,1002,S02,2026-03-01 11:30,000000000003,1,0.94,0\n"  # line 6
    + 'OLD3,1002,"S03",2026-03-01 11:30,000000000003,1,0.94,0\n'  # line 7
    + "OLD4,,S02,2026-03-01 12:30,000000000001,1,3.49,0\n"  # line 8
    + "NEW1,1001,S01,2026-03-02 09:30,000000000001,2,6.98,0\n"  # line 9
)


def import_twice(tmp_path: Path):
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "baskets.csv", FIRST)
    first = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert first.loaded == 4
    write(tmp_path, "baskets.csv", AGAIN)
    return by_name(pos_import_dir(directory=tmp_path), "baskets.csv")


def test_loaded_baskets_that_now_go_wrong_are_still_rejected(tmp_path):
    again = import_twice(tmp_path)
    assert (again.rows_read, again.loaded, again.rejected) == (8, 1, 6)
    assert again.unchanged_or_already_loaded == 1  # OLD4
    reasons = _reasons(tmp_path)
    assert reasons == {
        2: "rows of basket 'OLD1' disagree on card_number",
        3: "rows of basket 'OLD1' disagree on card_number",
        4: "basket 'OLD2' totals more than 9999999999.99",
        5: "basket 'OLD2' totals more than 9999999999.99",
        6: "rows of basket 'OLD3' disagree on store",
        7: "rows of basket 'OLD3' disagree on store",
    }
    assert Basket.objects.count() == 5
    assert BasketLine.objects.filter(basket__basket_id="NEW1").count() == 1
    assert BasketLine.objects.count() == 5


def test_the_same_verdicts_when_holding_stops_at_once(tmp_path, monkeypatch):
    """Past HELD_MAX the held rows are staged and SQL judges them all, as before."""
    monkeypatch.setattr(loaded, "HELD_MAX", 0)
    again = import_twice(tmp_path)
    assert (again.rows_read, again.loaded, again.rejected) == (8, 1, 6)
    assert sorted(_reasons(tmp_path)) == [2, 3, 4, 5, 6, 7]


def test_a_clean_re_import_stages_no_row_of_a_loaded_basket(tmp_path, monkeypatch):
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "baskets.csv", FIRST)
    pos_import_dir(directory=tmp_path)
    seen = []
    original = loaded.HeldRows.hold

    def spy(self, rows, *, newly_loaded):
        staged = original(self, rows, newly_loaded=newly_loaded)
        seen.append(staged.num_rows)
        return staged

    monkeypatch.setattr(loaded.HeldRows, "hold", spy)
    again = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert seen == [0]
    assert (again.rows_read, again.loaded, again.rejected) == (4, 0, 0)
    assert again.unchanged_or_already_loaded == 4


def test_large_totals_are_summed_exactly_not_bounded(tmp_path):
    """Held baskets are summed only when their amounts' lengths allow an overflow; then the
    exact sum decides. BIG1's two lines total 9999999999.98, one cent short of the limit:
    already loaded, not rejected. BIG2 comes again with a third line that takes it past the
    limit (9999999999.98 + 0.02): rejected whole. NEW2 loads. Written out by hand."""
    write(tmp_path, "products.csv", PRODUCTS)
    big = (
        HEADER
        + "BIG1,1001,S01,2026-03-03 09:30,000000000001,1,4999999999.99,0\n"
        + "BIG1,1001,S01,2026-03-03 09:30,000000000002,1,4999999999.99,0\n"
        + "BIG2,1002,S01,2026-03-03 10:30,000000000001,1,4999999999.99,0\n"
        + "BIG2,1002,S01,2026-03-03 10:30,000000000002,1,4999999999.99,0\n"
    )
    write(tmp_path, "baskets.csv", big)
    assert by_name(pos_import_dir(directory=tmp_path), "baskets.csv").loaded == 4
    again = (
        big
        + "BIG2,1002,S01,2026-03-03 10:30,000000000003,1,0.02,0\n"  # line 6
        + "NEW2,1002,S02,2026-03-04 10:30,000000000003,1,0.94,0\n"  # line 7
    )
    write(tmp_path, "baskets.csv", again)
    result = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert (result.rows_read, result.loaded, result.rejected) == (6, 1, 3)
    assert result.unchanged_or_already_loaded == 2  # BIG1
    assert _reasons(tmp_path) == {
        line: "basket 'BIG2' totals more than 9999999999.99" for line in (4, 5, 6)
    }
    assert BasketLine.objects.count() == 5


def test_rows_that_disagree_are_found_without_summing(tmp_path):
    """With short amounts no held basket can overflow, so nothing is summed: OLD1's second
    row on another card is still found (its rows disagree), OLD4 is already loaded."""
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "baskets.csv", FIRST)
    assert by_name(pos_import_dir(directory=tmp_path), "baskets.csv").loaded == 4
    write(
        tmp_path,
        "baskets.csv",
        HEADER
        + "OLD1,1001,S01,2026-03-01 09:30,000000000001,1,3.49,0\n"  # line 2
        + "OLD4,,S02,2026-03-01 12:30,000000000001,1,3.49,0\n"  # line 3
        + "OLD1,1001,S01,2026-03-01 09:31,000000000002,1,1.99,0\n",  # line 4
    )
    again = by_name(pos_import_dir(directory=tmp_path), "baskets.csv")
    assert (again.rows_read, again.loaded, again.rejected) == (3, 0, 2)
    assert _reasons(tmp_path) == {
        line: "rows of basket 'OLD1' disagree on purchased_at" for line in (2, 4)
    }


def _reasons(directory: Path) -> dict[int, str]:
    with (directory / "baskets.csv.rejects.csv").open(newline="") as f:
        return {int(row["line"]): row["reason"] for row in csv.DictReader(f)}
