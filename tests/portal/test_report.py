"""Report figures against the hand-worked history of tests/portal/conftest.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.portal import selectors
from apps.portal.report import TOTAL, Hidden, agreement_report
from apps.portal.selectors import Period
from tests.portal.conftest import MARCH

D = Decimal
H5 = Hidden(5)


def _by_key(rows, n_keys: int) -> dict:
    return {tuple(row[:n_keys]): tuple(row[n_keys:]) for row in rows}


@pytest.fixture
def scope(world):
    cats = [world["ketchup"], world["mustard"]]
    return world, world["agreement"], cats, world["ketchup"].pk, world["mustard"].pk


# Selectors: the raw figures and the members behind them ---------------------------------------


def test_period_and_previous_period():
    assert MARCH.days == 31
    assert MARCH.previous == Period(dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))


def test_agreement_categories_named_or_from_covered_products(world):
    agreement = world["agreement"]
    assert selectors.agreement_categories(agreement=agreement) == [
        world["ketchup"],
        world["mustard"],
    ]
    agreement.categories.clear()
    # Without named categories: wherever the covered brand (any case) is sold.
    assert selectors.agreement_categories(agreement=agreement) == [
        world["ketchup"],
        world["mustard"],
        world["relish"],
    ]


def test_sales_by_brand_group(scope):
    world, agreement, cats, k, m = scope
    rows = selectors.sales_by_brand_group(agreement=agreement, categories=cats, period=MARCH)
    # (category, group) → (member sales, distinct members); None marks a margin.
    assert _by_key(rows, 2) == {
        (k, "yours"): (D("12.00"), 6),  # m1–m6 Acme; Zesty is not in the agreement
        (k, "national"): (D("14.00"), 4),  # m1–m3 Bolt 9.00, m14 Zesty 5.00
        (k, "store"): (D("20.49"), 8),  # m7–m13 10.50, m30 9.99 (Mar 31 23:30)
        (k, None): (D("46.49"), 15),
        (m, "yours"): (D("5.00"), 5),  # brand "ACME" matches "acme"
        (m, "national"): (D("20.00"), 10),
        (m, None): (D("25.00"), 15),
        (None, "yours"): (D("17.00"), 6),
        (None, "national"): (D("34.00"), 14),
        (None, "store"): (D("20.49"), 8),
        (None, None): (D("71.49"), 25),
    }


def test_buyers_by_cell_uses_the_latest_snapshot_ending_by_the_period_end(scope):
    world, agreement, cats, k, m = scope
    rows = selectors.buyers_by_cell(agreement=agreement, categories=cats, period=MARCH)
    # (category, loyalty, tier) → (spend on Acme, buyers); m6 is not in the snapshot.
    assert _by_key(rows, 3) == {
        (k, "national", 3): (D("6.00"), 3),
        (k, "swinger", 2): (D("2.00"), 1),
        (k, "store", 1): (D("2.00"), 1),
        (k, "none", 0): (D("2.00"), 1),
        (k, "national", None): (D("6.00"), 3),
        (k, "swinger", None): (D("2.00"), 1),
        (k, "store", None): (D("2.00"), 1),
        (k, "none", None): (D("2.00"), 1),
        (k, None, 3): (D("6.00"), 3),
        (k, None, 2): (D("2.00"), 1),
        (k, None, 1): (D("2.00"), 1),
        (k, None, 0): (D("2.00"), 1),
        (k, None, None): (D("12.00"), 6),
        # Mustard has no snapshot: all five buyers are unplaced.
        (m, "none", 0): (D("5.00"), 5),
        (m, "none", None): (D("5.00"), 5),
        (m, None, 0): (D("5.00"), 5),
        (m, None, None): (D("5.00"), 5),
    }
    used = selectors.snapshots_used(categories=cats, period=MARCH)
    assert used == {k: world["snapshot"]}


def test_brand_switching(scope):
    world, agreement, cats, k, m = scope
    rows = selectors.brand_switching(agreement=agreement, categories=cats, period=MARCH)
    assert _by_key(rows, 3) == {
        (k, "yours", "yours"): (1,),  # m4
        (k, "yours", "national"): (3,),  # m1–m3: Bolt 3.00 now beats Acme 2.00
        (k, "yours", "none"): (1,),  # m16
        (k, "national", "none"): (1,),  # m15: Bolt 3.00 beat Acme 2.00 in February
        (k, "store", "yours"): (2,),  # m5, m6
        (k, "none", "national"): (1,),  # m14 (Zesty)
        (k, "none", "store"): (8,),  # m7–m13, m30 (its Jan 28 line is out of range)
        (k, "yours", None): (5,),
        (k, "national", None): (1,),
        (k, "store", None): (2,),
        (k, "none", None): (9,),
        (k, None, "yours"): (3,),
        (k, None, "national"): (4,),
        (k, None, "store"): (8,),
        (k, None, "none"): (2,),
        (k, None, None): (17,),
        (m, "none", "yours"): (5,),
        (m, "none", "national"): (10,),
        (m, "none", None): (15,),
        (m, None, "yours"): (5,),
        (m, None, "national"): (10,),
        (m, None, None): (15,),
    }


def test_buyer_flow(scope):
    world, agreement, cats, k, m = scope
    rows = selectors.buyer_flow(agreement=agreement, categories=cats, period=MARCH)
    # (category or None for all, status) → (buyers, spend this period, spend before)
    assert _by_key(rows, 2) == {
        (k, "new"): (2, D("4.00"), D("0")),  # m5, m6
        (k, "retained"): (4, D("8.00"), D("8.00")),  # m1–m4
        (k, "lost"): (2, D("0"), D("4.00")),  # m15, m16
        (k, None): (8, D("12.00"), D("12.00")),
        (m, "new"): (5, D("5.00"), D("0")),
        (m, None): (5, D("5.00"), D("0")),
        # Across both categories: m1–m4 retained (2.00 + 1.00 now each), m5 new (3.00),
        # m6 new (2.00), m15 and m16 lost.
        (None, "retained"): (4, D("12.00"), D("8.00")),
        (None, "new"): (2, D("5.00"), D("0")),
        (None, "lost"): (2, D("0"), D("4.00")),
        (None, None): (8, D("17.00"), D("12.00")),
    }


# The suppressed report ------------------------------------------------------------------------


def test_sales_section_k5_hides_small_cells_and_their_complements(scope):
    world, agreement, cats, k, m = scope
    section = agreement_report(agreement=agreement, period=MARCH, k=5).sales_section()
    ketchup, mustard = section.rows
    # National in Ketchup rests on 4 members; then (see test_suppression's worked table)
    # national in Mustard, and Acme in both categories, are hidden too.
    assert ketchup == {
        "label": "Ketchup", "category_id": k,
        "yours": H5, "national": H5, "store": D("20.49"), TOTAL: D("46.49"),
        "your_share": H5, "store_share": D("20.49") / D("46.49"),
        "your_buyers": H5, "buyers": 15,
    }  # fmt: skip
    assert mustard == {
        "label": "Mustard", "category_id": m,
        "yours": H5, "national": H5, "store": 0, TOTAL: D("25.00"),
        "your_share": H5, "store_share": 0,
        "your_buyers": H5, "buyers": 15,
    }  # fmt: skip
    assert section.total == {
        "label": "All categories",
        "yours": D("17.00"), "national": D("34.00"), "store": D("20.49"), TOTAL: D("71.49"),
        "your_share": D("17.00") / D("71.49"), "store_share": D("20.49") / D("71.49"),
        "your_buyers": 6, "buyers": 25,
    }  # fmt: skip


def test_sales_section_with_the_default_k_of_10(scope, settings):
    world, agreement, cats, k, m = scope
    settings.REPORT_MIN_MEMBERS = 10
    report = agreement_report(agreement=agreement, period=MARCH)
    assert report.k == 10
    h = Hidden(10)
    ketchup, mustard = report.sales_section().rows
    total = report.sales_section().total
    # Small: Acme 6 and 5, national 4, store 8, and the Acme and store totals (6, 8).
    # National in Mustard (10) is hidden so that national in Ketchup is not 14 − 10.
    assert [ketchup[g] for g in ("yours", "national", "store", TOTAL)] == [h, h, h, D("46.49")]
    assert [mustard[g] for g in ("yours", "national", "store", TOTAL)] == [h, h, 0, D("25.00")]
    assert [total[g] for g in ("yours", "national", "store", TOTAL)] == [
        h,
        D("34.00"),
        h,
        D("71.49"),
    ]
    assert total["buyers"] == 25 and total["your_buyers"] == h


def test_cell_sections(scope):
    world, agreement, cats, k, m = scope
    report = agreement_report(agreement=agreement, period=MARCH, k=5)
    sections = {s.key: s for s in report.category_sections(world["ketchup"])}
    cells = sections["buyers_by_cell"]
    national = cells.rows[0]
    # Every cell rests on 1–3 buyers: all hidden but the zeros; the 6 buyers in all show.
    assert national == {"label": "National-brand loyal", "key": "national",
                        "1": 0, "2": 0, "3": H5, "0": None, TOTAL: H5}  # fmt: skip
    assert [r["label"] for r in cells.rows][-1] == "Not in the segment snapshot"
    assert cells.total[TOTAL] == 6
    assert sections["spend_by_cell"].total[TOTAL] == D("12.00")

    mustard = {s.key: s for s in report.category_sections(world["mustard"])}
    unplaced = mustard["buyers_by_cell"].rows[-1]
    assert unplaced == {"label": "Not in the segment snapshot", "key": "none",
                        "1": None, "2": None, "3": None, "0": 5, TOTAL: 5}  # fmt: skip
    assert mustard["spend_by_cell"].total[TOTAL] == D("5.00")


def test_cells_leave_out_the_unplaced_row_when_nobody_is_unplaced(scope):
    world, agreement, cats, k, m = scope
    # Put m6 into the snapshot: then every Acme buyer in Ketchup has a cell.
    from apps.segments.models import SegmentMember

    SegmentMember.objects.create(
        snapshot=world["snapshot"], member=world["members"][6], category_spend=D("1"),
        national_share=D("1"), loyalty="national", usage_tier=1, occasions=1,
    )  # fmt: skip
    report = agreement_report(agreement=agreement, period=MARCH, k=5)
    cells = {s.key: s for s in report.category_sections(world["ketchup"])}["buyers_by_cell"]
    assert [r["key"] for r in cells.rows] == ["national", "swinger", "store"]
    assert [c.label for c in cells.columns][1:] == ["Low usage", "Medium usage", "High usage",
                                                    "All"]  # fmt: skip


def test_switching_section(scope):
    world, agreement, cats, k, m = scope
    report = agreement_report(agreement=agreement, period=MARCH, k=5)
    switching = {s.key: s for s in report.category_sections(world["ketchup"])}["switching"]
    rows = {r["key"]: r for r in switching.rows}
    # Small: Y→Y 1, Y→N 3, Y→none 1, N→none 1, S→Y 2, none→N 1 and the totals on 1–4.
    # Row "none" then had one hidden cell: none→store (8) is hidden with it, and so is the
    # store column's total (its other cells are known zeros).
    assert rows["none"] == {"label": "Did not buy the category", "key": "none",
                            "yours": 0, "national": H5, "store": H5, "none": None,
                            TOTAL: 9}  # fmt: skip
    assert rows["yours"] == {"label": "Your brands", "key": "yours",
                             "yours": H5, "national": H5, "store": 0, "none": H5,
                             TOTAL: 5}  # fmt: skip
    assert switching.total == {"label": "All", "key": TOTAL, "yours": H5, "national": H5,
                               "store": H5, "none": H5, TOTAL: 17}  # fmt: skip
    mustard = {s.key: s for s in report.category_sections(world["mustard"])}["switching"]
    assert {r["key"]: (r["yours"], r["national"]) for r in mustard.rows}["none"] == (5, 10)


def test_flow_section(scope):
    world, agreement, cats, k, m = scope
    section = agreement_report(agreement=agreement, period=MARCH, k=5).flow_section()
    ketchup, mustard = section.rows
    assert [ketchup[c] for c in ("new", "retained", "lost", TOTAL)] == [H5, H5, H5, 8]
    assert [mustard[c] for c in ("new", "retained", "lost", TOTAL)] == [5, 0, 0, 5]
    assert mustard["new_spend"] == D("5.00")
    assert [section.total[c] for c in ("new", "retained", "lost", TOTAL)] == [H5, H5, H5, 8]
    assert "Jan 29, 2026 – Feb 28, 2026" in section.note


def test_category_page_shows_the_same_figures_as_the_agreement_page(scope):
    world, agreement, cats, k, m = scope
    whole = agreement_report(agreement=agreement, period=MARCH, k=5)
    alone = agreement_report(agreement=agreement, period=MARCH, k=5, categories=[cats[0]])
    for key in ("category_sales", "category_flow", "category_redemptions", "switching"):
        a = {s.key: s for s in whole.category_sections(cats[0])}[key]
        b = {s.key: s for s in alone.category_sections(cats[0])}[key]
        assert (a.rows, a.total) == (b.rows, b.total), key


def test_hidden_figures_sort_below_numbers_and_keep_their_order():
    rows = [("a", Hidden(5)), ("b", 3), ("c", Hidden(5)), ("d", 1)]
    assert [name for name, _ in sorted(rows, key=lambda r: r[1])] == ["a", "c", "d", "b"]
    assert str(Hidden(10)) == "< 10"
